"""LiveSession: what a page does with a run (no Streamlit involved)."""

import contextlib
import dataclasses
import math
import threading
import time

import numpy as np
import pytest

from helpers import tiny_config
from playground.labs import LABS
from playground.live import (EXTEND_LIMIT, FRAME_PERIOD_S, MAX_TRAINING_ENV, MIN_TRAIN_S, LiveSession, RateMeter, TrainingGate,
                             TrainingSlots,
                             _split, default_capacity)


def session(**changes) -> LiveSession:
    return LiveSession(LABS["1d"], tiny_config(**changes))


def test_live_change_keeps_the_run_and_rebuild_says_so():
    s = session()
    s.step("iteration")
    run = s.run
    assert s.apply(dataclasses.replace(s.config, k=3, lr_d=0.01)) is None
    assert s.run is run and run.trainer.hyper.k == 3 and run.trainer.iterations == 1
    assert "Optimizer (D) changed: networks kept" in s.apply(dataclasses.replace(s.config, optimizer="sgd"))
    assert s.run is run
    message = s.apply(dataclasses.replace(s.config, width=12, target="bimodal"))
    assert "Target p_data" in message and "Width" in message and "starts over" in message
    assert s.run is not run and s.run.trainer.iterations == 0


def test_view_change_only_redraws():
    s = session()
    run = s.run
    assert s.apply(dataclasses.replace(s.config, density="hist")) is None
    assert s.run is run and s.snapshot() is s.latest


def test_ticks_train_only_while_running():
    s = session()
    assert s.tick(0.02) == 0
    s.set_running(True)
    assert s.tick(0.02) > 0
    s.set_running(False)
    before = s.run.trainer.iterations
    assert s.tick(0.02) == 0 and s.run.trainer.iterations == before


def test_frame_budget_gives_training_what_drawing_leaves():
    s = session()
    s.frame_budget(now=0.0)
    s._last_train_s = 0.10
    for i in range(1, 30):  # frames that take 0.25 s of which 0.10 s training: 0.15 s overhead
        budget = s.frame_budget(now=0.25 * i)
    assert budget == pytest.approx(max(MIN_TRAIN_S, FRAME_PERIOD_S - 0.15), abs=0.01)


def test_pretrain_evaluates_along_the_way_and_stops_at_divergence():
    s = session()
    s.pretrain(200, evaluations=10)
    # ten, and the snapshots of Figure 1's stages (a), (b) and (c) (see playground.stages)
    assert s.run.trainer.iterations == 200 and len(s.run.eval_history) == 10 + 3
    bad = session(optimizer="sgd", lr_d=1.0, link_lr=True, momentum=0.99, k=1, width=32, depth=2,
                  activation="relu", batch=256, seed=0, g_shift=6.0)
    bad.pretrain(5000)
    assert bad.diverged is not None and bad.run.trainer.iterations < 5000
    assert "diverged at iteration" in bad.divergence_message()
    bad.set_running(True)
    assert not bad.running  # Run is refused until Reset
    bad.reset()
    assert bad.diverged is None and bad.run.trainer.iterations == 0


def test_rate_meter_and_split():
    meter = RateMeter(window_s=10)
    for t, it in ((0.0, 0), (1.0, 100), (2.0, 300)):
        meter.add(it, now=t)
    assert meter.rate() == pytest.approx(150)
    assert _split(10, 3) == [4, 3, 3] and _split(2, 5) == [1, 1] and _split(0, 4) == []


def test_training_slots_queue_first_come_first_served_and_drop_closed_tabs():
    slots = TrainingSlots(capacity=2, stale_s=5)
    assert slots.request(1, now=0) == 0 and slots.request(2, now=0) == 0
    assert slots.request(3, now=1) == 1 and slots.request(4, now=1) == 2
    assert slots.request(1, now=2) == 0  # a holder keeps its slot while it keeps asking
    slots.release(1)
    assert slots.request(4, now=3) == 1  # 3 arrived first: 4 may not overtake it
    assert slots.request(3, now=3) == 0 and slots.request(4, now=3) == 1
    # 2 and 3 stop asking (tabs closed): after stale_s their slots go to the next in line
    assert slots.request(4, now=4) == 1
    assert slots.request(4, now=8.5) == 0 and slots.in_use == 1


def wait_for(condition, timeout_s: float = 10.0) -> None:
    """Poll until ``condition()`` (a thread has reached its wait); fails after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_training_gate_gives_turns_in_arrival_order_to_at_most_its_permits():
    """Two permits held: three sessions wait, then get their turns in the order they came, never
    more than two at once."""
    gate, entered, finish = TrainingGate(permits=2), [], {name: threading.Event() for name in "abc"}
    gate.acquire(), gate.acquire()

    def session(name):
        with gate.turn():
            entered.append(name)
            finish[name].wait(10)

    threads = []
    for name in "abc":
        threads.append(threading.Thread(target=session, args=(name,)))
        threads[-1].start()
        wait_for(lambda: gate.waiting == len(threads))
    gate.release()
    wait_for(lambda: entered == ["a"])
    gate.release()
    wait_for(lambda: entered == ["a", "b"])
    assert gate.waiting == 1  # c waits: two turns are taken
    finish["a"].set()
    wait_for(lambda: entered == ["a", "b", "c"])
    finish["b"].set(), finish["c"].set()
    for t in threads:
        t.join(10)
    gate.acquire(), gate.acquire()  # both permits free again: no waiting
    assert gate.waiting == 0


def test_train_for_runs_each_chunk_inside_the_gate():
    s = session()
    turns = []

    @contextlib.contextmanager
    def counting_turn():
        turns.append(s.run.trainer.iterations)
        yield

    done = s.run.trainer.train_for(0.05, gate=counting_turn)
    assert done > 0 and len(turns) >= 1 and turns[0] == 0


def test_a_session_over_the_cap_waits_with_a_message_and_trains_once_a_slot_frees():
    slots = TrainingSlots(capacity=1)
    first, second = (LiveSession(LABS["1d"], tiny_config(), slots=slots) for _ in range(2))
    for s in (first, second):
        s.set_running(True)
    assert first.tick(0.02) > 0
    assert second.tick(0.02) == 0 and second.run.trainer.iterations == 0
    assert "place in line: 1" in second.waiting_message()
    first.set_running(False)  # pausing hands the slot on
    assert second.tick(0.02) > 0 and second.waiting_message() is None


def test_divergence_releases_the_slot():
    slots = TrainingSlots(capacity=1)
    bad = LiveSession(LABS["1d"], tiny_config(optimizer="sgd", lr_d=1.0, link_lr=True, momentum=0.99, k=1,
                                              width=32, depth=2, activation="relu", batch=256, seed=0,
                                              g_shift=6.0), slots=slots)
    bad.set_running(True)
    for _ in range(200):
        bad.tick(0.02)
        if bad.diverged:
            break
    assert bad.diverged is not None and slots.in_use == 0


@pytest.mark.parametrize("text, expected", [("3", 3), ("", 8), ("0", 8), ("-2", 8), ("lots", 8), (" 12 ", 12)])
def test_capacity_comes_from_the_environment_or_the_cores(text, expected, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert default_capacity({MAX_TRAINING_ENV: text}) == expected


def test_an_interrupt_ends_the_frames_training_early():
    s = session()
    s.set_running(True)
    s.tick(0.01)  # the first tick also snapshots Figure 1's first stages (see playground.stages)
    asked = []
    start = time.perf_counter()
    done = s.tick(1.0, interrupt=lambda: asked.append(1) or len(asked) >= 3)
    assert time.perf_counter() - start < 0.5 and done > 0 and len(asked) == 3
    assert s.tick(0.05, interrupt=lambda: False) > 0  # a "no" trains the whole budget


def test_a_frame_trains_on_until_the_browser_asks_for_the_next_one():
    """Past its budget a frame keeps training while no next-frame request has come (up to
    EXTEND_LIMIT periods), and stops at the first chunk after one arrives; a slider change
    (interrupt) still ends it at once."""
    s = session()
    s.set_running(True)
    s.tick(0.01)  # the first tick also snapshots Figure 1's first stages (see playground.stages)

    def timed(**checks) -> float:
        start = time.perf_counter()
        assert s.tick(0.05, **checks) > 0
        return time.perf_counter() - start

    never = timed(next_frame_requested=lambda: False)
    assert EXTEND_LIMIT * FRAME_PERIOD_S <= never < EXTEND_LIMIT * FRAME_PERIOD_S + 0.15
    assert 0.05 <= timed(next_frame_requested=lambda: True) < 0.15  # asked already: the budget only
    arrives_at = time.perf_counter() + 0.2
    assert 0.2 <= timed(next_frame_requested=lambda: time.perf_counter() >= arrives_at) < 0.3
    assert timed(interrupt=lambda: True, next_frame_requested=lambda: False) < 0.05


def test_frames_lengthen_when_more_sessions_train_than_there_are_cores(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    slots = TrainingSlots(capacity=100)
    assert slots.load_factor(cores=2) == 1.0
    for owner in range(5):
        slots.request(owner)
    assert slots.load_factor(cores=2) == 2.5 and slots.load_factor(cores=8) == 1.0
    s = LiveSession(LABS["1d"], tiny_config(), slots=slots)
    s.frame_budget(now=0.0)
    assert s.frame_budget(now=0.01) == pytest.approx(2.5 * FRAME_PERIOD_S - s.overhead_s)


def test_the_waiting_message_counts_runs_in_words():
    slots = TrainingSlots(capacity=1)
    first, second = (LiveSession(LABS["1d"], tiny_config(), slots=slots) for _ in range(2))
    for s in (first, second):
        s.set_running(True)
    assert first.request_slot() and not second.request_slot()
    assert second.waiting_message().startswith("1 run is training on this server already")


SMALL_CONFIGS = {"1d": {"width": 8, "batch": 32}, "2d": {"width": 16, "batch": 32},
                 "mnist": {"batch": 16, "latent_dim": 8}}


@pytest.mark.parametrize("lab", sorted(LABS))
def test_step_g_before_any_d_step_is_not_a_divergence(lab):
    """Step G first (a lesson's "watch one generator step"): no D loss exists yet, which is neither
    a divergence nor a NaN in the loss history or the CSV; the D loss appears once D has stepped."""
    from playground.export import history_csv

    config = dataclasses.replace(LABS[lab].config_cls(), **SMALL_CONFIGS[lab])
    s = LiveSession(LABS[lab], config)
    s.step("g")
    assert s.diverged is None and s.divergence_message() is None
    assert s.run.trainer.iterations == 1
    s.step("d")
    s.step("g")
    assert s.diverged is None
    losses = s.snapshot().losses
    assert losses["iteration"].tolist() == [1, 2]
    assert math.isnan(losses["d_loss"][0]) and math.isfinite(losses["d_loss"][1])  # no value, then a value
    assert np.isfinite(losses["g_loss"]).all()
    rows = history_csv(s.latest).decode().splitlines()
    header = rows[0].split(",")
    first = dict(zip(header, rows[1].split(",")))
    assert first["iteration"] == "1" and first["d_loss"] == "" and first["g_loss"] != ""
    assert "nan" not in history_csv(s.latest).decode().lower()
    s.set_running(True)
    assert s.running
    s.set_running(False)


def test_pretraining_is_bounded_in_time_even_when_iterations_are_slow():
    """A config at the work limit (~0.25 s per iteration on the CPU, which a GPU runs fast):
    pre-training ends within one iteration and one evaluation of its budget, holds a training
    slot meanwhile and reports progress."""
    slots = TrainingSlots(capacity=2)
    config = dataclasses.replace(LABS["2d"].config_cls(), batch=4096, width=256, depth=2, device="cpu")
    s = LiveSession(LABS["2d"], config, slots=slots)
    seen = []
    start = time.perf_counter()
    result = s.pretrain(50_000, budget_s=1.0, progress=lambda done, asked, place: seen.append((done, slots.in_use)))
    assert time.perf_counter() - start < 2.0
    assert result.ended == "time" and 0 < result.done == s.run.trainer.iterations < 100
    assert seen and all(in_use == 1 for _, in_use in seen) and slots.in_use == 0
    assert f"Pre-trained {result.done:,} of 50,000 iterations" in s.pretraining_message()


def test_pretraining_stops_at_once_when_its_page_is_stopped_and_gives_its_slot_back():
    """The page's progress callback raises when Streamlit stops the script (a closed tab): training
    ends there, the exception goes on, and the slot is free again."""
    slots = TrainingSlots(capacity=1)
    s = LiveSession(LABS["1d"], tiny_config(), slots=slots)

    class TabClosed(BaseException):
        pass

    def progress(done, asked, place):
        raise TabClosed

    start = time.perf_counter()
    with pytest.raises(TabClosed):
        s.pretrain(50_000, progress=progress)
    assert time.perf_counter() - start < 1.0
    assert s.pretraining.ended == "stopped" and s.pretraining.done < 50_000 and slots.in_use == 0
    assert "stopped after" in s.pretraining_message()


def test_pretraining_waits_for_a_slot_only_within_its_budget():
    slots = TrainingSlots(capacity=1)
    slots.request("another session")
    s = LiveSession(LABS["1d"], tiny_config(), slots=slots)
    places = []
    result = s.pretrain(100, budget_s=0.5, progress=lambda done, asked, place: places.append(place))
    assert result.ended == "busy" and result.done == 0 and s.run.trainer.iterations == 0
    assert places and set(places) == {1}
    assert slots.in_use == 1 and slots.request(id(s)) == 1  # it left the queue: asking again puts it last
    assert "every training slot" in s.pretraining_message()
    slots.release("another session")
    assert s.pretrain(100).ended == "done" and s.run.trainer.iterations == 100 and s.pretraining_message() is None


def test_locked_settings_hold_through_apply_and_restart():
    """A teacher's lock survives the sidebar (apply) and a preset (restart); the rest changes."""
    from playground.links import Restrictions

    s = LiveSession(LABS["1d"], tiny_config(k=2), restrictions=Restrictions(locked={"k": 2, "optimizer": "adam"}))
    s.apply(dataclasses.replace(s.config, k=7, lr_d=0.01))
    assert (s.config.k, s.config.lr_d, s.run.trainer.hyper.k) == (2, 0.01, 2)
    s.restart(dataclasses.replace(LABS["1d"].config_cls(), k=20, optimizer="sgd", momentum=0.5))
    assert (s.config.k, s.config.optimizer, s.config.momentum) == (2, "adam", 0.5)


def test_a_page_that_went_gives_its_slot_back_but_stays_running():
    """release_slot frees the cap at once; a later tick (the run resumed) asks for a slot again."""
    slots = TrainingSlots(1)
    s = LiveSession(LABS["1d"], tiny_config(), slots=slots)
    s.set_running(True)
    assert s.tick(0.01) > 0 and slots.in_use == 1
    s.release_slot()
    assert slots.in_use == 0 and s.running
    assert s.tick(0.01) > 0 and slots.in_use == 1


def test_after_pretraining_and_on_pausing_the_mnist_numbers_are_those_of_the_last_iteration():
    """The MNIST lab scores its digits at most every few seconds while live. A link's pre-training
    ends, or Pause is pressed, and the frame that stays on screen must not keep the numbers of an
    earlier iteration (a link's steps=300 showed IS 1.02, scored near iteration 200, beside
    "iteration 300", where the G of iteration 300 scores 1.53)."""
    config = dataclasses.replace(LABS["mnist"].config_cls(), **SMALL_CONFIGS["mnist"], device="cpu")
    s = LiveSession(LABS["mnist"], config)
    s.pretrain(40, evaluations=4)
    assert s.snapshot().metrics["quality_iteration"] == s.run.trainer.iterations == 40
    s.set_running(True)
    s.tick(budget_s=0.05)
    s.snapshot()
    s.tick(budget_s=0.05)
    s.set_running(False)
    assert s.snapshot().metrics["quality_iteration"] == s.run.trainer.iterations > 40
