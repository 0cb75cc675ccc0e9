"""The MNIST lab's Plotly figures, pure functions of a :class:`~playground.labs.mnist.SnapshotMNIST`.

The digit grids themselves are not figures: the page shows them as images, each frame's grid an
inline PNG (a data: URL in the message, ~1.7 KB; see ``playground.ui.chart.pixel_image``).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from .common import BASE_LAYOUT, HISTORY_MARGIN, P_G, REFERENCE, axis, figure, hline, title
from .history import d_history, loss_history

SCORE_BINS = 20


def score_histogram(snap, height: int = 300) -> go.Figure:
    """Histograms of D's outputs on a real batch (black) and a generated batch (green), ½ marked.

    Counted here (20 bins) so a frame sends 40 numbers rather than every score."""
    edges = np.linspace(0.0, 1.0, SCORE_BINS + 1)
    centres = ((edges[:-1] + edges[1:]) / 2).astype(np.float32)
    real, _ = np.histogram(np.nan_to_num(snap.d_real_scores, nan=0.0), bins=edges)
    fake, _ = np.histogram(np.nan_to_num(snap.d_fake_scores, nan=0.0), bins=edges)
    width = float(edges[1] - edges[0])
    traces = [
        dict(type="bar", x=centres, y=real.astype(np.int32), name="D(x), real digits", width=width,
             marker=dict(color="rgba(0,0,0,0.55)")),
        dict(type="bar", x=centres, y=fake.astype(np.int32), name="D(G(z)), generated", width=width,
             marker=dict(color=P_G["color"], opacity=0.6)),
    ]
    layout = dict(BASE_LAYOUT, height=height, barmode="overlay", hovermode=False, title=title("D's scores"),
                  margin=HISTORY_MARGIN, xaxis=axis(range=[0, 1], title=dict(text="D output"),
                                                    tickvals=[0, 0.25, 0.5, 0.75, 1]),
                  yaxis=axis(title=dict(text="digits"), rangemode="tozero"),
                  shapes=[dict(type="line", xref="x", yref="paper", x0=0.5, x1=0.5, y0=0, y1=1,
                               line=REFERENCE)])
    return figure(traces, layout)


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
        "losses": loss_history(snap.losses, config.loss),
        "d_history": d_history(snap.evals),
        "quality": quality_history(snap.quality, snap.metrics.get("real_is", math.nan)),
    }
