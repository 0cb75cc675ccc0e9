"""Sample quality of generated MNIST digits, judged by a small shipped CNN classifier.

The classifier (:class:`DigitClassifier`) is trained by ``scripts/train_mnist_classifier.py`` on
4,000 digits of the bundled 5,000-digit subset; the other 1,000 (100 per class, chosen by
:func:`split_indices`) are held out. Its weights ship at :data:`WEIGHTS_PATH` (float32, < 1 MB) and
are loaded with ``torch.load(..., weights_only=True)``.

From its outputs on a few hundred generated digits, :class:`QualityScorer` reports

* ``classifier_is`` — an Inception Score with the digit classifier in place of Inception
  (1 … 10; balanced, confidently classified real digits score just under 10);
* ``classifier_fid`` — the Fréchet distance between Gaussians fitted to the classifier's
  64-d penultimate features of the generated digits and of 1,000 real held-out digits;
* ``label_kl`` — KL(predicted-label histogram ‖ uniform) in nats (0 … log 10): mode coverage.

The metric functions are plain functions on arrays and never mutate their inputs. Inputs to the
network are float images (B, 1, 28, 28) in [-1, 1], the generator's tanh range: pixels / 127.5 − 1.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy import special
from torch import nn

from .data import bundled_subset

NUM_CLASSES = 10
HELD_OUT = 1000  # digits held out of classifier training (100 per class)
FEATURE_DIM = 64
REFERENCE_SIZE = 1000  # real digits behind the scorer's reference feature statistics
WEIGHTS_PATH = Path(__file__).parents[1] / "data" / "mnist_classifier.pt"
LOG_CLASSES = math.log(NUM_CLASSES)  # the largest label_kl: every sample in one class
LABEL_KL_EPS = 1e-6  # added to each class's share of the argmax histogram before the KL


def split_indices(labels: np.ndarray, held_out: int = HELD_OUT, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A deterministic stratified split: ``held_out // 10`` test indices per class, the rest train.

    Returns sorted (train_idx, test_idx) int64 arrays.
    """
    labels = np.asarray(labels)
    if held_out % NUM_CLASSES:
        raise ValueError(f"held_out must be a multiple of {NUM_CLASSES}")
    per_class = held_out // NUM_CLASSES
    rng = np.random.default_rng(seed)
    test = []
    for c in range(NUM_CLASSES):
        idx = np.flatnonzero(labels == c)
        if len(idx) <= per_class:
            raise ValueError(f"class {c} has {len(idx)} digits, too few to hold out {per_class}")
        test.append(rng.permutation(idx)[:per_class])
    test_idx = np.sort(np.concatenate(test)).astype(np.int64)
    train_idx = np.setdiff1d(np.arange(len(labels)), test_idx).astype(np.int64)
    return train_idx, test_idx


def to_input(images: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) in 0…255 -> float32 tensor (N, 1, 28, 28) in [-1, 1] (pixels / 127.5 − 1)."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32)
    return (x / 127.5 - 1.0).reshape(-1, 1, 28, 28)


class DigitClassifier(nn.Module):
    """A small CNN (~106k parameters) for digits (B, 1, 28, 28) in [-1, 1] -> 10 logits.

    ``features`` is the 64-d ReLU layer before the last linear layer (used for the Fréchet distance).
    """

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, FEATURE_DIM)
        self.head = nn.Linear(FEATURE_DIM, NUM_CLASSES)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # (B, 1, 28, 28) -> (B, 16, 14, 14)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # -> (B, 32, 7, 7)
        return F.relu(self.fc(x.flatten(1)))  # (B, 1568) -> (B, 64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, 64) -> (B, 10) logits

    def forward_with_features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits (B, 10), features (B, 64)) in one pass."""
        h = self.features(x)
        return self.head(h), h


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, device: str) -> DigitClassifier:
    model = DigitClassifier()
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict({k: v.float() for k, v in state.items()})
    model.requires_grad_(False)
    return model.to(device).eval()


def load_classifier(path: Path | str = WEIGHTS_PATH, device: torch.device | str = "cpu") -> DigitClassifier:
    """The shipped classifier in eval mode with frozen parameters, cached per (path, device); don't train it."""
    return _load_cached(str(path), str(torch.device(device)))


@torch.no_grad()
def classifier_outputs(model: DigitClassifier, x: torch.Tensor, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities (N, 10) and features (N, 64), as float64 arrays, for inputs (N, 1, 28, 28) in [-1, 1]."""
    device = next(model.parameters()).device
    x = x.detach().reshape(-1, 1, 28, 28)
    probs, feats = [], []
    for start in range(0, len(x), batch_size):
        logits, h = model.forward_with_features(x[start:start + batch_size].to(device, torch.float32))
        probs.append(torch.softmax(logits.double(), dim=1).cpu())
        feats.append(h.double().cpu())
    if not probs:
        return np.zeros((0, NUM_CLASSES)), np.zeros((0, FEATURE_DIM))
    return torch.cat(probs).numpy(), torch.cat(feats).numpy()


def accuracy(model: DigitClassifier, images: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of uint8 images (N, 28, 28) whose argmax prediction equals the label."""
    probs, _ = classifier_outputs(model, to_input(images))
    return float(np.mean(probs.argmax(axis=1) == np.asarray(labels)))


def inception_score(probs: np.ndarray) -> float:
    """exp(mean_x KL(p(y|x) ‖ p(y))), p(y) the mean of the rows; one split (no averaging over splits).

    1 when every row is the same; NUM_CLASSES when rows are confident and spread evenly over classes.
    """
    p = np.asarray(probs, dtype=float)
    p_y = p.mean(axis=0, keepdims=True)
    kl = special.rel_entr(p, p_y).sum(axis=1)  # 0·log 0 counts as 0
    return float(np.exp(kl.mean()))


def label_kl(probs: np.ndarray) -> float:
    """KL(histogram of argmax labels ‖ uniform) in nats: 0 for balanced labels, ≈ log 10 for one class.

    Each class's share gets LABEL_KL_EPS before renormalising, so the KL is finite and a single
    class scores just under log 10.
    """
    p = np.asarray(probs, dtype=float)
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1]).astype(float)
    hist = counts / max(counts.sum(), 1.0) + LABEL_KL_EPS
    hist /= hist.sum()
    return float(max(0.0, np.sum(hist * np.log(hist * len(hist)))))


def feature_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and covariance (D, D) of features (N, D), as float64."""
    f = np.asarray(features, dtype=np.float64)
    return f.mean(axis=0), np.cov(f, rowvar=False)


def frechet_distance(mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray) -> float:
    """‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½), the Fréchet distance between two Gaussians.

    tr((Σ1 Σ2)^½) is the sum of the square roots of the eigenvalues of Σ1^½ Σ2 Σ1^½, which is
    symmetric and positive semi-definite: accurate for singular covariances too (dead ReLU features
    give those), where scipy's general ``sqrtm`` of Σ1 Σ2 differs between versions (one was off by
    4e-4 relative on a 6-dimensional example).
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, dtype=float)), np.atleast_1d(np.asarray(mu2, dtype=float))
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, dtype=float)), np.atleast_2d(np.asarray(cov2, dtype=float))
    diff = mu1 - mu2
    root1 = _psd_sqrt(cov1)
    middle = root1 @ cov2 @ root1
    trace_covmean = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0.0, None)).sum()
    value = diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * trace_covmean
    return float(max(0.0, value))


def _psd_sqrt(cov: np.ndarray) -> np.ndarray:
    """The symmetric square root of a covariance (negative rounding-error eigenvalues read as 0)."""
    eigenvalues, vectors = np.linalg.eigh((cov + cov.T) / 2)
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T


class QualityScorer:
    """Scores a batch of generated digits against real reference statistics computed once.

    Use :func:`get_scorer` for the cached per-device instance built from the shipped weights and
    the 1,000 held-out real digits (which the classifier never trained on).
    """

    def __init__(self, model: DigitClassifier, reference: torch.Tensor):
        """``reference``: real digits (N, 1, 28, 28) in [-1, 1]."""
        self.model = model
        probs, feats = classifier_outputs(model, reference)
        self.mu, self.cov = feature_stats(feats)
        self.real_is = inception_score(probs)  # what the real reference digits score, for comparison

    def score(self, fake: torch.Tensor) -> dict[str, float]:
        """classifier_is, classifier_fid and label_kl for ``fake`` (N, 1, 28, 28) in [-1, 1]; N ≥ 2."""
        probs, feats = classifier_outputs(self.model, fake)
        mu, cov = feature_stats(feats)
        return {
            "classifier_is": inception_score(probs),
            "classifier_fid": frechet_distance(mu, cov, self.mu, self.cov),
            "label_kl": label_kl(probs),
        }


def held_out_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 held-out real digits (uint8 (N, 28, 28)) and labels of the bundled subset."""
    images, labels = bundled_subset()
    _, test_idx = split_indices(labels)
    return images[test_idx], labels[test_idx]


@functools.lru_cache(maxsize=4)
def _scorer_cached(device: str) -> QualityScorer:
    images, _ = held_out_digits()
    return QualityScorer(load_classifier(device=device), to_input(images[:REFERENCE_SIZE]))


def get_scorer(device: torch.device | str = "cpu") -> QualityScorer:
    """The shared scorer for ``device``, built on first use (loads the data and the weights)."""
    return _scorer_cached(str(torch.device(device)))
