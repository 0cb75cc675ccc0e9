"""Compare mode on the lab pages (AppTest): a link with run B, a broken run B, the panel's toggle,
a bad B setting typed in, a comparison preset, and the other modes alongside (presentation mode,
Step, Reset, slow motion)."""

import apptest_helpers as h
from apptest_helpers import shown

PAGE = "app_pages/lab_1d.py"
SMALL = {"width": "8", "batch": "32"}


def session(at, lab="1d"):
    return at.session_state[f"{lab}:session"]


def texts(at) -> list[str]:
    return [shown(m.value).strip("*") for m in at.markdown] + [shown(w.value) for w in at.warning]


def address(at) -> dict[str, str]:
    return {name: value[0] if isinstance(value, list) else value for name, value in at.query_params.items()}


def test_a_link_with_run_b_shows_both_runs_and_keeps_b_in_the_address():
    at = h.open_lab(PAGE, {**SMALL, "compare": "1", "b.k": "5"})
    s = session(at)
    assert s.comparison.config.k == 5 and s.config.k == 1
    assert "B: k = 5 (A: k = 1)" in texts(at)
    assert {"Run A", "Run B"} <= set(texts(at))
    labels = [m.label for m in at.metric]
    assert labels.count("W1") == 2  # A's row and B's row
    assert address(at).items() >= {"compare": "1", "b.k": "5"}.items()
    at.button(key="1d.run").click().run()
    at.run()
    assert s.run.trainer.iterations == s.comparison.run.trainer.iterations > 0
    histories = [f for f in h.figures(at) if any(str(t.get("name", "")).endswith(" · B") for t in f["data"])]
    assert len(histories) >= 4 and all(any(t.get("line", {}).get("dash") == "dash" for t in f["data"]) for f in histories)
    at.button(key="1d.run").click().run()  # Pause
    at.button(key="1d.step_iteration").click().run()  # Step and Reset with both runs: no crash, still lockstep
    at.button(key="1d.reset").click().run()
    assert not at.exception and s.comparison.run.trainer.iterations == s.run.trainer.iterations == 0
    at.toggle(key="1d.compare:on").set_value(False).run()
    assert s.comparison is None and "compare" not in address(at) and not at.exception


def test_a_link_with_a_broken_run_b_says_so_and_run_a_is_as_the_link_says():
    at = h.open_lab(PAGE, {**SMALL, "k": "3", "compare": "1", "b.k": "99", "b.seed": "2"})
    s = session(at)
    assert s.comparison is None and s.config.k == 3
    notes = " ".join(texts(at))
    assert "b.k='99'" in notes and "seed cannot differ" in notes and "Compare mode is off" in notes
    assert "compare" not in address(at)


def test_a_bad_b_setting_typed_in_gets_a_message_and_changes_nothing():
    at = h.open_lab(PAGE, {**SMALL, "compare": "1", "b.k": "4"})
    s = session(at)
    at.button(key="1d.run").click().run()
    run_b = s.comparison.run
    at.text_input(key="1d.compare:b").input("momentum=7").run()
    assert "Nothing changed: run B keeps its settings." in texts(at) and s.comparison.run is run_b and s.running
    assert s.comparison.overrides == {"k": "4"} and at.text_input(key="1d.compare:b").value == "k=4"
    at.text_input(key="1d.compare:b").input("k=4, loss").run()
    assert "is not name=value" in " ".join(texts(at)) and s.comparison.run is run_b


def test_turning_compare_on_from_the_panel_and_presentation_and_slow_motion_with_it():
    at = h.open_lab(PAGE, SMALL)
    s = session(at)
    at.text_input(key="1d.compare:b").input("optimizer=sgd").run()
    assert s.comparison is None  # typed while off: only the toggle turns it on
    at.toggle(key="1d.compare:on").set_value(True).run()
    assert s.comparison.config.optimizer == "sgd" and not at.exception
    at.toggle(key="1d.present").set_value(True).run()
    assert not at.exception and {"Run A", "Run B"} <= set(texts(at))
    at.selectbox(key="1d.speed").set_value("slow").run()
    at.button(key="1d.run").click().run()
    at.run()
    assert not at.exception and s.run.trainer.iterations == s.comparison.run.trainer.iterations


def test_a_comparison_preset_link_on_the_2d_page():
    at = h.open_lab("app_pages/lab_2d.py", {"preset": "adam_vs_sgd_ring8", "width": "16", "batch": "64"})
    s = session(at, "2d")
    assert s.config.optimizer == "adam" and s.comparison.config.optimizer == "sgd"
    assert s.comparison.config.momentum == 0.9 and any(t.startswith("B: optimizer = SGD") for t in texts(at))
    assert at.selectbox(key="2d.compare:preset").value == "adam_vs_sgd_ring8"
    assert "Unknown preset" not in " ".join(texts(at))


def test_a_link_that_pretrains_both_runs_and_asks_for_a_moment():
    at = h.open_lab(PAGE, {**SMALL, "compare": "1", "b.k": "2", "steps": "60", "at": "20"})
    s = session(at)
    assert s.run.trainer.iterations == s.comparison.run.trainer.iterations == 60
    assert s.viewing is None and any("timeline is off while comparing" in t for t in texts(at))
