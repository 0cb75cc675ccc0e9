"""Algorithm 1 semantics: k D steps on fresh minibatches, then one G step; losses; divergence."""

import copy
import dataclasses
import math

import numpy as np
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
        _, grads = t.engine.g_grads(z, t.losses)
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
                          depth=2, activation="relu", seed=0, g_shift=6.0)).trainer
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
    loss, _ = t.engine.d_grads(real, z, t.losses)
    with torch.no_grad():
        lr, lf = t.D(real), t.D(t.G(z))
        expected = F.binary_cross_entropy_with_logits(lr, torch.ones_like(lr)) + \
            F.binary_cross_entropy_with_logits(lf, torch.zeros_like(lf))
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)


# --- G steps, an optimizer per network, objectives and MMD (issue 15) ---------------------------

@pytest.mark.parametrize("g_steps", [1, 3])
def test_g_steps_per_iteration(g_steps):
    """An iteration is k D steps then g_steps G steps, each on a fresh noise batch; it records one
    row of losses; Step G alone is one G step and one iteration."""
    t = make_trainer(k=2, g_steps=g_steps)
    seen = []
    noise = t.sample_noise
    t.sample_noise = lambda n, g: seen.append(noise(n, g)) or seen[-1]
    t.train_iterations(4)
    assert (t.iterations, t.d_steps, t.g_steps) == (4, 8, 4 * g_steps)
    assert len(seen) == 4 * (2 + g_steps)  # a fresh batch for every D and G step
    assert len(t.drain_losses()) == 4
    t.step_g()
    assert (t.iterations, t.g_steps) == (5, 4 * g_steps + 1)


def test_more_g_steps_move_g_further_per_iteration():
    one, three = make_trainer(g_steps=1), make_trainer(g_steps=3)
    start = params(one.G)
    for t in (one, three):
        t.step_iteration()
    moved = [float(sum((p - q).norm() for p, q in zip(params(t.G), start))) for t in (one, three)]
    assert moved[1] > 1.5 * moved[0]


def test_each_network_has_its_own_optimizer_and_momentum():
    """D with Adam, G with SGD and its own momentum: G's first update is exactly −lr · gradient (SGD's
    first step), and a change of G's optimizer restarts G's state only."""
    from playground.optim import Adam, SGDMomentum

    t = make_trainer(optimizer="adam", momentum=0.5, optimizer_g="sgd", momentum_g=0.3, lr_g=0.1)
    assert isinstance(t.opt_d, Adam) and isinstance(t.opt_g, SGDMomentum)
    assert (t.opt_d.momentum, t.opt_g.momentum) == (0.5, 0.3)
    rng = torch.Generator().manual_seed(5)
    rng.set_state(t.rng.get_state())
    z = t.sample_noise(32, rng)
    _, grads = copy.deepcopy(t.engine).g_grads(z, t.losses)
    before = torch.cat([p.reshape(-1) for p in params(t.G)])
    t.step_g()
    after = torch.cat([p.reshape(-1) for p in params(t.G)])
    torch.testing.assert_close(after, before - 0.1 * torch.cat([g.reshape(-1) for g in grads]))
    t.step_d()
    opt_d = t.opt_d
    t.set_hyper(dataclasses.replace(t.hyper, optimizer_g="adam"))
    assert t.opt_d is opt_d and isinstance(t.opt_g, Adam) and t.opt_g.steps == 0


def test_g_follows_d_when_its_optimizer_is_not_set():
    t = make_trainer(optimizer="adam", momentum=0.7)
    assert type(t.opt_g) is type(t.opt_d) and t.opt_g.momentum == 0.7


def test_switching_the_objective_keeps_the_networks_and_picks_the_engine():
    """WGAN-GP's penalty needs autograd; the logit objectives go back to the fused engine; the
    networks are the same throughout and the optimizers restart (their moments fit the old loss)."""
    t = make_trainer(fused=None, optimizer="adam")
    t.train_iterations(3)
    g_params, d_params = params(t.G), params(t.D)
    t.set_hyper(dataclasses.replace(t.hyper, objective="wgan-gp"))
    assert type(t.engine).__name__ == "AutogradEngine" and t.opt_d.steps == 0 and t.opt_g.steps == 0
    assert same(params(t.G), g_params) and same(params(t.D), d_params)
    t.train_iterations(3)
    t.set_hyper(dataclasses.replace(t.hyper, objective="hinge"))
    assert type(t.engine).__name__ == "FusedMLPEngine"
    t.train_iterations(3)
    assert t.iterations == 9 and all(torch.isfinite(p).all() for p in params(t.G) + params(t.D))


def test_a_wgan_gp_critic_step_matches_a_hand_written_one():
    """The reference step: draw x, z and ε from the trainer's stream, form x̂ = εx + (1 − ε)G(z), and
    descend mean D(G(z)) − mean D(x) + λ mean (‖∇x̂ D(x̂)‖ − 1)² with torch.optim.SGD."""
    t = make_trainer(objective="wgan-gp", gp_weight=5.0, momentum=0.0)
    assert type(t.engine).__name__ == "AutogradEngine"
    D = copy.deepcopy(t.D)
    rng = torch.Generator().manual_seed(0)
    rng.set_state(t.rng.get_state())
    x, z = t.sample_real(32, rng), t.sample_noise(32, rng)
    eps = torch.rand(32, 1, generator=rng)
    with torch.no_grad():
        fake = t.G(z)
    x_hat = (eps * x + (1 - eps) * fake).requires_grad_(True)
    (grad_x,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    loss = D(fake).mean() - D(x).mean() + 5.0 * ((grad_x.norm(dim=1) - 1) ** 2).mean()
    opt = torch.optim.SGD(D.parameters(), lr=0.05)
    loss.backward()
    opt.step()
    t.step_d()
    assert float(t._d_loss) == pytest.approx(float(loss.detach()), rel=1e-5)
    for p, q in zip(t.D.parameters(), D.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_mmd_trains_g_only_and_its_loss_is_the_minibatch_mmd():
    """Direct training: no D step (D untouched, no D loss), G moves, and G's loss is MMD² between
    a data minibatch and G's samples (checked by replaying the random stream)."""
    from playground.mmd import mmd2

    t = make_trainer(method="mmd", k=5, g_steps=2)
    d_before, g_before = params(t.D), params(t.G)
    rng = torch.Generator().manual_seed(0)
    rng.set_state(t.rng.get_state())
    z, real = t.sample_noise(32, rng), t.sample_real(32, rng)
    with torch.no_grad():
        expected = float(mmd2(real, t.G(z)))
    t.step_g()
    row = t.drain_losses()[0]
    assert row[2] == pytest.approx(expected, rel=1e-5) and np.isnan(row[1])
    t.train_iterations(3)
    assert t.d_steps == 0 and t.g_steps == 1 + 3 * 2
    assert same(params(t.D), d_before) and not same(params(t.G), g_before)


def test_mmd_training_reduces_mmd():
    t = make_trainer(method="mmd", optimizer="adam", lr_g=0.01, momentum=0.5, batch=64)
    t.train_iterations(150)
    losses = t.drain_losses()[:, 2]
    assert losses[-20:].mean() < 0.3 * losses[:5].mean()


def test_the_generator_gradient_norm_is_recorded_and_shows_the_saturating_loss():
    """Each iteration's row holds ‖∇θG‖ of its G step (the norm of the gradient the optimizer gets);
    where D rejects G's samples it is tiny with the minimax loss and large with the non-saturating one."""
    t = make_trainer()
    rng = torch.Generator().manual_seed(0)
    rng.set_state(t.rng.get_state())
    _, grads = copy.deepcopy(t.engine).g_grads(t.sample_noise(32, rng), t.losses)
    t.step_g()
    assert t.drain_losses()[0, 3] == pytest.approx(float(torch.cat([g.reshape(-1) for g in grads]).norm()), rel=1e-5)
    norms = {}
    for loss in ("minimax", "nonsaturating"):
        t = make_trainer(loss=loss)
        with torch.no_grad():
            t.D.linears[-1].bias.fill_(-8.0)  # D(x) ≈ 3e-4 everywhere
        t.step_g()
        norms[loss] = t.drain_losses()[0, 3]
    assert norms["nonsaturating"] > 100 * norms["minimax"]


def test_one_iteration_at_a_time_looks_at_the_weights_only_every_check_every_iterations():
    """A live MNIST page trains one iteration per call: the losses are checked after each, the
    million weights only every CHECK_EVERY iterations (each look took ~1.5 ms of a ~10 ms step)."""
    t = make_trainer()
    for _ in range(t.CHECK_EVERY - 1):
        t.train_iterations(1)
    assert t._weights_checked_at == 0
    t.train_iterations(1)
    assert t._weights_checked_at == t.CHECK_EVERY
    t.check_finite()  # an explicit check (a live frame's, after its training) always looks
    assert t._weights_checked_at == t.CHECK_EVERY
    t.train_iterations(3)
    t.check_finite()
    assert t._weights_checked_at == t.CHECK_EVERY + 3
