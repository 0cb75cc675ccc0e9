"""The 2-D lab page through Streamlit's AppTest: render, run ticks, toggles, uploads, URL state."""

from streamlit.testing.v1 import AppTest

import apptest_helpers as h
from apptest_helpers import figures, metric, shown
from playground import readout

LAB = "app_pages/lab_2d.py"
SMALL = {"width": "16", "batch": "64"}  # keeps each tick fast


def open_lab(query: dict | None = None):
    return h.open_lab(LAB, {**SMALL, **(query or {})})


def session(at):
    return at.session_state["2d:session"]


def heatmap(at: AppTest) -> dict:
    return figures(at)[0]["data"][0]


def test_lab_renders_landscape_densities_and_history():
    at = open_lab()
    assert metric(at, "Iteration") == "0" and metric(at, "Modes").endswith("/8")
    charts = figures(at)
    assert [t["name"] for t in charts[0]["data"]][:3] == ["D(x)", "p_data", "real x ~ p_data"]
    assert charts[1]["layout"]["meta"] == {"updating": ""}  # the model overview, atop the column beside the landscape
    assert [t["name"] for t in charts[2]["data"]] == ["p_data", "p_g"]
    assert len(charts) == 9  # landscape, the model overview, densities, losses, D outputs, modes, distances, MMD², ‖∇θG‖
    assert not at.error


def test_run_redraws_the_heatmap_and_pause_stops():
    at = open_lab()
    at.button(key="2d.run").click().run()
    assert session(at).running and session(at).run.trainer.iterations > 0
    before = heatmap(at)["source"]
    at.run()
    assert heatmap(at)["source"] != before  # D's landscape redrawn with new data
    assert int(metric(at, "Iteration").replace(",", "")) > 0
    at.button(key="2d.run").click().run()
    stopped = session(at).run.trainer.iterations
    at.run()
    assert not session(at).running and session(at).run.trainer.iterations == stopped


def test_toggles_change_the_drawing_without_resetting():
    at = open_lab()
    at.button(key="2d.step_iteration").click().run()
    names = lambda: [t["name"] for t in figures(at)[0]["data"]]  # noqa: E731
    assert "∂D/∂x (G's push)" in names() and "G(z-grid)" not in names()
    at.toggle(key="2d.show_manifold").set_value(True).run()
    at.toggle(key="2d.show_arrows").set_value(False).run()
    assert "G(z-grid)" in names() and "∂D/∂x (G's push)" not in names()
    assert session(at).run.trainer.iterations == 1


def test_custom_table_shows_only_for_the_custom_target():
    at = open_lab()
    keys = [w.key for w in at.selectbox]
    assert "2d.custom_source" not in keys
    at.selectbox(key="2d.target").set_value("custom").run()
    assert "2d.custom_source" in [w.key for w in at.selectbox]
    assert session(at).config.target == "custom" and session(at).run.target.modes[0].shape == (3, 2)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="2d.points:upload").set_value((name, data, "text/csv"))
    return at.run()


def test_csv_upload_replaces_the_target_and_a_bad_one_keeps_it():
    at = open_lab({"target": "custom", "custom_source": "csv"})
    assert any("No points uploaded or drawn yet" in i.value for i in at.info)
    rows = "\n".join(f"{10 + (i % 9) * 0.3},{-5 + (i % 7) * 0.2}" for i in range(300))
    upload(at, "points.csv", ("x,y\n" + rows).encode())
    run = session(at).run
    assert run.using_points and run.target.name == "custom points"
    assert any("Using 300 points from points.csv" in shown(c.value) for c in at.caption)
    upload(at, "broken.csv", b"x,y\n1,2\n3,nan\n")
    assert any("broken.csv: Row 2" in shown(e.value) and "previous data stays" in e.value for e in at.error)
    assert session(at).run is run and run.using_points
    assert not at.exception


def test_url_settings_apply_and_bad_ones_are_reported():
    at = open_lab({"target": "grid25", "k": "3", "latent_dim": "99", "nope": "x"})
    config = session(at).config
    assert config.target == "grid25" and config.k == 3 and config.latent_dim == 2
    warning = " ".join(w.value for w in at.warning)
    assert "latent" in warning.lower() and "nope" in warning
    assert metric(at, "Modes").endswith("/25")


def test_divergence_pauses_with_a_message_and_reset_recovers():
    at = open_lab({"optimizer": "sgd", "lr_d": "1", "momentum": "0.99", "width": "64", "activation": "relu"})
    h.run_until_diverged(at, "2d", session)
    assert session(at).diverged is not None and not session(at).running
    assert any("diverged at iteration" in e.value for e in at.error)
    at.button(key="2d.reset").click().run()
    assert session(at).diverged is None and not at.exception


def test_preset_loads_its_settings():
    at = open_lab()
    at.selectbox(key="2d.preset").set_value("collapse").run()
    config = session(at).config
    assert config.optimizer == "sgd" and config.momentum == 0.9
    assert at.selectbox(key="2d.optimizer").value == "sgd"


def test_a_hostile_link_draws_its_first_frame_within_seconds_and_leaves_no_work_behind():
    """The probe's link (one iteration ~18 s, 50,000 of them): the settings that make one iteration
    too much work are refused with a notice naming them, pre-training stops at its time budget with
    a message saying how far it got, and nothing trains once the page is drawn (no thread, no slot)."""
    import threading
    import time

    from playground import live

    threads = threading.active_count()
    start = time.perf_counter()
    at = h.open_lab(LAB, {"batch": "4096", "width": "256", "depth": "6", "k": "20", "steps": "50000"}, timeout=30)
    elapsed = time.perf_counter() - start
    assert elapsed < live.PRETRAIN_BUDGET_S + 6, elapsed
    config, pretraining = session(at).config, session(at).pretraining
    assert (config.batch, config.width, config.depth, config.k) == (256, 64, 2, 1)
    warning = shown(" ".join(w.value for w in at.warning))
    assert "Ignored batch=4096, k=20, width=256, depth=6: one iteration would be too much work" in warning
    assert pretraining.ended == "time" and 0 < pretraining.done < 50_000
    assert metric(at, "Iteration") == readout.count(pretraining.done)
    assert any(f"Pre-trained {pretraining.done:,} of 50,000 iterations from the link in 5 s" in i.value
               for i in at.info)
    assert live.SLOTS.in_use == 0 and not session(at).running
    assert threading.active_count() <= threads
    at.button(key="2d.run").click().run()  # Run continues from there; the message has done its job
    assert session(at).run.trainer.iterations > pretraining.done
    assert not any("Pre-trained" in i.value for i in at.info)
    session(at).set_running(False)


def test_a_hidden_tab_draws_nothing_and_does_not_train():
    """The visibility reporter says the tab is hidden: the rerun draws no chart and trains no step;
    shown again, every chart is back and training carries on."""
    at = open_lab()
    at.button(key="2d.run").click().run()
    charts = len(figures(at))
    assert session(at).running and charts >= 6
    at.session_state["gp.visibility"] = {"visible": False}
    at.run()
    hidden_at = session(at).run.trainer.iterations
    at.run()
    assert figures(at) == [] and session(at).run.trainer.iterations == hidden_at
    at.session_state["gp.visibility"] = {"visible": True}
    at.run()
    assert len(figures(at)) == charts and session(at).run.trainer.iterations > hidden_at and not at.exception
