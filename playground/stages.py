"""Figure 1's four stages, captured from a run as it happens (the 1-D lab's Figure 1 view).

Goodfellow et al.'s Figure 1 shows (a) the pair near the start, (b) D trained towards D* with G
frozen, (c) after an update of G, (d) near convergence, p_g = p_data and D = ½. Every snapshot a
session takes is shown to :meth:`StageRecorder.observe`, which keeps:

(a) the first snapshot before any step (every run draws one before it trains);
(b) the newest snapshot with D steps and no G step yet: after the D steps before the first G step.
    At full speed the session takes it after the first iteration's k D steps; Step D pressed again
    and again (or slow motion) replaces it each time, D nearer D* each time;
(c) the snapshot right after the first G step (G steps = 1), the D steps of (b) behind it;
(d) the first snapshot that meets :func:`converged`: D(real) and D(fake) within CONVERGED_D of ½
    and V(D, G) within CONVERGED_V of −log 4 (binary cross-entropy only: other objectives have
    neither ½ nor −log 4), and p_g learned by the criteria of playground/criteria.py (W1 and the
    modes' shares): D ≈ ½ alone is also what a D that is fooled, not beaten, says, and on seeds 3
    and 6 the figure1 preset met the D and V bands at iteration 300, with W1 1.4 and 1.0 × the
    learned bar. Until then the view shows the newest snapshot, saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import criteria

CONVERGED_D = 0.05
CONVERGED_V = 0.02
MIN_CONVERGED_ITERATION = 50  # the start (D ≈ ½ by chance, p_g elsewhere) is not convergence
STAGES = ("a", "b", "c", "d")
WHAT = {
    "a": "the pair at the start",
    "b": "D trained towards D*, G frozen",
    "c": "after an update of G",
    "d": "near convergence: p_g ≈ p_data, D ≈ ½, V ≈ −log 4",
}


def converged(snapshot: Any, yardstick: criteria.Yardstick | None = None) -> bool:
    """Figure 1(d)'s state: D ≈ ½ on real and generated samples, V(D, G) ≈ −log 4 and (given the
    run's yardstick) p_g learned: p_g = p_data as near as the criteria ask."""
    m = snapshot.metrics
    if yardstick is not None and not criteria.learned_1d(m, yardstick).passed:
        return False
    values = [m.get(name, math.nan) for name in ("d_real", "d_fake", "value")]
    if not all(isinstance(v, float) and math.isfinite(v) for v in values):
        return False
    d_real, d_fake, value = values
    return (snapshot.iteration >= MIN_CONVERGED_ITERATION and abs(d_real - 0.5) <= CONVERGED_D
            and abs(d_fake - 0.5) <= CONVERGED_D and abs(value + math.log(4)) <= CONVERGED_V)


@dataclass(frozen=True)
class Stage:
    letter: str
    snapshot: Any
    caption: str  # "(b) iteration 0, 5 D steps: D trained towards D*, G frozen"
    reached: bool = True  # False: (d) not reached yet, the newest snapshot in its place


class StageRecorder:
    """The four stages of one run (see the module's docstring for the rules)."""

    def __init__(self):
        self.captured: dict[str, Any] = {}
        self.latest: Any = None

    def observe(self, snapshot: Any, yardstick: criteria.Yardstick | None = None) -> None:
        self.latest = snapshot
        d, g = snapshot.d_steps, snapshot.g_steps
        if d == 0 and g == 0 and "a" not in self.captured:
            self.captured["a"] = snapshot
        elif g == 0 and d >= 1 and "c" not in self.captured:
            self.captured["b"] = snapshot  # the newest: more D steps bring D nearer D*
        elif g == 1 and "c" not in self.captured and "b" in self.captured:
            self.captured["c"] = snapshot
        if "d" not in self.captured and converged(snapshot, yardstick):
            self.captured["d"] = snapshot

    def wants_first_steps(self, g_steps: int) -> bool:
        """Whether the next training should stop for (b) and (c): nothing of G trained yet."""
        return g_steps == 0 and "c" not in self.captured

    def drop_after(self, iteration: int) -> None:
        """Forget stages later than ``iteration`` (training went back to it)."""
        self.captured = {k: s for k, s in self.captured.items() if s.iteration <= iteration}
        if self.latest is not None and self.latest.iteration > iteration:
            self.latest = None

    def clear(self) -> None:
        self.captured, self.latest = {}, None

    def stages(self) -> list[Stage]:
        """The stages so far, in order; (d) stands in with the newest snapshot until it is reached."""
        out = []
        for letter in STAGES:
            snapshot = self.captured.get(letter)
            if snapshot is not None:
                out.append(Stage(letter, snapshot, caption(letter, snapshot)))
            elif letter == "d" and self.latest is not None and self.latest.g_steps > 1:
                out.append(Stage("d", self.latest, f"(d) not reached yet: iteration {self.latest.iteration:,}, "
                                                   "the newest", reached=False))
        return out

    def missing(self) -> list[str]:
        return [letter for letter in STAGES if letter not in self.captured]


def caption(letter: str, snapshot: Any) -> str:
    steps = f"{snapshot.d_steps:,} D step{'s' if snapshot.d_steps != 1 else ''}"
    if letter in ("b", "c"):
        steps += f", {snapshot.g_steps} G step{'s' if snapshot.g_steps != 1 else ''}"
    return f"({letter}) iteration {snapshot.iteration:,} ({steps}): {WHAT[letter]}"
