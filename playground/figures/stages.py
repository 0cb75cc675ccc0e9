"""Figure 1 of Goodfellow et al. rebuilt from a run: its four stages side by side, as in the paper
(four panels in a row, labelled (a) to (d) underneath), each drawn as the 1-D lab draws a frame."""

from __future__ import annotations

import copy

import plotly.graph_objects as go

from .common import NORMAL, Style, base_layout, figure
from .one_d import figure1

PANEL_GAP = 0.035  # of the width, between panels
AXES_PER_PANEL = 3  # figure1's y (densities), y2 (D, overlaid) and y3 (the z → x mapping)
PAPER_SIZE = (1600, 420)  # pixels of the PNG and SVG downloads


def stages_figure(stages, show_d_star: bool = True, show_ideal: bool = True, style: Style = NORMAL,
                  height: int = 420) -> go.Figure:
    """One figure of up to four panels, one per :class:`~playground.stages.Stage`, its caption above
    it and its letter under it; the legend once, from the first panel."""
    traces, layout_axes, annotations = [], {}, []
    count = max(len(stages), 1)
    width = (1 - PANEL_GAP * (count - 1)) / count
    wrap_at = 24 if count > 2 else 48
    for p, stage in enumerate(stages):
        panel = figure1(stage.snapshot, show_d_star, height=height, show_ideal=show_ideal, style=style).to_plotly_json()
        lo = p * (width + PANEL_GAP)
        names = _axis_names(p)
        for trace in panel["data"]:
            trace = copy.copy(trace)
            trace["xaxis"] = names["x"]
            trace["yaxis"] = names[trace.get("yaxis", "y")]
            trace["showlegend"] = p == 0 and trace.get("showlegend", True)
            trace["legendgroup"] = trace.get("name")
            traces.append(trace)
        layout = panel["layout"]
        x_axis = dict(layout["xaxis"], domain=[lo, lo + width], anchor=names["y3"])
        x_axis.pop("title", None)
        layout_axes[_layout_key(names["x"])] = x_axis
        for own in ("y", "y2", "y3"):
            axis = dict(layout[_layout_key(own)], anchor=names["x"])
            if "overlaying" in axis:
                axis["overlaying"] = names["y"]
            if (p > 0 and own != "y2") or (own == "y2" and p < count - 1):  # titles once: densities left, D right
                axis.pop("title", None)
            if own == "y2" and p < count - 1:
                axis["showticklabels"] = False
            layout_axes[_layout_key(names[own])] = axis
        centre = lo + width / 2
        annotations.append(dict(xref="paper", yref="paper", x=centre, y=1.0, yanchor="bottom", showarrow=False,
                                text=_wrap(stage.caption.split(": ", 1)[-1] if stage.reached else stage.caption,
                                           wrap_at),
                                font=dict(size=style.font - 1, color="#31333F" if stage.reached else "#8a8a8a")))
        annotations.append(dict(xref="paper", yref="paper", x=centre, y=-0.12, yanchor="top", showarrow=False,
                                text=f"<b>({stage.letter})</b>  {_steps(stage.snapshot)}",
                                font=dict(size=style.font + 1)))
    layout = base_layout(style, height=height, hovermode=False, margin=dict(l=55, r=55, t=120, b=70),
                         legend=dict(orientation="h", yanchor="bottom", y=1.25, x=0), annotations=annotations,
                         **layout_axes)
    return figure(traces, layout)


def _steps(snapshot) -> str:
    """'iteration 1', and under it '5 D · 1 G steps'."""
    d, g = snapshot.d_steps, snapshot.g_steps
    return f"iteration {snapshot.iteration:,}<br>{d:,} D · {g:,} G steps"


def _axis_names(panel: int) -> dict[str, str]:
    """figure1's axis names → this panel's (x, y, y2, y3 for the first; x2, y4, y5, y6 next…)."""
    x = "x" if panel == 0 else f"x{panel + 1}"
    first = AXES_PER_PANEL * panel
    return {"x": x, **{own: ("y" if first + i == 0 else f"y{first + i + 1}") for i, own in enumerate(("y", "y2", "y3"))}}


def _layout_key(name: str) -> str:
    """'x' → 'xaxis', 'y5' → 'yaxis5'."""
    return f"{name[0]}axis{name[1:]}"


def _wrap(text: str, width: int) -> str:
    """A caption broken into lines of at most about ``width`` characters."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line])
