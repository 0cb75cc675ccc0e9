"""1-D target distributions p_data: an exact pdf, a sampler and a plotting range for each.

Samplers accept either a ``torch.Generator`` (returning a float32 tensor of shape (n, 1) on the
generator's device, for training) or a ``numpy.random.Generator`` (returning a float64 array of
shape (n,), for metrics and tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from scipy import special, stats

Rng = torch.Generator | np.random.Generator

TARGET_NAMES_1D = ("gaussian", "bimodal", "trimodal", "uniform", "laplace", "lognormal", "custom")
DEFAULT_CUSTOM_1D = ((0.3, -1.0, 0.4), (0.7, 3.0, 0.8))  # rows of (weight, mean, std)


def is_torch(rng: Rng) -> bool:
    """Whether a sampler was given a torch Generator (training) rather than a NumPy one."""
    return isinstance(rng, torch.Generator)


@dataclass(frozen=True)
class Target1D:
    """Base: subclasses give pdf, cdf, mean, std and the two samplers."""

    name: str
    x_range: tuple[float, float]

    def sample(self, n: int, rng: Rng):
        if is_torch(rng):
            return self._sample_torch(n, rng).reshape(n, 1)
        return self._sample_numpy(n, rng)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def cdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def ppf(self, q: np.ndarray) -> np.ndarray:
        """The inverse CDF F⁻¹(q) for q in (0, 1) (the quantile function)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Mixture1D(Target1D):
    """A Gaussian mixture: gaussian, bimodal, trimodal and custom are all this."""

    weights: tuple[float, ...] = (1.0,)
    means: tuple[float, ...] = (0.0,)
    stds: tuple[float, ...] = (1.0,)
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def w(self) -> np.ndarray:
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    def pdf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return (self.w * stats.norm.pdf(x, np.asarray(self.means), np.asarray(self.stds))).sum(-1)

    def cdf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return (self.w * stats.norm.cdf(x, np.asarray(self.means), np.asarray(self.stds))).sum(-1)

    def ppf(self, q):
        """By bisection on the CDF (a mixture's has no closed-form inverse): 100 halvings of a bracket
        that holds every quantile down to 1e-300 leave it far below float precision."""
        q = np.asarray(q, dtype=float)
        means, stds = np.asarray(self.means), np.asarray(self.stds)
        lo = np.full(q.shape, float(np.min(means - 40 * stds)))
        hi = np.full(q.shape, float(np.max(means + 40 * stds)))
        for _ in range(100):
            mid = (lo + hi) / 2
            below = self.cdf(mid) < q
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return (lo + hi) / 2

    @property
    def mean(self) -> float:
        return float(self.w @ np.asarray(self.means))

    @property
    def std(self) -> float:
        m, s = np.asarray(self.means), np.asarray(self.stds)
        return float(math.sqrt(self.w @ (s**2 + m**2) - self.mean**2))

    def _tensors(self, device: torch.device):
        """Cumulative weights, means and stds as tensors on ``device`` (made once per device)."""
        if device not in self._cache:
            as_t = lambda v: torch.tensor(v, dtype=torch.float32, device=device)  # noqa: E731
            self._cache[device] = (as_t(np.cumsum(self.w)[:-1]), as_t(self.means), as_t(self.stds))
        return self._cache[device]

    def _sample_torch(self, n, g):
        if len(self.means) == 1:
            return torch.empty(n, device=g.device).normal_(self.means[0], self.stds[0], generator=g)
        eps = torch.randn(n, generator=g, device=g.device)
        cum, means, stds = self._tensors(g.device)
        idx = torch.searchsorted(cum, torch.rand(n, generator=g, device=g.device), right=True)
        return means[idx] + stds[idx] * eps

    def _sample_numpy(self, n, rng):
        idx = rng.choice(len(self.means), size=n, p=self.w)
        return np.asarray(self.means)[idx] + np.asarray(self.stds)[idx] * rng.standard_normal(n)


@dataclass(frozen=True)
class Uniform1D(Target1D):
    low: float = 0.0
    high: float = 1.0

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        return np.where((x >= self.low) & (x <= self.high), 1.0 / (self.high - self.low), 0.0)

    def cdf(self, x):
        return np.clip((np.asarray(x, dtype=float) - self.low) / (self.high - self.low), 0.0, 1.0)

    def ppf(self, q):
        return self.low + np.asarray(q, dtype=float) * (self.high - self.low)

    mean = property(lambda self: (self.low + self.high) / 2)
    std = property(lambda self: (self.high - self.low) / math.sqrt(12))

    def _sample_torch(self, n, g):
        return torch.rand(n, generator=g, device=g.device).mul_(self.high - self.low).add_(self.low)

    def _sample_numpy(self, n, rng):
        return rng.uniform(self.low, self.high, n)


@dataclass(frozen=True)
class Laplace1D(Target1D):
    loc: float = 0.0
    scale: float = 1.0

    def pdf(self, x):
        return np.exp(-np.abs(np.asarray(x, dtype=float) - self.loc) / self.scale) / (2 * self.scale)

    def cdf(self, x):
        return stats.laplace.cdf(x, self.loc, self.scale)

    def ppf(self, q):
        return stats.laplace.ppf(q, self.loc, self.scale)

    mean = property(lambda self: self.loc)
    std = property(lambda self: math.sqrt(2) * self.scale)

    def _sample_torch(self, n, g):
        # Inverse CDF: u in (-1/2, 1/2) -> loc - b·sign(u)·log(1 − 2|u|).
        u = torch.rand(n, generator=g, device=g.device).sub_(0.5)
        return self.loc - self.scale * torch.sign(u) * torch.log1p(-2 * u.abs()).clamp_min(-50.0)

    def _sample_numpy(self, n, rng):
        return rng.laplace(self.loc, self.scale, n)


@dataclass(frozen=True)
class LogNormal1D(Target1D):
    mu: float = 0.0
    sigma: float = 1.0

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        safe = np.where(x > 0, x, 1.0)
        dens = np.exp(-((np.log(safe) - self.mu) ** 2) / (2 * self.sigma**2)) / (safe * self.sigma * math.sqrt(2 * math.pi))
        return np.where(x > 0, dens, 0.0)

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        safe = np.where(x > 0, x, 1.0)
        return np.where(x > 0, 0.5 * (1 + special.erf((np.log(safe) - self.mu) / (self.sigma * math.sqrt(2)))), 0.0)

    def ppf(self, q):
        return np.exp(self.mu + self.sigma * special.ndtri(np.asarray(q, dtype=float)))

    mean = property(lambda self: math.exp(self.mu + self.sigma**2 / 2))
    std = property(lambda self: math.sqrt((math.exp(self.sigma**2) - 1) * math.exp(2 * self.mu + self.sigma**2)))

    def _sample_torch(self, n, g):
        return torch.randn(n, generator=g, device=g.device).mul_(self.sigma).add_(self.mu).exp_()

    def _sample_numpy(self, n, rng):
        return rng.lognormal(self.mu, self.sigma, n)


def _mixture_range(means, stds) -> tuple[float, float]:
    lo = min(m - 4 * s for m, s in zip(means, stds))
    hi = max(m + 4 * s for m, s in zip(means, stds))
    pad = 0.1 * (hi - lo)
    return (lo - pad, hi + pad)


def make_target_1d(name: str, custom: tuple[tuple[float, ...], ...] = DEFAULT_CUSTOM_1D) -> Target1D:
    """The named target; ``custom`` holds (weight, mean, std) rows, already validated."""
    if name == "gaussian":
        return Mixture1D("gaussian", (-1.0, 7.0), (1.0,), (4.0,), (0.5,))
    if name == "bimodal":
        return Mixture1D("bimodal", (-1.0, 7.0), (0.5, 0.5), (1.0, 5.0), (0.4, 0.4))
    if name == "trimodal":
        return Mixture1D("trimodal", (-2.0, 8.0), (1.0, 1.0, 1.0), (0.0, 3.0, 6.0), (0.35, 0.35, 0.35))
    if name == "uniform":
        return Uniform1D("uniform", (-1.0, 7.0), 2.0, 6.0)
    if name == "laplace":
        return Laplace1D("laplace", (-1.0, 8.0), 4.0, 0.5)
    if name == "lognormal":
        return LogNormal1D("lognormal", (-1.0, 9.0), 1.0, 0.4)
    if name == "custom":
        weights, means, stds = (tuple(col) for col in zip(*custom))
        return Mixture1D("custom", _mixture_range(means, stds), weights, means, stds)
    raise ValueError(f"unknown 1-D target {name!r}; choose from {', '.join(TARGET_NAMES_1D)}")
