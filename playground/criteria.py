"""What "learned", "far from p_data" and each pathology mean, stated once.

The preset report (``scripts/preset_report.py``), the tests, the pages' notices and the coach read
these plain functions, and README quotes them. One frame is judged from its metrics (a dict as a
run's ``evaluate()`` returns it) and the run's :class:`Yardstick`; a run is judged from a *series*:
its metrics at evenly spaced iterations, oldest first. Whether p_g has learned p_data reads the
last point; a pathology reads the last half of the run, so that a passing moment does not count.

- 1-D: W1 to p_data at most W1_OF_STD × the target's std, and every mode of a mixture holding its
  share of the mass within SHARE_POINTS.
- 2-D mixtures: every mode captured and at least HIGH_QUALITY of the samples high quality. 2-D
  curves and uploaded points: a sliced W1 at most FRESH_MULTIPLE × what a fresh sample of p_data
  scores.
- MNIST: classifier IS at least IS_GOAL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

W1_OF_STD = 0.2
SHARE_POINTS = 0.10
HIGH_QUALITY = 0.70
FRESH_MULTIPLE = 2.0
IS_GOAL = 8.0

COLLAPSE_MODES = 3  # 2-D: a collapse preset keeps at most this many modes
COLLAPSE_SHARE = 0.25  # 1-D: some mode's share of p_g off by at least this: G has left (most of) a mode
SATURATED = 0.05  # D(fake) at most this: D rejects every generated sample
STALLED_OF_LEARNED = 3.0  # ... while the distance stays above this × the learned bar: G has stalled
OSCILLATION_OF_STD = 0.5  # p_g's mean swings over at least this × the target's std ...
OSCILLATION_CROSSINGS = 4  # ... crossing the middle of its swing at least this often (a swing, not a drift)
HALF_BAND = 0.03  # D(real) and D(fake) within this of ½: D says "I cannot tell"
FAR_OF_LEARNED = 2.0  # the distance at least this × the learned bar: p_g is clearly not p_data

Metrics = Mapping[str, float]
Series = Sequence[Metrics]


@dataclass(frozen=True)
class Yardstick:
    """What a run's distances to p_data are measured against; made once per run from its target."""

    distance: str  # the metric that compares p_g with p_data: "w1" (1-D) or "swd" (2-D)
    learned: float  # at or below this the distance counts as learned
    fresh: float  # what a fresh sample of p_data scores: the distance's floor, sampling noise alone
    scale: float  # the target's spread (1-D: its std), for amplitudes


@dataclass(frozen=True)
class Verdict:
    """Whether a run shows what it should, the number that decided it, and that number in words."""

    passed: bool
    value: float
    note: str


def finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


# --- one frame ---------------------------------------------------------------------------------

def learned_1d(m: Metrics, ys: Yardstick) -> Verdict:
    """W1 ≤ W1_OF_STD × std, and (mixtures) every mode's share within SHARE_POINTS."""
    w1, share = m["w1"], m.get("mode_share_error", math.nan)
    ok = finite(w1) and w1 <= ys.learned and (not finite(share) or share <= SHARE_POINTS)
    note = f"W1 {w1:.3f} (≤ {ys.learned:.3f})"
    if finite(share):
        note += f", shares ±{share * 100:.0f} pts"
    return Verdict(ok, w1, note)


def learned_2d(m: Metrics, ys: Yardstick) -> Verdict:
    """Mixtures: every mode captured with ≥ HIGH_QUALITY high-quality samples; else sliced W1 ≤ the bar."""
    if m.get("modes_total"):
        hq, captured, total = m["high_quality"], m["modes_captured"], m["modes_total"]
        ok = captured == total and finite(hq) and hq >= HIGH_QUALITY
        return Verdict(ok, hq, f"{captured:.0f}/{total:.0f} modes, {hq:.0%} HQ")
    swd = m["swd"]
    return Verdict(finite(swd) and swd <= ys.learned, swd, f"SWD {swd:.3f} (≤ {ys.learned:.3f})")


def learned_mnist(m: Metrics, ys: Yardstick | None = None) -> Verdict:
    value = m.get("classifier_is", math.nan)
    return Verdict(finite(value) and value >= IS_GOAL, value, f"IS {value:.2f}")


LEARNED: dict[str, Callable[[Metrics, Yardstick], Verdict]] = {
    "1d": learned_1d, "2d": learned_2d, "mnist": learned_mnist}


def far_from_data(m: Metrics, ys: Yardstick) -> bool:
    """The distance to p_data is large: at least FAR_OF_LEARNED × what counts as learned (1-D: or
    a mode's share off by more than twice SHARE_POINTS)."""
    distance = m.get(ys.distance, math.nan)
    share = m.get("mode_share_error", math.nan)
    return (finite(distance) and distance >= FAR_OF_LEARNED * ys.learned) or (
        finite(share) and share > 2 * SHARE_POINTS)


def d_says_half(m: Metrics) -> bool:
    """D(real) and D(fake) both within HALF_BAND of ½: D cannot tell the two apart."""
    return all(finite(m.get(k)) and abs(m[k] - 0.5) <= HALF_BAND for k in ("d_real", "d_fake"))


def fooled_not_beaten(m: Metrics, ys: Yardstick) -> bool:
    """D says ½ on both batches, as at the Nash equilibrium, while p_g is still far from p_data:
    D is fooled, not beaten (it cannot tell the two apart where the data is)."""
    return d_says_half(m) and far_from_data(m, ys)


FOOLED_TITLE = "D is fooled, not beaten"


def trap_note(m: Metrics, ys: Yardstick | None) -> str | None:
    """What a page says when :func:`fooled_not_beaten` holds (None otherwise): D's ½ is not the
    Nash equilibrium's."""
    if ys is None or not fooled_not_beaten(m, ys):
        return None
    distance = {"w1": "W1", "swd": "sliced W1"}.get(ys.distance, ys.distance)
    return (f"**{FOOLED_TITLE}:** it cannot tell the two apart where the data is. D(real) ≈ D(fake) ≈ ½ "
            f"as at the Nash equilibrium, yet p_g is still far from p_data ({distance} "
            f"{m[ys.distance]:.2f}, learned at ≤ {ys.learned:.2f}). A stronger D (more width or layers, "
            f"an MLP instead of a linear D) would see the difference.")


# --- a run (a series of frames) ----------------------------------------------------------------

def _last_half(series: Series) -> Series:
    return series[len(series) // 2:]


def converges(series: Series, ys: Yardstick, lab: str) -> Verdict:
    """Learned at the end of the run (MNIST: at any evaluation, i.e. within the time allowed)."""
    if lab == "mnist":
        best = max(series, key=lambda m: m.get("classifier_is", -math.inf))
        verdict = learned_mnist(best)
        seconds = best.get("seconds", math.nan)
        return Verdict(verdict.passed, verdict.value, f"best IS {verdict.value:.2f} at {seconds:.0f} s")
    return LEARNED[lab](series[-1], ys)


def collapses(series: Series, ys: Yardstick, lab: str) -> Verdict:
    """2-D: at most COLLAPSE_MODES modes captured at every point of the last half. 1-D: some
    mode's share off by at least COLLAPSE_SHARE at most points of the last half (the median): G
    that hops from mode to mode is split between them only while it crosses."""
    if lab == "2d":
        most = max(m["modes_captured"] for m in _last_half(series))
        total = series[-1]["modes_total"]
        return Verdict(most <= COLLAPSE_MODES, most, f"≤ {most:.0f}/{total:.0f} modes in the last half")
    share = float(np.median([m.get("mode_share_error", math.nan) for m in _last_half(series)]))
    return Verdict(finite(share) and share >= COLLAPSE_SHARE, share, f"shares ±{share * 100:.0f} pts (median)")


def stalls(series: Series, ys: Yardstick, lab: str) -> Verdict:
    """D(fake) ≤ SATURATED (median of the last half) while p_g stays far from p_data: the
    distance above STALLED_OF_LEARNED × the learned bar throughout the last half (MNIST: IS < 2)."""
    half = _last_half(series)
    d_fake = float(np.median([m["d_fake"] for m in half]))
    if lab == "mnist":
        best = max(m.get("classifier_is", math.nan) for m in half)
        return Verdict(d_fake <= SATURATED and best < 2.0, d_fake, f"D(fake) {d_fake:.3f}, IS ≤ {best:.2f}")
    nearest = min(m[ys.distance] for m in half)
    far = nearest >= STALLED_OF_LEARNED * ys.learned
    return Verdict(d_fake <= SATURATED and far, d_fake, f"D(fake) {d_fake:.3f}, {ys.distance.upper()} ≥ {nearest:.2f}")


def oscillation(series: Series, key: str = "mean_x") -> tuple[float, int]:
    """(swing, crossings) of ``key`` over the last half: its 5th-95th percentile range, and how
    often it crosses the middle of that range."""
    values = np.array([m[key] for m in _last_half(series)], dtype=float)
    lo, hi = np.percentile(values, [5, 95])
    side = np.sign(values - (lo + hi) / 2)
    side = side[side != 0]
    return float(hi - lo), int(np.count_nonzero(np.diff(side)))


def oscillates(series: Series, ys: Yardstick, lab: str) -> Verdict:
    """p_g's mean swings over ≥ OSCILLATION_OF_STD × the target's std, crossing its middle at
    least OSCILLATION_CROSSINGS times in the last half of the run."""
    swing, crossings = oscillation(series)
    ok = swing >= OSCILLATION_OF_STD * ys.scale and crossings >= OSCILLATION_CROSSINGS
    return Verdict(ok, swing / ys.scale, f"mean swings {swing / ys.scale:.1f} std, {crossings} crossings")


def fooled(series: Series, ys: Yardstick, lab: str) -> Verdict:
    """:func:`fooled_not_beaten` holds at the end of the run."""
    m = series[-1]
    return Verdict(fooled_not_beaten(m, ys), m[ys.distance],
                   f"D {m['d_real']:.3f}/{m['d_fake']:.3f}, {ys.distance.upper()} {m[ys.distance]:.3f}")


CHECKS: dict[str, Callable[[Series, Yardstick, str], Verdict]] = {
    "converges": converges, "collapse": collapses, "stalls": stalls, "oscillates": oscillates, "fooled": fooled}
"""What each preset promises (its ``shows``), and how the promise is checked."""
