"""The foreach optimizers against torch.optim, the reference answer."""

import pytest
import torch

from playground import optim
from playground.optim import Adam, SGDMomentum, make_optimizer


def _run(ours_cls, theirs_factory, lrs, momentum, retune_theirs=None, momenta=None):
    """Step ours and torch.optim's side by side on the same gradients; the learning rate (and,
    given ``momenta``, the momentum) changes between steps, as a slider would."""
    torch.manual_seed(0)
    a = [torch.randn(3, 4), torch.randn(4)]
    b = [t.clone().requires_grad_() for t in a]
    ours = ours_cls(a, lrs[0], momentum)
    theirs = theirs_factory(b, lrs[0], momentum)
    for step, lr in enumerate(lrs):
        m = momenta[step] if momenta else momentum
        ours.lr, ours.momentum = lr, m
        for group in theirs.param_groups:
            group.update(lr=lr, **(retune_theirs(m) if retune_theirs else {}))
        grads = [torch.randn_like(t) for t in a]
        ours.step(grads)
        for p, g in zip(b, grads):
            p.grad = g.clone()
        theirs.step()
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y.detach())
    return ours


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.99])
def test_sgd_momentum_matches_torch(momentum, fused, monkeypatch):
    """Both implementations (the fused kernel and the foreach fallback) against torch.optim.SGD."""
    monkeypatch.setattr(optim, "FORCE_FOREACH", not fused)
    ours = _run(SGDMomentum, lambda p, lr, m: torch.optim.SGD(p, lr=lr, momentum=m), [0.1, 0.05, 0.2, 0.01], momentum)
    assert ours.steps == 4 and ours.fused == fused
    assert (ours.buffers is not None) == (momentum > 0)


@pytest.mark.parametrize("fused", [True, False])
def test_sgd_momentum_slider_moves_through_zero(fused, monkeypatch):
    """Momentum changed between steps, to 0 and back: the buffer starts on the first step with
    momentum and is kept (not updated) while momentum is 0, as in torch.optim.SGD."""
    monkeypatch.setattr(optim, "FORCE_FOREACH", not fused)
    momenta = [0.0, 0.9, 0.9, 0.0, 0.5, 0.9]
    _run(SGDMomentum, lambda p, lr, m: torch.optim.SGD(p, lr=lr, momentum=m), [0.1, 0.05, 0.2, 0.01, 0.1, 0.05],
         momenta[0], retune_theirs=lambda m: {"momentum": m}, momenta=momenta)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9])
def test_adam_matches_torch(beta1, fused, monkeypatch):
    """Both implementations (the fused kernel and the foreach fallback) against torch.optim.Adam,
    with the learning rate and β1 (the momentum slider) changed between steps."""
    monkeypatch.setattr(optim, "FORCE_FOREACH", not fused)
    ours = _run(Adam, lambda p, lr, m: torch.optim.Adam(p, lr=lr, betas=(m, 0.999)), [1e-2, 1e-3, 5e-3, 2e-2],
                beta1, retune_theirs=lambda m: {"betas": (m, 0.999)}, momenta=[beta1, beta1, 0.5, 0.5])
    assert ours.fused == fused


def test_unknown_optimizer():
    with pytest.raises(ValueError):
        make_optimizer("rmsprop", [torch.zeros(1)], 0.1, 0.0)
