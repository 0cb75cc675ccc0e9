"""A live training session: config changes, steps, time-budgeted ticks, divergence handling, and
the run's timeline (scrubbing back while paused, Continue from here).

Plain Python (no Streamlit), so the tests drive it without a browser. The page keeps one
LiveSession per lab in ``st.session_state``; the CLI and the benchmark train a lab's run directly.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .animation import pick
from .compare import Comparison
from .config import Effect, changed_fields, specs, strongest_effect
from .labs import Lab
from .links import Restrictions
from .stages import StageRecorder
from .slowmo import SLOW_STEP_S, Pacer, SlowMotion, StepView, describe, iterations_per_s, step_view
from .timeline import Moment, Timeline
from .trainer import Diverged

log = logging.getLogger(__name__)

MAX_PRETRAIN = 50_000  # the most iterations a link's steps=N may ask for
PRETRAIN_BUDGET_S = 5.0  # a link's pre-training ends after this much wall time, waiting for a slot included
PROGRESS_PERIOD_S = 0.2  # pre-training reports its progress (and so notices a closed tab) this often
FRAME_PERIOD_S = 0.2  # a live page aims at one frame every 0.2 s: 5 frames/s
MIN_TRAIN_S = 0.03  # however slow drawing gets, each frame trains at least this long
EXTEND_LIMIT = 2.0  # a frame trains at most this many frame periods while the browser has not asked for the next
HISTORY_PERIOD_S = 1.0  # the history charts redraw once a second
WAIT_POLL_S = 1.0  # a session waiting for a training slot asks again this often


def _split(total: int, parts: int) -> list[int]:
    """``total`` as up to ``parts`` near-equal positive chunks."""
    parts = max(1, min(parts, total))
    return [total // parts + (i < total % parts) for i in range(parts)] if total else []


MAX_TRAINING_ENV = "GAN_PLAYGROUND_MAX_TRAINING"
SLOT_STALE_S = 10.0  # a training session not seen for this long (its tab closed) loses its slot


def default_capacity(environ=os.environ) -> int:
    """How many sessions may train at once: $GAN_PLAYGROUND_MAX_TRAINING, else 2 per CPU core.

    Past about two trainers per core every session slows to a crawl (measured: a step took 13×
    longer with six sessions on two cores), so later sessions wait their turn instead.
    """
    text = environ.get(MAX_TRAINING_ENV, "").strip()
    if text:
        if text.isascii() and text.isdigit() and int(text) > 0:
            return int(text)
        log.warning("ignoring %s=%r: expected a whole number above 0", MAX_TRAINING_ENV, text[:40])
    return 2 * (os.cpu_count() or 1)


class TrainingSlots:
    """A process-wide cap on concurrently training sessions, handed out first come, first served.

    A session asks on every tick while it wants to train (which doubles as its heartbeat); a
    session that stops asking, because its tab closed, is dropped after ``stale_s``.
    """

    def __init__(self, capacity: int, stale_s: float = SLOT_STALE_S):
        self.capacity, self.stale_s = capacity, stale_s
        self._lock = threading.Lock()
        self._holders: dict[int, float] = {}  # owner -> last seen
        self._waiting: dict[int, float] = {}  # owner -> last seen, in order of arrival

    def request(self, owner: int, now: float | None = None) -> int:
        """0 when ``owner`` may train now, else its place in the queue (1 = next)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for table in (self._holders, self._waiting):
                for stale in [o for o, seen in table.items() if now - seen > self.stale_s]:
                    del table[stale]
            if owner in self._holders:
                self._holders[owner] = now
                return 0
            self._waiting[owner] = now
            free = self.capacity - len(self._holders)
            queue = list(self._waiting)
            place = queue.index(owner)
            if place < free:
                del self._waiting[owner]
                self._holders[owner] = now
                return 0
            return place - max(free, 0) + 1

    def load_factor(self, cores: int | None = None) -> float:
        """How many times longer each frame should be than FRAME_PERIOD_S: 1 up to one training
        session per core, then in proportion. Ten pages redrawing 5 times a second on two cores
        spent half the server's time building figures and under 2% training (profiled); fewer,
        longer frames give that time back to training."""
        cores = cores or os.cpu_count() or 1
        return max(1.0, len(self._holders) / cores)

    def release(self, owner: int) -> None:
        with self._lock:
            self._holders.pop(owner, None)
            self._waiting.pop(owner, None)

    @property
    def in_use(self) -> int:
        return len(self._holders)


SLOTS = TrainingSlots(default_capacity())


class TrainingGate:
    """Turn-taking among training sessions of one server process: at most ``permits`` of them run
    training kernels at the same instant, the others wait their turn in arrival order.

    Python runs one thread at a time, and PyTorch hands the interpreter lock on around every
    small kernel, so ten sessions training at once spent their time passing it between them, and
    the server's event loop (every click, slider change and health check) queued behind them:
    ``/_stcore/health`` took up to a second. Waiting here is sleeping, not contending. The queue
    is first come, first served (CPython's own locks are not fair: one session held the turn for
    most of the time), and a turn lasts one training chunk (~10 ms), see ``Trainer.train_for``.
    """

    def __init__(self, permits: int = 1):
        self._lock = threading.Lock()
        self._free = permits
        self._waiting: collections.deque[threading.Lock] = collections.deque()

    def acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by release(), which hands over its permit

    @property
    def waiting(self) -> int:
        """How many sessions are waiting for their turn."""
        with self._lock:
            return len(self._waiting)

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


GATE = TrainingGate()


class RateMeter:
    """Iterations per wall-clock second over the last few seconds (what the viewer experiences)."""

    def __init__(self, window_s: float = 3.0):
        self.window_s = window_s
        self.samples: collections.deque[tuple[float, int]] = collections.deque()

    def add(self, iterations: int, now: float | None = None) -> None:
        now = time.perf_counter() if now is None else now
        self.samples.append((now, iterations))
        while len(self.samples) > 2 and now - self.samples[1][0] > self.window_s:
            self.samples.popleft()

    def rate(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        (t0, i0), (t1, i1) = self.samples[0], self.samples[-1]
        return (i1 - i0) / (t1 - t0) if t1 > t0 else 0.0

    def clear(self) -> None:
        self.samples.clear()


@dataclass(frozen=True)
class Pretraining:
    """How a link's pre-training went."""

    asked: int  # iterations the link asked for
    done: int
    seconds: float  # wall time, waiting for a training slot included
    ended: str  # "done", "time" (the budget ran out), "busy" (no training slot came free in time),
    #             "diverged", or "stopped" (the page's script was stopped: a closed tab, a rerun)

    def message(self) -> str | None:
        """What the page says when pre-training did not do all that the link asked (None when it
        did, or when it diverged: the divergence message says that)."""
        if self.ended == "time":
            return (f"Pre-trained {self.done:,} of {self.asked:,} iterations from the link in "
                    f"{self.seconds:.0f} s, the most a link may take; press Run to continue.")
        if self.ended == "busy":
            return (f"The link asked for {self.asked:,} iterations of pre-training, but every training slot on "
                    f"this server stayed taken for {self.seconds:.0f} s; press Run to train when one frees up.")
        if self.ended == "stopped":
            return (f"Pre-training from the link stopped after {self.done:,} of {self.asked:,} iterations; "
                    "press Run to continue.")
        return None


class LiveSession:
    """One user's run of one lab. All methods are safe to call from overlapping script threads."""

    def __init__(self, lab: Lab, config=None, slots: TrainingSlots | None = None,
                 restrictions: Restrictions | None = None, gate: TrainingGate | None = None):
        self.lab = lab
        self.restrictions = restrictions or Restrictions()  # a teacher's link: its locks hold whatever is applied
        self.slots = slots if slots is not None else SLOTS
        self.gate = gate if gate is not None else GATE
        self.queue_place = 0  # > 0 while waiting for a training slot
        self.lock = threading.RLock()
        self.config = config if config is not None else lab.config_cls()
        self.data: dict = {}  # what a config cannot hold, passed to make_run (the 2-D lab's uploaded points)
        self.run = lab.make_run(self.config)
        self.running = False
        self.diverged: Diverged | None = None
        self.meter = RateMeter()
        self.latest = None  # the last live snapshot (the history charts and the downloads reuse it)
        self.timeline = Timeline(lab.retention)  # the run's past: moments to scrub to, keyframes
        self.viewing: Moment | None = None  # the moment shown instead of the present (scrubbed, paused)
        self.shown = None  # the snapshot drawn last: the present, or the moment scrubbed to
        self.rewind_note: str | None = None  # what Continue from here did, until Run, a step or Reset
        self.error: str | None = None  # a failed frame's message, shown until Run or Reset
        self.pretraining: Pretraining | None = None  # a link's pre-training, until Run or Reset
        self.watch = None  # a lesson step's stop rule (playground.lessons.StepWatch): training pauses when it holds
        self.lesson = None  # the lesson in progress on this run (lessons.Progress): a reload resumes it with the run
        self._frame_start: float | None = None
        self._last_train_s = 0.0
        self.overhead_s = 0.05  # smoothed time per frame spent outside training (drawing, sending)
        self.slow_motion, self.pacer = SlowMotion(), Pacer()  # slower speeds (see playground.slowmo)
        self.step_view: StepView | None = None  # the last step done slowly or by a Step button: the overview's
        self.stages = StageRecorder() if lab.stages else None  # Figure 1's four stages (the 1-D lab)
        self.comparison: Comparison | None = None  # run B in compare mode (playground.compare); None: off

    # --- configuration --------------------------------------------------------------------

    def apply(self, config) -> str | None:
        """Adopt a new config (locked settings keep their values); returns a message when the
        change does more than retune."""
        with self.lock:
            config, _ = self.restrictions.enforce(config, self.config)
            changed = changed_fields(self.config, config)
            if not changed:
                return None
            effect = strongest_effect(type(config), changed)
            self.config = config
            names = ", ".join(specs(type(config))[n].label for n in changed if specs(type(config))[n].effect is effect)
            if effect is Effect.REBUILD:
                self._rebuild()
                return f"{names} changed: new networks, training starts over."
            self.run.config = config
            if effect in (Effect.LIVE, Effect.OPTIMIZER):
                self.run.trainer.set_hyper(config.hyper())
            if self.comparison is not None:
                self.comparison.retarget(config, self.data, rebuild=False)
            if effect is Effect.OPTIMIZER:
                return f"{names} changed: networks kept, optimizer state restarted."
            return None

    def reset(self) -> None:
        with self.lock:
            self._rebuild()

    def restart(self, config) -> None:
        """A fresh run with a whole new config (a preset; locked settings keep their values), paused."""
        with self.lock:
            self.config, self.running = self.restrictions.enforce(config, self.config)[0], False
            self._rebuild()

    def set_data(self, **data) -> None:
        """Replace uploaded data (e.g. points=array) and start over with it."""
        with self.lock:
            self.data = {**self.data, **data}
            self._rebuild()

    def start_from(self, loaded) -> str | None:
        """Replace the run by one rebuilt from a saved state (labs.states.Loaded), paused; returns
        a message instead, changing nothing, if the state's settings break a teacher's lock."""
        with self.lock:
            kept = self.restrictions.overridden(loaded.config)
            if kept:
                return ("This state's settings differ from what your teacher fixed "
                        f"({self.restrictions.describe_locked(type(loaded.config), kept)}); the run is unchanged.")
            self.config, self.data, self.running = loaded.config, dict(loaded.data), False
            self.comparison = None  # a trained A and a fresh B would not be in lockstep
            self.slots.release(id(self))
            self._rebuild(loaded.run)
            return None

    def _rebuild(self, run=None) -> None:
        self.run = run if run is not None else self.lab.make_run(self.config, **self.data)
        if self.comparison is not None:  # B starts over with A
            self.comparison.retarget(self.config, self.data, rebuild=True)
        self.diverged, self.latest, self.error, self.pretraining = None, None, None, None
        self.watch = None  # new networks: a lesson step's count no longer applies
        self.timeline.clear()
        self.viewing, self.shown, self.rewind_note = None, None, None
        self.meter.clear()
        self._forget_steps()
        if self.stages is not None:
            self.stages.clear()

    def _forget_steps(self) -> None:
        self.slow_motion.reset()
        self.pacer.reset()
        self.step_view = None

    # --- training -------------------------------------------------------------------------

    def set_running(self, running: bool) -> None:
        with self.lock:
            self.running = running and self.diverged is None
            if running:
                self.error, self.pretraining = None, None
                self.viewing, self.rewind_note = None, None  # back to the present
            else:
                self.slots.release(id(self))
                self.queue_place = 0
                self.run.refresh()  # a paused page shows every number at the iteration it stopped at
            self.meter.clear()
            self.pacer.reset()

    def release_slot(self) -> None:
        """Give the training slot back without pausing: the page went, and nothing trains until
        a page takes the run up again (it then asks for a slot like any run)."""
        self.slots.release(id(self))
        self.queue_place = 0

    def step(self, what: str) -> None:
        """One D step ('d'), one G step ('g') or one iteration ('iteration')."""
        actions = {"d": "step_d", "g": "step_g", "iteration": "step_iteration"}
        with self.lock:
            if self.diverged is None:
                self.viewing, self.rewind_note = None, None  # a step trains the present
                self.slow_motion.reset()  # slow motion starts the next iteration afresh
                self._watched(lambda: getattr(self.run.trainer, actions[what])(), slow=False)
                if self.comparison is not None and self.diverged is None:
                    self.comparison.step(what)

    @property
    def speed(self) -> str:
        return getattr(self.config, "speed", "full")

    @property
    def frame_period(self) -> float:
        """Seconds between live frames: one step a second in slow motion."""
        return SLOW_STEP_S if self.speed == "slow" else FRAME_PERIOD_S

    def _watched(self, action, slow: bool) -> None:
        """Do a step with the trainer recording it, and keep what it did for the overview."""
        trainer = self.run.trainer
        trainer.watch, trainer.last_step = True, None
        try:
            self._guarded(action)
        finally:
            trainer.watch = False
        record = trainer.last_step
        if record is not None and self.diverged is None:
            phase = self.slow_motion.phase if slow else None
            self.step_view = step_view(self.run, record, describe(trainer, record, phase))

    def pretrain(self, iterations: int, evaluations: int = 20, budget_s: float = PRETRAIN_BUDGET_S,
                 progress: Callable[[int, int, int], None] | None = None) -> Pretraining:
        """Train before the first frame (a link's steps=N) for at most ``budget_s`` of wall time,
        holding a training slot like any training, and evaluating along the way so the history
        charts show the whole run.

        ``progress(done, asked, place)`` is called about every PROGRESS_PERIOD_S (``place`` > 0
        while waiting in line for a slot). Whatever it raises ends pre-training at once and is
        passed on: the page's progress bar raises when Streamlit stops the script (its tab
        closed), so no work outlives the session. The outcome stays in ``self.pretraining``.
        """
        iterations = min(iterations, MAX_PRETRAIN)
        start = time.perf_counter()
        with self.lock:
            first, ended = self.run.trainer.iterations, "stopped"
            try:
                ended = self._pretrain(iterations, evaluations, start + budget_s,
                                       progress or (lambda done, asked, place: None))
            finally:
                self.slots.release(id(self))
                self.run.refresh()  # the first frame's numbers are those of the last iteration trained
                self.pretraining = Pretraining(iterations, self.run.trainer.iterations - first,
                                               time.perf_counter() - start, ended)
            return self.pretraining

    def _pretrain(self, iterations: int, evaluations: int, deadline: float,
                  progress: Callable[[int, int, int], None]) -> str:
        trainer, owner = self.run.trainer, id(self)
        while place := self.slots.request(owner):
            if time.perf_counter() >= deadline:
                return "busy"
            progress(0, iterations, place)
            time.sleep(PROGRESS_PERIOD_S)
        first, reported = trainer.iterations, time.perf_counter()
        self._first_steps()  # counts towards the link's iterations

        def should_stop() -> bool:
            nonlocal reported
            now = time.perf_counter()
            if now - reported >= PROGRESS_PERIOD_S:
                reported = now
                self.slots.request(owner)  # the slot's heartbeat
                progress(trainer.iterations - first, iterations, 0)
            return now >= deadline

        chunks = _split(iterations, evaluations)
        if chunks:  # the evaluations fall where they would have: the first chunk is shorter
            chunks[0] = max(chunks[0] - (trainer.iterations - first), 0)
        for chunk in chunks:
            if time.perf_counter() >= deadline:
                return "time"
            self._guarded(lambda: trainer.train_for(deadline - time.perf_counter(), should_stop=should_stop,
                                                    max_iterations=chunk, gate=self.gate.turn))
            if self.diverged is not None:
                return "diverged"
            self._follow()
            if trainer.iterations - first < iterations and time.perf_counter() >= deadline:
                return "time"  # the first frame evaluates where it stopped
            self._record(self.run.snapshot())
        return "done"

    def frame_budget(self, now: float | None = None) -> float:
        """Training time for this frame so that frames arrive every FRAME_PERIOD_S (longer when
        more sessions train than there are cores: see TrainingSlots.load_factor).

        Each frame's period is measured; what it spent outside training (drawing, serialising,
        Streamlit's own work, waiting) is smoothed, and the rest of the period goes to training.
        """
        now = time.perf_counter() if now is None else now
        target = FRAME_PERIOD_S * self.slots.load_factor()
        if self._frame_start is not None:
            period = now - self._frame_start
            if period < 5 * target:  # ignore pauses between runs
                overhead = min(max(period - self._last_train_s, 0.0), FRAME_PERIOD_S)
                self.overhead_s = 0.7 * self.overhead_s + 0.3 * overhead
        self._frame_start = now
        return max(MIN_TRAIN_S, target - self.overhead_s)

    def tick(self, budget_s: float | None = None, interrupt: Callable[[], bool] | None = None,
             next_frame_requested: Callable[[], bool] | None = None) -> int:
        """Train for ``budget_s`` (default: this frame's budget) if running; returns iterations done.

        Both checks are asked between ~10 ms chunks. ``interrupt()`` True ends the frame's training
        early (the page has a slider change waiting, which should not wait for the rest of the
        budget). While ``next_frame_requested()`` is False the frame trains on past its budget, up
        to EXTEND_LIMIT periods: a browser busy drawing asks for frames late, and the server would
        otherwise sit idle until it does."""
        with self.lock:
            if not self.running or self.diverged is not None:
                self._frame_start = None
                return 0
            if not self.request_slot():
                self._frame_start = None
                return 0
            if self.speed == "slow":
                self._frame_start = None
                self._watched(lambda: self.slow_motion.step(self.run.trainer), slow=True)
                self._follow()
                self.meter.add(self.run.trainer.iterations)
                return 1
            self._first_steps()
            cap = iterations_per_s(self.speed)
            most = None if cap == float("inf") else self.pacer.allowance(cap)
            self.step_view = None  # many steps a frame: the overview shows training as a whole
            budget_s = self.frame_budget() if budget_s is None else budget_s
            start = time.perf_counter()

            def should_stop() -> bool:
                return bool(interrupt and interrupt()) or (
                    time.perf_counter() - start >= budget_s and (next_frame_requested is None or next_frame_requested()))

            limit_s = budget_s if next_frame_requested is None else max(
                budget_s, EXTEND_LIMIT * FRAME_PERIOD_S * self.slots.load_factor())
            if self.comparison is not None:  # run B trains as many iterations in the frame's other half
                budget_s, limit_s = budget_s / 2, limit_s / 2
            if self.watch is not None:  # a lesson's step trains no further than its budget
                left = self.watch.left(self.run.trainer.iterations)
                most = left if most is None else min(most, left)
            done = self._guarded(lambda: self.run.trainer.train_for(limit_s, should_stop=should_stop,
                                                                    max_iterations=most, gate=self.gate.turn)) or 0
            self._follow()
            self._last_train_s = time.perf_counter() - start
            self.meter.add(self.run.trainer.iterations)
            return done

    def _follow(self) -> None:
        """Compare mode: run B trains up to A's iteration count (lockstep)."""
        if self.comparison is not None:
            self.comparison.follow(self.run.trainer.iterations, gate=self.gate.turn)

    def _guarded(self, action):
        """Run a training action; on divergence pause and remember where it happened."""
        try:
            result = action()
            self.run.trainer.check_finite()
            return result
        except Diverged as err:
            log.info("session diverged: %s", err)
            self.diverged, self.running = err, False
            self.slots.release(id(self))
            return None

    def _first_steps(self) -> None:
        """Train the first iteration step by step, snapshotting after its D steps and after its
        first G step: Figure 1's stages (b) and (c), which a frame of many iterations would skip."""
        trainer = self.run.trainer
        hyper = trainer.hyper
        if (self.stages is None or hyper.method != "adversarial" or self.diverged is not None
                or not self.stages.wants_first_steps(trainer.g_steps)):
            return
        if trainer.d_steps == 0 and "a" not in self.stages.captured:
            self._record(self.run.snapshot())  # (a): a link's pre-training trains before any frame
        while trainer.d_steps < hyper.k and self.diverged is None:
            self._guarded(trainer.step_d)
        if self.diverged is None:
            self._record(self.run.snapshot())  # (b)
            for i in range(hyper.g_steps):
                self._guarded(lambda: trainer.step_g(ends_iteration=i == hyper.g_steps - 1))
                if i == 0 and self.diverged is None:
                    self._record(self.run.snapshot())  # (c)

    def snapshot(self):
        """What a frame shows: the moment scrubbed to, or else a new snapshot of the present (kept
        in the timeline)."""
        with self.lock:
            if self.viewing is not None:
                self.shown = self.viewing.snapshot(histories=self.latest)
            else:
                self.latest = self.shown = self._record(self.run.snapshot())
                if self.comparison is not None:
                    self.comparison.snapshot()
                if self.running and self.watch is not None and self.watch.check(self.latest.iteration,
                                                                                 self.latest.metrics):
                    self.watch = None  # the lesson's step is over (its page keeps the watch's outcome)
                    self.set_running(False)
            return self.shown

    def train_iterations(self, iterations: int) -> None:
        """Train ``iterations`` now, pausing on divergence (a lesson played headless)."""
        with self.lock:
            if self.diverged is None:
                self._guarded(lambda: self.run.trainer.train_iterations(iterations))
                self._follow()

    def _record(self, snapshot):
        self.timeline.record(snapshot, self.config, self.run.trainer.state_dict)
        if self.stages is not None:
            self.stages.observe(snapshot, getattr(self.run, "yardstick", None))
        return snapshot

    # --- the timeline: scrubbing back, continuing from an earlier moment -------------------

    @property
    def shown_config(self):
        """The settings of what is shown: the moment's own while scrubbed, else the current ones."""
        return self.viewing.config if self.viewing is not None else self.config

    @property
    def marker(self) -> int | None:
        """The iteration the history charts mark (the moment scrubbed to), None for the present."""
        return self.viewing.iteration if self.viewing is not None else None

    def can_scrub(self) -> bool:
        return not self.running and len(self.timeline) >= 2 and self.comparison is None

    # --- compare mode: run B beside run A (playground.compare) ---------------------------------

    def compare(self, overrides) -> list[str]:
        """Start comparing with a run B that changes ``overrides`` (name -> text): both runs start
        afresh from the seed, in lockstep. Returns the problems with the overrides; when none of
        them is usable (and some were given), nothing changes."""
        with self.lock:
            trial = Comparison(self.lab, self.config, overrides, self.data, locked=self.restrictions.locked)
            if overrides and not trial.overrides:
                return trial.problems
            self.comparison = trial
            self._rebuild()
            return trial.problems

    def stop_comparing(self) -> None:
        """Back to one run: A goes on as it was, B is dropped."""
        with self.lock:
            self.comparison = None

    def scrub(self, index: int) -> str | None:
        """Show the timeline's ``index``-th kept moment (the newest: the present); returns a
        message instead when that cannot be done, and nothing changes."""
        with self.lock:
            if self.running:
                return "Pause training to look back through the timeline."
            if self.comparison is not None:
                return "The timeline is off while comparing two runs; stop comparing to look back."
            count = len(self.timeline)
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
                return (f"There is no moment {str(index)[:20]!r} in the timeline: it holds positions 0 to "
                        f"{count - 1} (iterations {self.timeline.moment_at(0).iteration:,} to "
                        f"{self.timeline.moment_at(-1).iteration:,}); the view is unchanged."
                        if count else "The timeline is empty: train first.")
            if self.latest is None:
                self.snapshot()  # the present's histories, drawn beside any moment
            self.viewing = None if index == count - 1 else self.timeline.moment_at(index)
            return None

    def scrub_to_iteration(self, text: str) -> str | None:
        """Scrub to the newest kept moment at or before an iteration given as text (a link's
        ``at=``); returns a message for text that is not such an iteration."""
        text = str(text).strip()
        if not (text.isascii() and text.isdigit()):
            return f"Ignored at={text[:40]!r}: expected an iteration number."
        index = self.timeline.index_of(int(text)) if len(self.timeline) else None
        last = self.timeline.moment_at(-1).iteration if len(self.timeline) else 0
        if index is None or int(text) > last:
            return (f"Ignored at={text[:40]!r}: the timeline holds iterations "
                    f"{self.timeline.moment_at(0).iteration if len(self.timeline) else 0:,} to {last:,}.")
        return self.scrub(index)

    def viewing_index(self) -> int:
        """The position shown on the timeline (the newest when showing the present)."""
        if self.viewing is None:
            return len(self.timeline) - 1
        return next((i for i, m in enumerate(self.timeline.moments) if m is self.viewing), len(self.timeline) - 1)

    def animation_pictures(self, frames: int) -> list[tuple[int, Any]]:
        """(iteration, the lab's main picture as the page drew it) at up to ``frames`` kept
        moments, evenly spaced over the run."""
        with self.lock:
            moments = list(self.timeline.moments)
        chosen = pick([m.iteration for m in moments], frames)
        return [(moments[i].iteration, self.lab.picture(moments[i].snapshot(), moments[i].config)) for i in chosen]

    def continue_from_here(self) -> str | None:
        """Put training back to the keyframe at or before the moment shown, forget everything
        after it, and go on from there with the current settings; returns what the page says."""
        with self.lock:
            moment = self.viewing
            if moment is None:
                return None
            last = self.timeline.moment_at(-1)
            keyframe = self.timeline.keyframe_for(moment)
            if keyframe is None:  # nothing kept before it: the run's start, rebuilt from its seed
                self.run = self.lab.make_run(self.config, **self.data)
            else:
                self.run.trainer.load_state_dict(keyframe.state)
                self.run.rewind()
                self.run.config = self.config
            self.run.trainer.set_hyper(self.config.hyper())
            trainer = self.run.trainer
            self.timeline.drop_after((trainer.d_steps, trainer.g_steps))
            self.viewing, self.latest, self.shown = None, None, None
            self.diverged, self.error, self.pretraining = None, None, None
            self.meter.clear()
            self._forget_steps()
            start, dropped = trainer.iterations, last.iteration - trainer.iterations
            if self.stages is not None:
                self.stages.drop_after(start)
            note = (f"Continuing from iteration {start:,}: the {dropped:,} iteration{'s' if dropped != 1 else ''} "
                    f"after it {'are' if dropped != 1 else 'is'} dropped, and training goes on with the settings "
                    "in the sidebar.")
            if start < moment.iteration:
                note += (f" (Training state is kept only at some moments; {start:,} is the nearest one at or "
                         f"before iteration {moment.iteration:,}.)")
            self.rewind_note = note
            return note

    @property
    def steps_per_s(self) -> float:
        return self.meter.rate()

    def request_slot(self) -> bool:
        """Ask for a training slot (also the heartbeat that keeps one); False while in line."""
        with self.lock:
            if not self.running or self.diverged is not None:
                return False
            self.queue_place = self.slots.request(id(self))
            return self.queue_place == 0

    def waiting_message(self) -> str | None:
        if not (self.running and self.queue_place):
            return None
        runs = "1 run is" if self.slots.capacity == 1 else f"{self.slots.capacity} runs are"
        return (f"{runs} training on this server already, its limit. Yours starts "
                f"as soon as one pauses (place in line: {self.queue_place}).")

    def pretraining_message(self) -> str | None:
        return self.pretraining.message() if self.pretraining is not None else None

    def divergence_message(self) -> str | None:
        if self.diverged is None:
            return None
        return (f"Training diverged at iteration {self.diverged.iteration}: {self.diverged.what}. "
                "Try a smaller learning rate or less momentum, then press Reset.")

