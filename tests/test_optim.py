"""The foreach optimizers against torch.optim, the reference answer."""

import pytest
import torch

from playground import optim
from playground.optim import Adam, SGDMomentum, make_optimizer


def _run(ours_cls, theirs_factory, lrs, momentum):
    torch.manual_seed(0)
    a = [torch.randn(3, 4), torch.randn(4)]
    b = [t.clone().requires_grad_() for t in a]
    ours = ours_cls(a, lrs[0], momentum)
    theirs = theirs_factory(b, lrs[0], momentum)
    for lr in lrs:  # the learning rate changes between steps, as a slider would
        grads = [torch.randn_like(t) for t in a]
        ours.lr = lr
        for group in theirs.param_groups:
            group["lr"] = lr
        ours.step(grads)
        for p, g in zip(b, grads):
            p.grad = g.clone()
        theirs.step()
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y.detach())
    return ours


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.99])
def test_sgd_momentum_matches_torch(momentum):
    ours = _run(SGDMomentum, lambda p, lr, m: torch.optim.SGD(p, lr=lr, momentum=m), [0.1, 0.05, 0.2, 0.01], momentum)
    assert ours.steps == 4
    assert (ours.buffers is not None) == (momentum > 0)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9])
def test_adam_matches_torch(beta1, fused, monkeypatch):
    """Both implementations (the fused kernel and the foreach fallback) against torch.optim.Adam,
    with the learning rate and β1 changed between steps as the sliders would."""
    monkeypatch.setattr(optim, "FORCE_FOREACH", not fused)
    lrs = [1e-2, 1e-3, 5e-3, 2e-2]
    torch.manual_seed(0)
    a = [torch.randn(3, 4), torch.randn(4)]
    b = [t.clone().requires_grad_() for t in a]
    ours, theirs = Adam(a, lrs[0], beta1), torch.optim.Adam(b, lr=lrs[0], betas=(beta1, 0.999))
    assert ours.fused == fused
    for step, lr in enumerate(lrs):
        beta = beta1 if step < 2 else 0.5  # β1 (the momentum slider) changes too
        ours.lr, ours.momentum = lr, beta
        theirs.param_groups[0].update(lr=lr, betas=(beta, 0.999))
        grads = [torch.randn_like(t) for t in a]
        ours.step(grads)
        for p, g in zip(b, grads):
            p.grad = g.clone()
        theirs.step()
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y.detach())


def test_unknown_optimizer():
    with pytest.raises(ValueError):
        make_optimizer("rmsprop", [torch.zeros(1)], 0.1, 0.0)
