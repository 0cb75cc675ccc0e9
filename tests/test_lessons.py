"""Lessons as data: parsing and validating lesson files (errors name the line), stop-rule
conditions parsed from fixed lists, the step watch a live session pauses on, and Next/Back."""

from __future__ import annotations

import json

import pytest

from playground import config as cfg
from playground import lessons
from playground.labs import LABS
from playground.live import LiveSession, TrainingSlots
from playground.lessons import LessonError, parse_condition, parse_lesson

GOOD = """\
title = "A tiny lesson"
lab = "1d"
summary = "Two steps."
preset = "saturating"

[settings]
width = 8
batch = 32

[[steps]]
title = "Train a little"
watch = "Watch D."
until = 5
cap = 5
question = "What happened?"
answer = "D learned."

[[steps]]
title = "Until a condition"
settings = { loss = "nonsaturating", lr_g = 0.01 }
watch = "Watch G."
until = "d_fake > -1 and w1 >= 0"
cap = 40
question = "Why?"
answer = "Because."
"""


def test_a_good_lesson_parses_with_its_preset_settings_and_steps():
    lesson = parse_lesson(GOOD, key="tiny")
    assert (lesson.key, lesson.title, lesson.lab, len(lesson.steps)) == ("tiny", "A tiny lesson", "1d", 2)
    assert lesson.start["loss"] == "minimax" and lesson.start["width"] == 8  # the preset's, then its own
    first, second = lesson.steps
    assert (first.iterations, first.condition, first.cap) == (5, (), 5)
    assert second.settings == {"loss": "nonsaturating", "lr_g": 0.01}
    assert [(c.metric, c.op, c.number) for c in second.condition] == [("d_fake", ">", -1.0), ("w1", ">=", 0.0)]
    assert second.rule("1d") == "until D(fake) > -1 and W1 ≥ 0, at most 40 iterations"
    mine = cfg.replace_fields(lesson.start_config(seed=4), {"present": True, "device": "cpu", "k": 9})
    config = lesson.step_config(1, lesson.step_config(0, mine))
    assert (config.seed, config.loss, config.lr_g, config.width, config.k) == (4, "nonsaturating", 0.01, 8, 10)  # the preset's k
    assert config.present and config.device == "cpu"  # the class's seed, device and presentation mode stay


def test_the_same_lesson_as_json_parses_the_same():
    import tomllib

    as_json = json.dumps(tomllib.loads(GOOD), indent=2)
    assert parse_lesson(as_json, key="tiny", name="tiny.json") == parse_lesson(GOOD, key="tiny")


@pytest.mark.parametrize("bad, line, words", [
    (GOOD.replace('lab = "1d"', 'lab = "3d"'), 2, "'lab' must be one of"),
    (GOOD.replace("width = 8", "widht = 8"), 7, "unknown setting 'widht'"),
    (GOOD.replace("batch = 32", "batch = 0"), 8, "Minibatch"),
    (GOOD.replace("lr_g = 0.01", "lr_g = 7"), 20, "Learning rate (G)"),
    (GOOD.replace('"d_fake > -1 and w1 >= 0"', '"__import__(\'os\') > 1"'), 22, "is not a condition"),
    (GOOD.replace('"d_fake > -1 and w1 >= 0"', '"modes_captured <= 2"'), 22, "unknown metric 'modes_captured'"),
    (GOOD.replace("until = 5\n", "until = 6\n"), 13, "from 1 to the cap"),
    (GOOD.replace("cap = 40", "cap = 0"), 23, "'cap' must be"),
    (GOOD.replace('question = "Why?"', 'questoin = "Why?"'), 24, "unknown key 'questoin'"),
    (GOOD.replace('answer = "Because."', ""), None, "'answer' must be a non-empty text"),
    (GOOD.replace('title = "Train a little"', 'title = "Train a little'), 11, "not valid TOML"),
    (GOOD.replace('preset = "saturating"', 'preset = "nope"'), 4, "unknown preset 'nope'"),
])
def test_a_bad_lesson_names_its_line_and_what_is_wrong(bad, line, words):
    with pytest.raises(LessonError) as caught:
        parse_lesson(bad)
    message = str(caught.value)
    assert words in message
    if line is not None:
        assert f"line {line}" in message


def test_settings_too_much_together_are_refused_naming_the_step():
    bad = GOOD.replace('settings = { loss = "nonsaturating", lr_g = 0.01 }',
                       'settings = { batch = 4096, k = 20, width = 256, depth = 6 }')
    with pytest.raises(LessonError, match="line 20: step 2: one iteration would be too much work"):
        parse_lesson(bad)


def test_files_that_are_not_lessons_are_refused():
    for data, words in [(b"\xff\xfe\x00", "not a text file"), ("x" * (lessons.MAX_LESSON_BYTES + 1), "at most 64 KB"),
                        ('{"title": 1', "line 1: not valid JSON"), ("[1, 2]", "not a lesson")]:
        with pytest.raises(LessonError, match=words):
            parse_lesson(data, name="x.json" if data in ('{"title": 1', "[1, 2]") else "x.toml")
    with pytest.raises(LessonError, match="at least one"):
        parse_lesson('title = "t"\nlab = "1d"\n')


@pytest.mark.parametrize("text", ["", "d_real", "d_real > ", "d_real == 1", "d_real > 1 or d_fake < 1",
                                  "d_real > 1e", "1 < d_real", "d_real > 0.5; import os", "x" * 300])
def test_conditions_outside_the_grammar_are_refused(text):
    with pytest.raises(ValueError):
        parse_condition(text, "1d")


def test_a_condition_holds_only_on_finite_numbers_that_satisfy_every_clause():
    rule = parse_condition("modes_captured <= 2 and high_quality ≥ 0.5", "2d")
    assert [c.holds({"modes_captured": 2, "high_quality": 0.5}) for c in rule] == [True, True]
    assert not all(c.holds({"modes_captured": 3, "high_quality": 0.9}) for c in rule)
    assert not any(c.holds({"modes_captured": float("nan"), "high_quality": None}) for c in rule)


def test_a_step_watch_ends_on_its_condition_or_its_cap_and_says_which():
    step = parse_lesson(GOOD).steps[1]
    watch = lessons.StepWatch(step, "1d", start=100)
    assert watch.left(100) == 40 and watch.left(130) == 10
    assert not watch.check(100, {"d_fake": 0.5, "w1": 1.0})  # nothing trained yet
    assert not watch.check(120, {"d_fake": -2.0, "w1": 1.0})
    assert watch.check(121, {"d_fake": 0.5, "w1": 1.0}) and watch.outcome == "reached"
    assert watch.message() == "Reached D(fake) > -1 and W1 ≥ 0 after 21 iterations (iteration 121)."
    capped = lessons.StepWatch(step, "1d", start=0)
    assert capped.check(40, {"d_fake": -5.0}) and capped.outcome == "cap"
    assert capped.message().startswith("Stopped at the cap after 40 iterations without D(fake) > -1")
    single = lessons.StepWatch(step, "1d", start=7)
    assert single.check(8, {"d_fake": 0.5, "w1": 1.0})
    assert single.message() == "Reached D(fake) > -1 and W1 ≥ 0 after 1 iteration (iteration 8)."


def test_a_live_session_pauses_when_the_step_ends_and_the_watch_lets_go():
    lesson = parse_lesson(GOOD)
    session = LiveSession(LABS["1d"], lesson.start_config(seed=0), slots=TrainingSlots(1))
    progress = lessons.Progress(lesson)
    progress.start(session)
    assert session.running and session.config.loss == "minimax" and progress.where() == "Step 1 of 2"
    for _ in range(20):
        session.tick(budget_s=0.05)
        session.snapshot()
        if not session.running:
            break
    assert not session.running and session.watch is None and progress.ended()
    assert session.run.trainer.iterations == 5  # the frame trained no further than the step's count
    session.set_running(True)  # the class may train on after the question: nothing pauses it now
    session.tick(budget_s=0.01)
    session.snapshot()
    assert session.running and session.run.trainer.iterations > 5
    session.set_running(False)
    progress.move(1)
    assert progress.where() == "Step 2 of 2" and not progress.ended()
    networks = session.run.trainer.G
    progress.start(session)  # a step that is not fresh keeps the networks (a live setting changes)
    assert session.run.trainer.G is networks and session.config.loss == "nonsaturating"
    progress.move(5)
    assert progress.index == 1
    progress.move(-5)
    assert progress.index == 0 and progress.ended()


def test_a_parked_run_keeps_its_lesson_and_a_step_cut_by_a_reload_ends_into_it():
    """A reload parks the run with its lesson (LiveSession.lesson); the page that resumes it gets the
    step it was at, and a step that was training when the page went still ends into that lesson."""
    from playground.parking import ParkingLot

    lesson = parse_lesson(GOOD)
    session = LiveSession(LABS["1d"], lesson.start_config(seed=0), slots=TrainingSlots(1))
    session.lesson = progress = lessons.Progress(lesson)
    progress.move(1)
    progress.start(session)  # step 2 trains until its rule holds (after one snapshot of training)
    connected = {"page1"}
    lot = ParkingLot(is_connected=lambda page: page in connected, on_park=LiveSession.release_slot)
    lot.hold("a" * 43, "1d", "page1", session)
    connected.clear()  # the page went (a reload) before the step ended
    entry = lot.parked("a" * 43, "1d")
    assert entry.run is session and session.slots.in_use == 0  # parked: its slot given back
    assert lot.claim("a" * 43, session, "page2")
    resumed = entry.run.lesson
    assert resumed.where() == "Step 2 of 2" and not resumed.ended() and session.running
    for _ in range(20):
        session.tick(budget_s=0.05)
        session.snapshot()
        if not session.running:
            break
    assert resumed.ended() and resumed.watch().outcome == "reached" and session.watch is None


def test_reset_drops_a_running_step_rule():
    lesson = parse_lesson(GOOD)
    session = LiveSession(LABS["1d"], lesson.start_config(seed=0), slots=TrainingSlots(1))
    lessons.begin_step(session, lesson, 1)
    session.reset()
    assert session.watch is None


def test_every_shipped_lesson_parses_and_names_a_lab():
    shipped = lessons.shipped()
    assert {"figure1", "saturation", "k_momentum", "ring_collapse", "conditional_digits"} <= set(shipped)
    for key, lesson in shipped.items():
        assert lesson.key == key and lesson.lab in LABS and lesson.steps
        for step in lesson.steps:
            assert step.question.endswith("?") and step.answer and step.watch
