"""A live session's timeline: scrubbing shows an earlier moment exactly (its settings included),
bad positions are refused with a message, and Continue from here trains on from the keyframe at
or before the moment, dropping the old future, exactly as the run that never left it would."""

import dataclasses

import pytest
import torch

from helpers import assert_same
from playground.labs import LABS
from playground.live import LiveSession, TrainingSlots
from playground.mnist.data import MnistData
from playground.mnist.quality import held_out_digits

SMALL = {"1d": {"width": 8, "batch": 32}, "2d": {"width": 16, "batch": 64},
         "mnist": {"batch": 8, "latent_dim": 8, "device": "cpu"}}


@pytest.fixture(scope="module")
def digits() -> MnistData:
    images, labels = held_out_digits()
    return MnistData(images, labels, "test", "1,000 held-out digits")


def session_for(key: str, digits=None, **retention) -> LiveSession:
    lab = LABS[key]
    if retention:
        lab = dataclasses.replace(lab, retention=dataclasses.replace(lab.retention, **retention))
    if key == "mnist":  # the held-out digits instead of loading MNIST
        make = lab.make_run
        lab = dataclasses.replace(lab, make_run=lambda config, **data: make(config, mnist=digits, **data))
    return LiveSession(lab, dataclasses.replace(lab.config_cls(), **SMALL[key]), slots=TrainingSlots(10))


def train(session: LiveSession, frames: int, per_frame: int = 10) -> None:
    for _ in range(frames):
        session.run.trainer.train_iterations(per_frame)
        session.snapshot()


def weights(session: LiveSession) -> list[torch.Tensor]:
    t = session.run.trainer
    return [x.detach().clone() for x in [*t.G.state_dict().values(), *t.D.state_dict().values()]]


def test_scrubbing_shows_the_earlier_snapshot_with_its_settings_and_the_present_histories():
    session = session_for("1d")
    train(session, 3)
    early = session.latest
    session.apply(dataclasses.replace(session.config, k=2))  # a live change later on
    train(session, 3)
    assert session.scrub(2) is None
    shown = session.snapshot()
    assert_same(dataclasses.replace(early, losses=session.latest.losses, evals=session.latest.evals), shown)
    assert session.shown_config.k == LABS["1d"].config_cls().k != 2 and session.config.k == 2  # that moment's settings
    assert session.marker == 30 and session.viewing_index() == 2
    assert session.run.trainer.iterations == 60  # looking back changes nothing
    assert session.scrub(len(session.timeline) - 1) is None and session.marker is None


@pytest.mark.parametrize("bad", [-1, 99, "3", 2.0, None, True])
def test_a_bad_position_is_a_message_and_nothing_changes(bad):
    session = session_for("1d")
    train(session, 4)
    session.scrub(1)
    message = session.scrub(bad)
    assert message and "positions 0 to 3 (iterations 10 to 40)" in message
    assert session.viewing_index() == 1 and session.run.trainer.iterations == 40


def test_a_links_at_is_checked():
    session = session_for("1d")
    train(session, 4)
    assert session.scrub_to_iteration("25") is None and session.marker == 20
    assert "expected an iteration" in session.scrub_to_iteration("abc")
    assert "holds iterations 10 to 40" in session.scrub_to_iteration("41")
    assert session.marker == 20


def test_scrubbing_is_refused_while_running_and_run_returns_to_the_present():
    session = session_for("1d")
    train(session, 3)
    session.scrub(0)
    session.set_running(True)
    assert session.viewing is None
    assert "Pause" in session.scrub(0) and session.viewing is None


@pytest.mark.parametrize("key", ["1d", "2d", "mnist"])
def test_continue_from_here_equals_the_run_that_never_left(key, digits):
    session = session_for(key, digits, keyframe_spacing=0, keyframe_bytes=1 << 30)  # MNIST's hold 13 MB each
    train(session, 3)
    index = len(session.timeline) - 1
    train(session, 2)
    expected = weights(session)  # 50 iterations: 30, then 20 more
    train(session, 3)  # the future that will be dropped
    session.scrub(index)
    assert session.marker == 30
    note = session.continue_from_here()
    assert note.startswith("Continuing from iteration 30: the 50 iterations after it are dropped")
    assert [m.iteration for m in session.timeline.moments][-1] == 30
    assert session.run.loss_history.columns["iteration"][-1] <= 30
    assert session.run.eval_history.columns["iteration"][-1] == 30
    train(session, 2)
    for x, y in zip(weights(session), expected):
        assert torch.equal(x, y)
    assert session.timeline.moment_at(-1).iteration == 50


def test_continue_applies_the_settings_changed_while_looking_back():
    session = session_for("1d")
    train(session, 4)
    session.scrub(1)
    session.apply(dataclasses.replace(session.config, momentum=0.5, lr_d=0.001))
    session.continue_from_here()
    h = session.run.trainer.hyper
    assert (h.momentum, h.lr_d, session.run.trainer.iterations) == (0.5, 0.001, 20)
    assert session.rewind_note and session.viewing is None


def test_continue_from_a_moment_without_a_keyframe_goes_to_the_nearest_before(digits):
    """MNIST keeps a keyframe every keyframe_spacing iterations: the page names the one used."""
    session = session_for("mnist", digits, keyframe_spacing=25)
    train(session, 4)  # moments at 10, 20, 30, 40; keyframes at 10 and 40 (30 iterations apart)
    assert [k.iteration for k in session.timeline.keyframes] == [10, 40]
    session.scrub(2)  # iteration 30
    note = session.continue_from_here()
    assert note.startswith("Continuing from iteration 10: the 30 iterations after it are dropped")
    assert "nearest one at or before iteration 30" in note
    assert session.run.trainer.iterations == 10 and len(session.timeline) == 1


def test_continue_before_any_keyframe_rebuilds_the_start_and_clears_a_divergence():
    session = session_for("1d")
    train(session, 3)
    session.timeline.keyframes.clear()  # as if every keyframe had been thinned away
    session.scrub(1)
    session.diverged = RuntimeError("pretend")  # a diverged run can go back to before it happened
    note = session.continue_from_here()
    assert note.startswith("Continuing from iteration 0: the 30 iterations after it are dropped")
    assert session.run.trainer.iterations == 0 and session.diverged is None
    fresh = LiveSession(LABS["1d"], session.config)
    assert all(torch.equal(a, b) for a, b in zip(weights(session), weights(fresh)))


def test_a_rebuild_or_reset_clears_the_timeline():
    session = session_for("1d")
    train(session, 3)
    session.scrub(0)
    session.reset()
    assert len(session.timeline) == 0 and session.viewing is None and session.timeline.nbytes == 0
