"""Metrics as plain functions on arrays (nothing here mutates its inputs), and a bounded history."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

LOG4 = math.log(4.0)  # V(D*, G*) = −log 4 at the global optimum (Goodfellow et al., Theorem 1)
DENSITY_METHODS = ("kde", "hist")


def wasserstein1(samples: np.ndarray, reference: np.ndarray) -> float:
    """W1 (earth mover's) distance between two 1-D samples."""
    return float(stats.wasserstein_distance(np.ravel(samples), np.ravel(reference)))


def mixture_shares(samples: np.ndarray, weights, means, stds) -> np.ndarray:
    """The share of 1-D samples that belong to each component of a Gaussian mixture, each sample
    counted for the component of highest weighted density at it; shape (K,)."""
    x = np.ravel(np.asarray(samples, dtype=float))
    x = x[np.isfinite(x)]
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    log_density = np.log(w) + stats.norm.logpdf(x[:, None], np.asarray(means, dtype=float), np.asarray(stds, dtype=float))
    return np.bincount(log_density.argmax(axis=1), minlength=len(w)) / max(len(x), 1)


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen–Shannon divergence in nats (0 … log 2) between two densities on the same grid.

    Each is normalised to a probability vector over the grid cells first, so mass off the plotted
    range is ignored and the grid spacing cancels.
    """
    p = np.clip(np.nan_to_num(np.asarray(p, dtype=float)), 0, None)
    q = np.clip(np.nan_to_num(np.asarray(q, dtype=float)), 0, None)
    if p.sum() <= 0 or q.sum() <= 0:
        return math.log(2.0)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log(a[mask] / m[mask])))

    return max(0.0, 0.5 * kl(p) + 0.5 * kl(q))


def histogram_density(samples: np.ndarray, grid: np.ndarray, bins: int = 60) -> np.ndarray:
    """A histogram estimate of the samples' density, evaluated on ``grid`` (piecewise constant)."""
    samples = np.ravel(samples)
    lo, hi = float(grid[0]), float(grid[-1])
    counts, edges = np.histogram(samples, bins=bins, range=(lo, hi))
    density = counts / (max(len(samples), 1) * (edges[1] - edges[0]))
    index = np.clip(np.searchsorted(edges, grid, side="right") - 1, 0, bins - 1)
    return density[index]


def kde_density(samples: np.ndarray, grid: np.ndarray, max_points: int = 512) -> np.ndarray:
    """A Gaussian KDE (Scott's rule) of the samples on ``grid``.

    The bandwidth is kept at least 1/200 of the plotted range, so a generator collapsed to a point
    still draws as a tall narrow spike instead of failing (a singular KDE) or vanishing.
    """
    samples = np.ravel(samples)[:max_points]
    samples = samples[np.isfinite(samples)]
    if len(samples) < 2:
        return np.zeros_like(grid, dtype=float)
    min_bw = (float(grid[-1]) - float(grid[0])) / 200
    std = float(samples.std())
    if std < min_bw:
        return stats.norm.pdf(grid[:, None], samples[None, :], min_bw).mean(axis=1)
    kde = stats.gaussian_kde(samples)
    scott_bw = kde.factor * std
    if scott_bw < min_bw:
        kde.set_bandwidth(min_bw / std)
    return kde(grid)


def estimate_density(samples: np.ndarray, grid: np.ndarray, method: str) -> np.ndarray:
    if method == "kde":
        return kde_density(samples, grid)
    if method == "hist":
        return histogram_density(samples, grid)
    raise ValueError(f"density must be one of {DENSITY_METHODS}")


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g) (Proposition 1); NaN where both densities vanish."""
    total = np.asarray(p_data, dtype=float) + np.asarray(p_g, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > eps, p_data / np.where(total > eps, total, 1.0), np.nan)


def value_from_logits(logit_real: np.ndarray, logit_fake: np.ndarray) -> float:
    """V(D, G) = E log D(x) + E log(1 − D(G(z))), from D's logits (stable when D saturates)."""
    with np.errstate(invalid="ignore"):  # NaN logits (a diverged D) give NaN, quietly
        log_d_real = -np.logaddexp(0.0, -np.asarray(logit_real, dtype=float))  # log σ(l)
        log_1m_d_fake = -np.logaddexp(0.0, np.asarray(logit_fake, dtype=float))  # log(1 − σ(l))
    return float(log_d_real.mean() + log_1m_d_fake.mean())


class History:
    """Bounded series for charts: when full, every other point is dropped and the stride doubles.

    Memory and the payload sent to the browser stay bounded however long training runs, and the
    kept points stay evenly spread over the whole run.
    """

    def __init__(self, names: tuple[str, ...], capacity: int = 400):
        self.names, self.capacity = names, capacity
        self.columns: dict[str, list[float]] = {name: [] for name in ("iteration",) + names}
        self.stride, self._seen = 1, 0

    def add(self, iteration: float, **values: float) -> None:
        self._seen += 1
        if (self._seen - 1) % self.stride:
            return
        self.columns["iteration"].append(float(iteration))
        for name in self.names:
            self.columns[name].append(float(values.get(name, math.nan)))
        if len(self.columns["iteration"]) > self.capacity:
            for name, column in self.columns.items():
                self.columns[name] = column[::2]
            self.stride *= 2

    def add_rows(self, rows: np.ndarray) -> None:
        """Rows of (iteration, value for each name), e.g. from ``Trainer.drain_losses``."""
        for row in rows:
            self.add(row[0], **dict(zip(self.names, row[1:])))

    def truncate(self, iteration: float) -> None:
        """Forget the points after ``iteration`` (a run continued from an earlier moment); the
        stride stays, and the next point kept is a stride after the last one left."""
        keep = sum(1 for it in self.columns["iteration"] if it <= iteration)
        for name, column in self.columns.items():
            self.columns[name] = column[:keep]
        self._seen = (keep - 1) * self.stride + 1 if keep else 0

    def last(self) -> dict[str, float]:
        """The most recent value of each series (NaN before the first)."""
        return {name: (self.columns[name][-1] if len(self) else math.nan) for name in self.names}

    def arrays(self) -> dict[str, np.ndarray]:
        """A float32 copy of every column (what snapshots and figures receive)."""
        return {name: np.asarray(column, dtype=np.float32) for name, column in self.columns.items()}

    def __len__(self) -> int:
        return len(self.columns["iteration"])


# --- 2-D ------------------------------------------------------------------------------------

def mode_metrics(samples: np.ndarray, centres: np.ndarray, stds: np.ndarray, n_std: float = 3.0) -> dict:
    """Modes captured and the share of high-quality samples (the VEEGAN / PacGAN protocol).

    A sample is high quality when it lies within ``n_std`` standard deviations of its nearest mode
    centre; a mode is captured when at least one high-quality sample is nearest to it.
    """
    samples = np.asarray(samples, dtype=float).reshape(-1, 2)
    centres, stds = np.asarray(centres, dtype=float), np.asarray(stds, dtype=float)
    finite = np.isfinite(samples).all(axis=1)
    d2 = ((samples[finite, None, :] - centres[None]) ** 2).sum(-1)  # (n, K)
    nearest = d2.argmin(axis=1)
    good = np.sqrt(d2[np.arange(len(nearest)), nearest]) <= n_std * stds[nearest]
    captured = np.zeros(len(centres), dtype=bool)
    captured[nearest[good]] = True
    return {"modes_captured": int(captured.sum()), "modes_total": len(centres),
            "high_quality": float(good.sum() / max(len(samples), 1))}


def sliced_wasserstein(a: np.ndarray, b: np.ndarray, projections: int = 64, seed: int = 0) -> float:
    """Sliced W1 between two equal-sized 2-D samples: the mean 1-D W1 over fixed random directions."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    angles = np.random.default_rng(seed).uniform(0, np.pi, projections)
    directions = np.column_stack([np.cos(angles), np.sin(angles)])  # (P, 2)
    pa, pb = np.sort(a @ directions.T, axis=0), np.sort(b @ directions.T, axis=0)
    return float(np.abs(pa - pb).mean())


def histogram_2d(samples: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Counts per cell of the grid whose cell centres are xs × ys, as a density; shape (len(ys), len(xs))."""
    samples = np.asarray(samples, dtype=float).reshape(-1, 2)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    x_edges = np.append(xs - dx / 2, xs[-1] + dx / 2)
    y_edges = np.append(ys - dy / 2, ys[-1] + dy / 2)
    counts, _, _ = np.histogram2d(samples[:, 1], samples[:, 0], bins=(y_edges, x_edges))
    return counts / (max(len(samples), 1) * dx * dy)


def kde_2d(samples: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """A binned Gaussian KDE on the grid: the histogram smoothed by a Gaussian of Scott's bandwidth
    (per axis), at least one cell wide. Milliseconds for thousands of samples, unlike an exact KDE."""
    from scipy.ndimage import gaussian_filter

    samples = np.asarray(samples, dtype=float).reshape(-1, 2)
    samples = samples[np.isfinite(samples).all(axis=1)]
    hist = histogram_2d(samples, xs, ys)
    if len(samples) < 2:
        return hist
    scott = len(samples) ** (-1 / 6)  # Scott's factor in 2-D
    cells = samples.std(axis=0) * scott / np.array([xs[1] - xs[0], ys[1] - ys[0]])
    sigma = np.maximum(cells, 1.0)[::-1]  # (rows = y, columns = x)
    return gaussian_filter(hist, sigma=sigma, mode="constant")


def cell_probabilities(pdf_values: np.ndarray) -> np.ndarray:
    """Densities on a regular grid -> probabilities per cell (normalised over the grid)."""
    p = np.clip(np.nan_to_num(np.asarray(pdf_values, dtype=float)), 0, None)
    return p / p.sum() if p.sum() > 0 else p
