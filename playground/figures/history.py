"""The history charts every lab draws (losses, D's outputs, a distance to p_data), redrawn about
once a second from a snapshot's bounded histories.

Made to be read from the back of a room: at most six ticks per axis, reference lines labelled in
the margin, and the losses smoothed (a moving average in full colour over the raw minibatch values
drawn faint, as TensorBoard does), since a single minibatch's loss is too noisy to show a trend.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..objectives import OBJECTIVES
from .common import HISTORY_MARGIN, NORMAL, Style, axis, base_layout, figure, hline, titled_legend

SMOOTHING_SHARE = 0.05  # the moving average spans about this share of the points shown
RAW_OPACITY = 0.25
OBJECTIVE_NAMES = {"bce": "BCE", "least-squares": "least squares", "wgan-gp": "WGAN-GP", "hinge": "hinge"}


def history_layout(name: str, height: int, style: Style = NORMAL, **settings) -> dict:
    """A history chart's layout: its name over its legend, an iteration axis with a few ticks, and
    ``settings``."""
    return base_layout(style, height=height, legend=titled_legend(name, style), margin=HISTORY_MARGIN,
                       xaxis=axis(title=dict(text="iteration"), nticks=6), **settings)


def along(iterations: np.ndarray) -> dict:
    """A trace's x: (x0, dx) when the iterations are evenly spaced, as the per-iteration loss history
    is (its bounded history keeps every stride-th iteration), which saves sending an array; else x."""
    it = np.asarray(iterations)
    if len(it) > 2 and np.all(np.diff(it) == it[1] - it[0]):
        return dict(x0=float(it[0]), dx=float(it[1] - it[0]))
    return dict(x=it)


def smoothing_weight(points: int) -> float:
    """The moving average's weight for a chart of ``points`` points: a window of about
    SMOOTHING_SHARE of them (none below 20 points)."""
    window = SMOOTHING_SHARE * points
    return 0.0 if window <= 1 else 1.0 - 1.0 / window


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: an exponential moving average, debiased so that it starts at the
    first value rather than at 0. NaN (no loss yet, e.g. Step G before any Step D) stays NaN and
    does not enter the average."""
    values = np.asarray(values, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    last, seen = 0.0, 0
    for i, v in enumerate(values):
        if not math.isfinite(v):
            continue
        last, seen = weight * last + (1 - weight) * v, seen + 1
        out[i] = last / (1 - weight ** seen) if weight > 0 else v
    return out.astype(np.float32)


def _loss_traces(iterations, values, name: str, color: str, style: Style) -> list[dict]:
    """The raw loss, faint and thin, under its moving average (one legend entry for both)."""
    weight = smoothing_weight(len(values))
    x = along(iterations)
    raw = dict(type="scatter", **x, y=values, name=f"{name} (raw)", mode="lines", legendgroup=name,
               showlegend=False, hoverinfo="skip", opacity=RAW_OPACITY, line=dict(color=color, width=1 * style.line))
    smoothed = dict(type="scatter", **x, y=smooth(values, weight), name=name, mode="lines",
                    legendgroup=name, line=dict(color=color, width=2 * style.line))
    return [raw, smoothed] if weight > 0 else [dict(smoothed, y=values)]


def loss_history(history: dict, gen_loss: str, height: int = 300, objective: str = "bce",
                 method: str = "adversarial", style: Style = NORMAL) -> go.Figure:
    """D and G losses per iteration, smoothed, with their values at the optimum marked where the
    objective has one (binary cross-entropy: log 4 and ±log 2; least squares: ¼ and ⅛; MMD: 0)."""
    it = history["iteration"]
    if method == "mmd":
        traces = _loss_traces(it, history["g_loss"], "G loss = MMD² (minibatch)", "#2ca02c", style)
        layout = history_layout("Loss (MMD, no discriminator)", height, style,
                                yaxis=axis(title=dict(text="MMD²"), nticks=6), shapes=[hline(0.0, "0", style)])
        return figure(traces, layout)
    spec = OBJECTIVES[objective]
    traces = [*_loss_traces(it, history["d_loss"], "D loss = −V" if objective == "bce" else "D loss", "#1f77b4", style),
              *_loss_traces(it, history["g_loss"], "G loss", "#2ca02c", style)]
    shapes = []
    if spec.d_optimum is not None:
        g_opt = -spec.g_optimum if objective == "bce" and gen_loss == "minimax" else spec.g_optimum
        if objective == "bce":
            labels = ("log 4", "log 2" if g_opt > 0 else "−log 2")
        else:
            labels = ("D opt.", "G opt.")
        shapes = [hline(spec.d_optimum, labels[0], style), hline(g_opt, labels[1], style)]
    name = "Losses" if objective == "bce" else f"Losses ({OBJECTIVE_NAMES[objective]})"
    layout = history_layout(name, height, style, yaxis=axis(title=dict(text="loss"), nticks=6),
                            **({"shapes": shapes} if shapes else {}))
    return figure(traces, layout)


def d_history(history: dict, height: int = 300, objective: str = "bce", style: Style = NORMAL) -> go.Figure:
    """Mean D on real and on generated samples: probabilities that both reach ½ at the optimum
    (binary cross-entropy; least squares' scores too), or a critic's scores, whose gap shrinks."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history["d_real"], name="D(x), real", mode="lines",
             line=dict(color="black", width=1.5 * style.line)),
        dict(type="scatter", x=it, y=history["d_fake"], name="D(G(z)), generated", mode="lines",
             line=dict(color="#2ca02c", width=1.5 * style.line)),
    ]
    spec = OBJECTIVES[objective]
    if spec.probability:
        yaxis = axis(range=[0, 1], title=dict(text="mean D"), tickvals=[0, 0.25, 0.5, 0.75, 1],
                     ticktext=["0", "¼", "½", "¾", "1"])
        shapes, heading = [hline(0.5, "", style)], "Discriminator outputs"
    elif spec.optimal_d:
        yaxis, shapes = axis(title=dict(text="mean D"), nticks=6), [hline(0.5, "½", style)]
        heading = "Discriminator outputs (least squares)"
    else:
        yaxis, shapes = axis(title=dict(text="mean score"), nticks=6), []
        heading = f"Critic scores ({OBJECTIVE_NAMES[objective]})"
    layout = history_layout(heading, height, style, yaxis=yaxis, **({"shapes": shapes} if shapes else {}))
    return figure(traces, layout)


def mmd_history(history: dict, height: int = 300, style: Style = NORMAL) -> go.Figure:
    """MMD² between G's samples and the data on the fixed evaluation batches (the kernel MMD training
    descends), for adversarial and direct training alike; about 0 once p_g matches p_data."""
    it = history["iteration"]
    traces = [dict(type="scatter", x=it, y=history["mmd2"], name="MMD²", mode="lines",
                   line=dict(color="#17becf", width=1.5 * style.line))]
    layout = history_layout("MMD² to p_data", height, style,
                            yaxis=axis(title=dict(text="MMD²"), rangemode="tozero", nticks=5),
                            shapes=[hline(0.0, "0", style)])
    return figure(traces, layout)


def gradient_history(losses: dict, height: int = 300, style: Style = NORMAL) -> go.Figure:
    """‖∇θG‖, the norm of the generator loss's gradient per iteration, on a log scale: the
    saturating minimax loss shows it vanish when D rejects G's samples."""
    traces = [dict(type="scatter", **along(losses["iteration"]), y=losses["g_grad_norm"], name="‖∇θG‖", mode="lines",
                   line=dict(color="#8c564b", width=1.5 * style.line))]
    layout = history_layout("Generator gradient ‖∇θG‖", height, style,
                            yaxis=axis(type="log", dtick=1, title=dict(text="norm")))  # label powers of 10 only
    return figure(traces, layout)


def distance_history(history: dict, height: int = 300, distance: str = "w1", label: str = "W1",
                     style: Style = NORMAL) -> go.Figure:
    """A sample distance (left axis; W1 by default) and the JS divergence in nats (right axis, at
    most log 2) over training."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history[distance], name=label, mode="lines",
             line=dict(color="#d62728", width=1.5 * style.line)),
        dict(type="scatter", x=it, y=history["js"], name="JS (nats)", mode="lines",
             line=dict(color="#9467bd", width=1.5 * style.line), yaxis="y2"),
    ]
    layout = history_layout("Distance to p_data", height, style,
                            yaxis=axis(title=dict(text=label), rangemode="tozero", nticks=5),
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


def overlaid(a: go.Figure, b: go.Figure | None) -> go.Figure:
    """History chart ``a`` (run A, solid) with the lines of the same chart of run B drawn dashed
    over it, in the same colours (compare mode); B's faint raw losses are left out, they would
    hide A's. ``b`` None: B has no such chart (e.g. no discriminator), A's lines are still named A."""
    for trace in a.data:
        trace.name = f"{trace.name} · A"
    dashed = [trace.update(name=f"{trace.name} · B", line_dash="dash") for trace in (b.data if b else ())
              if trace.opacity is None or trace.opacity >= 1]
    return a.add_traces(dashed)
