"""Metrics against closed forms and SciPy."""

import math

import numpy as np
import pytest

from playground import metrics


def test_w1_of_shifted_gaussians_is_the_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 1, 50_000)
    assert metrics.wasserstein1(a + 0.7, a) == pytest.approx(0.7, abs=1e-9)
    assert metrics.wasserstein1(rng.normal(0.7, 1, 50_000), a) == pytest.approx(0.7, abs=0.03)


def test_js_of_identical_densities_is_zero_and_of_disjoint_ones_log2():
    x = np.linspace(-5, 5, 1001)
    p = np.exp(-x**2 / 2)
    assert metrics.js_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    left, right = (x < 0).astype(float), (x > 0).astype(float)
    assert metrics.js_divergence(left, right) == pytest.approx(math.log(2))


def test_js_matches_scipy():
    from scipy.spatial.distance import jensenshannon

    x = np.linspace(-5, 5, 1001)
    p, q = np.exp(-x**2 / 2), np.exp(-(x - 1) ** 2 / 0.5)
    assert metrics.js_divergence(p, q) == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-9)


def test_optimal_discriminator_formula():
    p_data, p_g = np.array([1.0, 0.0, 2.0, 0.0]), np.array([1.0, 3.0, 0.0, 0.0])
    d = metrics.optimal_discriminator(p_data, p_g)
    assert d[:3].tolist() == [0.5, 0.0, 1.0]
    assert math.isnan(d[3])  # undefined where neither density has mass


def test_value_at_d_one_half_is_minus_log4():
    zeros = np.zeros(100)
    assert metrics.value_from_logits(zeros, zeros) == pytest.approx(-metrics.LOG4)
    # a confident, correct D has V close to 0; a confidently wrong one very negative
    assert metrics.value_from_logits(zeros + 20, zeros - 20) == pytest.approx(0.0, abs=1e-8)
    assert metrics.value_from_logits(zeros - 20, zeros + 20) == pytest.approx(-40.0, abs=1e-6)


@pytest.mark.parametrize("method", metrics.DENSITY_METHODS)
def test_density_estimates_integrate_to_one(method):
    grid = np.linspace(-6, 6, 400)
    samples = np.random.default_rng(0).normal(0, 1, 4000)
    estimate = metrics.estimate_density(samples, grid, method)
    assert np.trapezoid(estimate, grid) == pytest.approx(1.0, abs=0.03)
    assert np.abs(estimate - np.exp(-grid**2 / 2) / math.sqrt(2 * math.pi)).max() < 0.08


def test_kde_of_a_collapsed_generator_is_a_finite_spike():
    """All samples equal (mode collapse) must not crash scipy's KDE (singular covariance)."""
    grid = np.linspace(0, 10, 400)
    estimate = metrics.kde_density(np.full(500, 4.0), grid)
    assert np.isfinite(estimate).all() and grid[np.argmax(estimate)] == pytest.approx(4.0, abs=0.05)
    assert np.trapezoid(estimate, grid) == pytest.approx(1.0, abs=0.02)


def test_metrics_do_not_modify_their_inputs():
    samples = np.array([3.0, 1.0, 2.0])
    grid = np.linspace(0, 4, 50)
    copy = samples.copy()
    metrics.estimate_density(samples, grid, "kde")
    metrics.estimate_density(samples, grid, "hist")
    metrics.wasserstein1(samples, samples[::-1])
    assert np.array_equal(samples, copy)


def test_history_stays_bounded_and_spread_over_the_run():
    h = metrics.History(("a",), capacity=100)
    for i in range(10_000):
        h.add(i, a=float(i))
    assert 50 <= len(h) <= 100
    it = h.arrays()["iteration"]
    assert it[0] == 0 and it[-1] > 9000
    assert np.all(np.diff(np.diff(it)) == 0)  # evenly spaced after decimation
    assert h.arrays()["a"].dtype == np.float32
    assert h.last() == {"a": float(it[-1])}


# --- 2-D ------------------------------------------------------------------------------------

RING = (2 * np.column_stack([np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)]), np.full(8, 0.1))


def test_mode_metrics_all_modes():
    """Samples from every mode: all 8 captured and ~99% high quality (P(r ≤ 3σ) = 1 − e^{-4.5} in 2-D)."""
    centres, stds = RING
    rng = np.random.default_rng(0)
    samples = centres[rng.integers(0, 8, 2500)] + 0.1 * rng.standard_normal((2500, 2))
    m = metrics.mode_metrics(samples, centres, stds)
    assert m["modes_captured"] == 8 and m["modes_total"] == 8
    assert m["high_quality"] == pytest.approx(1 - np.exp(-4.5), abs=0.01)


def test_mode_metrics_one_mode():
    """A collapsed generator: one mode captured, every sample high quality."""
    centres, stds = RING
    samples = centres[3] + 0.05 * np.random.default_rng(1).standard_normal((2500, 2))
    m = metrics.mode_metrics(samples, centres, stds)
    assert m == {"modes_captured": 1, "modes_total": 8, "high_quality": 1.0}


def test_mode_metrics_scattered_noise():
    """Uniform noise over the square: most samples are low quality; a far-away sample counts for nothing."""
    centres, stds = RING
    samples = np.random.default_rng(2).uniform(-3, 3, (2500, 2))
    m = metrics.mode_metrics(samples, centres, stds)
    expected = 8 * np.pi * 0.3**2 / 36  # the share of the square within 3σ of a centre
    assert m["high_quality"] == pytest.approx(expected, abs=0.015)
    far = metrics.mode_metrics(np.array([[50.0, 50.0], [np.nan, 0.0]]), centres, stds)
    assert far["modes_captured"] == 0 and far["high_quality"] == 0.0


def test_mode_metrics_use_each_modes_own_std():
    """A sample 0.5 from a mode with std 0.2 is high quality; 0.5 from a mode with std 0.1 is not."""
    centres, stds = np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([0.2, 0.1])
    m = metrics.mode_metrics(np.array([[0.5, 0.0], [10.5, 0.0]]), centres, stds)
    assert m["modes_captured"] == 1 and m["high_quality"] == 0.5


def test_sliced_wasserstein_is_a_distance():
    """Zero for identical samples; a shift by d along x gives the mean |d cos θ| = 2d/π over directions."""
    a = np.random.default_rng(0).normal(size=(2000, 2))
    assert metrics.sliced_wasserstein(a, a) == 0.0
    shifted = metrics.sliced_wasserstein(a, a + [1.0, 0.0], projections=4000)
    assert shifted == pytest.approx(2 / np.pi, rel=0.03)


def test_kde_2d_and_histogram_2d_are_densities():
    """Both estimates integrate to ≈1 over a grid that holds the samples, and peak at the samples."""
    samples = np.random.default_rng(0).normal([1.0, -1.0], 0.3, (3000, 2))
    xs = ys = np.linspace(-3, 3, 100)
    cell = (xs[1] - xs[0]) ** 2
    for estimate in (metrics.kde_2d, metrics.histogram_2d):
        density = estimate(samples, xs, ys)
        assert density.shape == (100, 100)
        assert density.sum() * cell == pytest.approx(1.0, abs=0.02)
        row, col = np.unravel_index(density.argmax(), density.shape)
        assert abs(xs[col] - 1.0) < 0.3 and abs(ys[row] + 1.0) < 0.3
