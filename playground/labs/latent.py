"""The MNIST generator's latent space: walks between two of the fixed noise vectors (straight-line
and spherical interpolation), the first few latent dimensions of one vector moved by hand, and
the memorisation check (each of a few generated digits beside its nearest training digits).

Every function returns uint8 pictures built with the MNIST lab's own tiling, and holds G only for
one small batch (tens of images), so a page can call it between live frames (measured in
scripts/latent_bench.py).
"""

from __future__ import annotations

import numpy as np
import torch

from .mnist import IMAGE_DIM, IMAGE_SIDE, NUM_CLASSES, RunMNIST, one_hot, tile, to_uint8

NOISE_VECTORS = 100  # the fixed noise bank behind the grid (MAX_GRID²)
KINDS = ("linear", "spherical")


def lerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Points on the straight line from a to b at fractions t (shape (n,)): (n, dim)."""
    return a[None] + t[:, None] * (b - a)[None]


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation: along the great circle from a to b, the norm interpolated linearly.

    A straight line between two Gaussian vectors passes near the origin, where their norms never
    are (a 64-dimensional N(0, I) vector has norm ≈ 8, the midpoint of two ≈ 5.7); the arc keeps
    the norm typical (White 2016, *Sampling generative networks*). Falls back to the line when a
    and b point the same or opposite ways, where the arc is not defined.
    """
    na, nb = a.norm(), b.norm()
    cos = torch.clamp(torch.dot(a / na, b / nb), -1.0, 1.0)
    omega = torch.arccos(cos)
    if float(torch.sin(omega)) < 1e-6:
        return lerp(a, b, t)
    ua, ub = a / na, b / nb
    direction = (torch.sin((1 - t) * omega)[:, None] * ua + torch.sin(t * omega)[:, None] * ub) / torch.sin(omega)
    return direction * (na + t * (nb - na))[:, None]


def _labels(run: RunMNIST, digits: tuple[int, int] | None, t: torch.Tensor) -> torch.Tensor | None:
    """One-hot classes blended from the first to the second along t (digits in a conditional run,
    code values in an InfoGAN run)."""
    if not run.class_kind:
        return None
    a, b = digits if digits is not None else (0, 0)
    start, end = one_hot(torch.tensor([a]))[0], one_hot(torch.tensor([b]))[0]
    return (1 - t)[:, None] * start[None] + t[:, None] * end[None]


def _draw(run: RunMNIST, z: torch.Tensor, labels: torch.Tensor | None) -> np.ndarray:
    """G on each z (with its soft class in a conditional or InfoGAN run): uint8 (n, 28, 28)."""
    if labels is not None:
        z = torch.cat([z, labels.to(z)], dim=1)
    with run.evaluating():
        return to_uint8(run.generate_images(z))[:, 0]


def walk(run: RunMNIST, first: int, second: int, steps: int = 9,
         digits: tuple[int, int] | None = None) -> np.ndarray:
    """Two strips of ``steps`` digits from fixed noise vector ``first`` to ``second`` (and, in a
    conditional or InfoGAN run, from class digits[0] to digits[1]): the straight line above, the arc below."""
    a, b = run.grid_z[first].float().cpu(), run.grid_z[second].float().cpu()
    t = torch.linspace(0, 1, steps)
    labels = _labels(run, digits, t)
    rows = [_draw(run, path(a, b, t), labels) for path in (lerp, slerp)]
    return tile(np.stack(rows).reshape(2, steps, IMAGE_SIDE, IMAGE_SIDE))


def nudged(run: RunMNIST, index: int, values: dict[int, float], digit: int = 0) -> np.ndarray:
    """Fixed noise vector ``index`` with some coordinates set by hand, as one digit (uint8 (28, 28))."""
    z = run.grid_z[index].float().cpu().clone()
    for dim, value in values.items():
        z[dim] = value
    labels = one_hot(torch.tensor([digit])).float() if run.class_kind else None
    return _draw(run, z[None], labels)[0]


def check_digits(run: RunMNIST, count: int = 6) -> np.ndarray:
    """The generated digits the memorisation check looks at: G on fixed noise vectors 0, 1, … (and
    classes 0, 1, … in a conditional or InfoGAN run), uint8 (count, 28, 28). The only part that needs G."""
    z = run.grid_z[:count].float().cpu()
    labels = one_hot(torch.arange(count) % NUM_CLASSES).float() if run.class_kind else None
    return _draw(run, z, labels)


def nearest_training(generated: np.ndarray, data: np.ndarray, neighbours: int = 3,
                     chunk: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """The memorisation check: each generated digit (uint8 (n, 28, 28)) followed by its
    ``neighbours`` nearest training digits (uint8 (N, 28, 28)) by Euclidean pixel distance, one row
    per generated digit; and those distances (n, neighbours) on pixels scaled to 0 … 1 (two
    digits with no ink in common are ~10 apart). Runs without G: the page computes it outside
    the training lock."""
    count = len(generated)
    flat = generated.reshape(count, IMAGE_DIM).astype(np.float32) / 255
    data = np.asarray(data).reshape(-1, IMAGE_DIM)
    best_d = np.full((count, neighbours), np.inf, dtype=np.float32)
    best_i = np.zeros((count, neighbours), dtype=np.int64)
    g_sq = (flat ** 2).sum(1)
    for start in range(0, len(data), chunk):  # a chunk at a time: 60,000 float32 digits would be 188 MB
        part = data[start:start + chunk].astype(np.float32) / 255
        d2 = g_sq[:, None] + (part ** 2).sum(1)[None] - 2 * flat @ part.T
        both_d = np.concatenate([best_d, d2], axis=1)
        both_i = np.concatenate([best_i, np.arange(start, start + len(part))[None].repeat(count, 0)], axis=1)
        order = np.argsort(both_d, axis=1, kind="stable")[:, :neighbours]
        best_d, best_i = np.take_along_axis(both_d, order, 1), np.take_along_axis(both_i, order, 1)
    cells = np.concatenate([generated.reshape(count, 1, IMAGE_DIM),
                            data[best_i.ravel()].reshape(count, neighbours, IMAGE_DIM).astype(np.uint8)], axis=1)
    picture = tile(cells.reshape(count, neighbours + 1, IMAGE_SIDE, IMAGE_SIDE))
    return picture, np.sqrt(np.maximum(best_d, 0))
