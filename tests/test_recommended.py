"""A target that needs other settings than the lab's defaults: choosing it (sidebar, CLI, the
preset report) applies its recommended settings with a notice, leaving it puts them back, and a
teacher's fixed settings and settings given by hand win."""

import dataclasses

import pytest

import apptest_helpers as h
from playground import config as cfg
from playground.cli import _config_from_args, build_parser, main
from playground.labs import LABS
from playground.labs.registry import recommendation_note

LAB = LABS["2d"]
TARGET, WANTED = next(iter(LAB.recommended.items()))


def with_target(config, target):
    return cfg.replace_fields(config, {"target": target})


def test_choosing_the_target_applies_its_settings_with_a_notice():
    old = LAB.config_cls()
    config, note = LAB.retarget(old, with_target(old, TARGET))
    assert all(getattr(config, name) == value for name, value in WANTED.items())
    assert note is not None and note.startswith(TARGET) and note == recommendation_note(LAB, config)
    changed = set(cfg.changed_fields(old, config)) - {"target"}
    assert changed == {name for name, value in WANTED.items() if getattr(old, name) != value}


def test_leaving_the_target_restores_the_defaults_it_set_but_not_what_the_class_changed():
    chosen, _ = LAB.retarget(LAB.config_cls(), with_target(LAB.config_cls(), TARGET))
    back, note = LAB.retarget(chosen, with_target(chosen, "ring8"))
    assert note is None and back == LAB.config_cls()
    name = next(iter(WANTED))
    default = cfg.defaults(LAB.config_cls)[name]
    other = next(v for v in cfg.specs(LAB.config_cls)[name].suggested or (16, 32) if v not in (WANTED[name], default))
    tuned = cfg.replace_fields(chosen, {name: other})  # the class changed it on that target: it stays
    back, _ = LAB.retarget(tuned, with_target(tuned, "ring8"))
    assert getattr(back, name) == other
    assert recommendation_note(LAB, tuned) is None  # no longer the recommended settings: no notice


def test_kept_settings_are_not_touched():
    old = LAB.config_cls()
    name = next(iter(WANTED))
    config, _ = LAB.retarget(old, with_target(old, TARGET), keep={name})
    assert getattr(config, name) == getattr(old, name)
    unchanged, note = LAB.retarget(old, dataclasses.replace(old, seed=3))  # the target did not change
    assert unchanged == dataclasses.replace(old, seed=3) and note is None


def test_the_cli_applies_them_unless_a_flag_sets_one(capsys, tmp_path, monkeypatch):
    parser = build_parser("2d")
    name = next(iter(WANTED))
    _, config = _config_from_args(parser, parser.parse_args(["train", "--lab", "2d", "--target", TARGET]))
    assert all(getattr(config, n) == v for n, v in WANTED.items())
    flag, value = f"--{name.replace('_', '-')}", cfg.format_text(cfg.defaults(LAB.config_cls)[name])
    _, config = _config_from_args(parser, parser.parse_args(["train", "--lab", "2d", "--target", TARGET, flag, value]))
    assert getattr(config, name) == cfg.defaults(LAB.config_cls)[name]
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--lab", "2d", "--target", TARGET, "--steps", "2"]) == 0
    assert recommendation_note(LAB, config=cfg.replace_fields(LAB.config_cls(), {"target": TARGET, **WANTED})) \
        in capsys.readouterr().err  # said once the arguments are known to be good


@pytest.mark.parametrize("lab_key", ["1d", "2d"])
def test_every_recommendation_is_a_valid_setting(lab_key):
    lab = LABS[lab_key]
    targets = cfg.specs(lab.config_cls)["target"].choices
    for target, settings in lab.recommended.items():
        assert target in targets
        for name, value in settings.items():
            assert cfg.check_value(lab.config_cls, name, value) == value
        cfg.check_limits(cfg.replace_fields(lab.config_cls(), {**settings, "target": target}))


def test_the_sidebar_applies_them_and_says_so():
    at = h.open_lab("app_pages/lab_2d.py")
    at.selectbox(key="2d.target").set_value(TARGET).run()
    config = at.session_state["2d:session"].config
    assert config.target == TARGET and all(getattr(config, n) == v for n, v in WANTED.items())
    assert any("recommended settings" in info.value for info in at.sidebar.info)
    at.selectbox(key="2d.target").set_value("ring8").run()
    assert at.session_state["2d:session"].config == LAB.config_cls()
    assert not any("recommended settings" in info.value for info in at.sidebar.info)
    assert not at.exception


def test_a_link_naming_the_target_brings_its_settings_unless_it_names_them_too():
    name = next(iter(WANTED))
    default = cfg.format_text(cfg.defaults(LAB.config_cls)[name])
    at = h.open_lab("app_pages/lab_2d.py", {"target": TARGET})
    config = at.session_state["2d:session"].config
    assert all(getattr(config, n) == v for n, v in WANTED.items())
    assert any("recommended settings" in info.value for info in at.sidebar.info)
    at = h.open_lab("app_pages/lab_2d.py", {"target": TARGET, name: default})
    assert getattr(at.session_state["2d:session"].config, name) == cfg.defaults(LAB.config_cls)[name]
