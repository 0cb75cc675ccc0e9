"""Compare mode without Streamlit: run B's settings (parsing, validation, what cannot differ), the
lockstep (with no difference the two runs are the same), the link and settings-file forms, and
what a session does with a comparison (steps, changes, bad input, the timeline)."""

import dataclasses
import json

import pytest

from helpers import params, same, tiny_config
from playground import compare
from playground import config as cfg
from playground.figures.history import loss_history, overlaid
from playground.labs import LABS
from playground.live import LiveSession


def session(**changes) -> LiveSession:
    return LiveSession(LABS["1d"], tiny_config(**changes))


def train(s: LiveSession, frames: int = 3) -> None:
    s.set_running(True)
    for _ in range(frames):
        s.snapshot()
        s.tick(budget_s=0.02)
    s.set_running(False)
    s.snapshot()


def test_overrides_parse_and_bad_parts_are_named():
    assert compare.parse_overrides("k=5, loss = minimax;lr_d=0.01\n") == (
        {"k": "5", "loss": "minimax", "lr_d": "0.01"}, [])
    overrides, problems = compare.parse_overrides("k=5, momentum, =3")
    assert overrides == {"k": "5"} and len(problems) == 2 and "'momentum' is not name=value" in problems[0]


def test_b_is_a_with_overrides_validated_like_a_link():
    a = tiny_config()
    b, used, problems = compare.b_config(a, {"k": "5", "loss": "minimax"})
    assert (b.k, b.loss, b.width, b.seed) == (5, "minimax", a.width, a.seed) and used == {"k": "5", "loss": "minimax"}
    assert not problems
    assert "fixed by your teacher" in compare.b_config(a, {"k": "5"}, locked=("k",))[2][0]
    b, used, problems = compare.b_config(a, {"k": "99", "seed": "4", "present": "true", "nope": "1", "lr_d": "0.01"})
    assert used == {"lr_d": "0.01"} and (b.k, b.seed, b.present, b.lr_d) == (a.k, a.seed, a.present, 0.01)
    assert sorted(p.split(" ")[0] for p in problems) == ["Ignored", "Unknown", "present", "seed"]
    assert any(p.startswith("Ignored b.k='99': k — D steps per G step") for p in problems)
    _, used, problems = compare.b_config(LABS["2d"].config_cls(), {"batch": "4096", "width": "256", "depth": "6", "k": "20"})
    assert set(used) != {"batch", "width", "depth", "k"} and any(p.startswith("Ignored b.batch") for p in problems)


def test_the_difference_is_written_as_b_then_a():
    a = tiny_config()
    b, _, _ = compare.b_config(a, {"k": "5", "loss": "minimax"})
    text = compare.describe(a, b)
    assert text.startswith("B: k = 5 (A: k = 1) · loss = minimax") and "(A: loss = non-saturating" in text
    assert compare.describe(a, a).startswith("B = A")


def test_with_no_difference_b_is_a_step_for_step():
    s = session()
    assert s.compare({}) == []
    train(s)
    a, b = s.run, s.comparison.run
    assert a.trainer.iterations == b.trainer.iterations > 1
    assert same(params(a.trainer.G), params(b.trainer.G)) and same(params(a.trainer.D), params(b.trainer.D))
    assert s.latest.metrics["w1"] == s.comparison.latest.metrics["w1"]


def test_lockstep_counts_iterations_and_steps_are_mirrored():
    s = session()
    s.compare({"k": "3"})
    train(s)
    a, b = s.run.trainer, s.comparison.run.trainer
    assert a.iterations == b.iterations and b.d_steps == 3 * a.d_steps
    s.step("d")
    s.step("g")
    assert (a.d_steps, b.d_steps - 3 * (a.iterations - 1)) == (a.d_steps, 1) and b.iterations == a.iterations


def test_a_change_reaches_b_and_a_rebuild_restarts_both():
    s = session()
    s.compare({"k": "3"})
    train(s, 2)
    run_b = s.comparison.run
    s.apply(dataclasses.replace(s.config, lr_g=0.001))
    assert s.comparison.run is run_b and run_b.trainer.hyper.lr_g == 0.001 and run_b.trainer.hyper.k == 3
    s.apply(dataclasses.replace(s.config, target="bimodal"))
    assert s.comparison.run is not run_b and s.comparison.run.trainer.iterations == 0
    assert s.comparison.config.target == "bimodal" and s.comparison.config.k == 3


def test_a_bad_b_changes_nothing():
    s = session()
    train(s, 2)
    iterations = s.run.trainer.iterations
    problems = s.compare({"k": "99"})
    assert s.comparison is None and s.run.trainer.iterations == iterations and "k" in problems[0]
    s.compare({"k": "5"})
    problems = s.compare({"momentum": "7"})
    assert s.comparison.overrides == {"k": "5"} and problems


def test_timeline_is_off_while_comparing_and_back_after():
    s = session()
    train(s, 3)
    s.compare({"k": "2"})
    train(s, 3)
    assert not s.can_scrub() and "off while comparing" in s.scrub(0)
    s.stop_comparing()
    assert s.comparison is None and s.can_scrub() and s.scrub(0) is None


def test_link_and_settings_file_hold_run_b():
    overrides = {"k": "5", "loss": "minimax"}
    params = {"width": "8"} | compare.to_params(overrides)
    assert params == {"width": "8", "compare": "1", "b.k": "5", "b.loss": "minimax"}
    assert compare.from_params(params) == (overrides, {"width": "8"}, [])
    assert compare.from_params({"b.k": "5"})[0] == {"k": "5"}
    assert compare.from_params({"width": "8"})[0] is None
    assert compare.from_params({"compare": "yes"})[2] and compare.from_params({"compare": "0", "b.k": "2"})[0] is None
    text = compare.with_b(cfg.to_json(tiny_config(), "1d"), overrides)
    config, notices = cfg.from_json(LABS["1d"].config_cls, text, "1d")
    assert config == tiny_config() and not notices and compare.b_from_json(text) == (overrides, [])
    assert compare.b_from_json(cfg.to_json(tiny_config(), "1d")) == (None, [])
    broken = json.loads(text) | {"b": ["k", 5]}
    assert compare.b_from_json(json.dumps(broken))[0] is None and compare.b_from_json(json.dumps(broken))[1]
    b, notices = compare.b_from_json(json.dumps(json.loads(text) | {"b": {"k": 5, "lr_d": 0.01, "custom": [[1, 2]]}}))
    assert b == {"k": "5", "lr_d": "0.01"} and "custom" in notices[0]


@pytest.mark.parametrize("lab_key", ["1d", "2d", "mnist"])
def test_every_comparison_preset_is_valid_and_differs(lab_key):
    lab = LABS[lab_key]
    for name, preset in compare.presets_of(lab).items():
        a = cfg.replace_fields(lab.config_cls(), preset.a)
        cfg.validate(a)
        b, used, problems = compare.b_config(a, preset.b)
        assert used == dict(preset.b) and not problems and cfg.changed_fields(a, b), name


def test_overlay_draws_b_dashed_over_a():
    s = session()
    s.compare({"loss": "minimax"})
    train(s, 2)
    a = loss_history(s.latest.losses, "non-saturating")
    b = loss_history(s.comparison.latest.losses, "minimax")
    shown = overlaid(a, b)
    names = [t.name for t in shown.data]
    assert "G loss · A" in names and "G loss · B" in names
    dashed = [t for t in shown.data if t.line.dash == "dash"]
    assert dashed and all(t.name.endswith(" · B") for t in dashed)


def test_a_preset_restarts_both_runs_and_keeps_b():
    s = session()
    s.compare({"k": "2"})
    s.restart(tiny_config(k=2))  # a preset: both start afresh, B keeps its overrides
    assert s.comparison is not None and s.comparison.config.k == 2 and s.comparison.run.trainer.iterations == 0
