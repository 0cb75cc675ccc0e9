"""The shipped digit classifier and the sample-quality metrics built on it."""

import math

import numpy as np
import pytest
import torch

from playground.mnist import quality as mq


@pytest.fixture(scope="module")
def held_out():
    return mq.held_out_digits()


@pytest.fixture(scope="module")
def scorer():
    return mq.get_scorer("cpu")


def test_weights_ship_under_1mb_and_load_with_weights_only():
    """The shipped state_dict is under 1 MB, loads with weights_only=True and fits DigitClassifier."""
    assert mq.WEIGHTS_PATH.is_file()
    assert mq.WEIGHTS_PATH.stat().st_size < 1_000_000
    state = torch.load(mq.WEIGHTS_PATH, map_location="cpu", weights_only=True)
    assert set(state) == set(mq.DigitClassifier().state_dict())
    model = mq.load_classifier()
    assert not model.training
    assert all(not p.requires_grad for p in model.parameters())
    assert mq.load_classifier() is model  # cached


def test_split_is_stratified_disjoint_and_deterministic():
    """split_indices holds out 100 digits per class, disjoint from training, the same on every call."""
    _, labels = mq.bundled_subset()
    train, test = mq.split_indices(labels)
    assert len(test) == mq.HELD_OUT
    assert np.bincount(labels[test], minlength=10).tolist() == [100] * 10
    assert not np.intersect1d(train, test).size
    assert len(train) + len(test) == len(labels)
    again_train, again_test = mq.split_indices(labels)
    assert np.array_equal(train, again_train) and np.array_equal(test, again_test)
    assert not np.array_equal(mq.split_indices(labels, seed=1)[1], test)


def test_to_input_maps_pixels_to_tanh_range():
    """to_input maps uint8 0 and 255 to -1 and 1 with shape (N, 1, 28, 28)."""
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[1] = 255
    x = mq.to_input(images)
    assert x.shape == (2, 1, 28, 28) and x.dtype == torch.float32
    assert x[0].max().item() == -1.0 and x[1].min().item() == 1.0
    assert images[1].max() == 255  # input untouched


def test_held_out_accuracy_is_at_least_95_percent(held_out):
    """The classifier gets at least 95% of the 1,000 held-out digits right."""
    images, labels = held_out
    assert mq.accuracy(mq.load_classifier(), images, labels) >= 0.95


def test_real_held_out_digits_score_above_9(held_out, scorer):
    """The classifier Inception Score of the balanced real held-out digits exceeds 9."""
    images, _ = held_out
    probs, _ = mq.classifier_outputs(scorer.model, mq.to_input(images))
    assert 9.0 < mq.inception_score(probs) <= 10.0
    assert scorer.real_is > 9.0


def test_frechet_distance_real_vs_real_is_near_zero_and_noise_is_far(held_out, scorer):
    """Real vs real (same set, disjoint halves) is tiny next to real vs uniform-noise images."""
    images, _ = held_out
    _, feats = mq.classifier_outputs(scorer.model, mq.to_input(images))
    same = mq.frechet_distance(*mq.feature_stats(feats), scorer.mu, scorer.cov)
    halves = mq.frechet_distance(*mq.feature_stats(feats[0::2]), *mq.feature_stats(feats[1::2]))
    noise = torch.rand(500, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    to_noise = scorer.score(noise)["classifier_fid"]
    assert to_noise > 100.0
    assert same < 1e-6 * to_noise
    assert halves < 0.01 * to_noise


def test_label_kl_is_zero_for_balanced_labels_and_log10_for_one_class(held_out, scorer):
    """label_kl is ≈ 0 for the balanced real set and ≈ log 10 when every sample is one class."""
    images, labels = held_out
    probs, _ = mq.classifier_outputs(scorer.model, mq.to_input(images))
    assert mq.label_kl(probs) < 0.01
    one_class, _ = mq.classifier_outputs(scorer.model, mq.to_input(images[labels == 7]))
    assert mq.label_kl(one_class) > 0.9 * math.log(10)
    constant = np.tile(np.eye(10)[3], (200, 1))
    assert mq.label_kl(constant) == pytest.approx(math.log(10), abs=1e-3)
    assert mq.label_kl(np.tile(np.eye(10), (20, 1))) == pytest.approx(0.0, abs=1e-9)


def test_inception_score_on_constructed_probabilities():
    """One-hot rows spread evenly over 10 classes score 10; identical rows score 1; inputs are not mutated."""
    spread = np.tile(np.eye(10), (30, 1))
    before = spread.copy()
    assert mq.inception_score(spread) == pytest.approx(10.0)
    assert np.array_equal(spread, before)
    identical = np.tile(np.array([0.5, 0.3, 0.2] + [0.0] * 7), (50, 1))
    assert mq.inception_score(identical) == pytest.approx(1.0)
    two_classes = np.tile(np.eye(10)[:2], (25, 1))
    assert mq.inception_score(two_classes) == pytest.approx(2.0)


def test_frechet_distance_matches_closed_form_for_diagonal_gaussians():
    """For diagonal covariances it equals ‖μ1−μ2‖² + Σ(σ1−σ2)², including singular (zero-variance) ones."""
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    var1, var2 = rng.uniform(0.1, 3.0, size=6), rng.uniform(0.1, 3.0, size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    got = mq.frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2))
    assert got == pytest.approx(expected, rel=1e-9)
    var1[:2] = 0.0
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    assert mq.frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2)) == pytest.approx(expected, rel=1e-5)
    assert mq.frechet_distance(mu1, np.diag(var2), mu1, np.diag(var2)) == pytest.approx(0.0, abs=1e-9)


def test_scorer_ranks_noise_below_real(held_out, scorer):
    """score() on 256 generator-style tensors gives all three metrics, and noise scores worse.
    (Its time is part of the MNIST frame's metrics section in `python -m playground bench --lab mnist`.)"""
    images, _ = held_out
    rng = np.random.default_rng(0)
    real = mq.to_input(images[rng.choice(len(images), 256, replace=False)]).requires_grad_(True)
    before = real.detach().clone()
    noise = torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    good, bad = scorer.score(real), scorer.score(noise)
    assert set(good) == {"classifier_is", "classifier_fid", "label_kl"}
    assert torch.equal(real.detach(), before)
    assert good["classifier_is"] > 8.0 > bad["classifier_is"]
    assert good["classifier_fid"] < 0.05 * bad["classifier_fid"]
    assert good["label_kl"] < 0.05 < bad["label_kl"]
