"""Compare mode: run B is run A with some settings changed, built from the same seed and trained in
lockstep with it (after every frame, every Step and every pre-training chunk B has done as many
iterations as A), so that the only difference between the two pictures is the settings.

B's settings are A's config with *overrides*: setting name -> text, parsed and validated by the
same Spec machinery as a link (``config.from_text``), so B needs no declaration of its own. A link
writes them as ``compare=1&b.k=5``; a settings file as a ``"b"`` object. Seeds, the device and
settings that only change the view cannot differ: the comparison is between trainings.

Plain Python (no Streamlit); a LiveSession holds at most one :class:`Comparison`, and none while
compare mode is off, so a session that does not compare computes and keeps nothing extra.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Collection, ContextManager, Mapping

from . import config as cfg
from .labs import Lab
from .links import display_value
from .trainer import Diverged

COMPARE = "compare"  # the link parameter that turns compare mode on (``compare=1``)
B_PREFIX = "b."  # link parameters of run B: ``b.k=5``
MAX_OVERRIDES = 8
FOLLOW_LIMIT_S = 3600.0  # B's catching up is bounded by A's iterations, not by time
FIXED = ("seed", "device")  # the same in both runs: a comparison of settings, not of luck


@dataclass(frozen=True)
class ComparePreset:
    """A classic comparison: A's settings (on top of the lab's defaults) and what B changes."""

    title: str
    lesson: str  # what to watch
    a: Mapping[str, Any]
    b: Mapping[str, str]  # overrides as text, as a link writes them


_K = ComparePreset("k = 1 vs k = 5", "Five D steps per G step keep D nearer its optimum D*: watch D(x) and the "
                   "losses of the two runs.", {}, {"k": "5"})
_LOSS = ComparePreset("Minimax vs non-saturating loss", "G starts off the data against a fast D: with the "
                      "paper's minimax loss log(1 − D(G(z))) G's gradient vanishes and it stalls (A); the "
                      "non-saturating −log D(G(z)) keeps it moving (B).",
                      {"loss": "minimax", "lr_d": 0.01, "link_optimizer": False, "optimizer_g": "sgd",
                       "momentum_g": 0.9, "lr_g": 0.00005, "g_shift": 6.0, "k": 10}, {"loss": "nonsaturating"})
_MOMENTUM = ComparePreset("Momentum 0.5 vs 0.99", "Heavy momentum overshoots: B's p_g swings across p_data "
                          "while A's settles.", {"optimizer": "sgd", "momentum": 0.5, "k": 5, "lr_d": 0.0002,
                                                "link_lr": True}, {"momentum": "0.99"})
_MMD = ComparePreset("Adversarial vs MMD", "The same G trained two ways: against a discriminator (A) and "
                     "directly by the kernel MMD between its samples and the data (B), which needs no D.",
                     {}, {"method": "mmd"})
_MMD_RING = ComparePreset("Adversarial vs MMD", "The same G trained two ways on the ring: against a "
                          "discriminator (A) and directly by the kernel MMD between its samples and the data (B), "
                          "which needs no D. MMD finds all eight modes too, but its samples stay blurrier: fewer "
                          "of them are high quality.", {}, {"method": "mmd"})
PRESETS: dict[str, dict[str, ComparePreset]] = {
    "1d": {"k1_vs_k5": _K, "minimax_vs_ns": _LOSS, "momentum_05_vs_099": _MOMENTUM, "adversarial_vs_mmd": _MMD},
    "2d": {
        "adam_vs_sgd_ring8": ComparePreset(
            "Adam vs SGD on the ring", "Adam with β1 = 0.5 (A) spreads over the eight modes; the paper's SGD "
            "with momentum 0.9 (B) collapses onto a few: compare the modes captured.",
            {"target": "ring8"}, {"optimizer": "sgd", "momentum": "0.9", "lr_d": "0.01"}),
        "k1_vs_k5": _K, "adversarial_vs_mmd": _MMD_RING},
    "mnist": {"k1_vs_k5": _K, "minimax_vs_ns": ComparePreset(
        "Minimax vs non-saturating loss", "The paper's minimax loss (A) learns slowly at first, while D "
        "rejects G's digits; the non-saturating loss (B) does not wait.", {"loss": "minimax"},
        {"loss": "nonsaturating"})},
}


def presets_of(lab: Lab) -> dict[str, ComparePreset]:
    return PRESETS.get(lab.key, {})


def comparable(config_cls: type) -> list[str]:
    """The settings B may change: those that change training, except the seed and the device."""
    return [name for name, spec in cfg.specs(config_cls).items()
            if spec.effect is not cfg.Effect.VIEW and name not in FIXED]


def parse_overrides(text: str) -> tuple[dict[str, str], list[str]]:
    """``"k=5, loss=minimax"`` (commas, semicolons or new lines between) as name -> text; a
    problem for each part that is not ``name=value``."""
    if len(text) > cfg.MAX_TEXT:
        return {}, [f"B's settings are at most {cfg.MAX_TEXT} characters."]
    overrides, problems = {}, []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").replace("\n", ",").split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            problems.append(f"{part[:40]!r} is not name=value (e.g. k=5).")
        else:
            overrides[name.strip()] = value.strip()
    return overrides, problems


def b_config(a_config: Any, overrides: Mapping[str, str],
             locked: Collection[str] = ()) -> tuple[Any, dict[str, str], list[str]]:
    """Run B's config: A's with the overrides applied, the overrides that were used, and a problem
    for each one that was not (unknown, not comparable, fixed by a teacher's ``locked``, invalid,
    too much work together)."""
    config_cls, allowed = type(a_config), comparable(type(a_config))
    problems = []
    if len(overrides) > MAX_OVERRIDES:
        problems.append(f"B may change at most {MAX_OVERRIDES} settings; the rest are ignored.")
        overrides = dict(list(overrides.items())[:MAX_OVERRIDES])
    specs = cfg.specs(config_cls)
    changes, used = {}, {}
    for name, text in overrides.items():
        if name in FIXED:
            problems.append(f"{name} cannot differ in run B: both runs start from the same {name}.")
        elif name not in specs:
            problems.append(f"Unknown setting {name[:40]!r} for run B ignored.")
        elif name not in allowed:
            problems.append(f"{name} only changes the view, not training: it cannot differ in run B.")
        elif name in locked:
            problems.append(f"{name} is fixed by your teacher's link: it cannot differ in run B.")
        else:
            try:
                changes[name], used[name] = cfg.parse_text(config_cls, name, text), text
            except cfg.InvalidValue as err:
                problems.append(f"Ignored b.{name}={text[:40]!r}: {err}")
    config, err, undone = cfg.within_limits(cfg.replace_fields(a_config, changes), a_config)
    if err is not None:
        problems.append(f"Ignored b.{', b.'.join(undone)} for run B: {err}")
        used = {name: text for name, text in used.items() if name not in undone}
    return config, used, problems


def describe(a_config: Any, b: Any) -> str:
    """'B: k = 5 (A: k = 1) · momentum = 0.99 (A: momentum = 0.5)'; 'B = A' when nothing differs."""
    specs = cfg.specs(type(a_config))

    def shown(config: Any, name: str) -> str:
        return f"{name} = {display_value(specs[name], getattr(config, name))}"

    parts = [f"{shown(b, name)} (A: {shown(a_config, name)})" for name in cfg.changed_fields(a_config, b)]
    return "B: " + " · ".join(parts) if parts else "B = A: no setting differs (both runs are the same)"


def to_params(overrides: Mapping[str, str]) -> dict[str, str]:
    """The link parameters of a comparison: ``compare=1`` and ``b.NAME=value``."""
    return {COMPARE: "1"} | {B_PREFIX + name: text for name, text in overrides.items()}


def from_params(params: Mapping[str, str]) -> tuple[dict[str, str] | None, dict[str, str], list[str]]:
    """(B's overrides, or None when the link does not compare; the other parameters; notices).
    ``b.NAME`` parameters without ``compare=1`` still compare (they say what B is)."""
    rest = {name: value for name, value in params.items() if name != COMPARE and not name.startswith(B_PREFIX)}
    overrides = {name[len(B_PREFIX):]: str(value) for name, value in params.items() if name.startswith(B_PREFIX)}
    flag = str(params.get(COMPARE, "")).strip()
    notices = []
    if COMPARE in params and flag not in ("0", "1"):
        notices.append(f"Ignored compare={flag[:40]!r}: expected 1 (compare two runs) or 0.")
    if flag == "1" or (overrides and flag != "0"):
        return overrides, rest, notices
    return None, rest, notices


def with_b(settings_json: str, overrides: Mapping[str, str] | None) -> str:
    """A settings file (``config.to_json``) with run B's overrides added as a ``"b"`` object."""
    if overrides is None:
        return settings_json
    doc = json.loads(settings_json)
    doc["b"] = dict(overrides)
    return json.dumps(doc, indent=2)


def b_from_json(data: bytes | str) -> tuple[dict[str, str] | None, list[str]]:
    """A settings file's run B (None when it has none); a notice when its ``"b"`` is not an object
    of name -> value. Call after ``config.from_json`` accepted the file."""
    doc = json.loads(data)
    if "b" not in doc:
        return None, []
    b = doc["b"]
    if not isinstance(b, dict) or len(b) > 4 * MAX_OVERRIDES:
        return None, ['Ignored the file\'s run B: "b" must be an object of setting: value.']
    good = {str(name): cfg.format_text(value) if isinstance(value, (bool, float)) else str(value)
            for name, value in b.items() if isinstance(value, (str, int, float, bool))}
    if len(good) < len(b):
        skipped = ", ".join(str(name)[:40] for name in b if str(name) not in good)
        return good, [f"Ignored the file's run B settings {skipped}: expected a number, a name or true/false."]
    return good, []


class Comparison:
    """Run B beside a session's run A: its overrides, config and run, kept in lockstep by ``follow``."""

    def __init__(self, lab: Lab, a_config: Any, overrides: Mapping[str, str], data: Mapping[str, Any],
                 locked: Collection[str] = ()):
        self.lab = lab
        self.config, self.overrides, self.problems = b_config(a_config, overrides, locked)
        self.run = None  # built by ``rebuild``, when A's run is (new networks for both, from the seed)
        self.diverged: Diverged | None = None
        self.latest = None  # B's last snapshot, drawn beside A's

    def describe(self, a_config: Any) -> str:
        return describe(a_config, self.config)

    def retarget(self, a_config: Any, data: Mapping[str, Any], rebuild: bool) -> None:
        """A's settings changed: B follows (with its overrides on top). ``rebuild``: A started over
        (new networks), so B does too; else B's trainer takes the new settings as A's did."""
        config = b_config(a_config, self.overrides)[0]  # an override A makes too much work waits, kept
        changed = cfg.changed_fields(self.config, config)
        self.config = config
        if rebuild or self.run is None or cfg.strongest_effect(type(config), changed) is cfg.Effect.REBUILD:
            self.rebuild(data)
        elif changed:
            self.run.config = config
            self.run.trainer.set_hyper(config.hyper())

    def rebuild(self, data: Mapping[str, Any]) -> None:
        self.run = self.lab.make_run(self.config, **data)
        self.diverged, self.latest = None, None

    def follow(self, iterations: int, gate: Callable[[], ContextManager]) -> None:
        """Train B until it has done ``iterations`` (A's count); a diverged B stays where it stopped."""
        trainer = self.run.trainer
        left = iterations - trainer.iterations
        if left <= 0 or self.diverged is not None:
            return
        self._guarded(lambda: trainer.train_for(FOLLOW_LIMIT_S, max_iterations=left, gate=gate))

    def step(self, what: str) -> None:
        """The Step button A just did (``d``, ``g`` or ``iteration``)."""
        if self.diverged is None:
            self._guarded(getattr(self.run.trainer, {"d": "step_d", "g": "step_g"}.get(what, "step_iteration")))

    def _guarded(self, action) -> None:
        try:
            action()
            self.run.trainer.check_finite()
        except Diverged as err:
            self.diverged = err

    def snapshot(self):
        self.latest = self.run.snapshot()
        return self.latest

    def divergence_message(self) -> str | None:
        if self.diverged is None:
            return None
        return (f"Run B diverged at iteration {self.diverged.iteration}: {self.diverged.what}. It stays there "
                "while run A trains on; change B's settings to start both afresh.")
