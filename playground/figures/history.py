"""The history charts every lab draws (losses, D's outputs, a distance to p_data), redrawn about
once a second from a snapshot's bounded histories."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..objectives import OBJECTIVES
from .common import BASE_LAYOUT, HISTORY_MARGIN, axis, figure, hline, title

OBJECTIVE_NAMES = {"bce": "BCE", "least-squares": "least squares", "wgan-gp": "WGAN-GP", "hinge": "hinge"}


def along(iterations: np.ndarray) -> dict:
    """A trace's x: (x0, dx) when the iterations are evenly spaced, as the per-iteration loss history
    is (its bounded history keeps every stride-th iteration), which saves sending an array; else x."""
    it = np.asarray(iterations)
    if len(it) > 2 and np.all(np.diff(it) == it[1] - it[0]):
        return dict(x0=float(it[0]), dx=float(it[1] - it[0]))
    return dict(x=it)


def loss_history(history: dict, gen_loss: str, height: int = 300, objective: str = "bce",
                 method: str = "adversarial") -> go.Figure:
    """D and G losses per iteration, with their values at the optimum marked where the objective
    has one (binary cross-entropy: log 4 and ±log 2; least squares: ¼ and ⅛; MMD: 0)."""
    it = along(history["iteration"])
    if method == "mmd":
        traces = [dict(type="scatter", **it, y=history["g_loss"], name="G loss = MMD² (minibatch)", mode="lines",
                       line=dict(color="#2ca02c", width=1.5))]
        layout = dict(BASE_LAYOUT, height=height, title=title("Loss (MMD, no discriminator)"), margin=HISTORY_MARGIN,
                      xaxis=axis(title=dict(text="iteration")), yaxis=axis(title=dict(text="MMD²")),
                      shapes=[hline(0.0, "0: p_g = p_data")])
        return figure(traces, layout)
    spec = OBJECTIVES[objective]
    traces = [
        dict(type="scatter", **it, y=history["d_loss"], name="D loss = −V" if objective == "bce" else "D loss",
             mode="lines", line=dict(color="#1f77b4", width=1.5)),
        dict(type="scatter", **it, y=history["g_loss"], name="G loss", mode="lines",
             line=dict(color="#2ca02c", width=1.5)),
    ]
    shapes = []
    if spec.d_optimum is not None:
        g_opt = -spec.g_optimum if objective == "bce" and gen_loss == "minimax" else spec.g_optimum
        shapes = [hline(spec.d_optimum, "log 4" if objective == "bce" else "D at optimum"),
                  hline(g_opt, "G at optimum")]
    layout = dict(BASE_LAYOUT, height=height, title=title(f"Losses ({OBJECTIVE_NAMES[objective]})"),
                  margin=HISTORY_MARGIN, xaxis=axis(title=dict(text="iteration")), yaxis=axis(title=dict(text="loss")),
                  **({"shapes": shapes} if shapes else {}))
    return figure(traces, layout)


def d_history(history: dict, height: int = 300, objective: str = "bce") -> go.Figure:
    """Mean D on real and on generated samples: probabilities that both reach ½ at the optimum
    (binary cross-entropy; least squares' scores too), or a critic's scores, whose gap shrinks."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history["d_real"], name="D(x), real", mode="lines",
             line=dict(color="black", width=1.5)),
        dict(type="scatter", x=it, y=history["d_fake"], name="D(G(z)), generated", mode="lines",
             line=dict(color="#2ca02c", width=1.5)),
    ]
    spec = OBJECTIVES[objective]
    if spec.probability:
        yaxis, shapes, heading = axis(range=[0, 1], title=dict(text="mean D")), [hline(0.5, "½")], "Discriminator outputs"
    elif spec.optimal_d:
        yaxis, shapes, heading = axis(title=dict(text="mean D")), [hline(0.5, "½")], "Discriminator outputs (least squares)"
    else:
        yaxis, shapes, heading = axis(title=dict(text="mean score")), [], f"Critic scores ({OBJECTIVE_NAMES[objective]})"
    layout = dict(BASE_LAYOUT, height=height, title=title(heading), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")), yaxis=yaxis, **({"shapes": shapes} if shapes else {}))
    return figure(traces, layout)


def mmd_history(history: dict, height: int = 300) -> go.Figure:
    """MMD² between G's samples and the data on the fixed evaluation batches (the kernel MMD training
    descends), for adversarial and direct training alike; about 0 once p_g matches p_data."""
    it = history["iteration"]
    traces = [dict(type="scatter", x=it, y=history["mmd2"], name="MMD²", mode="lines",
                   line=dict(color="#17becf", width=1.5))]
    layout = dict(BASE_LAYOUT, height=height, title=title("MMD² to p_data"), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")), yaxis=axis(title=dict(text="MMD²"), rangemode="tozero"),
                  shapes=[hline(0.0, "0")])
    return figure(traces, layout)


def gradient_history(losses: dict, height: int = 300) -> go.Figure:
    """‖∇θG‖, the norm of the generator loss's gradient per iteration, on a log scale: the
    saturating minimax loss shows it vanish when D rejects G's samples."""
    traces = [dict(type="scatter", **along(losses["iteration"]), y=losses["g_grad_norm"], name="‖∇θG‖", mode="lines",
                   line=dict(color="#8c564b", width=1.5))]
    layout = dict(BASE_LAYOUT, height=height, title=title("Generator gradient ‖∇θG‖"), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")),
                  yaxis=axis(type="log", dtick=1, title=dict(text="norm")))  # label powers of 10 only
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
