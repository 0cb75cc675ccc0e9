"""Teacher links and reloads on a lab page: hide= and lock= (the student's sidebar, every path that
could change a locked setting, the links the student copies), preset= links, and the offer to
resume a run after a reload."""

import json
import urllib.parse

import pytest

import apptest_helpers as h
from apptest_helpers import shown
from playground import config as cfg
from playground.labs import LABS
from playground.ui import internals, resume

PAGE = "app_pages/lab_1d.py"
SMALL = {"width": "8", "batch": "32"}


def session(at):
    return at.session_state["1d:session"]


def address(at) -> dict[str, str]:
    """The query string the page wrote into the address bar."""
    return {name: value[0] if isinstance(value, list) else value for name, value in at.query_params.items()}


def widget_keys(at) -> set[str]:
    return {w.key for kind in ("slider", "select_slider", "selectbox", "toggle", "number_input")
            for w in at.get(kind) if getattr(w, "key", None)}


def test_a_teacher_link_hides_and_locks_and_the_student_page_says_so():
    at = h.open_lab(PAGE, {**SMALL, "k": "3", "hide": "optimizer,lr_g,preset", "lock": "k,loss"})
    keys = widget_keys(at)
    assert {"1d.optimizer", "1d.lr_g", "1d.preset"}.isdisjoint(keys) and {"1d.lr_d", "1d.momentum"} <= keys
    k = at.slider(key="1d.k")
    assert k.disabled and k.value == 3 and "Fixed by your teacher's link" in k.help
    assert at.selectbox(key="1d.loss").disabled and not at.slider(key="1d.momentum").disabled
    note = shown(" ".join(i.value for i in at.sidebar.info))
    assert "Fixed by your teacher:\n- k — D steps per G step: 3\n- Generator loss: non-saturating" in note
    assert "Hidden by your teacher: Optimizer (D), Learning rate (G), Preset" in note
    # the address bar and the link a student copies keep the teacher's choices
    assert address(at)["hide"] == "optimizer,lr_g,preset" and address(at)["lock"] == "k,loss"
    link = next(c.value for c in at.code if "?" in c.value)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
    assert query["hide"] == "optimizer,lr_g,preset" and query["lock"] == "k,loss"
    assert not at.warning and not at.exception


def test_no_path_changes_a_locked_setting():
    """The sidebar (even a value forced into the disabled slider's state, as a crafted message
    could), a settings file and a preset all leave k at the teacher's value; the file and the preset
    say so, and their other settings apply."""
    at = h.open_lab(PAGE, {**SMALL, "k": "3", "lock": "k"})
    at.session_state["1d.k"] = 7
    at.run()
    assert session(at).config.k == 3 and session(at).run.trainer.hyper.k == 3

    doc = {"format": cfg.FORMAT, "lab": "1d", "settings": {"k": 5, "momentum": 0.7}}
    at.file_uploader(key="1d.settings:upload").set_value(("mine.json", json.dumps(doc).encode(), "application/json"))
    at.run()
    assert (session(at).config.k, session(at).config.momentum) == (3, 0.7)
    assert "Kept what your teacher fixed: k — D steps per G step: 3" in shown(" ".join(w.value for w in at.warning))

    at.selectbox(key="1d.preset").set_value("strong_d").run()
    config = session(at).config
    assert (config.k, config.loss, config.lr_d) == (3, "minimax", 0.01)
    assert at.slider(key="1d.k").value == 3
    assert ("This preset would change what your teacher fixed, which stays: k — D steps per G step: 3"
            in shown(" ".join(w.value for w in at.sidebar.warning)))
    assert not at.exception


def test_unknown_names_in_hide_and_lock_get_the_usual_notice():
    at = h.open_lab(PAGE, {**SMALL, "hide": "optimiser", "lock": "k,preset"})
    warning = shown(at.warning[0].value)
    assert "Unknown setting 'optimiser' in hide= ignored." in warning
    assert "Ignored lock=preset: only settings can be locked" in warning
    assert session(at).restrictions.locked == {"k": LABS["1d"].config_cls().k}
    assert "hide" not in address(at) and address(at)["lock"] == "k"


def test_a_preset_link_applies_the_preset_under_the_links_own_settings_and_reloads_the_same():
    at = h.open_lab(PAGE, {**SMALL, "preset": "strong_d", "k": "4"})
    config = session(at).config
    wanted = cfg.replace_fields(LABS["1d"].config_cls(), {**LABS["1d"].presets["strong_d"].settings,
                                                          "k": 4, "width": 8, "batch": 32})
    assert config == wanted and not at.warning
    assert at.selectbox(key="1d.preset").value == "strong_d"
    url = address(at)
    assert "preset" not in url and url["k"] == "4" and url["loss"] == "minimax"
    assert session(h.open_lab(PAGE, url)).config == config  # a reload gives the same setup


def test_an_unknown_preset_lists_the_labs_presets():
    at = h.open_lab(PAGE, {**SMALL, "preset": "figure9"})
    assert ("Unknown preset 'figure9' ignored; this lab's presets are figure1, strong_d, saturating, oscillation, "
            "collapse, weak_d." in shown(at.warning[0].value))
    assert session(at).config == cfg.replace_fields(LABS["1d"].config_cls(), {"width": 8, "batch": 32})


class Browser:
    """Pages of one or two browsers: AppTest gives every page the same session id and no cookies,
    so the test sets which page is running, which pages are connected and the browser's token."""

    def __init__(self, monkeypatch, fresh_parking_lot):
        self.page, self.connected, self.token = "page1", {"page1"}, "a" * 43
        monkeypatch.setattr(internals, "session_id", lambda: self.page)
        monkeypatch.setattr(fresh_parking_lot, "is_connected", lambda page: page in self.connected)
        monkeypatch.setattr(resume, "_cookie", lambda: self.token)

    def reload(self, token: str | None = None) -> None:
        """The page goes; a new one opens (from the same browser unless ``token`` says otherwise)."""
        self.page = f"page{int(self.page[4:]) + 1}"
        self.connected = {self.page}
        self.token = token or self.token


@pytest.fixture
def browser(monkeypatch, fresh_parking_lot):
    return Browser(monkeypatch, fresh_parking_lot)


def resume_button(at):
    return next((b for b in at.button if b.key == "1d.resume"), None)


def test_a_reload_offers_the_run_back_to_the_same_browser(browser):
    first = h.open_lab(PAGE, {**SMALL, "lock": "k"})
    for _ in range(3):
        first.button(key="1d.step_iteration").click().run()
    run = session(first)
    browser.reload()
    at = h.open_lab(PAGE, {**SMALL, "lock": "k"})
    button = resume_button(at)
    assert button.label == "Resume your run (iteration 3, just now)" and not at.slider
    button.click().run()
    assert session(at) is run and run.run.trainer.iterations == 3 and not at.exception
    assert at.slider(key="1d.k").disabled  # the run keeps its teacher's lock
    at.button(key="1d.step_iteration").click().run()
    assert run.run.trainer.iterations == 4


def test_start_fresh_lets_the_old_run_go(browser, fresh_parking_lot):
    first = h.open_lab(PAGE, SMALL)
    first.button(key="1d.step_iteration").click().run()
    browser.reload()
    at = h.open_lab(PAGE, SMALL)
    at.button(key="1d.fresh").click().run()
    assert session(at) is not session(first) and session(at).run.trainer.iterations == 0
    assert fresh_parking_lot.counts() == (1, 0)  # the old run is gone, the new one held


def test_another_browser_never_sees_the_run(browser):
    first = h.open_lab(PAGE, SMALL)
    first.button(key="1d.step_iteration").click().run()
    browser.reload(token="b" * 43)
    at = h.open_lab(PAGE, SMALL)
    assert resume_button(at) is None and session(at).run.trainer.iterations == 0


def test_a_reload_during_a_lesson_resumes_the_lesson_at_its_step(browser):
    """The lesson's place (its step, and how the steps that ran ended) comes back with the run,
    instead of the link's lesson restarting at step 1."""
    link = {**SMALL, "lesson": "figure1"}
    first = h.open_lab(PAGE, link)
    first.button(key="1d.lesson:start").click().run()
    for _ in range(40):  # one live frame per run, until step 1's 100 iterations are done
        if not session(first).running:
            break
        first.run()
    first.button(key="1d.lesson:next").click().run()
    assert "Step 2 of 3" in " ".join(shown(m.value) for m in first.markdown)
    browser.reload()
    at = h.open_lab(PAGE, link)
    assert "The lesson 'Figure 1, live: from (a) to (d)' comes back with it, at step 2 of 3." in " ".join(
        shown(m.value) for m in at.markdown)
    resume_button(at).click().run()

    def lesson_box() -> str:
        return " ".join(shown(m.value) for m in at.markdown)

    assert "Step 2 of 3" in lesson_box() and session(at).run.trainer.iterations == 100
    at.button(key="1d.lesson:back").click().run()
    assert "Step 1 of 3" in lesson_box() and "Trained 100 iterations (iteration 100)." in lesson_box()
    at.button(key="1d.lesson:end").click().run()
    assert session(at).lesson is None and "lesson" not in at.query_params
