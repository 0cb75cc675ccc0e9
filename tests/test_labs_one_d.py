"""The 1-D lab end to end (no Streamlit): the default converges; snapshots hold what frames show."""

import dataclasses

import numpy as np
import pytest

from helpers import tiny_config
from playground import criteria
from playground.labs.one_d import PRESETS_1D, QUANTILE_CLIP, Config1D, Run1D, ideal_transform, nearer_ideal
from playground.targets.one_d import TARGET_NAMES_1D, make_target_1d
from playground.trainer import Diverged

CONVERGE_ITERATIONS = 10_000  # the criterion's budget
EVALUATE_EVERY = 1000  # iterations between the criterion's checks
WEAK_D_ITERATIONS = 2000


@pytest.mark.parametrize("seed", [3, 1])  # the default seed, and seed 1, where the old defaults ended at W1 0.55
def test_default_preset_converges_on_several_seeds(seed):
    """Figure 1(d) on each seed: p_g reaches p_data within the criterion's 10,000 iterations (W1 ≤
    0.2 std) and stays near it, with D ≈ ½ over the bulk of p_data. Before the inputs were
    standardised and D widened, seed 1 ended with a plateau of twice p_data's width that D,
    straight over the data, could not see.

    Once learned, p_g jitters about p_data with Adam's constant step (on seed 3, W1 between 0.05
    and 0.18 from one 500-iteration check to the next), and which side of the bar the last
    iteration lands on differs between PyTorch builds and devices (0.060 here, 0.103 and 0.117 on
    another CPU and a GPU): so "learned" is asked within the run, "near" at its end."""
    run = Run1D(Config1D(seed=seed))
    learned_at = None
    for _ in range(CONVERGE_ITERATIONS // EVALUATE_EVERY):
        run.trainer.train_iterations(EVALUATE_EVERY)
        snap = run.snapshot()
        if learned_at is None and criteria.learned_1d(snap.metrics, run.yardstick).passed:
            learned_at = run.trainer.iterations
    m = snap.metrics
    assert learned_at is not None, m
    assert m["w1"] <= 2 * run.yardstick.learned and m["js"] < 0.05, m
    assert abs(m["d_real"] - 0.5) < 0.05 and abs(m["d_fake"] - 0.5) < 0.05, m
    assert abs(m["value"] + np.log(4)) < 0.05, m
    support = snap.p_data > 0.25 * snap.p_data.max()
    assert np.abs(snap.d[support] - 0.5).max() < 0.15
    assert np.abs(snap.d[support] - 0.5).mean() < 0.05


def test_d_too_weak_is_fooled_not_beaten():
    """The pathology the *D too weak* preset promises: a linear D ends at ½ on both batches while
    p_g sits between the two modes, far from p_data; the page's notice says so."""
    preset = PRESETS_1D["weak_d"]
    run = Run1D(dataclasses.replace(Config1D(seed=0), **preset.settings))
    run.trainer.train_iterations(WEAK_D_ITERATIONS)
    _, m = run.evaluate()
    assert criteria.fooled_not_beaten(m, run.yardstick), m
    assert m["w1"] > 4 * run.yardstick.learned, m  # a spike between modes 4 apart: W1 ≈ 2 = 4.7 × the bar
    assert "fooled, not beaten" in criteria.trap_note(m, run.yardstick)


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


# --- the ideal transform and direct training (issue 15) -------------------------------------

@pytest.mark.parametrize("target", ["gaussian", "bimodal", "lognormal"])
def test_ideal_transform_is_the_targets_inverse_cdf_of_uniform_noise(target):
    """Uniform z on [−1, 1]: G*(z) = F_data⁻¹((z + 1) / 2), the end points at the 0.1% and 99.9% quantiles."""
    run = Run1D(tiny_config(target=target, noise="uniform"))
    u = np.clip((run.z_line + 1) / 2, QUANTILE_CLIP, 1 - QUANTILE_CLIP)
    assert run.ideal == pytest.approx(run.target.ppf(u))
    assert np.all(np.diff(run.ideal) > 0)


def test_ideal_transform_of_normal_noise_onto_a_gaussian_is_affine():
    """Normal z onto N(μ, σ²): F_data⁻¹(Φ(z)) = μ + σ z exactly."""
    run = Run1D(tiny_config(target="gaussian", noise="normal"))
    assert run.ideal == pytest.approx(4.0 + 0.5 * run.z_line, abs=1e-9)


@pytest.mark.parametrize("noise", ["uniform", "normal"])
def test_ideal_transform_turns_noise_into_the_target(noise):
    """Pushing 20,000 noise samples through G* gives samples of p_data (Kolmogorov–Smirnov)."""
    from scipy import stats

    target = make_target_1d("bimodal")
    rng = np.random.default_rng(0)
    z = rng.uniform(-1, 1, 20_000) if noise == "uniform" else rng.standard_normal(20_000)
    x = ideal_transform(target, noise, z)
    assert stats.kstest(x, target.cdf).pvalue > 0.01


def test_the_snapshot_draws_the_mirror_image_when_g_is_decreasing():
    ideal = np.array([1.0, 2.0, 4.0])
    assert nearer_ideal(ideal, np.array([3.9, 2.1, 0.8])) == (pytest.approx([4.0, 2.0, 1.0]), True)
    assert nearer_ideal(ideal, np.array([1.1, 2.0, 3.0]))[1] is False
    assert nearer_ideal(None, np.zeros(3)) == (None, False)


def test_no_ideal_transform_above_one_latent_dimension():
    run = Run1D(tiny_config(latent_dim=3))
    assert run.ideal is None and run.snapshot().ideal is None


def test_mmd_snapshot_draws_the_witness_in_ds_place():
    """Direct training: no D numbers (NaN: they do not apply), MMD² finite, and the curve in D's
    place is the witness: positive at p_data's peak, which the untrained G underweights, and most
    negative where G has more mass than p_data."""
    run = Run1D(tiny_config(method="mmd"))
    snap = run.snapshot()
    assert snap.method == "mmd" and np.isnan(snap.metrics["d_real"]) and np.isnan(snap.metrics["value"])
    assert np.isfinite(snap.metrics["mmd2"]) and snap.metrics["mmd2"] > 0.05
    peak, lowest = np.argmax(snap.p_data), np.argmin(snap.d)
    assert snap.d[peak] > 0.1 and snap.d[lowest] < -0.1 and snap.p_g[lowest] > snap.p_data[lowest]
    assert np.abs(snap.d).max() <= 2.5  # scaled: 1 = the data's peak with no G (the untrained G is a narrower spike)


def test_mmd_training_learns_the_gaussian():
    """G trained by MMD alone reaches the default target (the witness flattens towards 0)."""
    run = Run1D(tiny_config(method="mmd", batch=128, lr_g=0.004))
    run.trainer.train_iterations(400)
    snap = run.snapshot()
    assert snap.metrics["w1"] < 0.25 and np.abs(snap.d).max() < 0.3
