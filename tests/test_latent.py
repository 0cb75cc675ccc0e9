"""The MNIST latent space without Streamlit: interpolation paths, walks that start and end on G
of the chosen vectors, hand-set latent dimensions, and the memorisation check's neighbours."""

import dataclasses

import numpy as np
import pytest
import torch

from playground.labs import latent
from playground.labs.mnist import SEPARATOR, ConfigMNIST, RunMNIST
from playground.mnist.data import MnistData
from playground.mnist.quality import held_out_digits

CELL = 28 + SEPARATOR


@pytest.fixture(scope="module")
def digits() -> MnistData:
    images, labels = held_out_digits()
    return MnistData(images, labels, "test", "1,000 held-out digits", ())


def run_of(digits, **changes) -> RunMNIST:
    config = dataclasses.replace(ConfigMNIST(), **{"batch": 16, "latent_dim": 8, "device": "cpu", **changes})
    return RunMNIST(config, digits)


def crop(picture: np.ndarray, row: int, col: int) -> np.ndarray:
    return picture[row * CELL: row * CELL + 28, col * CELL: col * CELL + 28]


def test_lerp_and_slerp_share_their_ends_and_slerp_interpolates_the_norm():
    torch.manual_seed(0)
    a, b, t = torch.randn(64), torch.randn(64), torch.linspace(0, 1, 7)
    for path in (latent.lerp, latent.slerp):
        points = path(a, b, t)
        assert torch.allclose(points[0], a, atol=1e-5) and torch.allclose(points[-1], b, atol=1e-5)
    norms = latent.slerp(a, b, t).norm(dim=1)
    assert torch.allclose(norms, a.norm() + t * (b.norm() - a.norm()), atol=1e-4)
    assert latent.lerp(a, b, t).norm(dim=1)[3] < 0.85 * min(a.norm(), b.norm())  # the line cuts through the middle
    assert torch.allclose(latent.slerp(a, 2 * a, t), latent.lerp(a, 2 * a, t))  # no arc between parallel vectors


@pytest.mark.parametrize("conditional", [False, True])
def test_a_walk_starts_and_ends_on_the_chosen_vectors(digits, conditional):
    run = run_of(digits, conditional=conditional)
    run.trainer.train_iterations(3)
    picture = latent.walk(run, 4, 9, steps=6, digits=(2, 7) if conditional else None)
    assert picture.dtype == np.uint8 and picture.shape == (2 * CELL - SEPARATOR, 6 * CELL - SEPARATOR)
    one = latent.nudged(run, 4, {}, digit=2)
    other = latent.nudged(run, 9, {}, digit=7)
    for row in (0, 1):  # both paths start at vector 4 (digit 2) and end at vector 9 (digit 7)
        assert np.abs(crop(picture, row, 0).astype(int) - one).max() <= 1
        assert np.abs(crop(picture, row, 5).astype(int) - other).max() <= 1
    assert not np.array_equal(crop(picture, 0, 2), crop(picture, 1, 2))  # the line and the arc differ between


def test_setting_a_latent_dimension_changes_the_digit(digits):
    run = run_of(digits, conditional=False)
    before = latent.nudged(run, 0, {})
    assert np.array_equal(before, latent.nudged(run, 0, {0: float(run.grid_z[0, 0])}))
    assert not np.array_equal(before, latent.nudged(run, 0, {0: 3.0, 1: -3.0}))


def test_the_memorisation_check_finds_a_copied_training_digit_at_distance_zero(digits):
    data = np.asarray(digits.images)[:300]
    generated = np.stack([data[17], 255 - data[42]]).astype(np.uint8)  # a copy, and a negative that copies nothing
    picture, distances = latent.nearest_training(generated, data, neighbours=3, chunk=128)
    assert distances.shape == (2, 3) and distances[0, 0] == pytest.approx(0, abs=1e-3)
    assert np.all(np.diff(distances, axis=1) >= 0) and distances[1, 0] > 5
    assert np.array_equal(crop(picture, 0, 1), data[17]) and np.array_equal(crop(picture, 0, 0), data[17])
    brute = np.sqrt((((data.reshape(300, -1) / 255.0) - generated[1].reshape(1, -1) / 255.0) ** 2).sum(1))
    assert distances[1] == pytest.approx(np.sort(brute)[:3], abs=1e-3)  # chunking loses no neighbour


def test_check_digits_are_the_generated_grid_cells(digits):
    run = run_of(digits, conditional=True)
    assert latent.check_digits(run, 4).shape == (4, 28, 28)
    assert np.array_equal(latent.check_digits(run, 4)[3], latent.nudged(run, 3, {}, digit=3))
