"""The history charts every lab draws (losses, D's outputs, a distance to p_data), redrawn about
once a second from a snapshot's bounded histories."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from ..metrics import LOG4
from .common import BASE_LAYOUT, HISTORY_MARGIN, axis, figure, hline, title


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
    layout = dict(BASE_LAYOUT, height=height, title=title("Losses"), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")), yaxis=axis(title=dict(text="loss")),
                  shapes=[hline(LOG4, "log 4"), hline(g_opt, "G at optimum")])
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
    layout = dict(BASE_LAYOUT, height=height, title=title("Discriminator outputs"), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")), yaxis=axis(range=[0, 1], title=dict(text="mean D")),
                  shapes=[hline(0.5, "½")])
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
    layout = dict(BASE_LAYOUT, height=height, title=title("Distance to p_data"), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")), yaxis=axis(title=dict(text=label), rangemode="tozero"),
                  yaxis2=axis(title=dict(text="JS"), overlaying="y", side="right", range=[0, math.log(2)],
                              tickvals=[0, 0.2, 0.4, math.log(2)], ticktext=["0", "0.2", "0.4", "log 2"],
                              showgrid=False))
    return figure(traces, layout)


MARKER = dict(color="#ff4b4b", width=2)


def mark_iteration(figure: go.Figure, iteration: int) -> go.Figure:
    """The figure with a vertical line at ``iteration`` (the moment a scrubbed page shows)."""
    line = dict(type="line", xref="x", yref="paper", x0=iteration, x1=iteration, y0=0, y1=1, line=MARKER,
                label=dict(text=f"{iteration:,}", textposition="end", font=dict(size=11, color=MARKER["color"])))
    shapes = list(figure.layout.shapes or ()) + [line]
    return figure.update_layout(shapes=shapes)
