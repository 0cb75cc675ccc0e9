"""The 1-D lab end to end (no Streamlit): the default converges; snapshots hold what frames show."""

import dataclasses

import numpy as np
import pytest

from helpers import tiny_config
from playground.labs.one_d import PRESETS_1D, Config1D, Run1D, train_headless
from playground.targets.one_d import TARGET_NAMES_1D
from playground.trainer import Diverged


def test_default_preset_converges():
    """Figure 1(d): after 6,000 iterations (the default seed) p_g is on p_data and D ≈ ½ on both."""
    _, snap, _ = train_headless(Config1D(), 6000)
    m = snap.metrics
    assert m["w1"] < 0.15, m
    assert m["js"] < 0.05, m
    assert abs(m["d_real"] - 0.5) < 0.05 and abs(m["d_fake"] - 0.5) < 0.05, m
    assert abs(m["value"] + np.log(4)) < 0.05, m
    # D is close to ½ over the bulk of p_data
    support = snap.p_data > 0.25 * snap.p_data.max()
    assert np.abs(snap.d[support] - 0.5).max() < 0.15
    assert np.abs(snap.d[support] - 0.5).mean() < 0.05


def test_untrained_generator_is_far_from_the_target():
    """The convergence test above could fail: before training p_g is far from p_data."""
    m = Run1D(Config1D()).snapshot().metrics
    assert m["w1"] > 1.0 and m["js"] > 0.3


@pytest.mark.parametrize("target", TARGET_NAMES_1D)
@pytest.mark.parametrize("noise", ["uniform", "normal"])
def test_every_target_and_noise_trains_and_snapshots(target, noise):
    run = Run1D(tiny_config(target=target, noise=noise, k=2))
    run.trainer.train_iterations(20)
    snap = run.snapshot()
    assert snap.iteration == 20 and snap.d_steps == 40
    for name in ("x", "p_data", "p_g", "d", "d_star", "z_line", "x_of_z"):
        assert getattr(snap, name).dtype == np.float32
    assert snap.x.shape == snap.p_g.shape == snap.d.shape
    assert snap.losses["iteration"][-1] == 20
    assert set(snap.metrics) >= {"d_loss", "g_loss", "d_real", "d_fake", "value", "w1", "js"}


def test_latent_dimension_above_one():
    run = Run1D(tiny_config(latent_dim=3))
    run.trainer.train_iterations(5)
    assert run.snapshot().x_of_z.shape == (25,)


@pytest.mark.parametrize("name", sorted(PRESETS_1D))
def test_presets_run(name):
    config = dataclasses.replace(Config1D(), **PRESETS_1D[name].settings)
    run = Run1D(config)
    try:
        run.trainer.train_iterations(50)
    except Diverged:
        pytest.fail(f"preset {name} diverged in 50 iterations")
    assert run.snapshot().iteration == 50


def test_snapshot_is_deterministic_for_a_seed():
    a, b = Run1D(tiny_config()), Run1D(tiny_config())
    for run in (a, b):
        run.trainer.train_iterations(30)
    assert np.array_equal(a.snapshot().p_g, b.snapshot().p_g)


def test_generated_samples_for_the_cli():
    run = Run1D(tiny_config())
    out = run.sample_output(10_000)
    assert out.shape == (10_000,) and np.isfinite(out).all()
