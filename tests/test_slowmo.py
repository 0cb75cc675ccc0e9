"""Speed and slow motion: the trainer's step record, the slow-motion order, the overview's highlight."""

import dataclasses

import numpy as np
import pytest
import torch

from helpers import make_trainer, params, same, tiny_config
from playground.figures.overview import highlighted, mark_step, overview
from playground.labs import LABS
from playground.live import LiveSession
from playground.slowmo import Pacer, SlowMotion, iterations_per_s


@pytest.mark.parametrize("fused", [True, False])
def test_step_record_says_what_the_step_did(fused):
    t = make_trainer(fused=fused)
    t.step_d()
    assert t.last_step is None  # not watching: nothing kept (full speed pays nothing)
    t.watch = True
    g_before = params(t.G)
    t.step_d()
    record = t.last_step
    assert record.network == "D" and record.d_steps == 2 and record.g_steps == 0
    assert record.real.shape == (32, 1) and record.z.shape == (32, 1)
    assert torch.allclose(record.fake, t.generate(record.z))  # G did not move: G(z) is what D saw
    assert same(g_before, params(t.G))
    assert torch.isclose(record.loss, t._d_loss)
    fake_before = t.generate(torch.linspace(-1, 1, 32).reshape(-1, 1))
    t.step_g()
    record = t.last_step
    assert record.network == "G" and record.g_steps == 1 and record.iteration == 1 and record.real is None
    # the record holds G(z) from before the update, which the update then moved
    assert not torch.allclose(record.fake, t.generate(record.z))
    assert not torch.allclose(fake_before, t.generate(torch.linspace(-1, 1, 32).reshape(-1, 1)))


def test_watching_changes_nothing_about_training():
    a, b = make_trainer(seed=1), make_trainer(seed=1)
    b.watch = True
    for t in (a, b):
        t.train_iterations(5)
    assert same(params(a.G), params(b.G)) and same(params(a.D), params(b.D))


def test_slow_motion_follows_algorithm_1_and_counts_iterations_as_it_does():
    t = make_trainer(k=3, g_steps=2)
    slow = SlowMotion()
    order = [slow.step(t) for _ in range(10)]
    assert order == ["D", "D", "D", "G", "G", "D", "D", "D", "G", "G"]
    assert (t.d_steps, t.g_steps, t.iterations) == (6, 4, 2)
    reference = make_trainer(k=3, g_steps=2)
    reference.train_iterations(2)
    assert same(params(t.G), params(reference.G)) and same(params(t.D), params(reference.D))


def test_pacer_caps_iterations_per_second():
    pacer = Pacer()
    assert pacer.allowance(10, now=0.0) == 1
    assert sum(pacer.allowance(10, now=0.2 * i) for i in range(1, 11)) == 20
    assert pacer.allowance(10, now=100.0) == 10  # no burst after a pause: at most a second's worth
    assert iterations_per_s("full") == float("inf") and iterations_per_s("10") == 10


def test_slow_session_does_one_step_per_tick_and_shows_it():
    s = LiveSession(LABS["1d"], tiny_config(k=2, speed="slow"))
    s.set_running(True)
    seen = []
    for _ in range(3):
        assert s.tick() == 1
        seen.append((s.step_view.network, s.step_view.detail))
    assert seen == [("D", "D step 1 of 2 of iteration 1"), ("D", "D step 2 of 2 of iteration 1"),
                    ("G", "G step 1 of 1 of iteration 1")]
    view = s.step_view
    assert view.real is None and view.fake.shape == (32, 1) and view.push.shape == (32, 1)
    assert s.frame_period == 1.0
    s.apply(dataclasses.replace(s.config, speed="full"))
    s.tick(budget_s=0.02)
    assert s.step_view is None and s.run.trainer.watch is False


def test_capped_speed_trains_no_more_than_it_allows():
    s = LiveSession(LABS["1d"], tiny_config(speed="10"))
    s.set_running(True)
    done = sum(s.tick(budget_s=0.05) for _ in range(3))
    assert 1 <= done <= 3  # a first iteration, then what 10/s owes over a few milliseconds


def test_step_buttons_drive_the_overview():
    s = LiveSession(LABS["2d"], dataclasses.replace(LABS["2d"].config_cls(), width=8, batch=64))
    assert highlighted(overview(s.step_view)) is None
    s.step("d")
    fig = overview(s.step_view)
    assert highlighted(fig) == "D"
    boxes = {shape.name: shape for shape in fig.layout.shapes}
    assert boxes["D"].line.width > boxes["G"].line.width
    assert any("D<br>updating weights" in a.text for a in fig.layout.annotations)
    assert any("G<br>frozen" in a.text for a in fig.layout.annotations)
    s.step("g")
    fig = overview(s.step_view)
    assert highlighted(fig) == "G" and {s.name: s for s in fig.layout.shapes}["G"].line.width == 4
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "G loss<br>−log D(G(z))<br>= " in texts and "D<br>frozen" in texts


def test_overview_says_full_speed_and_mmd():
    fig = overview(None, running=True, k=5)
    assert highlighted(fig) is None
    assert any("5 D steps, then G" in a.text for a in fig.layout.annotations)
    assert any("no D" in a.text for a in overview(None, method="mmd").layout.annotations)


def test_marks_show_the_minibatch_and_a_g_steps_push_in_2d():
    lab = LABS["2d"]
    s = LiveSession(lab, dataclasses.replace(lab.config_cls(), width=8, batch=64))
    snap = s.snapshot()
    s.step("g")
    fig = mark_step(lab.frame_figures(snap, s.config)["landscape"], s.step_view)
    names = [trace.name for trace in fig.data]
    assert "this step's G(z)" in names and "this G step's push" in names and "this step's real x" not in names
    push = next(trace for trace in fig.data if trace.name == "this G step's push")
    start = np.asarray(push.x, dtype=float)[0::3]
    assert np.allclose(start, s.step_view.fake[: len(start), 0], atol=1e-5)
    s.step("d")
    fig = mark_step(lab.frame_figures(snap, s.config)["landscape"], s.step_view)
    assert {"this step's real x", "this step's G(z)"} <= {t.name for t in fig.data}


def test_overview_and_marks_equal_their_validated_copies():
    """Built without Plotly's validation (figures.common.figure), like every builder: each equals a
    validated copy (see test_figure_validity)."""
    import json

    import plotly.graph_objects as go
    import plotly.io as pio

    s = LiveSession(LABS["1d"], tiny_config())
    snap = s.snapshot()
    figures = []
    for what in ("d", "g"):
        s.step(what)
        figures += [overview(s.step_view), mark_step(LABS["1d"].frame_figures(snap, s.config)["figure1"], s.step_view)]
    figures += [overview(None, running=True), overview(None, method="mmd")]
    for fig in figures:
        sent = json.loads(pio.to_json(fig, validate=False))
        assert sent == json.loads(pio.to_json(go.Figure(fig.to_plotly_json()), validate=False))


def test_a_bad_speed_in_a_link_is_a_notice_and_mmd_slow_motion_steps_g_only():
    from playground import config as cfg

    config, notices = cfg.from_text(type(tiny_config()), {"speed": "warp"})
    assert config.speed == "full" and any("speed" in n for n in notices)
    s = LiveSession(LABS["1d"], tiny_config(method="mmd", speed="slow"))
    s.set_running(True)
    s.tick()
    s.tick()
    assert s.step_view.network == "G" and s.run.trainer.d_steps == 0 and s.run.trainer.iterations == 2
    assert s.step_view.real is not None and np.isfinite(s.step_view.push).all()
    assert "no D" in " ".join(a.text for a in overview(s.step_view, method="mmd").layout.annotations)
