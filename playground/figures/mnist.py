"""The MNIST lab's Plotly figures, pure functions of a :class:`~playground.labs.mnist.SnapshotMNIST`.

The digit grids themselves are not figures: the page shows them as images, each frame's grid an
inline PNG (a data: URL in the message, ~1.7 KB; see ``playground.ui.chart.pixel_image``).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..objectives import OBJECTIVES
from .common import BASE_LAYOUT, HISTORY_MARGIN, P_G, REFERENCE, axis, figure, hline, title
from .history import OBJECTIVE_NAMES, d_history, gradient_history, loss_history

SCORE_BINS = 20


def score_histogram(snap, height: int = 300) -> go.Figure:
    """Histograms of D's outputs on a real batch (black) and a generated batch (green): probabilities
    on [0, 1] with ½ marked (binary cross-entropy), else scores on the range they span.

    Counted here (20 bins) so a frame sends 40 numbers rather than every score."""
    spec = OBJECTIVES[snap.objective]
    lo, hi = _score_range(snap, spec)
    edges = np.linspace(lo, hi, SCORE_BINS + 1)
    centres = ((edges[:-1] + edges[1:]) / 2).astype(np.float32)
    real, _ = np.histogram(np.clip(np.nan_to_num(snap.d_real_scores, nan=lo), lo, hi), bins=edges)
    fake, _ = np.histogram(np.clip(np.nan_to_num(snap.d_fake_scores, nan=lo), lo, hi), bins=edges)
    width = float(edges[1] - edges[0])
    traces = [
        dict(type="bar", x=centres, y=real.astype(np.int32), name="D(x), real digits", width=width,
             marker=dict(color="rgba(0,0,0,0.55)")),
        dict(type="bar", x=centres, y=fake.astype(np.int32), name="D(G(z)), generated", width=width,
             marker=dict(color=P_G["color"], opacity=0.6)),
    ]
    heading = "D's scores" if spec.probability else f"D's scores ({OBJECTIVE_NAMES[snap.objective]})"
    ticks = dict(tickvals=[0, 0.25, 0.5, 0.75, 1]) if spec.probability else {}
    shapes = [dict(type="line", xref="x", yref="paper", x0=0.5, x1=0.5, y0=0, y1=1, line=REFERENCE)] if (
        spec.optimal_d) else []
    layout = dict(BASE_LAYOUT, height=height, barmode="overlay", hovermode=False, title=title(heading),
                  margin=HISTORY_MARGIN, xaxis=axis(range=[lo, hi], title=dict(text="D output"), **ticks),
                  yaxis=axis(title=dict(text="digits"), rangemode="tozero"), **({"shapes": shapes} if shapes else {}))
    return figure(traces, layout)


def _score_range(snap, spec) -> tuple[float, float]:
    """[0, 1] for probabilities; else the scores' range (holding [0, 1] for least squares, whose
    optimum is the probability D* too)."""
    if spec.probability:
        return 0.0, 1.0
    scores = np.concatenate([snap.d_real_scores, snap.d_fake_scores]).astype(float)
    scores = scores[np.isfinite(scores)]
    lo, hi = (float(scores.min()), float(scores.max())) if scores.size else (0.0, 1.0)
    if spec.optimal_d:
        lo, hi = min(lo, 0.0), max(hi, 1.0)
    return lo, (hi if hi > lo else lo + 1.0)


def quality_history(history: dict, real_is: float, height: int = 300) -> go.Figure:
    """Classifier Inception Score (left, 1–10, with what real digits score) and the Fréchet distance
    between classifier features of generated and real digits (right, log scale)."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history["classifier_is"], name="classifier IS", mode="lines+markers",
             line=dict(color="#ff7f0e", width=1.5), marker=dict(size=4)),
        dict(type="scatter", x=it, y=history["classifier_fid"], name="Fréchet distance", mode="lines+markers",
             yaxis="y2", line=dict(color="#9467bd", width=1.5), marker=dict(size=4)),
    ]
    shapes = [hline(real_is, f"real digits {real_is:.2f}")] if math.isfinite(real_is) else []
    layout = dict(BASE_LAYOUT, height=height, title=title("Quality (offline classifier)"), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")),
                  yaxis=axis(range=[0, 10.5], title=dict(text="IS")),
                  yaxis2=axis(type="log", overlaying="y", side="right", showgrid=False, tickformat=".3~s",
                               tickmode="auto"),
                  shapes=shapes)
    return figure(traces, layout)


def frame_mnist(snap, config) -> dict[str, go.Figure]:
    """The Plotly figures redrawn every frame of the MNIST lab (the grids are images)."""
    return {"scores": score_histogram(snap)}


def history_mnist(snap, config) -> dict[str, go.Figure]:
    return {
        "losses": loss_history(snap.losses, config.loss, objective=snap.objective),
        "d_history": d_history(snap.evals, objective=snap.objective),
        "quality": quality_history(snap.quality, snap.metrics.get("real_is", math.nan)),
        "g_gradient": gradient_history(snap.losses),
    }
