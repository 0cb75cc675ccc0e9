"""2-D target distributions p_data: a pdf, a sampler, a plotting square and (for mixtures) modes.

Samplers accept a ``torch.Generator`` (float32 tensor (n, 2) on its device, for training) or a
``numpy.random.Generator`` (float64 array (n, 2), for metrics and tests). ``pdf`` takes (..., 2)
points and returns (...) densities.

Three families cover every target:
- :class:`Mixture2D` — isotropic Gaussian mixtures (ring8, grid25, blobs3, gaussian, the custom
  table); their pdf is exact and their centres and stds define the mode metrics;
- :class:`CurveTarget` — a point on a curve c(t), t ~ U(0, 1), plus N(0, s²I) noise (spiral, moons,
  circles, line); its pdf is the integral over t, computed by the midpoint rule on many nodes;
- :class:`Checkerboard` (uniform on the dark squares, exact) and :class:`PointsTarget` (uploaded
  points; the pdf is their Gaussian KDE and sampling draws from that KDE, so both agree).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from scipy import stats

from .one_d import Rng, is_torch  # the same two kinds of random generator
from .points import MIN_POINTS


TARGET_NAMES_2D = ("ring8", "grid25", "spiral", "moons", "circles", "checkerboard", "line", "blobs3",
                   "gaussian", "custom")
DEFAULT_CUSTOM_2D = ((1.0, -1.0, -1.0, 0.3), (1.0, 1.0, 1.0, 0.3), (1.0, 1.0, -1.0, 0.3))  # weight, x, y, std
RING_RADIUS, RING_STD = 2.0, 0.1
GRID_SPACING, GRID_STD = 2.0, 0.1


@dataclass(frozen=True)
class Target2D:
    """Base: a name, the plotting square (centre ± half_width on both axes) and a sampler."""

    name: str
    centre: tuple[float, float]
    half_width: float

    @property
    def limits(self) -> tuple[tuple[float, float], tuple[float, float]]:
        (cx, cy), h = self.centre, self.half_width
        return (cx - h, cx + h), (cy - h, cy + h)

    @property
    def modes(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(centres (K, 2), stds (K,)) for the mode metrics, or None when the target has no modes."""
        return None

    def sample(self, n: int, rng: Rng):
        if is_torch(rng):
            return self._sample_torch(n, rng)
        return self._sample_numpy(n, rng)

    def pdf(self, xy: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _sample_numpy(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _sample_torch(self, n: int, g: torch.Generator) -> torch.Tensor:
        """Default: draw from the numpy sampler seeded by the torch stream (reproducible)."""
        seed = int(torch.randint(0, 2**62, (1,), generator=g, device=g.device))
        return torch.as_tensor(self._sample_numpy(n, np.random.default_rng(seed)), dtype=torch.float32,
                               device=g.device)


def _gaussian_pdf(xy: np.ndarray, centres: np.ndarray, stds: np.ndarray) -> np.ndarray:
    """(..., K) isotropic normal densities of points (..., 2) for K components."""
    d2 = ((np.asarray(xy, dtype=float)[..., None, :] - centres) ** 2).sum(-1)
    return np.exp(-0.5 * d2 / stds**2) / (2 * math.pi * stds**2)


@dataclass(frozen=True)
class Mixture2D(Target2D):
    weights: tuple[float, ...] = (1.0,)
    centres_xy: tuple[tuple[float, float], ...] = ((0.0, 0.0),)
    stds: tuple[float, ...] = (1.0,)
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def w(self) -> np.ndarray:
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    @property
    def modes(self):
        return np.asarray(self.centres_xy, dtype=float), np.asarray(self.stds, dtype=float)

    def pdf(self, xy):
        centres, stds = self.modes
        return _gaussian_pdf(xy, centres, stds) @ self.w

    def _sample_numpy(self, n, rng):
        centres, stds = self.modes
        idx = rng.choice(len(stds), size=n, p=self.w)
        return centres[idx] + stds[idx, None] * rng.standard_normal((n, 2))

    def _sample_torch(self, n, g):
        if g.device not in self._cache:
            as_t = lambda v: torch.tensor(np.asarray(v), dtype=torch.float32, device=g.device)  # noqa: E731
            self._cache[g.device] = (as_t(np.cumsum(self.w)[:-1]), as_t(self.centres_xy), as_t(self.stds))
        cum, centres, stds = self._cache[g.device]
        idx = torch.searchsorted(cum, torch.rand(n, generator=g, device=g.device), right=True)
        return centres[idx] + stds[idx, None] * torch.randn(n, 2, generator=g, device=g.device)


@dataclass(frozen=True)
class CurveTarget(Target2D):
    """x = c(t) + s·ε with t ~ U(0, 1) and ε ~ N(0, I): a noisy curve."""

    curve: Callable[[np.ndarray], np.ndarray] = field(default=lambda t: np.zeros((len(t), 2)), compare=False)
    noise: float = 0.05
    nodes: int = 720  # midpoint-rule nodes for the pdf's integral over t

    def pdf(self, xy):
        t = (np.arange(self.nodes) + 0.5) / self.nodes
        centres = self.curve(t)
        stds = np.full(self.nodes, self.noise)
        xy = np.asarray(xy, dtype=float)
        flat = xy.reshape(-1, 2)
        out = np.concatenate([_gaussian_pdf(chunk, centres, stds).mean(-1)
                              for chunk in np.array_split(flat, max(1, len(flat) // 2000))]) if len(flat) else np.empty(0)
        return out.reshape(xy.shape[:-1])

    def _sample_numpy(self, n, rng):
        return self.curve(rng.random(n)) + self.noise * rng.standard_normal((n, 2))


def _spiral(t):
    """Two turns of an Archimedean spiral, radius 0.3 → 2."""
    angle = 4 * math.pi * t
    radius = 0.3 + 1.7 * t
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _moons(t):
    """scikit-learn's two moons: the first half of t draws the upper moon, the second the lower."""
    upper = t < 0.5
    a = math.pi * np.where(upper, 2 * t, 2 * t - 1)
    x = np.where(upper, np.cos(a), 1 - np.cos(a))
    y = np.where(upper, np.sin(a), 0.5 - np.sin(a))
    return np.column_stack([x, y])


def _circles(t):
    """Two concentric circles, radii 2 and 1, with mass proportional to circumference."""
    outer = t < 2 / 3
    a = 2 * math.pi * np.where(outer, t * 1.5, (t - 2 / 3) * 3)
    r = np.where(outer, 2.0, 1.0)
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


def _line(t):
    """A straight segment from (−1.5, −1) to (1.5, 1), as in GAN Lab's line."""
    return np.column_stack([-1.5 + 3 * t, -1 + 2 * t])


@dataclass(frozen=True)
class Checkerboard(Target2D):
    """Uniform on the 8 dark squares of a 4 × 4 board of unit squares on [−2, 2]²."""

    def pdf(self, xy):
        xy = np.asarray(xy, dtype=float)
        inside = np.all(np.abs(xy) <= 2, axis=-1)
        cell = np.floor(xy + 2).astype(int)
        dark = (cell[..., 0] + cell[..., 1]) % 2 == 0
        return np.where(inside & dark, 1 / 8, 0.0)

    def _sample_numpy(self, n, rng):
        k = rng.integers(0, 8, n)
        row = k // 2
        col = 2 * (k % 2) + row % 2  # dark squares: (row + col) even
        return np.column_stack([col, row]) - 2 + rng.random((n, 2))


@dataclass(frozen=True)
class PointsTarget(Target2D):
    """Uploaded points, smoothed by a Gaussian KDE (Scott's rule): pdf and sampler agree."""

    points: np.ndarray = field(default_factory=lambda: np.zeros((MIN_POINTS, 2)), compare=False)
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def kde(self) -> stats.gaussian_kde:
        if "kde" not in self._cache:
            self._cache["kde"] = stats.gaussian_kde(self.points.T)
        return self._cache["kde"]

    def pdf(self, xy):
        xy = np.asarray(xy, dtype=float)
        flat = xy.reshape(-1, 2)
        kde = self.kde
        if len(self.points) > 4000:  # for display, a fixed subsample with the same bandwidth is plenty
            sub = self.points[np.random.default_rng(0).choice(len(self.points), 4000, replace=False)]
            kde = stats.gaussian_kde(sub.T, bw_method=self.kde.factor)
        return kde(flat.T).reshape(xy.shape[:-1])

    def _sample_numpy(self, n, rng):
        idx = rng.integers(0, len(self.points), n)
        chol = np.linalg.cholesky(self.kde.covariance)
        return self.points[idx] + rng.standard_normal((n, 2)) @ chol.T

    def _sample_torch(self, n, g):
        if g.device not in self._cache:
            self._cache[g.device] = (torch.tensor(self.points, dtype=torch.float32, device=g.device),
                                     torch.tensor(np.linalg.cholesky(self.kde.covariance).T, dtype=torch.float32,
                                                  device=g.device))
        points, chol_t = self._cache[g.device]
        idx = torch.randint(0, len(points), (n,), generator=g, device=g.device)
        return points[idx] + torch.randn(n, 2, generator=g, device=g.device) @ chol_t


def _square_around(points_lo: np.ndarray, points_hi: np.ndarray, pad: float = 0.15) -> tuple[tuple[float, float], float]:
    """The centre and half-width of a square holding the box [lo, hi] with some margin."""
    centre = (points_lo + points_hi) / 2
    half = float(np.max(points_hi - points_lo)) / 2 * (1 + pad)
    return (float(centre[0]), float(centre[1])), max(half, 1e-3)


def _mixture(name: str, rows) -> Mixture2D:
    weights, xs, ys, stds = (tuple(float(v) for v in col) for col in zip(*rows))
    centres = np.column_stack([xs, ys])
    s = np.asarray(stds)[:, None]
    centre, half = _square_around((centres - 4 * s).min(0), (centres + 4 * s).max(0), pad=0.1)
    return Mixture2D(name, centre, half, weights, tuple(map(tuple, centres.tolist())), stds)


def make_target_2d(name: str, custom=DEFAULT_CUSTOM_2D, points: np.ndarray | None = None) -> Target2D:
    """The named target. ``custom`` holds validated (weight, x, y, std) rows; ``points``, when given
    with name 'custom', replaces the table by uploaded points (validated by points.parse_points_csv)."""
    if name == "ring8":
        angles = 2 * math.pi * np.arange(8) / 8  # not linspace(0, 2π, 8): its ends coincide
        centres = RING_RADIUS * np.column_stack([np.cos(angles), np.sin(angles)])
        return Mixture2D("ring8", (0.0, 0.0), 3.0, (1.0,) * 8, tuple(map(tuple, centres.tolist())), (RING_STD,) * 8)
    if name == "grid25":
        ticks = GRID_SPACING * np.arange(-2, 3)
        centres = np.array([(x, y) for x in ticks for y in ticks], dtype=float)
        return Mixture2D("grid25", (0.0, 0.0), 5.5, (1.0,) * 25, tuple(map(tuple, centres.tolist())), (GRID_STD,) * 25)
    if name == "blobs3":
        return Mixture2D("blobs3", (0.0, 0.0), 3.0, (1.0, 1.0, 1.0), ((-1.5, -1.0), (1.5, -1.0), (0.0, 1.6)),
                         (0.25, 0.25, 0.25))
    if name == "gaussian":
        return Mixture2D("gaussian", (0.0, 0.0), 3.0, (1.0,), ((1.0, 0.5),), (0.5,))
    if name == "spiral":
        return CurveTarget("spiral", (0.0, 0.0), 2.6, curve=_spiral, noise=0.08)
    if name == "moons":
        return CurveTarget("moons", (0.5, 0.25), 1.8, curve=_moons, noise=0.08)
    if name == "circles":
        return CurveTarget("circles", (0.0, 0.0), 2.6, curve=_circles, noise=0.08)
    if name == "line":
        return CurveTarget("line", (0.0, 0.0), 2.2, curve=_line, noise=0.05)
    if name == "checkerboard":
        return Checkerboard("checkerboard", (0.0, 0.0), 2.5)
    if name == "custom":
        if points is not None:
            lo, hi = np.percentile(points, 0.5, axis=0), np.percentile(points, 99.5, axis=0)
            centre, half = _square_around(lo, hi, pad=0.3)
            return PointsTarget("custom points", centre, half, points=np.asarray(points, dtype=float))
        return _mixture("custom", custom)
    raise ValueError(f"unknown 2-D target {name!r}; choose from {', '.join(TARGET_NAMES_2D)}")
