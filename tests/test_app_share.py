"""Sharing and saving on every lab page: the copy-link round trip, and restoring settings from a
downloaded JSON file (good, partly bad and unusable files)."""

import json
import urllib.parse

import pytest

import apptest_helpers as h
from apptest_helpers import shown
from playground import config as cfg
from playground.labs import LABS

PAGES = {"1d": "app_pages/lab_1d.py", "2d": "app_pages/lab_2d.py", "mnist": "app_pages/lab_mnist.py"}
# Non-default settings per lab, given in the URL (and small networks so each run is quick)
CHANGED = {
    "1d": {"target": "bimodal", "k": "3", "lr_d": "0.002", "width": "8", "custom": "1:0:1;2:3:0.5"},
    "2d": {"target": "grid25", "optimizer": "sgd", "momentum": "0.7", "width": "16", "show_manifold": "true"},
    "mnist": {"model": "mlp", "conditional": "false", "latent_dim": "32", "batch": "32", "grid": "6"},
}


def session(at, key):
    return at.session_state[f"{key}:session"]


def link(at) -> str:
    return next(c.value for c in at.code if "?" in c.value)


@pytest.mark.parametrize("key", sorted(PAGES))
def test_the_link_holds_every_setting_and_reproduces_the_setup(key):
    at = h.open_lab(PAGES[key], CHANGED[key])
    config = session(at, key).config
    url = link(at)
    assert url.startswith(f"/lab_{key}?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert set(query) == set(cfg.specs(LABS[key].config_cls))  # every setting, defaults included
    reopened = h.open_lab(PAGES[key], query)
    assert session(reopened, key).config == config != LABS[key].config_cls()
    assert not reopened.warning


def upload(at, key: str, name: str, data: bytes):
    at.file_uploader(key=f"{key}.settings:upload").set_value((name, data, "application/json"))
    return at.run()


@pytest.mark.parametrize("key", sorted(PAGES))
def test_uploaded_settings_restore_the_setup_and_update_the_widgets(key):
    wanted = cfg.from_text(LABS[key].config_cls, CHANGED[key])[0]
    at = h.open_lab(PAGES[key], {"width": "8"} if key != "mnist" else {"batch": "32"})
    upload(at, key, "mine.json", cfg.to_json(wanted, key).encode())
    assert session(at, key).config == wanted
    assert any("Settings restored from mine.json" in shown(s.value) for s in at.success)
    changed = next(iter(CHANGED[key]))  # the sidebar shows the restored value
    assert at.session_state[f"{key}.{changed}"] == getattr(wanted, changed)
    assert not at.exception


def test_a_partly_bad_settings_file_applies_the_rest_and_lists_what_was_skipped():
    at = h.open_lab(PAGES["1d"], {"width": "8"})
    doc = {"format": cfg.FORMAT, "lab": "1d", "settings": {"k": 4, "lr_d": 99, "colour": "red", "noise": "normal"}}
    upload(at, "1d", "odd.json", json.dumps(doc).encode())
    config = session(at, "1d").config
    assert (config.k, config.noise, config.lr_d) == (4, "normal", LABS["1d"].config_cls().lr_d)
    warning = shown(" ".join(w.value for w in at.warning))
    assert "Ignored lr_d=99" in warning and "Unknown setting 'colour'" in warning


@pytest.mark.parametrize("name, data, message", [
    ("notes.json", b"not json at all", "not a JSON settings file"),
    ("list.json", b"[1, 2, 3]", "not a settings file"),
    ("other.json", json.dumps({"lab": "2d", "settings": {"k": 2}}).encode(), "for the '2d' lab"),
    ("huge.json", b"{" + b" " * 200_000 + b"}", "at most 100 KB"),
])
def test_an_unusable_settings_file_changes_nothing(name, data, message):
    at = h.open_lab(PAGES["1d"], {"width": "8", "k": "2"})
    before = session(at, "1d").run
    upload(at, "1d", name, data)
    assert session(at, "1d").config.k == 2 and session(at, "1d").run is before
    error = shown(" ".join(e.value for e in at.error))
    assert name in error and message in error and "unchanged" in error
    assert not at.exception
