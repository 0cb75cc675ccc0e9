"""A lab's metric row as data: one :class:`Readout` per number (a label that fits its box, a compact
value, the exact value and an explanation for the tooltip), and the compact formats.

Each lab lists its readouts in one function (``readouts(snapshot, rate)`` in its ``labs`` module);
the page draws whatever the list holds, so a new metric is one line there. Values are at most
``MAX_CHARS`` characters ("48.2k", "0.531", "-1.33", "8/8"), which is what lets a row of nine fit a
projector-sized window (1280 × 720) without "12…" or "0.…"; the tooltip carries the long form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .metrics import LOG4

MAX_CHARS = 5  # the widest value a metric box is sized for
MISSING = "—"  # not measured yet (or not defined for this target)


@dataclass(frozen=True)
class Readout:
    """One number of a lab's metric row."""

    label: str  # short enough for a box a ninth of the row wide
    value: str  # compact: at most MAX_CHARS characters
    long: str = ""  # the exact value, shown in the tooltip
    help: str = ""  # what the number means, shown in the tooltip under the exact value
    delta: str = ""  # a small line under the value (V's distance from its optimum)


_SUFFIXES = ((1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T"))


def count(n: float) -> str:
    """A count in at most 5 characters: exact up to 9,999, then three significant digits with a
    suffix (48,213 -> "48.2k", 482,130 -> "482k", 1,234,567 -> "1.23M")."""
    if not math.isfinite(n):
        return MISSING
    n = round(n)
    if abs(n) < 10_000:
        return f"{n:,}"
    return _suffixed(n)


def _suffixed(x: float) -> str:
    """|x| >= 10,000 as at most three significant digits and k/M/B/T, in MAX_CHARS characters."""
    sign = "-" if x < 0 else ""
    room = MAX_CHARS - len(sign) - 1  # characters left for the digits
    for scale, suffix in _SUFFIXES:
        scaled = abs(x) / scale
        for decimals in (2, 1, 0):
            digits = f"{scaled:.{decimals}f}"
            if float(digits) < 1000 and len(digits) <= room and sum(c.isdigit() for c in digits) <= 3:
                return f"{sign}{digits}{suffix}"
    return f"{x:.0e}".replace("e+", "e")  # beyond 999T: "1e20"


def parse_count(text: str) -> int | None:
    """The inverse of :func:`count` (to the digits shown: "48.2k" -> 48200), for scripts that read a
    page; None for anything else."""
    text = str(text).strip().replace(",", "")
    scale = dict((suffix, factor) for factor, suffix in _SUFFIXES).get(text[-1:], 1)
    try:
        return round(float(text[:-1] if scale != 1 else text) * scale)
    except ValueError:
        return None


def number(x: float, decimals: int = 3) -> str:
    """A real number in at most 5 characters, with up to ``decimals`` decimals ("0.531", "-1.33",
    "12.35", "1235", "12.3k"); "—" for NaN."""
    if math.isnan(x):
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    for places in range(decimals, -1, -1):
        text = f"{round(x, places) + 0.0:.{places}f}"  # + 0.0 turns -0.0 into 0.0
        if len(text) <= MAX_CHARS:
            return text
    return _suffixed(x)


def percent(share: float) -> str:
    """A share in [0, 1] as a whole percentage ("67%"); "—" for NaN."""
    return MISSING if math.isnan(share) else f"{share:.0%}"


def exact(x: float, decimals: int = 4) -> str:
    """The long form of a number for a tooltip."""
    return MISSING if math.isnan(x) else f"{x:,.{decimals}f}"


# --- readouts every lab shows -----------------------------------------------------------------

def iteration(snap, steps_too: bool = False) -> Readout:
    """The iteration counter; with ``steps_too`` its tooltip also gives the D and G steps."""
    steps = f" ({snap.d_steps:,} D steps, {snap.g_steps:,} G steps)" if steps_too else ""
    return Readout("Iteration", count(snap.iteration), f"{snap.iteration:,} iterations{steps}",
                   "An iteration is k D steps and one G step (Algorithm 1).")


def rate(per_s: float, label: str = "Steps/s", unit: str = "iterations per second", help: str = "") -> Readout:
    """A training speed, measured over the last few seconds."""
    return Readout(label, count(per_s), f"{per_s:,.1f} {unit}", help or "Measured over the last few seconds.")


def d_scores(stats: dict, samples: str) -> list[Readout]:
    """Mean D on the real and on the generated evaluation batch; both ½ at the optimum."""
    return [
        Readout("D(real)", number(stats["d_real"]), f"mean D(x) = {exact(stats['d_real'])}",
                f"D's mean output on {samples} real samples; ½ at the Nash equilibrium (p_g = p_data)."),
        Readout("D(fake)", number(stats["d_fake"]), f"mean D(G(z)) = {exact(stats['d_fake'])}",
                f"D's mean output on {samples} generated samples; ½ at the Nash equilibrium (p_g = p_data)."),
    ]


def value(v: float) -> Readout:
    """V(D, G), with its distance from the optimum −log 4 underneath."""
    return Readout("V(D, G)", number(v, 2), f"V = {exact(v)}",
                   "At the game's Nash equilibrium, p_g = p_data and D = ½ everywhere, V = −log 4 ≈ −1.3863; the "
                   "small number underneath is V + log 4. D ≈ ½ alone does not prove it: a D too weak to tell the "
                   "two apart says ½ too.",
                   delta="" if math.isnan(v) else f"{v + LOG4:+.3f}")


GAPS = {  # the objectives other than BCE: what their number is called and means
    "least-squares": ("D gap", "Least squares: mean D on real minus on generated samples, 0 at the optimum, where "
                               "both are ½."),
    "wgan-gp": ("W₁ est.", "WGAN-GP: the critic's estimate of the Wasserstein-1 distance, E D(x) − E D(G(z)), in the "
                           "networks' units; it shrinks as p_g approaches p_data."),
    "hinge": ("D gap", "Hinge: mean critic score on real minus on generated samples; it shrinks as p_g approaches "
                       "p_data."),
}


def objective(snap) -> Readout:
    """The number that says which objective runs: V(D, G) against −log 4 for binary cross-entropy,
    the gap between real and generated scores for the others, and for MMD training that there is no
    discriminator."""
    stats = snap.metrics
    if getattr(snap, "method", "adversarial") == "mmd":
        return Readout("Training", "MMD", "direct training by MMD",
                       "G minimises MMD² to the data directly: there is no discriminator, so D(real), D(fake) and "
                       "V do not apply. The curve in D's place is the MMD witness function.")
    name = getattr(snap, "objective", "bce")
    if name == "bce":
        return value(stats["value"])
    label, meaning = GAPS[name]
    gap = stats["d_real"] - stats["d_fake"]
    return Readout(label, number(gap, 2), f"{label} = {exact(gap)}", meaning)


def mmd(stats: dict, samples: int) -> Readout:
    """MMD² between generated and data samples, with the kernel MMD training uses."""
    return Readout("MMD²", number(stats["mmd2"]), f"MMD² = {exact(stats['mmd2'], 5)}",
                   f"Maximum mean discrepancy between {samples} generated and {samples} data samples, with the kernel "
                   "MMD training uses; about 0 when p_g = p_data.")
