"""Figure 1's four stages: when each is captured, by hand and at full speed, and the four-panel figure."""

import json
import math
from types import SimpleNamespace

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from helpers import tiny_config
from playground import animation
from playground.figures.stages import stages_figure
from playground.labs import LABS
from playground.live import LiveSession
from playground.criteria import Yardstick
from playground.stages import StageRecorder, converged


def session(**changes) -> LiveSession:
    return LiveSession(LABS["1d"], tiny_config(**changes))


def letters(s: LiveSession) -> dict:
    return {stage.letter: (stage.snapshot.d_steps, stage.snapshot.g_steps, stage.reached) for stage in s.stages.stages()}


def test_built_by_hand_step_d_repeatedly_then_step_g():
    s = session()
    s.snapshot()  # the first frame
    assert letters(s) == {"a": (0, 0, True)}
    for _ in range(3):
        s.step("d")
        s.snapshot()
    assert letters(s)["b"] == (3, 0, True)  # the newest D step replaces (b)
    s.step("g")
    s.snapshot()
    assert letters(s) == {"a": (0, 0, True), "b": (3, 0, True), "c": (3, 1, True)}
    s.step("d")
    s.step("g")
    s.snapshot()
    assert letters(s)["c"] == (3, 1, True)  # (c) is the first G step's
    assert letters(s)["d"] == (4, 2, False)  # not converged: the newest stands in, marked so


def test_full_speed_stops_for_b_and_c_once():
    s = session(k=3)
    s.snapshot()
    s.set_running(True)
    s.tick(budget_s=0.05)
    s.snapshot()
    got = letters(s)
    assert got["b"][:2] == (3, 0) and got["c"][:2] == (3, 1)
    trained = s.run.trainer.iterations
    s.tick(budget_s=0.02)
    assert letters(s)["c"][:2] == (3, 1) and s.run.trainer.iterations > trained
    s.reset()
    assert s.stages.stages() == []


def test_a_links_pretraining_captures_every_stage_from_the_start():
    s = session(k=2)
    s.pretrain(40, evaluations=2)
    got = letters(s)
    assert got["a"] == (0, 0, True) and got["b"][:2] == (2, 0) and got["c"][:2] == (2, 1)


def test_a_run_without_a_stage_takes_no_extra_steps():
    s = LiveSession(LABS["2d"], LABS["2d"].config_cls())
    assert s.stages is None


def snap(iteration, d_real, d_fake, value, d_steps=10, g_steps=2):
    return SimpleNamespace(iteration=iteration, d_steps=d_steps, g_steps=g_steps,
                           metrics=dict(d_real=d_real, d_fake=d_fake, value=value))


def test_converged_means_d_near_half_and_v_near_minus_log_4():
    log4 = math.log(4)
    assert converged(snap(500, 0.52, 0.48, -log4 + 0.01))
    assert not converged(snap(500, 0.56, 0.48, -log4))  # D(real) too far from ½
    assert not converged(snap(500, 0.5, 0.5, -log4 + 0.05))  # V too far from −log 4
    assert not converged(snap(10, 0.5, 0.5, -log4))  # the start is not convergence
    assert not converged(snap(500, math.nan, math.nan, math.nan))  # MMD: no D
    ys = Yardstick("w1", learned=0.1, fresh=0.02, scale=0.5)
    fooled = snap(500, 0.5, 0.5, -log4)
    fooled.metrics["w1"] = 0.3  # D says ½ while p_g is still far: fooled, not Figure 1(d)
    assert converged(fooled) and not converged(fooled, ys)
    fooled.metrics["w1"] = 0.08
    assert converged(fooled, ys)
    recorder = StageRecorder()
    for it, v in ((100, -1.2), (200, -log4), (300, -log4)):
        recorder.observe(snap(it, 0.5, 0.5, v))
    assert recorder.captured["d"].iteration == 200  # the first that meets it, kept
    recorder.drop_after(150)
    assert "d" not in recorder.captured


def test_the_view_has_four_panels_labelled_like_the_paper():
    s = session()
    s.snapshot()
    s.set_running(True)
    s.tick(budget_s=0.05)
    s.snapshot()
    fig = stages_figure(s.stages.stages())
    axes = [name for name in fig.layout.to_plotly_json() if name.startswith("xaxis")]
    assert len(axes) == 4
    domains = sorted(tuple(fig.layout[name].domain) for name in axes)
    assert all(a[1] < b[0] for a, b in zip(domains, domains[1:]))  # in a row, apart
    labels = [a.text for a in fig.layout.annotations if a.text.startswith("<b>(")]
    assert [label[:10] for label in labels] == ["<b>(a)</b>", "<b>(b)</b>", "<b>(c)</b>", "<b>(d)</b>"]
    assert {t.xaxis for t in fig.data} == {"x", "x2", "x3", "x4"}
    sent = json.loads(pio.to_json(fig, validate=False))
    assert sent == json.loads(pio.to_json(go.Figure(fig.to_plotly_json()), validate=False))


@pytest.mark.skipif(animation.figure_problem() is not None, reason="no chart renderer")
def test_svg_download_is_an_svg_of_the_four_panels():
    s = session()
    s.snapshot()
    s.step("d")
    s.snapshot()
    svg = animation.render_still(stages_figure(s.stages.stages()), "svg", 800, 300)
    assert svg.startswith(b"<svg") and b"the pair at the start" in svg and b"(b)" in svg
    with pytest.raises(ValueError):
        animation.render_still(go.Figure(), "exe", 10, 10)
