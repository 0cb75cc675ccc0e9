"""A lesson on a lab page: ?lesson= opens it, Start trains the step until its rule holds and
pauses, the question's answer is behind a click, Next/Back move, an upload opens a lesson or
names the bad line and changes nothing (tests/test_e2e_lesson.py: uploads need a browser)."""

from __future__ import annotations

import apptest_helpers as h
from apptest_helpers import shown
from playground.labs.one_d import Config1D

PAGE = "app_pages/lab_1d.py"


def session(at):
    return at.session_state["1d:session"]


def texts(at) -> str:
    return " ".join(shown(m.value) for m in at.markdown) + " " + " ".join(
        shown(el.value) for kind in ("success", "warning", "info", "error", "caption") for el in at.get(kind))


def test_a_lesson_link_runs_a_step_to_its_rule_then_asks_its_question():
    at = h.open_lab(PAGE, {"lesson": "figure1"})
    assert "Step 1 of 3" in texts(at) and "Question:" not in texts(at)
    assert at.query_params["lesson"] == ["figure1"] or at.query_params["lesson"] == "figure1"
    at.button(key="1d.lesson:start").click().run()
    assert session(at).config.lr_g == 0.00001 and session(at).watch is not None  # the step's settings, its rule
    for _ in range(40):  # each run is one live frame: it trains, and pauses when the step's 100 iterations are done
        if not session(at).running:
            break
        at.run()
    at.run()
    assert session(at).run.trainer.iterations == 100 and not session(at).running
    page = texts(at)
    assert "Trained 100 iterations (iteration 100).  \n**Question:** Where is D* above ½" in page
    answer = next(e for e in at.expander if e.label == "Answer")
    assert "Proposition 1" in shown(answer.markdown[0].value)
    at.button(key="1d.lesson:next").click().run()
    assert "Step 2 of 3" in texts(at) and "Question:" not in texts(at)
    at.button(key="1d.lesson:back").click().run()
    assert "Step 1 of 3" in texts(at) and "Question:" in texts(at)
    at.button(key="1d.lesson:end").click().run()
    assert "lesson" not in at.query_params and "Step 1 of 3" not in texts(at)


def test_an_unknown_lesson_or_one_for_another_lab_gets_a_notice():
    at = h.open_lab(PAGE, {"lesson": "nope"})
    assert "There is no lesson 'nope'" in texts(at)
    at = h.open_lab(PAGE, {"lesson": "ring_collapse"})
    assert "is for the 2-D lab" in texts(at) and not session(at).running


def test_a_teachers_lock_outranks_a_lessons_settings_and_the_box_says_so():
    at = h.open_lab(PAGE, {"lesson": "figure1", "lock": "lr_g", "width": "8"})
    at.button(key="1d.lesson:start").click().run()
    assert session(at).config.lr_g == Config1D().lr_g and session(at).running
    assert "Kept what your teacher fixed: Learning rate (G)" in texts(at)
    session(at).set_running(False)
