"""What G and D optimise, each objective stated once: its losses as functions of D's raw outputs
(logits l), their derivatives in l (what the hand-written engine backpropagates), and what D's
output means (what the views may draw). Every loss is a mean over a minibatch of m.

    bce            D: −y·log σ(l_real) − (1 − y)·log(1 − σ(l_real)) − log(1 − σ(l_fake))
                   G: −log σ(l_fake) (non-saturating)  or  log(1 − σ(l_fake)) (minimax)
    least-squares  D: ½(l_real − y)² + ½ l_fake²        G: ½(l_fake − 1)²      (Mao et al. 2017: a = 0, b = y, c = 1)
    hinge          D: relu(1 − l_real) + relu(1 + l_fake)    G: −l_fake      (Miyato et al. 2018)
    wgan-gp        D: l_fake − l_real + λ (‖∇x̂ D(x̂)‖ − 1)²    G: −l_fake      (Gulrajani et al. 2017)

y is the real samples' label: 1, or 1 − s with one-sided label smoothing s (Salimans et al. 2016);
it applies to bce and least squares only. WGAN-GP's penalty, on random points x̂ between real and
generated samples, needs the gradient of a gradient, so it lives in the autograd engine; the
other objectives are functions of the logits alone and the fused engine serves them too.

The fused engine's D batch is real rows then fake rows, (2m, 1); each D loss is written on that
batch with a per-row column c (y for real rows and 0 for fake rows, or the sign −1 / +1), which
keeps the D step a handful of whole-batch kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

OBJECTIVES_ORDER = ("bce", "least-squares", "wgan-gp", "hinge")
METHODS = ("adversarial", "mmd")

Tensor = torch.Tensor


@dataclass(frozen=True)
class Losses:
    """The loss settings of a step (hashable: the GPU path keys its captured graphs on them)."""

    objective: str = "bce"
    gen_loss: str = "nonsaturating"  # bce only: 'nonsaturating' or 'minimax'
    real_label: float = 1.0  # 1 − one-sided label smoothing (bce and least squares)
    gp_weight: float = 10.0  # wgan-gp's λ


@dataclass(frozen=True)
class Objective:
    name: str
    label: str
    probability: bool  # D's output is read through σ as a probability; else it is a score
    optimal_d: bool  # its optimal D is y · p_data / (p_data + p_g) (Goodfellow et al. Prop. 1, Mao et al.)
    smoothing: bool  # one-sided label smoothing applies
    fused: bool  # a function of the logits alone: the hand-written engine can serve it
    column: Callable[[float], tuple[float, float]]  # real label -> (real row's c, fake row's c)
    d_loss: Callable[[Tensor, Tensor, int], Tensor]  # (logits (2m, 1), c (2m, 1), m) -> loss
    d_grad: Callable[[Tensor, Tensor, int], Tensor]  # -> d loss / d logits, (2m, 1)
    g_loss: Callable[[Tensor, str], Tensor]  # (logits of G's samples (m, 1), gen_loss) -> loss
    g_grad: Callable[[Tensor, str], Tensor]  # -> d loss / d logits, (m, 1)
    d_formula: str  # D's stochastic gradient, as Algorithm 1 writes it (bce's is ascended, the others descended)
    g_formula: str  # what G does, for gen_loss 'nonsaturating' (bce's minimax form is in text.py)
    penalty: bool = False  # adds WGAN-GP's gradient penalty to the D loss
    d_optimum: float | None = None  # the D loss at the global optimum (p_g = p_data, D = D*), y = 1
    g_optimum: float | None = None  # the (non-saturating) G loss there


# --- bce: c = y on real rows, 0 on fake rows; BCE(l → c) = softplus(l) − c·l, d/dl = σ(l) − c ----------

def _bce_d_loss(logits: Tensor, c: Tensor, m: int) -> Tensor:
    return torch.addcmul(F.softplus(logits), c, logits, value=-1).sum() / m


def _bce_d_grad(logits: Tensor, c: Tensor, m: int) -> Tensor:
    return torch.sigmoid(logits).sub_(c).div_(m)


def _bce_g_loss(logit: Tensor, gen_loss: str) -> Tensor:
    m = logit.shape[0]
    if gen_loss == "nonsaturating":
        return F.softplus(-logit).sum() / m  # −log D(G(z))
    return F.softplus(logit).sum() / -m  # log(1 − D(G(z)))


def _bce_g_grad(logit: Tensor, gen_loss: str) -> Tensor:
    m = logit.shape[0]
    if gen_loss == "nonsaturating":
        return torch.sigmoid(logit).sub_(1).div_(m)  # d/dl −log σ(l) = σ(l) − 1
    return torch.sigmoid(logit).div_(-m)  # d/dl log(1 − σ(l)) = −σ(l)


# --- least squares: c = y on real rows, 0 on fake rows; ½(l − c)², d/dl = l − c ------------------------

def _ls_d_loss(logits: Tensor, c: Tensor, m: int) -> Tensor:
    return (logits - c).square().sum() / (2 * m)


def _ls_d_grad(logits: Tensor, c: Tensor, m: int) -> Tensor:
    return (logits - c).div_(m)


def _ls_g_loss(logit: Tensor, gen_loss: str) -> Tensor:
    return (logit - 1).square().sum() / (2 * logit.shape[0])


def _ls_g_grad(logit: Tensor, gen_loss: str) -> Tensor:
    return (logit - 1).div_(logit.shape[0])


# --- hinge: c = −1 on real rows, +1 on fake rows; relu(1 + c·l), d/dl = c·[1 + c·l > 0] ----------------

def _hinge_d_loss(logits: Tensor, c: Tensor, m: int) -> Tensor:
    return F.relu(torch.addcmul(torch.ones_like(logits), c, logits)).sum() / m


def _hinge_d_grad(logits: Tensor, c: Tensor, m: int) -> Tensor:
    active = torch.addcmul(torch.ones_like(logits), c, logits) > 0
    return c * active / m


# --- Wasserstein critic: c = −1 on real rows, +1 on fake rows; c·l, d/dl = c -------------------------

def _critic_d_loss(logits: Tensor, c: Tensor, m: int) -> Tensor:
    return (c * logits).sum() / m


def _critic_d_grad(logits: Tensor, c: Tensor, m: int) -> Tensor:
    return c / m


def _score_g_loss(logit: Tensor, gen_loss: str) -> Tensor:
    return -logit.sum() / logit.shape[0]  # −D(G(z)): raise the critic's score of G's samples


def _score_g_grad(logit: Tensor, gen_loss: str) -> Tensor:
    return torch.full_like(logit, -1.0 / logit.shape[0])


def _labels(real_label: float) -> tuple[float, float]:
    return real_label, 0.0


def _signs(real_label: float) -> tuple[float, float]:
    return -1.0, 1.0


OBJECTIVES: dict[str, Objective] = {
    "bce": Objective(
        "bce", "binary cross-entropy (the paper's)", probability=True, optimal_d=True, smoothing=True, fused=True,
        column=_labels, d_loss=_bce_d_loss, d_grad=_bce_d_grad, g_loss=_bce_g_loss, g_grad=_bce_g_grad,
        d_formula="∇θd (1/m) Σ [ log D(x⁽ⁱ⁾) + log(1 − D(G(z⁽ⁱ⁾))) ]",
        g_formula="∇θg (1/m) Σ −log D(G(z⁽ⁱ⁾))", d_optimum=math.log(4), g_optimum=math.log(2)),
    "least-squares": Objective(
        "least-squares", "least squares (LSGAN)", probability=False, optimal_d=True, smoothing=True, fused=True,
        column=_labels, d_loss=_ls_d_loss, d_grad=_ls_d_grad, g_loss=_ls_g_loss, g_grad=_ls_g_grad,
        d_formula="∇θd (1/m) Σ [ ½(D(x⁽ⁱ⁾) − 1)² + ½ D(G(z⁽ⁱ⁾))² ]",
        g_formula="∇θg (1/m) Σ ½(D(G(z⁽ⁱ⁾)) − 1)²", d_optimum=0.25, g_optimum=0.125),
    "wgan-gp": Objective(
        "wgan-gp", "Wasserstein critic with gradient penalty (WGAN-GP)", probability=False, optimal_d=False,
        smoothing=False, fused=False, column=_signs, d_loss=_critic_d_loss, d_grad=_critic_d_grad,
        g_loss=_score_g_loss, g_grad=_score_g_grad,
        d_formula="∇θd (1/m) Σ [ D(G(z⁽ⁱ⁾)) − D(x⁽ⁱ⁾) + λ (‖∇x̂ D(x̂⁽ⁱ⁾)‖ − 1)² ],\n"
                  "x̂⁽ⁱ⁾ = ε⁽ⁱ⁾ x⁽ⁱ⁾ + (1 − ε⁽ⁱ⁾) G(z⁽ⁱ⁾), ε⁽ⁱ⁾ ~ U(0, 1)",
        g_formula="∇θg (1/m) Σ −D(G(z⁽ⁱ⁾))", penalty=True),
    "hinge": Objective(
        "hinge", "hinge", probability=False, optimal_d=False, smoothing=False, fused=True,
        column=_signs, d_loss=_hinge_d_loss, d_grad=_hinge_d_grad, g_loss=_score_g_loss, g_grad=_score_g_grad,
        d_formula="∇θd (1/m) Σ [ max(0, 1 − D(x⁽ⁱ⁾)) + max(0, 1 + D(G(z⁽ⁱ⁾))) ]",
        g_formula="∇θg (1/m) Σ −D(G(z⁽ⁱ⁾))"),
}
assert tuple(OBJECTIVES) == OBJECTIVES_ORDER


def real_label(objective: str, label_smoothing: float) -> float:
    """The label D is trained to give real samples: 1 − s where smoothing applies, else 1."""
    return 1.0 - label_smoothing if OBJECTIVES[objective].smoothing else 1.0


def d_column(objective: Objective, losses: Losses, m: int, device: torch.device) -> Tensor:
    """The (2m, 1) column c of the objective's D loss: m real rows, then m fake rows."""
    real, fake = objective.column(losses.real_label)
    return torch.cat([torch.full((m, 1), real, device=device), torch.full((m, 1), fake, device=device)])


def gradient_penalty(D: torch.nn.Module, real: Tensor, fake: Tensor, mix: Tensor) -> Tensor:
    """WGAN-GP's (1/m) Σ (‖∇x̂ D(x̂)‖ − 1)² on x̂ = ε x + (1 − ε) G(z), differentiable in D's weights
    (the gradient of a gradient: ``create_graph``). ``mix`` holds ε, (m, 1)."""
    x_hat = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).float().sum(), x_hat, create_graph=True)
    return (grad.float().norm(dim=1) - 1).square().mean()
