"""Figures are pure functions of a snapshot: the right traces, styles and sizes."""

import copy
import dataclasses

import numpy as np
import plotly.io as pio
import pytest

from helpers import assert_same, tiny_config
from playground import metrics
from playground.figures import history, one_d
from playground.labs.one_d import Config1D, Run1D


def snapshot(iterations: int = 30, **changes):
    run = Run1D(tiny_config(**changes))
    run.trainer.train_iterations(iterations)
    for _ in range(3):
        run.snapshot()
    return run.snapshot(), run.config


def test_figure1_traces_follow_the_paper():
    snap, config = snapshot()
    fig = one_d.figure1(snap, show_d_star=True)
    by_name = {trace.name: trace for trace in fig.data}
    assert by_name["p_data"].line.color == "black" and by_name["p_data"].line.dash == "dot"
    assert by_name["p_g"].line.color == one_d.P_G["color"] and by_name["p_g"].line.dash is None
    assert by_name["D(x)"].line.dash == "dash" and by_name["D(x)"].yaxis == "y2"
    assert by_name["D*(x) = p_data/(p_data+p_g)"].yaxis == "y2"
    assert np.array_equal(by_name["p_data"].y, snap.p_data)
    mapping = by_name["x = G(z)"]
    assert mapping.yaxis == "y3" and np.count_nonzero(~np.isnan(np.asarray(mapping.y))) == 2 * len(snap.z_line)
    assert "D*(x) = p_data/(p_data+p_g)" not in {t.name for t in one_d.figure1(snap, show_d_star=False).data}


def test_figures_do_not_modify_the_snapshot():
    """Every field is unchanged after drawing, the metrics and the history dicts the charts read included."""
    snap, config = snapshot()
    before = copy.deepcopy(snap)
    one_d.frame_1d(snap, config)
    one_d.history_1d(snap, config)
    assert_same(snap, before)


def test_the_snapshot_check_sees_a_history_changed_in_place():
    """The check above compares the arrays inside the history dicts, not only the top-level arrays."""
    snap, _ = snapshot()
    before = copy.deepcopy(snap)
    snap.evals["d_real"][0] += 1
    with pytest.raises(AssertionError, match="evals"):
        assert_same(snap, before)


def test_history_charts_mark_the_optimum():
    snap, config = snapshot()
    losses = history.loss_history(snap.losses, "nonsaturating")
    assert [s.y0 for s in losses.layout.shapes] == [np.log(4), np.log(2)]
    assert history.loss_history(snap.losses, "minimax").layout.shapes[1].y0 == -np.log(2)
    assert history.d_history(snap.evals).layout.shapes[0].y0 == 0.5


def test_off_plot_generator_is_announced():
    snap, _ = snapshot()
    far = dataclasses.replace(snap, metrics={**snap.metrics, "off_plot": 0.9, "mean_x": 42.0})
    notes = one_d.figure1(far).layout.annotations
    assert len(notes) == 1 and "off the plot" in notes[0].text and "→" in notes[0].text
    for share in (0.0, 0.3, 0.5):  # at most half of p_g off the plot: no note
        near = dataclasses.replace(snap, metrics={**snap.metrics, "off_plot": share, "mean_x": 42.0})
        assert len(one_d.figure1(near).layout.annotations) == 0, share


def test_frame_payload_is_small():
    """A frame sends float32 typed arrays and no template: under 15 KB, and the five history charts
    (sent once a second, the losses raw and smoothed) under 36 KB, even with full histories."""
    run = Run1D(Config1D())
    for _ in range(500):  # fill the histories to capacity
        run.trainer.step_iteration()
        run.snapshot()
    snap = run.snapshot()
    frame = sum(len(pio.to_json(f, validate=False)) for f in one_d.frame_1d(snap, run.config).values())
    history = sum(len(pio.to_json(f, validate=False)) for f in one_d.history_1d(snap, run.config).values())
    assert frame < 15_000 and history < 36_000, (frame, history)


# --- D's place per objective, the witness, the ideal transform (issue 15) -----------------------

def names(fig) -> list[str]:
    return [trace.name or "" for trace in fig.data]


def test_d_star_and_one_half_only_where_they_mean_something():
    """Binary cross-entropy and least squares: D*, scaled by the smoothed label, and the optimum's
    line at y/2; a critic (hinge, WGAN-GP): neither, and an axis fitted to its scores."""
    snap, _ = snapshot(objective="least-squares", label_smoothing=0.1)
    fig = one_d.figure1(snap)
    assert "D*(x) = 0.9·p_data/(p_data+p_g)" in names(fig) and "D(x) (least squares)" in names(fig)
    assert [t for t in fig.data if t.name == "0.45"], names(fig)
    expected = 0.9 * metrics.optimal_discriminator(snap.p_data.astype(float), snap.p_g.astype(float))
    np.testing.assert_allclose(snap.d_star, expected, rtol=1e-4, atol=1e-6)
    for objective in ("hinge", "wgan-gp"):
        snap, _ = snapshot(objective=objective, k=1)
        fig = one_d.figure1(snap)
        assert not any("D*" in n for n in names(fig)) and "½" not in names(fig)
        low, high = fig.layout.yaxis2.range
        assert low <= float(np.min(snap.d)) and high >= float(np.max(snap.d)) and (low, high) != (0, 1.05)


def test_mmd_draws_the_witness_on_a_symmetric_axis_with_zero_marked():
    snap, _ = snapshot(method="mmd")
    fig = one_d.figure1(snap)
    assert "witness f(x), scaled" in names(fig) and "0" in names(fig) and not any("D*" in n for n in names(fig))
    low, high = fig.layout.yaxis2.range
    assert low == -high and high >= 1.05
    assert "d_history" not in one_d.history_1d(snap, tiny_config(method="mmd"))


def test_ideal_transform_segments_end_at_g_star_and_a_note_replaces_them_above_1_d():
    snap, _ = snapshot()
    ideal = next(t for t in one_d.figure1(snap).data if (t.name or "").startswith("ideal G*"))
    ends = np.asarray(ideal.x)[1::3]
    np.testing.assert_allclose(ends, snap.ideal, rtol=1e-6)
    assert not any((t.name or "").startswith("ideal") for t in one_d.figure1(snap, show_ideal=False).data)
    wide, _ = snapshot(latent_dim=3)
    fig = one_d.figure1(wide)
    assert not any((t.name or "").startswith("ideal") for t in fig.data)
    assert any("1-D z only" in a.text and "d = 3" in a.text for a in fig.layout.annotations)
