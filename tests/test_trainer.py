"""Algorithm 1 semantics: k D steps on fresh minibatches, then one G step; losses; divergence."""

import copy
import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

from helpers import gaussian_sampler, make_trainer, params, same, tiny_config
from playground.models import MLP
from playground.trainer import Diverged, Hyper, Trainer, noise_sampler


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("k", [1, 3, 7])
def test_exactly_k_d_steps_per_g_step(fused, k):
    t = make_trainer(fused=fused, k=k)
    t.train_iterations(5)
    assert (t.iterations, t.d_steps, t.g_steps) == (5, 5 * k, 5)
    t.set_hyper(Hyper(**{**t.hyper.__dict__, "k": 2}))  # a live change of k
    t.train_iterations(3)
    assert (t.iterations, t.d_steps, t.g_steps) == (8, 5 * k + 6, 8)


def test_each_d_step_draws_fresh_minibatches():
    """k D steps sample k different real and noise batches (never reused)."""
    t = make_trainer(k=4)
    seen = []
    real = t.sample_real
    t.sample_real = lambda n, g: seen.append(real(n, g)) or seen[-1]
    t.step_iteration()
    assert len(seen) == 4
    assert all(not torch.equal(seen[i], seen[j]) for i in range(4) for j in range(i))


@pytest.mark.parametrize("fused", [True, False])
def test_d_step_leaves_g_alone_and_g_step_leaves_d_alone(fused):
    t = make_trainer(fused=fused)
    g_before, d_before = params(t.G), params(t.D)
    t.step_d()
    assert same(params(t.G), g_before) and not same(params(t.D), d_before)
    d_mid = params(t.D)
    t.step_g()
    assert same(params(t.D), d_mid) and not same(params(t.G), g_before)


def test_fused_engine_matches_autograd_engine():
    """Hand-written backprop and autograd give the same trajectory (same seed, same samples)."""
    a, b = make_trainer(fused=True, k=2), make_trainer(fused=False, k=2)
    a.train_iterations(50)
    b.train_iterations(50)
    for p, q in zip(list(a.G.parameters()) + list(a.D.parameters()), list(b.G.parameters()) + list(b.D.parameters())):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(torch.tensor(a.drain_losses()), torch.tensor(b.drain_losses()), rtol=1e-4, atol=1e-5)


def test_fused_engine_matches_autograd_across_batch_sizes_in_two_dimensions():
    """The fused engine keeps buffers per batch size (more sizes than it keeps, so some are
    dropped and rebuilt) and takes other kernels for narrow layers (2-D data and noise): the
    trajectory is still autograd's."""
    def trainer(fused):
        torch.manual_seed(0)
        G, D = MLP(2, 2, 16, 2, "leaky_relu"), MLP(2, 1, 16, 2, "leaky_relu")
        real = lambda n, g: torch.randn(n, 2, generator=g) * 0.2 + 0.5  # noqa: E731
        return Trainer(G, D, real, noise_sampler("normal", 2), Hyper(k=2, lr_d=0.02, lr_g=0.02, batch=32), 0,
                       torch.device("cpu"), fused=fused)

    a, b = trainer(True), trainer(False)
    for batch in (32, 8, 64, 16, 24, 40, 32):
        for t in (a, b):
            t.set_hyper(dataclasses.replace(t.hyper, batch=batch))
            t.train_iterations(3)
    for p, q in zip(params(a.G) + params(a.D), params(b.G) + params(b.D)):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(torch.tensor(a.drain_losses()), torch.tensor(b.drain_losses()), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax"])
@pytest.mark.parametrize("fused", [True, False])
def test_one_iteration_matches_a_hand_written_algorithm_1(loss, fused):
    """The reference: the textbook step written with autograd and torch.optim.SGD(momentum)."""
    t = make_trainer(fused=fused, loss=loss, k=2, momentum=0.5)
    G, D = copy.deepcopy(t.G), copy.deepcopy(t.D)
    rng = torch.Generator().manual_seed(0)
    rng.set_state(t.rng.get_state())
    opt_d = torch.optim.SGD(D.parameters(), lr=0.05, momentum=0.5)
    opt_g = torch.optim.SGD(G.parameters(), lr=0.05, momentum=0.5)
    for _ in range(2):  # two iterations, so the momentum buffers matter
        for _ in range(2):
            x = t.sample_real(32, rng)
            z = t.sample_noise(32, rng)
            opt_d.zero_grad()
            v = torch.log(torch.sigmoid(D(x))).mean() + torch.log(1 - torch.sigmoid(D(G(z).detach()))).mean()
            (-v).backward()  # ascend V
            opt_d.step()
        z = t.sample_noise(32, rng)
        opt_g.zero_grad()
        d_fake = torch.sigmoid(D(G(z)))
        g_loss = -torch.log(d_fake).mean() if loss == "nonsaturating" else torch.log(1 - d_fake).mean()
        g_loss.backward()
        opt_g.step()
        t.step_iteration()
    for p, q in zip(list(t.G.parameters()) + list(t.D.parameters()), list(G.parameters()) + list(D.parameters())):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-6)
    last = t.drain_losses()[-1]
    assert last[2] == pytest.approx(float(g_loss.detach()), rel=1e-4, abs=1e-6)


def test_momentum_buffer_is_used():
    """With momentum the second update is lr·(μ·g1 + g2), not lr·g2."""
    with_m, without = make_trainer(momentum=0.9), make_trainer(momentum=0.0)
    for t in (with_m, without):
        t.step_d()
    assert same(params(with_m.D), params(without.D))  # first step: buffer = gradient
    for t in (with_m, without):
        t.step_d()
    assert not same(params(with_m.D), params(without.D))
    assert with_m.opt_d.buffers is not None and without.opt_d.buffers is None


def test_live_hyperparameter_change_keeps_networks_and_optimizer_state():
    t = make_trainer()
    t.train_iterations(3)
    buffers, g_params = t.opt_d.buffers, params(t.G)
    t.set_hyper(Hyper(k=3, lr_d=0.01, lr_g=0.02, momentum=0.5, batch=16, loss="minimax"))
    assert t.opt_d.buffers is buffers and (t.opt_d.lr, t.opt_g.lr, t.opt_d.momentum) == (0.01, 0.02, 0.5)
    assert same(params(t.G), g_params) and t.iterations == 3
    t.set_hyper(Hyper(k=3, lr_d=0.01, lr_g=0.02, momentum=0.5, batch=16, loss="minimax", optimizer="adam"))
    assert t.opt_d.steps == 0 and same(params(t.G), g_params)  # new optimizer, same networks
    t.step_iteration()
    assert t.d_steps == 3 + 3  # three iterations at k = 1, then one at k = 3


def test_nonsaturating_loss_has_the_larger_gradient_where_d_rejects_fakes():
    """Where D(G(z)) ≈ 0, log(1 − D(G(z))) is flat but −log D(G(z)) is steep (Section 3)."""
    norms = {}
    for loss in ("minimax", "nonsaturating"):
        t = make_trainer(loss=loss)
        with torch.no_grad():
            t.D.linears[-1].bias.fill_(-8.0)  # D(x) ≈ 3e-4 everywhere
        z = t.sample_noise(32, torch.Generator().manual_seed(1))
        _, grads = t.engine.g_grads(z, loss)
        norms[loss] = float(torch.cat([g.reshape(-1) for g in grads]).norm())
    assert norms["nonsaturating"] > 100 * norms["minimax"]


def test_d_loss_is_log4_when_d_is_one_half():
    """D loss = −V(D, G); with D ≡ ½ it is exactly log 4."""
    t = make_trainer()
    with torch.no_grad():
        for p in t.D.parameters():
            p.zero_()
    t.step_iteration()
    assert t.drain_losses()[0, 1] == pytest.approx(math.log(4), abs=1e-6)


def test_divergence_is_detected_with_the_iteration():
    """lr = 1 with momentum 0.99 blows up within a few dozen iterations; the error says where."""
    from playground.labs.one_d import Run1D

    t = Run1D(tiny_config(optimizer="sgd", lr_d=1.0, link_lr=True, momentum=0.99, k=1, batch=256, width=32,
                          depth=2, activation="relu", seed=0)).trainer
    with pytest.raises(Diverged) as err:
        for _ in range(200):
            t.train_iterations(10)
    assert 1 <= err.value.iteration <= t.iterations
    assert any(word in str(err.value) for word in ("nan", "inf", "NaN"))


def test_a_nan_weight_is_divergence():
    t = make_trainer()
    t.train_iterations(2)
    with torch.no_grad():
        next(t.G.parameters())[0, 0] = float("nan")
    with pytest.raises(Diverged):
        t.train_iterations(1)


def test_train_for_respects_its_budget_roughly():
    t = make_trainer()
    done = t.train_for(0.2)
    assert done == t.iterations > 0
    assert t.seconds_training < 1.0


def test_autograd_engine_accepts_any_module():
    """The autograd path (DCGAN will use it) runs with plain nn.Sequential networks."""
    from playground.trainer import Trainer, noise_sampler

    G = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    D = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    t = Trainer(G, D, gaussian_sampler(), noise_sampler("normal", 1), Hyper(batch=16), 0, torch.device("cpu"))
    t.train_iterations(3)
    assert t.g_steps == 3 and type(t.engine).__name__ == "AutogradEngine"


def test_bce_formula_of_the_fused_d_loss():
    """The fused D loss equals BCE(real → 1) + BCE(fake → 0) computed by torch."""
    t = make_trainer(fused=True)
    real = t.sample_real(32, torch.Generator().manual_seed(2))
    z = t.sample_noise(32, torch.Generator().manual_seed(3))
    loss, _ = t.engine.d_grads(real, z)
    with torch.no_grad():
        lr, lf = t.D(real), t.D(t.G(z))
        expected = F.binary_cross_entropy_with_logits(lr, torch.ones_like(lr)) + \
            F.binary_cross_entropy_with_logits(lf, torch.zeros_like(lf))
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)
