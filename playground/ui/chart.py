"""What a frame draws besides metrics: live Plotly charts updated in place, the history charts,
and pixel images (the MNIST digit grids).

st.plotly_chart derives the element's identity from a hash of the figure, so every new frame
remounts the chart and the browser rebuilds it from scratch (measured: Chromium's renderer at
100% of a core at 3 frames/s). The live chart component keeps one Plotly div per key and calls
Plotly.react on it with each new figure. Plotly.js comes from the plotly package installed with
the app (served locally, no CDN; see ``internals.plotly_js_url``).
"""

from __future__ import annotations

import base64
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
import streamlit.components.v2 as components_v2

from ..export import png_bytes
from ..figures.history import mark_iteration
from ..labs import Lab
from .internals import plotly_js_url

_LIVE_CHART_JS = """
function fillHeight(el, fill) {
  // From the chart's top (where it is with the page scrolled to the top) to the window's bottom.
  const scroller = el.closest('[data-testid="stMain"]');
  const top = el.getBoundingClientRect().top + (scroller ? scroller.scrollTop : window.scrollY);
  return Math.max(fill.min, Math.floor(window.innerHeight - top - fill.bottom));
}

export default function (component) {
  const { data, parentElement } = component;
  const el = parentElement.querySelector(".gp-live-chart");
  const height = data.fill ? fillHeight(el, data.fill) : data.height;
  el.style.height = height + "px";
  window.__gpPlotly ||= new Promise((resolve, reject) => {
    if (window.Plotly) return resolve(window.Plotly);
    const script = document.createElement("script");
    script.src = data.plotly_url;
    script.onload = () => resolve(window.Plotly);
    script.onerror = reject;
    document.head.appendChild(script);
  });
  window.__gpPlotly.then((Plotly) => {
    const figure = JSON.parse(data.figure);
    figure.layout.height = height;
    Plotly.react(el, figure.data, figure.layout,
                 { displaylogo: false, responsive: true, displayModeBar: data.toolbar ? "hover" : false });
    el.__gpFill = data.fill;
    if (data.fill && !el.__gpRefit) {
      // Refit, even while paused, when the window is resized or the page above moves (a notice
      // comes or goes, the sidebar folds): the fit above was taken when this frame arrived.
      el.__gpRefit = () => {
        if (!el.__gpFill || !el.isConnected) return;
        const height = fillHeight(el, el.__gpFill);
        if (Math.abs(height - el.offsetHeight) < 2) return;  // also ends the observer's echo
        el.style.height = height + "px";
        Plotly.relayout(el, { height });
      };
      window.addEventListener("resize", el.__gpRefit);
      const page = el.closest('[data-testid="stMainBlockContainer"]');
      if (page && window.ResizeObserver) (el.__gpObserver = new ResizeObserver(el.__gpRefit)).observe(page);
    }
  });
  return () => {
    if (el.__gpRefit) window.removeEventListener("resize", el.__gpRefit);
    if (el.__gpObserver) el.__gpObserver.disconnect();
  };
}
"""
_live_chart = components_v2.component(
    "gan_playground.live_chart", html='<div class="gp-live-chart" style="width:100%"></div>',
    js=_LIVE_CHART_JS, isolate_styles=False)


FILL = {"min": 320, "bottom": 16}  # a filling chart: its least height, and the room left under it (px)


def live_chart(figure: go.Figure, key: str, fill: bool = False, toolbar: bool = True) -> None:
    """Show ``figure`` in a chart that later calls with the same key update in place (Streamlit's
    own chart, redrawn from scratch each time, if Plotly.js cannot be served).

    ``fill``: the chart is as tall as the window allows below its top (presentation mode's main
    figure), refitted on every update and when the window is resized. ``toolbar=False`` hides
    Plotly's toolbar, which would cover a small chart's title and legend.
    """
    height = int(figure.layout.height or 400)
    url = plotly_js_url()
    if url is None:
        st.plotly_chart(figure, key=f"{key}:fallback", config={"displaylogo": False, "displayModeBar": toolbar})
        return
    _live_chart(key=key, height="content" if fill else height + 10,
                data={"figure": pio.to_json(figure, validate=False), "height": height, "plotly_url": url,
                      "fill": FILL if fill else None, "toolbar": toolbar})


def history_charts(lab: Lab, snap: Any, config: Any, per_row: int | None = None, marker: int | None = None) -> None:
    """The lab's history figures, ``per_row`` to a row (all in one row by default), with a
    vertical line at iteration ``marker`` if given (the moment a scrubbed page shows)."""
    charts = list(lab.history_figures(snap, config).items())
    if marker is not None:
        charts = [(name, mark_iteration(chart, marker)) for name, chart in charts]
    per_row = per_row or len(charts)
    for start in range(0, len(charts), per_row):
        for column, (name, chart) in zip(st.columns(per_row), charts[start:start + per_row]):
            with column:
                live_chart(chart, key=f"{lab.key}.{name}", toolbar=False)


def pixel_image(container, image, caption: str) -> None:
    """A uint8 image as lossless PNG inside the message itself (a data: URL), not a media file.

    A media file lives only until the next frame replaces it; under load the browser fetched some
    grids after that and got 404s (broken images). Inline, every frame carries its own pixels.
    """
    url = "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode()
    container.image(url, caption=caption, width="stretch")
