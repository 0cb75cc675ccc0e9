"""2-D targets: pdfs that integrate to 1, samplers that match them, custom tables and points."""

import numpy as np
import pytest
import torch

from playground.targets.two_d import TARGET_NAMES_2D, make_target_2d


def grid_around(target, pad: float, n: int):
    (x_lo, x_hi), (y_lo, y_hi) = target.limits
    xs, ys = np.linspace(x_lo - pad, x_hi + pad, n), np.linspace(y_lo - pad, y_hi + pad, n)
    return xs, ys, np.stack(np.meshgrid(xs, ys), axis=-1)


@pytest.mark.parametrize("name", TARGET_NAMES_2D)
def test_pdf_integrates_to_one(name):
    """The pdf integrates to ≈1 over a fine grid around the plotting square."""
    target = make_target_2d(name)
    xs, ys, points = grid_around(target, 1.0, 301)
    integral = np.trapezoid(np.trapezoid(target.pdf(points), xs, axis=1), ys)
    assert integral == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("name", TARGET_NAMES_2D)
@pytest.mark.parametrize("rng", [np.random.default_rng(0), torch.Generator().manual_seed(0)], ids=["numpy", "torch"])
def test_samples_fall_where_the_pdf_is_high(name, rng):
    """Samples land inside the square and at high density: their mean pdf is far above the square's
    average density, and the pdf's quartiles over samples match those of the numpy sampler's."""
    target = make_target_2d(name)
    samples = target.sample(4000, rng)
    if isinstance(rng, torch.Generator):
        assert samples.shape == (4000, 2) and samples.dtype == torch.float32
        samples = samples.double().numpy()
    else:
        assert samples.shape == (4000, 2) and samples.dtype == np.float64
    (x_lo, x_hi), (y_lo, y_hi) = target.limits
    inside = (samples[:, 0] > x_lo) & (samples[:, 0] < x_hi) & (samples[:, 1] > y_lo) & (samples[:, 1] < y_hi)
    assert inside.mean() > 0.99
    square_mean = 1.0 / ((x_hi - x_lo) * (y_hi - y_lo))
    assert target.pdf(samples).mean() > 2 * square_mean
    assert (target.pdf(samples) > 0).mean() > 0.999


@pytest.mark.parametrize("name", TARGET_NAMES_2D)
def test_histogram_of_samples_matches_the_pdf(name):
    """A 20 × 20 histogram of 100,000 samples matches the pdf's cell masses (total variation < 0.05)."""
    target = make_target_2d(name)
    (x_lo, x_hi), (y_lo, y_hi) = target.limits
    samples = target.sample(100_000, np.random.default_rng(1))
    counts, x_edges, y_edges = np.histogram2d(samples[:, 0], samples[:, 1], bins=20, range=[[x_lo, x_hi], [y_lo, y_hi]])
    fine = 8  # pdf averaged over 8 × 8 points per cell
    xs = x_lo + (x_hi - x_lo) / (20 * fine) * (np.arange(20 * fine) + 0.5)
    ys = y_lo + (y_hi - y_lo) / (20 * fine) * (np.arange(20 * fine) + 0.5)
    pdf = target.pdf(np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1))
    masses = pdf.reshape(20, fine, 20, fine).mean(axis=(1, 3)) * (x_edges[1] - x_edges[0]) * (y_edges[1] - y_edges[0])
    assert 0.5 * np.abs(counts / len(samples) - masses).sum() < 0.05


def test_ring_has_eight_distinct_modes():
    """Eight centres on the circle (not linspace's seven plus a duplicate), with their std."""
    centres, stds = make_target_2d("ring8").modes
    assert centres.shape == (8, 2) and len(np.unique(np.round(centres, 6), axis=0)) == 8
    assert np.allclose(np.linalg.norm(centres, axis=1), 2.0) and np.all(stds > 0)
    assert make_target_2d("grid25").modes[0].shape == (25, 2)
    assert make_target_2d("spiral").modes is None


def test_custom_table_and_points():
    """The table gives its rows as modes; points give a KDE target whose square holds them."""
    target = make_target_2d("custom", ((1.0, 5.0, 5.0, 0.2), (3.0, -5.0, 5.0, 0.5)))
    centres, stds = target.modes
    assert centres.tolist() == [[5.0, 5.0], [-5.0, 5.0]] and stds.tolist() == [0.2, 0.5]
    assert target.sample(10_000, np.random.default_rng(0))[:, 0].mean() == pytest.approx(-2.5, abs=0.2)
    points = np.random.default_rng(0).normal([10, -3], [1, 0.5], (500, 2))
    kde_target = make_target_2d("custom", points=points)
    (x_lo, x_hi), (y_lo, y_hi) = kde_target.limits
    assert x_lo < 8 < 12 < x_hi and y_lo < -4 < -2 < y_hi
    assert kde_target.modes is None
