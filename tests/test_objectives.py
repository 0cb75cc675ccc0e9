"""The objectives and MMD against hand computations on tiny batches: losses, their gradients in D's
logits (what the fused engine backpropagates), WGAN-GP's penalty, MMD² and the witness function."""

import math

import numpy as np
import pytest
import torch

from helpers import make_trainer, params
from playground import mmd
from playground.objectives import OBJECTIVES, Losses, d_column, gradient_penalty, real_label
from playground.trainer import AutogradEngine

REAL, FAKE = [0.5, -1.0], [2.0, 0.0]  # D's logits on m = 2 real and 2 generated samples
Y = 0.9  # the real label with one-sided smoothing 0.1


def sigmoid(l):
    return 1 / (1 + math.exp(-l))


# (D loss, its gradient in the real logits, in the fake logits), written out for m = 2, y = 0.9
HAND_D = {
    "bce": (sum(-Y * math.log(sigmoid(l)) - (1 - Y) * math.log(1 - sigmoid(l)) for l in REAL) / 2
            + sum(-math.log(1 - sigmoid(l)) for l in FAKE) / 2,
            [(sigmoid(l) - Y) / 2 for l in REAL], [sigmoid(l) / 2 for l in FAKE]),
    "least-squares": ((0.5 * (0.5 - Y) ** 2 + 0.5 * (-1 - Y) ** 2 + 0.5 * 4 + 0) / 2,
                      [(0.5 - Y) / 2, (-1 - Y) / 2], [2 / 2, 0 / 2]),
    "hinge": ((max(0, 1 - 0.5) + max(0, 1 + 1) + max(0, 1 + 2) + max(0, 1 + 0)) / 2,
              [-1 / 2, -1 / 2], [1 / 2, 1 / 2]),
    "wgan-gp": ((2 + 0 - 0.5 + 1) / 2, [-1 / 2, -1 / 2], [1 / 2, 1 / 2]),  # the penalty is tested on its own
}
# (G loss, its gradient in the logits of G's samples) for FAKE
HAND_G = {
    ("bce", "nonsaturating"): (sum(-math.log(sigmoid(l)) for l in FAKE) / 2, [(sigmoid(l) - 1) / 2 for l in FAKE]),
    ("bce", "minimax"): (sum(math.log(1 - sigmoid(l)) for l in FAKE) / 2, [-sigmoid(l) / 2 for l in FAKE]),
    ("least-squares", "nonsaturating"): ((0.5 * 1 + 0.5 * 1) / 2, [(2 - 1) / 2, (0 - 1) / 2]),
    ("hinge", "nonsaturating"): (-(2 + 0) / 2, [-1 / 2, -1 / 2]),
    ("wgan-gp", "nonsaturating"): (-(2 + 0) / 2, [-1 / 2, -1 / 2]),
}


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_d_loss_and_its_logit_gradient_match_the_hand_computation(name):
    """The differentiable D loss (the autograd engine's), its autograd gradient and the hand-written
    derivative (the fused engine's) all equal the formula worked by hand; the label of real samples
    is 1 − smoothing only where smoothing applies."""
    objective = OBJECTIVES[name]
    losses = Losses(name, real_label=real_label(name, 0.1))
    assert losses.real_label == (Y if name in ("bce", "least-squares") else 1.0)
    logits = torch.tensor([REAL + FAKE], dtype=torch.float64).T.requires_grad_(True)  # (4, 1)
    column = d_column(objective, losses, 2, logits.device).double()
    loss = objective.d_loss(logits, column, 2)
    (autograd,) = torch.autograd.grad(loss, logits)
    hand_loss, hand_real, hand_fake = HAND_D[name]  # the column holds y in float32: 1e-7 apart
    assert float(loss.detach()) == pytest.approx(hand_loss, rel=1e-7)
    assert autograd.ravel().tolist() == pytest.approx(hand_real + hand_fake, rel=1e-7)
    assert objective.d_grad(logits.detach(), column, 2).ravel().tolist() == pytest.approx(hand_real + hand_fake)


@pytest.mark.parametrize("name, gen_loss", sorted(HAND_G))
def test_g_loss_and_its_logit_gradient_match_the_hand_computation(name, gen_loss):
    objective = OBJECTIVES[name]
    logit = torch.tensor([FAKE], dtype=torch.float64).T.requires_grad_(True)
    loss = objective.g_loss(logit, gen_loss)
    (autograd,) = torch.autograd.grad(loss, logit)
    hand_loss, hand_grad = HAND_G[(name, gen_loss)]
    assert float(loss.detach()) == pytest.approx(hand_loss, rel=1e-12)
    assert autograd.ravel().tolist() == pytest.approx(hand_grad, rel=1e-12)
    assert objective.g_grad(logit.detach(), gen_loss).ravel().tolist() == pytest.approx(hand_grad)


@pytest.mark.parametrize("name, smoothing", [("bce", 0.1), ("least-squares", 0.0), ("least-squares", 0.05),
                                             ("hinge", 0.0)])
def test_fused_engine_trains_exactly_like_autograd_for_the_objectives_it_serves(name, smoothing):
    """Hand-written backprop of each logit objective and autograd give the same trajectory (with SGD:
    Adam would blow up the rounding-level differences of gradients that cancel to about 0)."""
    a = make_trainer(fused=True, k=2, objective=name, label_smoothing=smoothing)
    b = make_trainer(fused=False, k=2, objective=name, label_smoothing=smoothing)
    assert type(a.engine).__name__ == "FusedMLPEngine" and type(b.engine).__name__ == "AutogradEngine"
    a.train_iterations(20)
    b.train_iterations(20)
    for p, q in zip(params(a.G) + params(a.D), params(b.G) + params(b.D)):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(torch.tensor(a.drain_losses()), torch.tensor(b.drain_losses()), rtol=1e-4, atol=1e-5)


class Fixed(torch.nn.Module):
    """A 'generator' that always returns the same batch."""

    def __init__(self, out):
        super().__init__()
        self.out = out
        self.unused = torch.nn.Parameter(torch.zeros(1))

    def forward(self, z):
        return self.out + 0 * self.unused


def test_wgan_gp_d_gradient_matches_the_hand_computation():
    """For a linear critic D(x) = w·x + b, ∇x D = w everywhere, so the penalty is (‖w‖ − 1)² whatever
    the interpolates, with gradient 2(‖w‖ − 1) w/‖w‖; the critic part's gradient is the mean of the
    generated samples minus the mean of the real ones. With w = (3, 4): 16 and (4.8, 6.4)."""
    D = torch.nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[3.0, 4.0]]))
        D.bias.zero_()
    real = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    fake = torch.tensor([[-1.0, 1.0], [3.0, 1.0]])
    mix = torch.tensor([[0.3], [0.9]])
    assert float(gradient_penalty(D, real, fake, mix).detach()) == pytest.approx(16.0)
    engine = AutogradEngine(Fixed(fake), D)
    loss, (grad_w, grad_b) = engine.d_grads(real, torch.zeros(2, 1), Losses("wgan-gp", gp_weight=10.0), mix)
    critic = float(D(fake).mean() - D(real).mean())
    assert float(loss) == pytest.approx(critic + 10 * 16)
    expected = (fake.mean(0) - real.mean(0)) + 10 * torch.tensor([4.8, 6.4])
    torch.testing.assert_close(grad_w.ravel(), expected)
    assert float(grad_b) == pytest.approx(0.0, abs=1e-6)  # the bias moves both means alike


def test_mmd2_and_its_gradient_match_the_hand_computation():
    """One bandwidth σ = 1, x = (0, 1), y = (0, 2): the unbiased MMD² and its gradient in y worked by hand."""
    x = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    y = torch.tensor([[0.0], [2.0]], dtype=torch.float64, requires_grad=True)
    value = mmd.mmd2(x, y, bandwidths=(1.0,))
    e5, e2 = math.exp(-0.5), math.exp(-2.0)
    assert float(value) == pytest.approx(e5 + e2 - (1 + e2 + 2 * e5) / 2, rel=1e-12)
    (grad,) = torch.autograd.grad(value, y)
    assert grad.ravel().tolist() == pytest.approx([2 * e2 - e5 / 2, -e2 + e5 / 2], rel=1e-12)


def test_mmd2_is_near_zero_for_the_same_distribution_and_large_for_different_ones():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(400, 2, generator=g) * 0.3, torch.randn(400, 2, generator=g) * 0.3
    assert abs(float(mmd.mmd2(a, b))) < 0.01
    assert float(mmd.mmd2(a, b + 0.5)) > 0.1
    assert float(mmd.mmd2(a, b + 0.5)) <= 2.0  # a mean of kernels each ≤ 1


@pytest.mark.parametrize("dim", [1, 2])
def test_binned_witness_matches_its_formula_at_the_cell_centres(dim):
    """f(c) = mean_i k(c, x_i) − mean_j k(c, y_j) at every cell centre c, for samples at cell centres
    (the binned filter is exact there, up to the kernels' truncation at 4σ)."""
    rng = np.random.default_rng(0)
    shape, cell = ((120,) if dim == 1 else (40, 50)), 0.02
    data = rng.integers(0, shape, size=(30, dim))  # cell indices (rows first)
    gen = rng.integers(0, shape, size=(20, dim))
    data_mass, gen_mass = np.zeros(shape), np.zeros(shape)
    np.add.at(data_mass, tuple(data.T), 1 / len(data))
    np.add.at(gen_mass, tuple(gen.T), 1 / len(gen))
    binned = mmd.witness_on_grid(data_mass, gen_mass, cell)
    centres = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1).reshape(-1, dim) * cell

    def mean_kernel(points):
        d2 = ((centres[:, None, :] - points[None] * cell) ** 2).sum(-1)
        return np.mean([np.exp(-d2 / (2 * s * s)) for s in mmd.BANDWIDTHS], axis=0).mean(axis=1)

    formula = (mean_kernel(data) - mean_kernel(gen)).reshape(shape)
    assert np.abs(binned - formula).max() < 1e-3
    assert formula.max() > 0.02 and formula.min() < -0.02  # the test is not trivially about zeros


def test_witness_scale_is_the_data_peak_with_no_generator():
    mass = np.zeros(100)
    mass[50] = 1.0  # all data at one cell
    assert mmd.witness_scale(mass, 0.02) == pytest.approx(1.0, abs=1e-9)  # k(x, x) = 1
    assert mmd.witness_scale(np.zeros(100), 0.02) == 1.0  # no data on the grid: no division by 0
