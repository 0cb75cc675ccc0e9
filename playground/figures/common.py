"""What every lab's figures share: the builder, axis and title styles, the base layout and the colours.

Figures are pure functions of a snapshot: arrays in, ``go.Figure`` out.

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

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

P_DATA = dict(color="black", dash="dot", width=2.5)
P_G = dict(color="#2ca02c", width=2.5)
D_LINE = dict(color="#1f77b4", dash="dash", width=2.5)
D_STAR = dict(color="#9ecae1", dash="dot", width=2)
REFERENCE = dict(color="#999999", dash="dot", width=1)

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
HISTORY_MARGIN = dict(l=55, r=55, t=30, b=45)  # the legend above the plot (its title names the chart) adds its own room


@dataclass(frozen=True)
class Style:
    """How large a figure draws text, lines and markers: presentation mode draws them larger, so a
    class reads them from the back row of a projected room."""

    font: float = 13  # ticks, legends and labels; titles are 2 px larger
    line: float = 1.0  # every line width is multiplied by this
    marker: float = 1.0  # and every marker size


NORMAL = Style()
PROJECTOR = Style(font=17, line=1.6, marker=1.4)


def style_of(config) -> Style:
    """The style a lab's config asks for (its ``present`` setting)."""
    return PROJECTOR if getattr(config, "present", False) else NORMAL


def base_layout(style: Style = NORMAL, **settings) -> dict:
    """BASE_LAYOUT in the style's font size, with ``settings`` on top."""
    return {**BASE_LAYOUT, "font": {**BASE_LAYOUT["font"], "size": style.font}, **settings}


def scaled(line: dict, style: Style) -> dict:
    """A line (or marker line) with its width in the style."""
    return {**line, "width": line.get("width", 2) * style.line}


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A Figure from already valid traces and layout, without re-validating every property."""
    return go.Figure(traces, layout, _validate=False)


def axis(**settings) -> dict:
    """An axis in the app's light style (thin grey grid, no zero line)."""
    return {"gridcolor": "#e6e6e6", "zeroline": False, "linecolor": "#bbbbbb", "showline": True, **settings}


def title(text: str, style: Style = NORMAL) -> dict:
    """A chart title at the top left, above the legend."""
    return dict(text=text, x=0.02, xanchor="left", y=0.97, yanchor="top", font=dict(size=style.font + 2))


def titled_legend(text: str, style: Style = NORMAL) -> dict:
    """A horizontal legend above the plot whose title, on its own line, names the chart: however many
    rows the entries wrap into (a narrow chart, presentation mode's larger text), Plotly makes room
    for all of it, where a separate title collided with a legend of two or three rows."""
    return {**BASE_LAYOUT["legend"], "title": dict(text=text, side="top", font=dict(size=style.font + 2))}


def hline(y: float, label: str = "", style: Style = NORMAL) -> dict:
    """A dotted grey reference line across the plot at ``y``, labelled just past its right end, in
    the margin, where no curve can run through the label."""
    shape = dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=REFERENCE)
    if label:
        shape["label"] = dict(text=label, textposition="end", xanchor="left", yanchor="middle", padding=4,
                              font=dict(size=style.font - 2, color="#777777"))
    return shape
