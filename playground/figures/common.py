"""Plotly figures as pure functions of a snapshot: arrays in, ``go.Figure`` out.

Arrays stay float32 so Plotly sends them as compact base64 typed arrays, curves on the evenly
spaced grid send x as (x0, dx) instead of an array, the figures carry the empty "none" template
(Streamlit applies its theme in the browser), and a fixed ``uirevision`` keeps the user's zoom
across live updates.

Traces and layouts are plain dicts, and :func:`figure` skips Plotly's property validation, which
took ~80% of building a frame's figures. The builders write what validation would produce
(colour scales as lists, the template as a dict, no empty lists), and ``tests/test_figure_validity.py``
checks every builder's output against a validated copy.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ..metrics import LOG4

P_DATA = dict(color="black", dash="dot", width=2.5)
P_G = dict(color="#2ca02c", width=2.5)
D_LINE = dict(color="#1f77b4", dash="dash", width=2.5)
D_STAR = dict(color="#9ecae1", dash="dot", width=2)
REFERENCE = dict(color="#999999", dash="dot", width=1)
MAPPING = dict(color="#2ca02c", width=1)

BASE_LAYOUT = dict(
    template=pio.templates["none"].to_plotly_json(),
    margin=dict(l=55, r=55, t=30, b=45),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    uirevision="keep",
    hovermode="x",
    font=dict(family='"Source Sans Pro", "Source Sans 3", sans-serif', size=13, color="#31333F"),
    paper_bgcolor="rgba(0,0,0,0)",
    plot_bgcolor="rgba(0,0,0,0)",
)
HISTORY_MARGIN = dict(l=55, r=55, t=70, b=45)  # room for a title above the legend


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A Figure from already valid traces and layout, without re-validating every property."""
    return go.Figure(traces, layout, _validate=False)


def _axis(**settings) -> dict:
    """An axis in the app's light style (thin grey grid, no zero line)."""
    return {"gridcolor": "#e6e6e6", "zeroline": False, "linecolor": "#bbbbbb", "showline": True, **settings}


def _title(text: str) -> dict:
    return dict(text=text, x=0.02, xanchor="left", y=0.97, yanchor="top", font=dict(size=15))


def figure1(snap, show_d_star: bool = True, height: int = 460) -> go.Figure:
    """Goodfellow et al. Figure 1: p_data (black, dotted), p_g (green, solid), D (blue, dashed),
    and under them the mapping x = G(z) from evenly spaced z."""
    lo, hi = snap.x_range
    density_top = 1.6 * float(np.nanmax(snap.p_data)) or 1.0
    grid = dict(x0=float(snap.x[0]), dx=float(snap.x[1] - snap.x[0]))
    traces = [
        dict(type="scatter", y=snap.p_data, name="p_data", line=P_DATA, yaxis="y", **grid),
        dict(type="scatter", y=np.minimum(snap.p_g, 2 * density_top), name="p_g", line=P_G, yaxis="y", **grid),
        dict(type="scatter", y=snap.d, name="D(x)", line=D_LINE, yaxis="y2", **grid),
    ]
    if show_d_star:
        traces.append(dict(type="scatter", y=snap.d_star, name="D*(x) = p_data/(p_data+p_g)", line=D_STAR,
                           yaxis="y2", **grid))
    traces.append(dict(type="scatter", x=[lo, hi], y=[0.5, 0.5], name="½", line=REFERENCE, yaxis="y2",
                       hoverinfo="skip", showlegend=False))
    traces += _mapping_traces(snap)
    layout = dict(
        BASE_LAYOUT,
        height=height,
        xaxis=_axis(range=[lo, hi], title=dict(text="x"), anchor="y3"),
        yaxis=_axis(domain=[0.3, 1.0], range=[0, density_top], title=dict(text="density"), fixedrange=True),
        yaxis2=_axis(domain=[0.3, 1.0], range=[0, 1.05], overlaying="y", side="right",
                     tickvals=[0, 0.25, 0.5, 0.75, 1], title=dict(text="D(x)"), showgrid=False, fixedrange=True),
        yaxis3=_axis(domain=[0.0, 0.2], range=[-0.15, 1.15], tickvals=[0, 1], ticktext=["z", "x"],
                     showgrid=False, showline=False, fixedrange=True),
        **_off_plot_note(snap),
    )
    return figure(traces, layout)


def _off_plot_note(snap) -> dict:
    """Layout annotations saying so when most of p_g lies outside the plotted range (G thrown far away)."""
    share, mean = snap.metrics.get("off_plot", 0.0), snap.metrics.get("mean_x", 0.0)
    if not share > 0.5:
        return {}
    lo, hi = snap.x_range
    right = mean > (lo + hi) / 2
    return dict(annotations=[dict(xref="paper", yref="paper", x=1.0 if right else 0.0, y=0.62,
                 xanchor="right" if right else "left", showarrow=False,
                 text=f"{share:.0%} of p_g is off the plot (mean x = {mean:.3g}) →" if right
                 else f"← {share:.0%} of p_g is off the plot (mean x = {mean:.3g})",
                 font=dict(color=P_G["color"], size=13), bgcolor="rgba(255,255,255,0.8)")])


def _mapping_traces(snap) -> list[dict]:
    """Segments from each z (placed on the lower line, rescaled to the x axis) up to G(z)."""
    lo, hi = snap.x_range
    z_lo, z_hi = snap.z_span
    z_pos = lo + (snap.z_line - z_lo) / (z_hi - z_lo) * (hi - lo)
    n = len(z_pos)
    xs = np.full(3 * n, np.nan, dtype=np.float32)
    ys = np.full(3 * n, np.nan, dtype=np.float32)
    xs[0::3], xs[1::3] = z_pos, np.clip(snap.x_of_z, lo - (hi - lo), hi + (hi - lo))
    ys[0::3], ys[1::3] = 0.0, 1.0
    return [
        dict(type="scatter", x=xs, y=ys, mode="lines", line=MAPPING, yaxis="y3", name="x = G(z)",
             showlegend=False, hoverinfo="skip", connectgaps=False),
        dict(type="scatter", x=[lo, hi, None, lo, hi], y=[0, 0, None, 1, 1], mode="lines", yaxis="y3",
             line=dict(color="black", width=1), showlegend=False, hoverinfo="skip"),
    ]


def loss_history(history: dict, gen_loss: str, height: int = 300) -> go.Figure:
    """D and G losses per iteration, with their values at the optimum (D = ½) marked."""
    it = history["iteration"]
    g_opt = math.log(2) if gen_loss == "nonsaturating" else -math.log(2)
    traces = [
        dict(type="scatter", x=it, y=history["d_loss"], name="D loss = −V", mode="lines",
             line=dict(color="#1f77b4", width=1.5)),
        dict(type="scatter", x=it, y=history["g_loss"], name="G loss", mode="lines",
             line=dict(color="#2ca02c", width=1.5)),
    ]
    layout = dict(BASE_LAYOUT, height=height, title=_title("Losses"), margin=HISTORY_MARGIN,
                  xaxis=_axis(title=dict(text="iteration")), yaxis=_axis(title=dict(text="loss")),
                  shapes=[_hline(LOG4, "log 4"), _hline(g_opt, "G at optimum")])
    return figure(traces, layout)


def d_history(history: dict, height: int = 300) -> go.Figure:
    """Mean D on real and on generated samples; both reach ½ at the optimum."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history["d_real"], name="D(x), real", mode="lines",
             line=dict(color="black", width=1.5)),
        dict(type="scatter", x=it, y=history["d_fake"], name="D(G(z)), generated", mode="lines",
             line=dict(color="#2ca02c", width=1.5)),
    ]
    layout = dict(BASE_LAYOUT, height=height, title=_title("Discriminator outputs"), margin=HISTORY_MARGIN,
                  xaxis=_axis(title=dict(text="iteration")), yaxis=_axis(range=[0, 1], title=dict(text="mean D")),
                  shapes=[_hline(0.5, "½")])
    return figure(traces, layout)


def distance_history(history: dict, height: int = 300, distance: str = "w1", label: str = "W1") -> go.Figure:
    """A sample distance (left axis; W1 by default) and the JS divergence in nats (right axis, at
    most log 2) over training."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history[distance], name=label, mode="lines",
             line=dict(color="#d62728", width=1.5)),
        dict(type="scatter", x=it, y=history["js"], name="JS (nats)", mode="lines",
             line=dict(color="#9467bd", width=1.5), yaxis="y2"),
    ]
    layout = dict(BASE_LAYOUT, height=height, title=_title("Distance to p_data"), margin=HISTORY_MARGIN,
                  xaxis=_axis(title=dict(text="iteration")), yaxis=_axis(title=dict(text=label), rangemode="tozero"),
                  yaxis2=_axis(title=dict(text="JS"), overlaying="y", side="right", range=[0, math.log(2)],
                               tickvals=[0, 0.2, 0.4, math.log(2)], ticktext=["0", "0.2", "0.4", "log 2"],
                               showgrid=False))
    return figure(traces, layout)


def _hline(y: float, label: str) -> dict:
    return dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=REFERENCE,
                label=dict(text=label, textposition="end", font=dict(size=11, color="#777777")))


def frame_1d(snap, config) -> dict[str, go.Figure]:
    """The figures redrawn every frame of the 1-D lab, by name."""
    return {"figure1": figure1(snap, config.show_d_star)}


def history_1d(snap, config) -> dict[str, go.Figure]:
    """The 1-D lab's history charts (redrawn about once a second)."""
    return {
        "losses": loss_history(snap.losses, config.loss),
        "d_history": d_history(snap.evals),
        "distances": distance_history(snap.evals),
    }
