"""Lessons: short scripts of steps a teacher runs in front of a class, kept as data files.

A lesson file (TOML, or JSON with the same keys) is parsed as data, never run as code:

- ``title``, ``lab`` (``1d``, ``2d`` or ``mnist``), optional ``summary``, ``preset`` and ``settings``
  (where the lesson starts: the lab's defaults, the preset's settings, then these);
- ``[[steps]]``, each with ``title``, ``settings`` (applied like a settings file: validated through
  the lab's config), ``fresh`` (true: new networks from the seed), ``watch`` (what the class should
  look at), ``until`` (a whole number of iterations, or a condition such as ``"d_real > 0.9"`` or
  ``"modes_captured <= 2 and d_fake < 0.3"`` over the lab's metrics), ``cap`` (the most iterations
  the step trains), ``question`` and ``answer``.

Conditions are parsed here into (metric, operator, number) from fixed lists, never evaluated as
text. A bad file raises :class:`LessonError` naming the line (where the file has one), and nothing
else happens. :class:`StepWatch` is a step's stop rule as a live session checks it after each
snapshot; :func:`run_lesson` plays a whole lesson headless (the tests and
``scripts/lesson_report.py`` do, over seeds).
"""

from __future__ import annotations

import json
import math
import operator
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from . import config as cfg
from .labs import LABS, Lab
from .live import LiveSession, TrainingSlots

LESSON_DIR = Path(__file__).parent / "data" / "lessons"
MAX_LESSON_BYTES = 64_000  # a lesson is a few kilobytes; anything bigger is not one
MAX_STEPS = 20
MAX_CAP = 50_000  # iterations one step may train (a link's pre-training allows as many)
MAX_TEXT = 1_000  # characters in a sentence, question or answer

# The metrics a stop rule may name, per lab, with the label the page shows (a fixed list: a
# condition is checked against these names, never evaluated).
_SCORES = {"d_real": "D(real)", "d_fake": "D(fake)", "value": "V(D, G)"}
_LOSSES = {"d_loss": "D's loss", "g_loss": "G's loss", "g_grad_norm": "‖∇θG‖"}
METRICS: dict[str, dict[str, str]] = {
    "1d": {**_SCORES, "w1": "W1", "js": "JS", "mmd2": "MMD²", **_LOSSES},
    "2d": {**_SCORES, "modes_captured": "modes captured", "high_quality": "high-quality share",
           "js": "JS (grid)", "swd": "sliced W1", "mmd2": "MMD²", **_LOSSES},
    "mnist": {**_SCORES, "classifier_is": "IS", "classifier_fid": "Fréchet distance", "label_kl": "label KL",
              **_LOSSES},
}
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "≤": operator.le, "≥": operator.ge}
_CLAUSE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(<=|>=|≤|≥|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")

KEPT_SETTINGS = ("seed", "device", "present")  # the class's, not the lesson's (unless a step sets them)
LESSON_KEYS = {"title", "lab", "summary", "preset", "settings", "steps"}
STEP_KEYS = {"title", "settings", "fresh", "watch", "until", "cap", "question", "answer"}


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the line where the file has one."""


@dataclass(frozen=True)
class Clause:
    metric: str
    op: str
    number: float

    def holds(self, metrics: Mapping[str, Any]) -> bool:
        value = metrics.get(self.metric)
        try:
            value = float(value)
        except (TypeError, ValueError):
            return False
        return math.isfinite(value) and OPERATORS[self.op](value, self.number)

    def describe(self, lab: str) -> str:
        return f"{METRICS[lab][self.metric]} {_NICE_OP.get(self.op, self.op)} {self.number:g}"


_NICE_OP = {"<=": "≤", ">=": "≥"}


def parse_condition(text: str, lab: str) -> tuple[Clause, ...]:
    """``"d_real > 0.9 and d_fake < 0.2"`` -> clauses; ValueError saying what is wrong."""
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        raise ValueError("a condition is a short text such as \"d_real > 0.9\"")
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CLAUSE.match(part)
        if not match:
            raise ValueError(f"{part.strip()[:60]!r} is not a condition: write metric, operator, number "
                             f"(operators {', '.join(o for o in OPERATORS if o.isascii())})")
        metric, op, number = match.groups()
        if metric not in METRICS[lab]:
            raise ValueError(f"unknown metric {metric!r}; the {lab} lab has {', '.join(METRICS[lab])}")
        clauses.append(Clause(metric, op, float(number)))
    return tuple(clauses)


@dataclass(frozen=True)
class Step:
    title: str
    watch: str
    question: str
    answer: str
    cap: int
    iterations: int | None = None  # ``until`` as an iteration count
    condition: tuple[Clause, ...] = ()  # ``until`` as a condition (all clauses must hold)
    settings: Mapping[str, Any] = field(default_factory=dict)  # validated values, by name
    fresh: bool = False

    def rule(self, lab: str) -> str:
        """'until D(real) > 0.9, at most 3,000 iterations' or 'for 500 iterations'."""
        if self.condition:
            return f"until {' and '.join(c.describe(lab) for c in self.condition)}, at most {self.cap:,} iterations"
        return f"for {self.iterations:,} iterations"


@dataclass(frozen=True)
class Lesson:
    key: str  # the file's stem: ?lesson=KEY
    title: str
    lab: str
    summary: str
    start: Mapping[str, Any]  # the settings the lesson starts from (the preset's, then its own)
    steps: tuple[Step, ...]

    def start_config(self, seed: int | None = None) -> Any:
        """The config the lesson starts from (on the lab's defaults), with ``seed`` if given."""
        changes = dict(self.start) | ({} if seed is None else {"seed": seed})
        return cfg.replace_fields(LABS[self.lab].config_cls(), changes)

    def step_config(self, index: int, current: Any) -> Any:
        """The config for step ``index``: the lesson's start for a fresh step or the first (with
        the class's seed, device and presentation mode kept from ``current``), else ``current``;
        then the step's settings."""
        step = self.steps[index]
        base = current
        if step.fresh or index == 0:
            kept = {name: getattr(current, name) for name in KEPT_SETTINGS if hasattr(current, name)}
            base = cfg.replace_fields(self.start_config(), kept)
        return cfg.replace_fields(base, dict(step.settings))


# --- parsing -------------------------------------------------------------------------------

def parse_lesson(data: bytes | str, key: str = "uploaded", name: str = "lesson.toml") -> Lesson:
    """A lesson from a file's bytes (TOML, or JSON when ``name`` ends in .json); LessonError with
    the line for anything that is not a usable lesson."""
    if len(data) > MAX_LESSON_BYTES:
        raise LessonError(f"a lesson file is at most {MAX_LESSON_BYTES // 1000} KB (got {len(data):,} bytes)")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise LessonError("not a text file (expected UTF-8 TOML or JSON)") from None
    if name.lower().endswith(".json"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            raise LessonError(f"line {err.lineno}: not valid JSON ({err.msg})") from None
        except RecursionError:
            raise LessonError("not valid JSON (nested too deeply)") from None
    else:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise LessonError(f"not valid TOML: {err}") from None  # tomllib's message says "(at line N, column M)"
    return _Validator(text, key).lesson(doc)


class _Validator:
    """Checks a parsed lesson document, naming the line of the first problem."""

    def __init__(self, text: str, key: str):
        self.lines, self.key = text.splitlines(), key
        self.step_lines: list[int] = [i for i, line in enumerate(self.lines, 1) if line.strip() == "[[steps]]"]

    def fail(self, message: str, key: str | None = None, step: int | None = None) -> LessonError:
        line = self.line_of(key, step) if key else (self.step_lines[step] if step is not None
                                                     and step < len(self.step_lines) else None)
        where = f"line {line}: " if line else ""
        where += f"step {step + 1}: " if step is not None else ""
        return LessonError(where + message)

    def line_of(self, key: str, step: int | None) -> int | None:
        """The line where ``key`` is written: after the step's ``[[steps]]`` header (TOML), or the
        first line naming it."""
        start = self.step_lines[step] if step is not None and step < len(self.step_lines) else 1
        stop = self.step_lines[step + 1] if step is not None and step + 1 < len(self.step_lines) else len(self.lines) + 1
        if step is None and self.step_lines:
            stop = self.step_lines[0]
        pattern = re.compile(rf"(^|[{{,\s])\"?{re.escape(key)}\"?\s*[=:]")
        for number in range(start, stop):
            if pattern.search(self.lines[number - 1]):
                return number
        return None

    def text(self, table: Mapping, key: str, step: int | None, required: bool = True) -> str:
        value = table.get(key, None)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key!r} must be a non-empty text", key if key in table else None, step)
        if len(value) > MAX_TEXT:
            raise self.fail(f"{key!r} is longer than {MAX_TEXT} characters", key, step)
        return value.strip()

    def unknown(self, table: Mapping, allowed: set[str], step: int | None) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"unknown key {str(key)[:40]!r} (allowed: {', '.join(sorted(allowed))})", key, step)

    def settings(self, lab: Lab, table: Any, step: int | None) -> dict[str, Any]:
        """Settings validated one by one through the lab's config, as a settings file is."""
        if table is None:
            return {}
        if not isinstance(table, dict):
            raise self.fail("'settings' must be a table of setting = value", "settings", step)
        known = cfg.specs(lab.config_cls)
        out = {}
        for name, value in table.items():
            if name not in known:
                raise self.fail(f"unknown setting {str(name)[:40]!r} for the {lab.title}", name, step)
            if isinstance(value, list):  # a mixture table written as a list of rows
                value = tuple(tuple(row) if isinstance(row, list) else row for row in value)
            try:
                out[name] = cfg.check_value(lab.config_cls, name, value)
            except cfg.InvalidValue as err:
                raise self.fail(str(err), name, step) from None
        return out

    def lesson(self, doc: Any) -> Lesson:
        if not isinstance(doc, dict):
            raise LessonError("not a lesson: expected a table with title, lab and steps")
        self.unknown(doc, LESSON_KEYS, None)
        title = self.text(doc, "title", None)
        lab_key = doc.get("lab")
        if lab_key not in LABS:
            raise self.fail(f"'lab' must be one of {', '.join(LABS)}", "lab" if "lab" in doc else None)
        lab = LABS[lab_key]
        start: dict[str, Any] = {}
        if "preset" in doc:
            if doc["preset"] not in lab.presets:
                raise self.fail(f"unknown preset {str(doc['preset'])[:40]!r}; the {lab.title} has "
                                f"{', '.join(lab.presets)}", "preset")
            start.update(lab.presets[doc["preset"]].settings)
        start.update(self.settings(lab, doc.get("settings"), None))
        self.limits(lab, start, None)
        steps_doc = doc.get("steps")
        if not isinstance(steps_doc, list) or not steps_doc or not all(isinstance(s, dict) for s in steps_doc):
            raise self.fail("a lesson needs at least one [[steps]] table", "steps" if "steps" in doc else None)
        if len(steps_doc) > MAX_STEPS:
            raise self.fail(f"at most {MAX_STEPS} steps (got {len(steps_doc)})", None, MAX_STEPS)
        steps = tuple(self.step(lab, s, i) for i, s in enumerate(steps_doc))
        lesson = Lesson(self.key, title, lab_key, self.text(doc, "summary", None, required=False), start, steps)
        current = lesson.start_config()
        for i in range(len(steps)):  # each step's settings, on top of what they apply to, within the limits
            current = lesson.step_config(i, current)
            self.limits(lab, vars(current), i)
        return lesson

    def limits(self, lab: Lab, settings: Mapping[str, Any], step: int | None) -> None:
        config = cfg.replace_fields(lab.config_cls(), {n: settings[n] for n in cfg.specs(lab.config_cls) if n in settings})
        try:
            cfg.check_limits(config)
        except cfg.InvalidValue as err:
            raise self.fail(str(err), "settings", step) from None

    def step(self, lab: Lab, table: dict, i: int) -> Step:
        self.unknown(table, STEP_KEYS, i)
        title = self.text(table, "title", i, required=False) or f"Step {i + 1}"
        cap = table.get("cap")
        if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_CAP:
            raise self.fail(f"'cap' must be a whole number of iterations from 1 to {MAX_CAP:,}",
                            "cap" if "cap" in table else None, i)
        until = table.get("until")
        iterations, condition = None, ()
        if isinstance(until, int) and not isinstance(until, bool):
            if not 1 <= until <= cap:
                raise self.fail(f"'until' as an iteration count must be from 1 to the cap ({cap:,})", "until", i)
            iterations = until
        elif isinstance(until, str):
            try:
                condition = parse_condition(until, lab.key)
            except ValueError as err:
                raise self.fail(f"'until': {err}", "until", i) from None
        else:
            raise self.fail("'until' must be a number of iterations or a condition such as \"d_real > 0.9\"",
                            "until" if "until" in table else None, i)
        fresh = table.get("fresh", False)
        if not isinstance(fresh, bool):
            raise self.fail("'fresh' must be true or false", "fresh", i)
        return Step(title, self.text(table, "watch", i), self.text(table, "question", i),
                    self.text(table, "answer", i), cap, iterations, condition,
                    self.settings(lab, table.get("settings"), i), fresh)


def shipped() -> dict[str, Lesson]:
    """The lessons in playground/data/lessons, by key (the file's stem), in file-name order."""
    out = {}
    for path in sorted(LESSON_DIR.glob("*.toml")):
        lesson = parse_lesson(path.read_bytes(), key=path.stem.split("-", 1)[-1], name=path.name)
        out[lesson.key] = lesson
    return out


# --- running --------------------------------------------------------------------------------

@dataclass
class StepWatch:
    """One step's stop rule while it trains: a LiveSession pauses when ``check`` says so."""

    step: Step
    lab: str
    start: int  # the trainer's iteration when the step began
    outcome: str | None = None  # "reached" or "cap", once the step has ended
    ended_at: int | None = None

    @property
    def goal(self) -> int:
        """Iterations this step may train in all: its count, or its cap."""
        return self.step.iterations if self.step.iterations is not None else self.step.cap

    def left(self, iteration: int) -> int:
        """Iterations the step may still train."""
        return max(self.goal - (iteration - self.start), 0)

    def check(self, iteration: int, metrics: Mapping[str, Any]) -> bool:
        """Whether the step has ended at a snapshot with these numbers (recording how)."""
        if self.outcome is not None:
            return True
        done = iteration - self.start
        if self.step.condition and done > 0 and all(c.holds(metrics) for c in self.step.condition):
            self.outcome = "reached"
        elif done >= self.goal:
            self.outcome = "reached" if self.step.iterations is not None else "cap"
        if self.outcome is not None:
            self.ended_at = iteration
        return self.outcome is not None

    def message(self) -> str | None:
        """What the page says once the step has ended."""
        if self.outcome is None:
            return None
        done = self.ended_at - self.start
        trained = f"{done:,} iteration{'s' if done != 1 else ''}"
        if self.outcome == "cap":
            return (f"Stopped at the cap after {trained} without "
                    f"{' and '.join(c.describe(self.lab) for c in self.step.condition)}.")
        if self.step.condition:
            return (f"Reached {' and '.join(c.describe(self.lab) for c in self.step.condition)} after {trained} "
                    f"(iteration {self.ended_at:,}).")
        return f"Trained {trained} (iteration {self.ended_at:,})."


def begin_step(session: LiveSession, lesson: Lesson, index: int) -> tuple[StepWatch, str | None]:
    """Apply step ``index``'s settings to a session (fresh networks when the step says so, or
    when the settings need them), give it the step's stop rule and start training; returns the
    rule (it records how the step ended) and the session's message about the change, if any."""
    step = lesson.steps[index]
    config = lesson.step_config(index, session.config)
    with session.lock:
        if step.fresh or index == 0:
            session.restart(config)
            note = None
        else:
            note = session.apply(config)
        watch = StepWatch(step, lesson.lab, session.run.trainer.iterations)
        session.watch = watch
        session.set_running(True)
    return watch, note


@dataclass(frozen=True)
class StepResult:
    outcome: str  # "reached", "cap" or "diverged"
    iterations: int  # trained in the step
    metrics: dict  # the numbers at its end


def run_lesson(lesson: Lesson, seed: int, check_every: int = 50,
               on_step: Callable[[int, StepResult], None] | None = None) -> list[StepResult]:
    """Play a lesson headless on ``seed``, as the page would, checking each step's rule every
    ``check_every`` iterations (the page checks once per frame, every ~0.2 s of training)."""
    session = LiveSession(LABS[lesson.lab], lesson.start_config(seed), slots=TrainingSlots(1))
    results = []
    for index in range(len(lesson.steps)):
        watch, _ = begin_step(session, lesson, index)
        while session.running:
            session.train_iterations(min(check_every, watch.left(session.run.trainer.iterations)) or 1)
            session.run.refresh()  # every number afresh (the MNIST lab rate-limits its quality numbers by time)
            session.snapshot()  # checks the rule and pauses when it is met
        snap = session.latest
        outcome = "diverged" if session.diverged is not None else watch.outcome or "cap"
        result = StepResult(outcome, session.run.trainer.iterations - watch.start, dict(snap.metrics) if snap else {})
        results.append(result)
        if on_step is not None:
            on_step(index, result)
    return results


def step_reached(result: StepResult) -> bool:
    return result.outcome == "reached"



class Progress:
    """Where a class is in a lesson: the step shown, and how each step that ran ended (the page
    keeps one in the browser session; Next and Back move freely, Start runs the step shown)."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.index = 0
        self.watches: dict[int, StepWatch] = {}  # step -> the rule it ran under (its outcome, once ended)

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.index]

    def where(self) -> str:
        return f"Step {self.index + 1} of {len(self.lesson.steps)}"

    def move(self, by: int) -> None:
        self.index = min(max(self.index + by, 0), len(self.lesson.steps) - 1)

    def start(self, session: LiveSession) -> str | None:
        """Run the step shown on ``session`` (see :func:`begin_step`)."""
        watch, note = begin_step(session, self.lesson, self.index)
        self.watches[self.index] = watch
        return note

    def watch(self) -> StepWatch | None:
        """The rule the step shown last ran under (None: not run yet)."""
        return self.watches.get(self.index)

    def ended(self) -> bool:
        """Whether the step shown has run to its end (its question is then asked)."""
        watch = self.watch()
        return watch is not None and watch.outcome is not None
