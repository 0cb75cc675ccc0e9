"""1-D targets: exact pdfs that integrate to 1, and samplers that match them."""

import numpy as np
import pytest
import torch

from playground.targets.one_d import TARGET_NAMES_1D, make_target_1d


@pytest.mark.parametrize("name", TARGET_NAMES_1D)
def test_pdf_integrates_to_one(name):
    target = make_target_1d(name)
    x = np.linspace(-60, 60, 600_001)
    assert np.trapezoid(target.pdf(x), x) == pytest.approx(1.0, abs=2e-3)


@pytest.mark.parametrize("name", TARGET_NAMES_1D)
def test_cdf_is_the_integral_of_the_pdf(name):
    target = make_target_1d(name)
    x = np.linspace(*target.x_range, 20_001)
    cdf = target.cdf(x[0]) + np.concatenate([[0], np.cumsum((target.pdf(x[1:]) + target.pdf(x[:-1])) / 2 * np.diff(x))])
    assert np.max(np.abs(cdf - target.cdf(x))) < 2e-3


@pytest.mark.parametrize("name", TARGET_NAMES_1D)
def test_numpy_samples_match_mean_and_std(name):
    target = make_target_1d(name)
    samples = target.sample(200_000, np.random.default_rng(0))
    assert samples.shape == (200_000,)
    assert samples.mean() == pytest.approx(target.mean, abs=0.02 * target.std + 1e-3)
    assert samples.std() == pytest.approx(target.std, rel=0.02)


@pytest.mark.parametrize("name", TARGET_NAMES_1D)
def test_torch_samples_match_mean_std_and_fall_where_pdf_is_high(name):
    target = make_target_1d(name)
    samples = target.sample(200_000, torch.Generator().manual_seed(0))
    assert samples.shape == (200_000, 1) and samples.dtype == torch.float32
    values = samples.double().numpy().ravel()
    assert values.mean() == pytest.approx(target.mean, abs=0.02 * target.std + 1e-3)
    assert values.std() == pytest.approx(target.std, rel=0.02)
    # a histogram of the samples follows the pdf
    counts, edges = np.histogram(values, bins=50, range=target.x_range)
    expected = (target.cdf(edges[1:]) - target.cdf(edges[:-1])) * len(values)
    assert np.abs(counts - expected).max() < 0.05 * expected.max() + 50


def test_custom_mixture_uses_the_rows():
    target = make_target_1d("custom", ((1.0, -3.0, 0.5), (3.0, 5.0, 1.0)))
    assert target.mean == pytest.approx(0.25 * -3 + 0.75 * 5)
    lo, hi = target.x_range
    assert lo < -3 - 4 * 0.5 and hi > 5 + 4 * 1.0


def test_unknown_target_is_an_error():
    with pytest.raises(ValueError, match="unknown 1-D target"):
        make_target_1d("spiral")


@pytest.mark.parametrize("name", TARGET_NAMES_1D)
def test_ppf_inverts_the_cdf(name):
    """F(F⁻¹(q)) = q down to the tails; F⁻¹ increases."""
    target = make_target_1d(name)
    q = np.array([1e-6, 0.001, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 1e-6])
    x = target.ppf(q)
    assert np.all(np.diff(x) > 0)
    assert np.abs(target.cdf(x) - q).max() < 1e-9


def test_ppf_against_closed_forms():
    """The Gaussian's numeric inverse agrees with SciPy's Φ⁻¹; the lognormal's with SciPy's."""
    from scipy import stats

    q = np.linspace(0.01, 0.99, 9)
    assert make_target_1d("gaussian").ppf(q) == pytest.approx(stats.norm.ppf(q, 4.0, 0.5), abs=1e-9)
    assert make_target_1d("lognormal").ppf(q) == pytest.approx(stats.lognorm.ppf(q, 0.4, scale=np.e), rel=1e-9)
    assert make_target_1d("uniform").ppf(q) == pytest.approx(2 + 4 * q)
