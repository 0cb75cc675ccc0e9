"""The MNIST lab's Plotly figures, pure functions of a :class:`~playground.labs.mnist.SnapshotMNIST`.

The digit grids themselves are not figures: the page shows them as images, each frame's grid an
inline PNG (a data: URL in the message, ~1.7 KB; see ``playground.ui.chart.pixel_image``).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..objectives import OBJECTIVES
from .common import HISTORY_MARGIN, NORMAL, P_G, REFERENCE, Style, axis, base_layout, figure, style_of, titled_legend
from .history import OBJECTIVE_NAMES, d_history, gradient_history, history_layout, loss_history

SCORE_BINS = 20


def score_histogram(snap, height: int = 300, style: Style = NORMAL) -> go.Figure:
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
    ticks = dict(tickvals=[0, 0.5, 1], ticktext=["0", "½", "1"]) if spec.probability else dict(nticks=5)
    shapes = [dict(type="line", xref="x", yref="paper", x0=0.5, x1=0.5, y0=0, y1=1, line=REFERENCE)] if (
        spec.optimal_d) else []
    layout = base_layout(style, height=height, barmode="overlay", hovermode=False, legend=titled_legend(heading, style),
                         margin=HISTORY_MARGIN, xaxis=axis(range=[lo, hi], title=dict(text="D output"), **ticks),
                         yaxis=axis(title=dict(text="digits"), rangemode="tozero", nticks=5),
                         **({"shapes": shapes} if shapes else {}))
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


def log_ticks(values, most: int = 4) -> tuple[list[float], list[float]]:
    """Tick values for a log axis over ``values`` (positive, finite ones), and the axis range as
    log10: a 1-2-5 series thinned to at most ``most`` labels. A range with fewer than two such
    values is widened to the nearest ones around it, so an axis never shows "1.31k" five times over."""
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data) & (data > 0)]
    lo, hi = (float(data.min()), float(data.max())) if len(data) else (1.0, 10.0)
    series = [m * 10.0 ** e for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1)
              for m in (1, 2, 5)]
    inside = [v for v in series if lo <= v <= hi]
    if len(inside) < 2:  # widen to the series values just outside the data
        lo = max([v for v in series if v <= lo], default=lo)
        hi = min([v for v in series if v >= hi], default=hi)
        inside = [v for v in series if lo <= v <= hi]
    if len(inside) > most:
        decades = [v for v in inside if math.log10(v).is_integer()]
        if len(decades) < 2:
            decades = inside
        inside = decades[::math.ceil(len(decades) / most)]
    pad = 0.04 * max(math.log10(hi / lo), 0.3)
    return inside, [math.log10(lo) - pad, math.log10(hi) + pad]


def quality_history(history: dict, real_is: float, height: int = 300, style: Style = NORMAL) -> go.Figure:
    """Classifier Inception Score (left, 1–10, with what real digits score) and the Fréchet distance
    between classifier features of generated and real digits (right, log scale)."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history["classifier_is"], name="classifier IS", mode="lines+markers",
             line=dict(color="#ff7f0e", width=1.5 * style.line), marker=dict(size=4 * style.marker)),
        dict(type="scatter", x=it, y=history["classifier_fid"], name="Fréchet distance", mode="lines+markers",
             yaxis="y2", line=dict(color="#9467bd", width=1.5 * style.line), marker=dict(size=4 * style.marker)),
    ]
    if math.isfinite(real_is) and len(it):  # a legend entry, not a label that the IS curve runs through
        traces.append(dict(type="scatter", x=[float(it[0]), float(it[-1])], y=[real_is, real_is], mode="lines",
                           name=f"IS of real digits ({real_is:.2f})", line=REFERENCE, hoverinfo="skip"))
    ticks, log_range = log_ticks(history["classifier_fid"])
    layout = history_layout("Quality (offline classifier)", height, style,
                            yaxis=axis(range=[0, 10.5], title=dict(text="IS"), tickvals=[0, 2, 4, 6, 8, 10]),
                            yaxis2=axis(type="log", overlaying="y", side="right", showgrid=False, tickvals=ticks,
                                        ticktext=[f"{v / 1000:g}k" if v >= 1000 else f"{v:g}" for v in ticks],
                                        range=log_range, title=dict(text="Fréchet")))
    return figure(traces, layout)


def frame_mnist(snap, config) -> dict[str, go.Figure]:
    """The Plotly figures redrawn every frame of the MNIST lab (the grids are images)."""
    return {"scores": score_histogram(snap, style=style_of(config))}


def history_mnist(snap, config) -> dict[str, go.Figure]:
    style = style_of(config)
    return {
        "losses": loss_history(snap.losses, config.loss, objective=snap.objective, style=style),
        "d_history": d_history(snap.evals, objective=snap.objective, style=style),
        "quality": quality_history(snap.quality, snap.metrics.get("real_is", math.nan), style=style),
        "g_gradient": gradient_history(snap.losses, style=style),
    }
