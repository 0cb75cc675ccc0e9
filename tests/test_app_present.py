"""Presentation mode and the keyboard shortcuts through AppTest: what the pages draw (and leave out),
what the page component is told, and how the setting travels (link, toggle, presets)."""

import json

import pytest

import apptest_helpers as h
from apptest_helpers import figures, metric
from playground.figures.common import NORMAL, PROJECTOR
from playground.ui.present import SHORTCUTS

PAGES = {"1d": "app_pages/lab_1d.py", "2d": "app_pages/lab_2d.py", "mnist": "app_pages/lab_mnist.py"}
SMALL = {"1d": {}, "2d": {"width": "16", "batch": "64"}, "mnist": {"batch": "16"}}
CAPTIONS = {"1d": "p_data black dotted", "2d": "Background: D(x)", "mnist": "Data: "}


def open_lab(lab: str, **query):
    return h.open_lab(PAGES[lab], {**SMALL[lab], **query})


def component_data(at) -> list[dict]:
    return [json.loads(el.proto.json) for el in at.get("bidi_component")]


def page_data(at) -> dict:
    """What the page component (styles, sidebar, keys) was given."""
    return next(d for d in component_data(at) if "buttons" in d)


def main_chart(at) -> dict:
    return next(d for d in component_data(at) if "figure" in d)


@pytest.mark.parametrize("lab", list(PAGES))
def test_a_present_link_opens_the_page_for_a_projector(lab):
    """present=1: the toggle is on (beside Run, not in the sidebar), captions and the Algorithm 1
    box are gone, the figures use the projector style, the main figure fills the window, and the
    page component is told; the metric row is drawn as usual."""
    at = open_lab(lab, present="1")
    assert at.toggle(key=f"{lab}.present").value is True
    assert all(t.key != f"{lab}.present" for t in at.sidebar.toggle)
    assert not any(CAPTIONS[lab] in c.value for c in at.caption)
    assert not any("Algorithm 1" in e.label for e in at.expander)
    assert figures(at)[0]["layout"]["font"]["size"] == PROJECTOR.font
    assert page_data(at)["present"] is True
    if lab != "mnist":  # the MNIST lab's main view is its digit grid, sized by the page's styles
        assert main_chart(at)["fill"] is not None
    assert metric(at, "Iteration") == "0" and not at.exception


def test_the_toggle_switches_presentation_mode_on_and_off():
    """The same page without the link: captions and the Algorithm 1 box shown, normal style; the
    toggle turns presentation mode on (the address bar says so) and off again."""
    at = open_lab("1d")
    assert any(CAPTIONS["1d"] in c.value for c in at.caption) and any("Algorithm 1" in e.label for e in at.expander)
    assert figures(at)[0]["layout"]["font"]["size"] == NORMAL.font and main_chart(at)["fill"] is None
    at.toggle(key="1d.present").set_value(True).run()
    assert at.session_state["1d:session"].config.present and at.query_params["present"] == "true"
    assert not any(CAPTIONS["1d"] in c.value for c in at.caption) and page_data(at)["present"] is True
    at.toggle(key="1d.present").set_value(False).run()
    assert not at.session_state["1d:session"].config.present and "present" not in at.query_params
    assert any(CAPTIONS["1d"] in c.value for c in at.caption)


def test_a_preset_keeps_presentation_mode():
    """Presentation mode is how the page is shown, not part of a preset."""
    at = open_lab("2d", present="1")
    at.sidebar.selectbox(key="2d.preset").set_value("collapse").run()
    config = at.session_state["2d:session"].config
    assert config.optimizer == "sgd" and config.present and at.toggle(key="2d.present").value


def test_shortcuts_press_the_labs_own_buttons_and_say_so():
    """The page component maps space, s, d, g and r to the CSS classes Streamlit gives the lab's
    buttons (st-key-<key>), and each button's tooltip names its key."""
    at = open_lab("1d")
    buttons = page_data(at)["buttons"]
    assert buttons == {" ": ".st-key-1d-run", "s": ".st-key-1d-step_iteration", "d": ".st-key-1d-step_d",
                       "g": ".st-key-1d-step_g", "r": ".st-key-1d-reset"}
    for name, key in SHORTCUTS.items():
        assert at.button(key=f"1d.{name}").help == f"Key: {'space' if key == ' ' else key}"
    assert "space Run/Pause" in at.toggle(key="1d.present").help
