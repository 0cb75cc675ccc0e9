"""The timeline: thinning (dense recently, sparser further back), the byte caps, compact snapshots
that come back exactly, keyframes at or before a moment, and dropping the old future."""

import dataclasses
import math

import numpy as np
import pytest

from helpers import assert_same
from playground.labs import LABS
from playground.timeline import (MB, Moment, Packed, Retention, ThinnedStore, Timeline, pack_snapshot,
                                 state_bytes, stride)


def kept_after(n: int, recent: int, cap: int = 1 << 40, size: int = 1) -> tuple[list[int], ThinnedStore]:
    store = ThinnedStore(recent, cap)
    for i in range(n):
        store.add(i, size)
    return list(store), store


def test_stride_doubles_with_each_band_of_recent_items():
    recent = 4
    assert [stride(age, recent) for age in range(0, 4)] == [1] * 4  # the newest 4: every item
    assert {stride(age, recent) for age in range(4, 12)} == {2}  # the next 8: every 2nd
    assert {stride(age, recent) for age in range(12, 28)} == {4}  # the next 16: every 4th
    assert stride(28, recent) == 8


@pytest.mark.parametrize("n, recent", [(10, 4), (1000, 16), (5000, 64), (3, 8)])
def test_thinning_keeps_every_recent_item_and_about_recent_per_older_band(n, recent):
    kept, _ = kept_after(n, recent)
    newest = n - 1
    assert kept[-min(n, recent):] == list(range(max(0, n - recent), n))  # dense recently
    assert all(seq % stride(newest - seq, recent) == 0 for seq in kept)  # the rule, exactly
    assert len(kept) <= recent * (math.log2(n / recent + 1) + 2)
    gaps = np.diff(kept)
    assert np.all(np.diff(gaps) <= 0)  # the gaps never widen towards the present: sparser further back


def test_an_item_once_dropped_never_comes_back():
    store, seen = ThinnedStore(4, 1 << 40), set()
    for i in range(300):
        store.add(i, 1)
        now = set(store)
        assert not (now - seen - {i}), "a dropped item reappeared"
        seen = now


def test_the_byte_cap_holds_by_thinning_harder_then_dropping_the_oldest():
    kept, store = kept_after(2000, 64, cap=100, size=1)
    assert store.bytes <= 100 and len(kept) <= 100
    assert store.recent < 64 and kept[-1] == 1999  # thinner bands, the newest kept
    _, tiny = kept_after(50, 1, cap=3, size=1)
    assert len(tiny) == 3 and tiny.bytes == 3 and tiny[-1] == 49


def test_the_cap_keeps_the_newest_even_when_one_item_is_over_it():
    _, store = kept_after(5, 4, cap=10, size=50)
    assert list(store) == [4]


@pytest.fixture(scope="module")
def snapshots_2d():
    lab = LABS["2d"]
    run = lab.make_run(dataclasses.replace(lab.config_cls(), show_manifold=True))
    shots = []
    for _ in range(3):
        run.trainer.train_iterations(20)
        shots.append(run.snapshot())
    return run, shots


def test_a_moment_comes_back_exactly_with_the_given_histories(snapshots_2d):
    run, shots = snapshots_2d
    timeline = Timeline()
    for shot in shots:
        timeline.record(shot, run.config)
    restored = timeline.moment_at(0).snapshot(histories=shots[-1])
    assert_same(dataclasses.replace(shots[0], losses=shots[-1].losses, evals=shots[-1].evals), restored)
    assert timeline.moment_at(1).config is run.config


def test_histories_and_unchanged_arrays_are_not_stored_again(snapshots_2d):
    run, shots = snapshots_2d
    first = pack_snapshot(shots[0], run.config, None)
    second = pack_snapshot(shots[1], run.config, first, shots[0])
    assert first.fields["losses"] is None and first.fields["evals"] is None
    for name in ("p_data", "xs", "ys", "real"):  # the same every frame: shared, not copied
        assert second.fields[name] is first.fields[name]
    assert isinstance(second.fields["d"], Packed)  # D's 100 × 100 map, compressed losslessly
    assert second.nbytes < first.nbytes < 0.7 * sum(a.nbytes for a in vars(shots[0]).values()
                                                     if isinstance(a, np.ndarray))


def test_the_same_steps_drawn_again_replace_the_newest_moment(snapshots_2d):
    run, shots = snapshots_2d
    timeline = Timeline()
    timeline.record(shots[0], run.config)
    again = dataclasses.replace(shots[0], metrics={**shots[0].metrics, "js": -1.0})
    timeline.record(again, "other config")
    assert len(timeline) == 1 and timeline.moment_at(0).fields["metrics"]["js"] == -1.0
    assert timeline.moment_at(0).config == "other config"


@dataclasses.dataclass(frozen=True)
class Tiny:
    iteration: int
    d_steps: int
    g_steps: int
    values: np.ndarray
    losses: dict


def tiny(iteration: int, d_extra: int = 0) -> Tiny:
    return Tiny(iteration, iteration + d_extra, iteration, np.full(4, iteration, np.float32), {})


def test_keyframes_follow_their_spacing_and_the_one_at_or_before_a_moment_is_found():
    timeline = Timeline(Retention(keyframe_spacing=100))
    for it in range(0, 501, 50):
        timeline.record(tiny(it), None, state=lambda it=it: {"w": np.zeros(10), "at": it})
    assert [k.iteration for k in timeline.keyframes] == [0, 100, 200, 300, 400, 500]
    assert timeline.keyframes[0].nbytes == 80 == state_bytes({"w": np.zeros(10), "n": 3})
    moment = timeline.moment_at(timeline.index_of(349))
    assert moment.iteration == 300 and timeline.keyframe_for(moment).iteration == 300
    assert timeline.keyframe_for(timeline.moment_at(timeline.index_of(250))).iteration == 200
    assert timeline.index_of(-1) is None


def test_a_keyframe_after_extra_d_steps_is_not_before_the_moment_without_them():
    timeline = Timeline()
    timeline.record(tiny(10), None, state=lambda: {})
    timeline.record(tiny(10, d_extra=3), None, state=lambda: {})  # Step D three times
    plain = timeline.moment_at(0)
    assert timeline.keyframe_for(plain).steps == plain.steps


def test_dropping_the_future_keeps_the_past():
    timeline = Timeline()
    for it in range(0, 100, 10):
        timeline.record(tiny(it), None, state=lambda: {})
    dropped = timeline.drop_after((40, 40))
    assert dropped == 5 and [m.iteration for m in timeline.moments] == [0, 10, 20, 30, 40]
    assert [k.iteration for k in timeline.keyframes] == [0, 10, 20, 30, 40]
    assert timeline.nbytes == sum(m.nbytes for m in timeline.moments)


def test_a_session_timeline_stays_within_its_cap():
    """Thousands of 2-D-sized moments and keyframes: the stated cap is never exceeded."""
    retention = Retention(recent=16, snapshot_bytes=MB // 2, keyframe_recent=16, keyframe_bytes=MB // 4)
    timeline = Timeline(retention)
    rng = np.random.default_rng(0)
    for it in range(1500):
        shot = Tiny(it, it, it, rng.random(4_000).astype(np.float32), {})  # 16 KB, incompressible
        timeline.record(shot, None, state=lambda: {"w": np.zeros(3_000, np.float32)})  # 12 KB
        assert timeline.moments.bytes <= retention.snapshot_bytes
        assert timeline.keyframes.bytes <= retention.keyframe_bytes
    assert timeline.nbytes <= retention.cap_bytes
    assert timeline.moment_at(-1).iteration == 1499 and len(timeline) >= 20
    assert isinstance(timeline.moment_at(0), Moment)


def test_after_dropping_the_future_nothing_is_shared_with_a_dropped_moment():
    timeline = Timeline()
    for it in (0, 10, 20):
        timeline.record(tiny(it), None)
    timeline.drop_after((0, 0))
    again = Tiny(30, 30, 30, np.full(4, 20, np.float32), {})  # equal to the dropped moment's array
    timeline.record(again, None)
    assert (timeline.moment_at(-1).snapshot().values == 20).all()
    assert (timeline.moment_at(0).snapshot().values == 0).all()
