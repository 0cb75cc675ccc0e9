"""The 1-D lab page through Streamlit's AppTest: each run() is one deterministic frame."""

from streamlit.testing.v1 import AppTest

import apptest_helpers as h
from apptest_helpers import figures, metric
from playground.labs.one_d import Config1D

LAB = "app_pages/lab_1d.py"


def open_lab(query: dict | None = None):
    return h.open_lab(LAB, query)


def session(at):
    return at.session_state["1d:session"]


def figure(at: AppTest, index: int = 0) -> dict:
    return figures(at)[index]


def test_home_renders_with_the_device_and_a_link():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception
    assert any("Device in use" in c.value for c in at.caption)
    assert "generative adversarial network" in at.markdown[0].value


def test_lab_renders_figure1_and_metrics():
    at = open_lab()
    assert metric(at, "Iteration") == "0"
    names = [trace.get("name") for trace in figure(at)["data"]]
    assert names[:3] == ["p_data", "p_g", "D(x)"]
    assert len(figures(at)) == 8  # Figure 1, the model overview, losses, D outputs, distances, MMD², ‖∇θG‖, Figure 1 view
    assert not at.error


def test_run_trains_over_ticks_and_pause_stops():
    at = open_lab()
    at.button(key="1d.run").click().run()  # starts; this frame draws, then trains one budget
    assert session(at).running
    first = session(at).run.trainer.iterations
    assert first > 0
    at.run()  # the next frame shows the progress and trains again
    assert int(metric(at, "Iteration").replace(",", "")) >= first
    assert session(at).run.trainer.iterations > first
    before = figure(at)["data"][1]["y"]
    at.run()
    assert figure(at)["data"][1]["y"] != before  # p_g redrawn with new data
    at.button(key="1d.run").click().run()
    assert not session(at).running
    stopped = session(at).run.trainer.iterations
    at.run()
    assert session(at).run.trainer.iterations == stopped


def steps(at) -> tuple[str, str, str]:
    """(D steps, G steps, Iteration) as the page shows them (the step counts in the caption under the metrics)."""
    caption = next(c.value for c in at.caption if c.value.startswith("D steps"))
    d, g = caption.split(" · ")[:2]
    return d.removeprefix("D steps "), g.removeprefix("G steps "), metric(at, "Iteration")


def test_step_buttons_and_reset():
    at = open_lab()
    k = session(at).config.k
    at.button(key="1d.step_d").click().run()
    assert steps(at) == ("1", "0", "0")
    at.button(key="1d.step_g").click().run()
    assert steps(at) == ("1", "1", "1")
    at.button(key="1d.step_iteration").click().run()
    assert steps(at)[:2] == (str(1 + k), "2")
    at.button(key="1d.reset").click().run()
    assert steps(at)[::2] == ("0", "0")


def test_slider_change_retunes_without_resetting():
    at = open_lab()
    at.button(key="1d.step_iteration").click().run()
    trainer = session(at).run.trainer
    at.slider(key="1d.k").set_value(3).run()
    assert session(at).run.trainer is trainer and trainer.hyper.k == 3
    assert trainer.iterations == 1
    at.select_slider(key="1d.lr_d").set_value(0.01).run()
    assert trainer.opt_d.lr == 0.01
    assert at.query_params["k"] == "3" and at.query_params["lr_d"] == "0.01"  # the link follows


def test_a_linked_learning_rate_is_disabled_and_shows_the_rate_in_use():
    at = open_lab({"link_lr": "true", "lr_d": "0.01", "lr_g": "0.0004"})
    slider = at.select_slider(key="1d.lr_g")
    assert slider.disabled and slider.value == 0.01
    assert session(at).run.trainer.hyper.lr_g == 0.01
    at.toggle(key="1d.link_lr").set_value(False).run()
    assert not at.select_slider(key="1d.lr_g").disabled


def test_architecture_change_rebuilds_and_says_so():
    at = open_lab()
    at.button(key="1d.step_iteration").click().run()
    at.slider(key="1d.width").set_value(24).run()
    assert session(at).run.trainer.iterations == 0
    assert any("new networks" in t.value for t in at.toast)


def test_invalid_custom_row_shows_an_error_and_keeps_the_last_valid_target():
    at = open_lab({"target": "custom"})
    good = session(at).config.custom
    editor_key = "1d.custom:editor:0"  # the table's key; the suffix changes when a preset reloads it
    at.session_state[editor_key] = {"edited_rows": {0: {"std": -1.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("std must be greater than 0" in e.value for e in at.error)
    assert session(at).config.custom == good
    assert not at.exception


def test_url_settings_apply_and_bad_ones_are_reported():
    at = open_lab({"k": "4", "momentum": "7", "bogus": "1", "loss": "minimax"})
    config = session(at).config
    assert config.k == 4 and config.loss == "minimax" and config.momentum == Config1D().momentum  # the bad value left the default
    warning = " ".join(w.value for w in at.warning)
    assert "momentum" in warning and "bogus" in warning


def test_steps_in_the_url_pretrains_before_the_first_frame():
    at = open_lab({"steps": "25"})
    assert metric(at, "Iteration") == "25"


def test_divergence_pauses_with_a_message_and_reset_recovers():
    at = open_lab({"optimizer": "sgd", "lr_d": "1", "link_lr": "true", "momentum": "0.99", "k": "1",
                   "width": "32", "depth": "2", "activation": "relu", "seed": "0", "g_shift": "6"})
    h.run_until_diverged(at, "1d", session)
    assert not session(at).running
    assert any("diverged at iteration" in e.value for e in at.error)
    assert at.button(key="1d.run").disabled
    assert not at.exception
    at.button(key="1d.reset").click().run()
    assert session(at).diverged is None and not any("diverged" in e.value for e in at.error)


def test_preset_loads_its_settings_and_starts_over():
    at = open_lab()
    at.button(key="1d.step_iteration").click().run()
    at.selectbox(key="1d.preset").set_value("collapse").run()
    config = session(at).config
    assert config.target == "bimodal" and config.k == 1
    assert session(at).run.trainer.iterations == 0
    assert at.selectbox(key="1d.target").value == "bimodal"
    assert at.slider(key="1d.k").value == 1


def test_state_survives_a_page_switch():
    at = open_lab()
    at.slider(key="1d.k").set_value(2).run()
    at.button(key="1d.step_iteration").click().run()
    at.switch_page("app_pages/home.py").run()
    at.switch_page(LAB).run()
    assert session(at).config.k == 2 and at.slider(key="1d.k").value == 2
    assert metric(at, "Iteration") == "1"


def test_algorithm_expander_shows_current_settings():
    at = open_lab({"k": "7"})
    code = at.code[0].value
    assert "for k = 7 steps do" in code and "m = 256" in code


def test_over_the_training_cap_the_page_says_so_and_trains_when_a_slot_frees(monkeypatch):
    from playground import live

    monkeypatch.setattr(live.SLOTS, "capacity", 0)  # every slot taken
    at = open_lab({"width": "8"})
    at.button(key="1d.run").click().run()
    at.run()
    assert any("its limit" in i.value and "place in line: 1" in i.value for i in at.info)
    assert session(at).run.trainer.iterations == 0 and session(at).running
    assert metric(at, "Iteration") == "0"  # the charts stay drawn while waiting
    monkeypatch.setattr(live.SLOTS, "capacity", 1000)  # a slot frees up
    at.run()
    assert session(at).run.trainer.iterations > 0 and not any("its limit" in i.value for i in at.info)
    session(at).set_running(False)


def test_sessions_in_one_server_never_see_each_others_state():
    a = open_lab({"width": "8", "k": "3", "target": "bimodal"})
    a.button(key="1d.run").click().run()
    a.run()
    b = open_lab({"width": "8"})
    assert session(a) is not session(b) and session(a).run is not session(b).run
    assert session(b).config == type(session(b).config)(width=8)
    assert metric(b, "Iteration") == "0" and not session(b).running
    assert session(a).run.trainer.iterations > 0
    session(a).set_running(False)


def test_a_sidebar_change_that_makes_one_iteration_too_much_work_is_refused():
    """Wide, deep networks, then m pushed to 4096: the sidebar says why, the run keeps m = 256 and its
    networks; a minibatch that fits applies as usual."""
    at = open_lab({"width": "256", "depth": "6"})
    run = session(at).run
    at.select_slider(key="1d.batch").set_value(4096).run()
    assert session(at).config.batch == 256 and session(at).run is run and run.trainer.hyper.batch == 256
    [error] = [e.value for e in at.sidebar.error]
    assert "one iteration would be too much work" in error and "Keeping the previous values." in error
    at.select_slider(key="1d.batch").set_value(512).run()
    assert session(at).config.batch == 512 and run.trainer.hyper.batch == 512 and not at.sidebar.error


def test_switching_objective_and_method_keeps_the_networks_and_says_which_runs():
    """A new objective keeps the networks (the toast says so) and the metric row and Algorithm 1
    name it; direct training by MMD hides the D-side settings, greys out k and Step D, and shows
    the witness in D's place."""
    at = open_lab()
    at.button(key="1d.step_iteration").click().run()
    run = session(at).run
    keys = lambda: [w.key for w in at.selectbox]  # noqa: E731
    assert "1d.loss" in keys() and "1d.gp_weight" not in [w.key for w in at.slider]
    at.selectbox(key="1d.objective").set_value("wgan-gp").run()
    assert session(at).run is run and run.trainer.iterations == 1
    assert any("Objective changed: networks kept" in t.value for t in at.toast)
    assert "1d.loss" not in keys() and "1d.gp_weight" in [w.key for w in at.slider]
    assert any(m.label == "W₁ est." and "WGAN-GP" in m.help for m in at.metric)
    assert any("WGAN-GP, λ = 10" in c.value for c in at.code)
    at.selectbox(key="1d.method").set_value("mmd").run()
    assert session(at).run is run and "1d.objective" not in keys()
    assert at.slider(key="1d.k").disabled and at.button(key="1d.step_d").disabled
    assert metric(at, "Training") == "MMD" and metric(at, "D(real)") == "—"
    assert [t.get("name") for t in figures(at)[0]["data"]][2] == "witness f(x), scaled"
    assert not at.exception and not at.error
