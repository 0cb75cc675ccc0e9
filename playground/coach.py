"""The coach: plain-language readings of a run, each with the numbers behind it.

:func:`read` turns a snapshot of any lab (its metrics, its loss and evaluation histories, and in
the 1-D lab p_g and p_data on the grid) and the settings it was trained with into a list of
:class:`Reading`. Each rule is a small function of the run's *recent window* (the last quarter of
the iterations its histories cover), so one noisy frame does not flip a reading, and each states
its evidence as numbers a student can check against the charts. Thresholds were set on the
presets over seeds 0-9 (``scripts/coach_report.py`` prints the table): each pathology preset
triggers its reading and the converging ones do not.

Pure Python and NumPy: no Streamlit (ui/coach.py draws the box), no torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .objectives import OBJECTIVES

WINDOW = 0.25  # the recent window: this share of the iterations the histories cover
MIN_ITERATIONS = 300  # before this the run is still warming up: no readings
MIN_POINTS = 4  # a window with fewer evaluations says nothing

D_WINNING_GAP = 0.5  # mean D(real) − D(fake) at least this: D tells them apart nearly always
VANISHED = 0.1  # ‖∇θG‖ now at most this share of its peak: G's gradient has vanished
D_HALF = 0.1  # D(real) and D(fake) both within this of ½: D scores real and fake alike
OSCILLATION = 0.1  # the swing of D(G(z)) (std over the window) at least this
OSCILLATION_WINDOW = 0.5  # … over this share of the run's iterations (a swing is slow)
OSCILLATION_CROSSINGS = 2  # … crossing its mean at least this often: G overshoots to and fro
PILED_MASS, PILED_RATIO = 0.4, 2.0  # 1-D: this share of G's mass where p_g > PILED_RATIO × p_data is collapse
MISSED_MASS, MISSED_RATIO = 0.3, 0.1  # … as is p_g < MISSED_RATIO × p_data where this share of p_data's mass is
NEAR_JS_1D, FAR_JS_1D = 0.05, 0.1  # JS (nats) at most / at least this: p_g near / far from p_data
NEAR_JS_2D, FAR_JS_2D = 0.35, 0.5  # the same on the 2-D lab's 30 × 30 grid of 2,500 samples (noisier)
MODES_SHARE = 0.75  # 2-D: fewer than this share of the modes captured is mode collapse (and far)
HQ_NEAR, HQ_FAR = 0.5, 0.25  # 2-D: high-quality samples at least / below this share: near / far
LABEL_KL = 0.5  # MNIST: label KL from uniform above this (log 10 ≈ 2.3 is one digit only)
OFF_PLOT = 0.25  # this share of G's samples outside the plot: G is running away
GROWTH = 100.0  # ‖∇θG‖ or a loss grown this many times over its median: divergence is near


@dataclass(frozen=True)
class Reading:
    """One thing the coach says: a stable kind for code, a title and a sentence for the class,
    and the numbers behind it as (name, value as text)."""

    kind: str
    title: str
    text: str
    evidence: tuple[tuple[str, str], ...]
    good: bool = False  # True for a reading that says the run is fine (converged)


@dataclass(frozen=True)
class Window:
    """The recent stretch of a run's histories, and what the rules need to know about the run."""

    iteration: int
    metrics: dict
    losses: dict  # arrays over the window: iteration, d_loss, g_loss, g_grad_norm
    evals: dict  # arrays over the window: iteration, d_real, d_fake, … (the lab's metrics)
    all_losses: dict  # the whole run's
    probability: bool  # D's output is a probability (bce, least squares), so ½ means "can't tell"
    adversarial: bool
    loss: str  # the generator loss: 'nonsaturating' or 'minimax'
    snapshot: Any


def _recent(history: dict, start: float, end: float) -> dict:
    it = np.asarray(history.get("iteration", []), dtype=float)
    keep = (it >= start) & (it <= end)  # a moment scrubbed back to is drawn with the whole run's histories
    return {name: np.asarray(values, dtype=float)[keep] for name, values in history.items()}


def window(snapshot: Any, config: Any) -> Window:
    """The snapshot's recent window (the last WINDOW of the iterations its loss history covers)."""
    it = np.asarray(snapshot.losses.get("iteration", []), dtype=float)
    start = snapshot.iteration - WINDOW * (snapshot.iteration - (it[0] if len(it) else 0))
    objective = getattr(snapshot, "objective", getattr(config, "objective", "bce"))
    end = snapshot.iteration
    return Window(snapshot.iteration, snapshot.metrics, _recent(snapshot.losses, start, end),
                  _recent(snapshot.evals, start, end), _recent(snapshot.losses, -math.inf, end), OBJECTIVES[objective].probability,
                  getattr(snapshot, "method", "adversarial") == "adversarial",
                  getattr(config, "loss", "nonsaturating"), snapshot)


def _mean(values) -> float:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else math.nan


def _fmt(x: float) -> str:
    return f"{x:.3g}" if math.isfinite(x) else "—"


def _d_scores(w: Window) -> tuple[float, float]:
    return _mean(w.evals.get("d_real", [])), _mean(w.evals.get("d_fake", []))


def _js(w: Window) -> float:
    return _mean(w.evals.get("js", []))


Rule = Callable[[Window], "Reading | None"]


def d_winning(w: Window) -> Reading | None:
    """D tells real from generated almost always: its scores sit near 1 and near 0."""
    if not (w.adversarial and w.probability):
        return None
    real, fake = _d_scores(w)
    if not real - fake >= D_WINNING_GAP:
        return None
    return Reading("d_winning", "D is winning",
                   f"Over the last {len(w.evals['d_real'])} evaluations D gave real samples {real:.2f} and generated "
                   f"ones {fake:.2f} on average: it tells them apart almost every time, and G is not catching up. "
                   "Try fewer D steps (k), a slower D or a faster G.",
                   (("mean D(real)", _fmt(real)), ("mean D(G(z))", _fmt(fake)), ("gap", _fmt(real - fake))))


def vanishing_gradient(w: Window) -> Reading | None:
    """With the saturating minimax loss and a D that rejects G's samples, ‖∇θG‖ collapses."""
    if not (w.adversarial and w.loss == "minimax"):
        return None
    norms = np.asarray(w.all_losses.get("g_grad_norm", []), dtype=float)
    recent = np.asarray(w.losses.get("g_grad_norm", []), dtype=float)
    norms, recent = norms[np.isfinite(norms)], recent[np.isfinite(recent)]
    if len(norms) < MIN_POINTS or len(recent) < MIN_POINTS:
        return None
    peak, now = float(norms.max()), float(np.median(recent))
    real, fake = _d_scores(w)
    if not (peak > 0 and now <= VANISHED * peak and fake < 0.5):
        return None
    share = f"1/{peak / now:,.0f}" if now > 0 else "none"
    return Reading("vanishing_gradient", "G's gradient is vanishing",
                   f"With the minimax loss log(1 − D(G(z))), G learns from D's slope where D(G(z)) ≈ {fake:.2f}: there "
                   f"log(1 − D) is flat, and ‖∇θG‖ has fallen to {now:.2g}, {share} of its peak {peak:.2g}. "
                   "Switch the generator loss to non-saturating −log D(G(z)), whose slope is steep exactly there.",
                   (("‖∇θG‖ now (median)", _fmt(now)), ("‖∇θG‖ peak", _fmt(peak)), ("mean D(G(z))", _fmt(fake))))


def oscillation(w: Window) -> Reading | None:
    """G overshoots to and fro, and D's verdict on its samples swings after it.

    The measure: the standard deviation of D(G(z)) over the last OSCILLATION_WINDOW of the run's
    evaluations (a swing takes many of them, so a longer stretch than the other rules read), and
    how often it crosses its own mean (a swing, not a drift). A settled run's D(G(z)) barely moves;
    a D that keeps winning holds it near 0."""
    if not (w.adversarial and w.probability):
        return None
    fake = _last(w.snapshot, "d_fake", OSCILLATION_WINDOW)
    fake = fake[np.isfinite(fake)]
    if len(fake) < MIN_POINTS:
        return None
    swing = float(fake.std())
    crossings = int(np.sum(np.diff(np.sign(fake - fake.mean())) != 0))
    if not (swing >= OSCILLATION and crossings >= OSCILLATION_CROSSINGS):
        return None
    return Reading("oscillation", "Oscillation",
                   f"G keeps overshooting: over the last {len(fake)} evaluations D(G(z)) swung between "
                   f"{fake.min():.2f} and {fake.max():.2f} (±{swing:.2f}) and crossed its mean {crossings} times. G jumps "
                   "past p_data, D swings after it, and neither settles. Less momentum or a smaller learning rate "
                   "damps the swing.",
                   (("swing: std of D(G(z))", _fmt(swing)), ("range of D(G(z))", f"{fake.min():.2f} … {fake.max():.2f}"),
                    ("crossings of its mean", str(crossings)), ("evaluations", str(len(fake)))))


def _last(snapshot: Any, name: str, share: float) -> np.ndarray:
    """An evaluation history's values over the last ``share`` of the iterations it covers (up to the snapshot)."""
    it = np.asarray(snapshot.evals.get("iteration", []), dtype=float)
    values = np.asarray(snapshot.evals.get(name, []), dtype=float)
    if not len(it):
        return values
    start = snapshot.iteration - share * (snapshot.iteration - it[0])
    return values[(it >= start) & (it <= snapshot.iteration)]


def closeness(w: Window) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """Whether p_g is 'near' p_data, 'far' from it, or in between (None), with the numbers.

    Targets with modes (2-D): near when every mode is captured and most samples are of high
    quality, far when modes are missing or few samples are; others: JS (1-D on the plotting grid,
    2-D on a 30 × 30 grid of 2,500 samples, which even a learned p_g leaves near 0.3)."""
    total = w.metrics.get("modes_total", 0)
    if total:
        captured = _mean(w.evals.get("modes_captured", []))
        quality = _mean(w.evals.get("high_quality", []))
        evidence = (("modes captured (mean lately)", f"{captured:.1f} of {total:g}"),
                    ("high-quality samples", f"{quality:.0%}" if math.isfinite(quality) else "—"))
        if captured >= total - 0.5 and quality >= HQ_NEAR:
            return "near", evidence
        if captured < MODES_SHARE * total or quality < HQ_FAR:
            return "far", evidence
        return None, evidence
    js = _js(w)
    near, far = (NEAR_JS_2D, FAR_JS_2D) if "modes_total" in w.metrics else (NEAR_JS_1D, FAR_JS_1D)
    evidence = (("JS", f"{js:.3f} nats" if math.isfinite(js) else "—"),)
    return ("near" if js <= near else "far" if js >= far else None), evidence


def piled_and_missed(snapshot: Any) -> tuple[float, float]:
    """1-D: the share of G's mass piled up where p_g > PILED_RATIO × p_data, and the share of
    p_data's mass where p_g is below MISSED_RATIO × p_data (NaN without the densities)."""
    p_data, p_g = getattr(snapshot, "p_data", None), getattr(snapshot, "p_g", None)
    if p_data is None or p_g is None or np.ndim(p_data) != 1:
        return math.nan, math.nan
    p_data, p_g = np.asarray(p_data, dtype=float), np.nan_to_num(np.asarray(p_g, dtype=float))
    if not (p_data.sum() > 0 and p_g.sum() > 0):
        return math.nan, math.nan
    return (float(p_g[p_g > PILED_RATIO * p_data].sum() / p_g.sum()),
            float(p_data[p_g < MISSED_RATIO * p_data].sum() / p_data.sum()))


def mode_collapse(w: Window) -> Reading | None:
    """G covers only some of p_data: modes captured (2-D), mass missed (1-D) or digits (MNIST)."""
    total = w.metrics.get("modes_total", 0)
    if total:
        captured = _mean(w.evals.get("modes_captured", []))
        if not captured < MODES_SHARE * total:
            return None
        now = w.metrics.get("modes_captured", math.nan)
        return Reading("mode_collapse", "Mode collapse",
                       f"G covers {now:g} of the {total:g} modes now ({captured:.1f} on average lately): it piles its "
                       "samples onto a few modes and D learns to reject them, so G hops on instead of spreading out.",
                       (("modes captured now", f"{now:g} of {total:g}"), ("mean lately", _fmt(captured)),
                        ("high-quality samples", _fmt(_mean(w.evals.get("high_quality", []))))))
    label_kl = w.metrics.get("label_kl", math.nan)
    if math.isfinite(label_kl):
        if not label_kl > LABEL_KL:
            return None
        return Reading("mode_collapse", "Mode collapse",
                       f"The digit classifier's labels of G's digits are far from uniform (KL {label_kl:.2f} nats; 0 "
                       f"when all ten digits appear equally, log 10 ≈ 2.30 when only one does): G writes some digits "
                       "far too often and others never.", (("label KL from uniform", _fmt(label_kl)),))
    piled, missed = piled_and_missed(w.snapshot)
    if w.metrics.get("off_plot", 0.0) >= OFF_PLOT:  # G's samples are not on the grid: divergence_near says so
        return None
    if not (piled >= PILED_MASS or missed >= MISSED_MASS):
        return None
    return Reading("mode_collapse", "Mode collapse",
                   f"G piles its samples up instead of spreading them like p_data: {piled:.0%} of its mass sits where "
                   f"p_g is more than {PILED_RATIO:g}× p_data, and {missed:.0%} of p_data's mass gets almost none "
                   f"(p_g below {MISSED_RATIO:g}× p_data there).",
                   (("G's mass piled up", f"{piled:.0%}"), ("p_data's mass missed", f"{missed:.0%}")))


def fooled_not_beaten(w: Window) -> Reading | None:
    """D(real) ≈ D(fake) ≈ ½ although p_g is still far from p_data (issue 12, item 4)."""
    if not (w.adversarial and w.probability):
        return None
    real, fake = _d_scores(w)
    where, evidence = closeness(w)
    if not (abs(real - 0.5) <= D_HALF and abs(fake - 0.5) <= D_HALF and where == "far"):
        return None
    return Reading("fooled_not_beaten", "D is fooled, not beaten",
                   f"D is fooled, not beaten: it cannot tell the two apart where the data is. D gives real and generated "
                   f"samples about ½ ({real:.2f} and {fake:.2f}), yet p_g is still far from p_data. This is not "
                   "Figure 1(d): G gets no signal to improve. A D with more capacity, or more D steps, would see the "
                   "difference.", (("mean D(real)", _fmt(real)), ("mean D(G(z))", _fmt(fake)), *evidence))


def divergence_near(w: Window) -> Reading | None:
    """G's samples run off the plot, or ‖∇θG‖ or a loss grows by orders of magnitude."""
    evidence = []
    off = w.metrics.get("off_plot", math.nan)
    if off >= OFF_PLOT:
        evidence.append(("G's samples off the plot", f"{off:.0%}"))
    for name, label in (("g_grad_norm", "‖∇θG‖"), ("g_loss", "|G loss|"), ("d_loss", "|D loss|")):
        whole = np.abs(np.asarray(w.all_losses.get(name, []), dtype=float))
        recent = np.abs(np.asarray(w.losses.get(name, []), dtype=float))
        whole, recent = whole[np.isfinite(whole)], recent[np.isfinite(recent)]
        if len(whole) >= MIN_POINTS and len(recent):
            typical, last = float(np.median(whole)), float(recent[-1])
            if typical > 0 and last >= GROWTH * typical:
                evidence.append((f"{label} now / its median", f"{last / typical:.3g}×"))
    if not evidence:
        return None
    return Reading("divergence_near", "Divergence is near",
                   "Training is running away: " + ", ".join(f"{name} {value}" for name, value in evidence) +
                   ". A smaller learning rate or less momentum, now, may save it; otherwise it will stop with NaN.",
                   tuple(evidence))


def converged(w: Window) -> Reading | None:
    """p_g near p_data, and (adversarially) D near ½ on both: Figure 1(d)."""
    where, evidence = closeness(w)
    if where != "near":
        return None
    if w.adversarial and w.probability:
        real, fake = _d_scores(w)
        if not (abs(real - 0.5) <= D_HALF and abs(fake - 0.5) <= D_HALF):
            return None
        evidence += (("mean D(real)", _fmt(real)), ("mean D(G(z))", _fmt(fake)))
        text = "p_g lies on p_data and D scores real and generated samples alike, about ½: Figure 1(d)."
    else:
        text = "p_g lies on p_data."
    return Reading("converged", "Converged", text, evidence, good=True)


RULES: tuple[Rule, ...] = (divergence_near, d_winning, vanishing_gradient, oscillation, mode_collapse,
                           fooled_not_beaten, converged)


def read(snapshot: Any, config: Any) -> list[Reading]:
    """Every reading that applies to a snapshot trained with ``config`` (none while warming up)."""
    if snapshot.iteration < MIN_ITERATIONS or len(snapshot.evals.get("iteration", [])) < MIN_POINTS:
        return []
    w = window(snapshot, config)
    if len(w.evals.get("iteration", [])) < MIN_POINTS:
        return []
    readings = [reading for rule in RULES if (reading := rule(w)) is not None]
    if any(not r.good for r in readings):  # a run with a problem has not converged
        readings = [r for r in readings if not r.good]
    return readings
