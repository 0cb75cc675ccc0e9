"""The timeline on a lab page (AppTest): the slider appears once paused with a past, scrubbing
shows that moment everywhere (numbers, Algorithm 1, a marker on the histories), a stale or
hostile position is a message with nothing lost, a link's at= opens a moment, and Continue from
here says what it dropped."""

import apptest_helpers as h
from apptest_helpers import figures, metric

LAB = "app_pages/lab_1d.py"


def session(at):
    return at.session_state["1d:session"]


def has_timeline(at) -> bool:
    return any(slider.key == "1d.timeline" for slider in at.select_slider)


def markers(at) -> list[float]:
    """x of the vertical marker lines on the history charts."""
    return [shape["x0"] for fig in figures(at)[1:] for shape in fig["layout"].get("shapes", ())
            if shape.get("yref") == "paper"]


def test_scrub_back_shows_that_moment_and_continue_drops_the_future():
    at = h.open_lab(LAB, {"steps": "300", "k": "3"})
    assert at.select_slider(key="1d.timeline").value == len(session(at).timeline) - 1
    assert metric(at, "Iteration") == "300" and not markers(at)
    at.select_slider(key="1d.timeline").set_value(2).run()
    shown = session(at).viewing.iteration
    assert 0 < shown < 300 and metric(at, "Iteration") == f"{shown:,}"
    assert markers(at) == [shown] * 5  # losses, D's outputs, distances, MMD², ‖∇θG‖
    assert any(f"settings of iteration {shown:,}" in e.label for e in at.expander)
    assert any(f"Algorithm 1 show iteration {shown:,}" in c.value for c in at.caption)
    assert at.select_slider(key="1d.timeline").label == f"Timeline: iteration {shown:,} of 300"
    assert session(at).run.trainer.iterations == 300  # looking changes nothing

    at.button(key="1d.continue").click().run()
    assert not at.exception
    assert metric(at, "Iteration") == f"{shown:,}"
    assert any(f"Continuing from iteration {shown:,}: the {300 - shown:,} iterations after it are dropped"
               in i.value for i in at.info)
    at.button(key="1d.step_iteration").click().run()
    assert metric(at, "Iteration") == f"{shown + 1:,}" and not any("Continuing" in i.value for i in at.info)


def test_the_slider_never_keeps_a_stale_position():
    """Scrubbed, then Reset: the old position is gone with the old run; two steps later the
    slider is back, at the present."""
    at = h.open_lab(LAB, {"steps": "200"})
    at.select_slider(key="1d.timeline").set_value(1).run()
    at.button(key="1d.reset").click().run()
    assert not at.exception and not has_timeline(at) and metric(at, "Iteration") == "0"
    at.button(key="1d.step_iteration").click().run()
    at.button(key="1d.step_iteration").click().run()
    assert at.select_slider(key="1d.timeline").value == 1 and metric(at, "Iteration") == "2"


def test_a_links_at_opens_the_moment_and_a_bad_one_is_a_notice():
    at = h.open_lab(LAB, {"steps": "400", "at": "200"})
    assert metric(at, "Iteration") == "200" and session(at).run.trainer.iterations == 400
    at = h.open_lab(LAB, {"steps": "100", "at": "9999"})
    assert metric(at, "Iteration") == "100"
    assert any("at='9999'" in h.shown(w.value) for w in at.warning)


def test_no_slider_while_running_or_without_a_past():
    at = h.open_lab(LAB)
    assert not has_timeline(at)  # nothing to look back at yet
    at.button(key="1d.run").click().run()
    assert not has_timeline(at)
