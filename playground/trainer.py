"""Algorithm 1 of Goodfellow et al. (2014): k discriminator steps, then one generator step.

    for each training iteration:
        for k steps:
            sample m noise samples z and m data samples x          (fresh minibatches each step)
            update D by ascending  mean log D(x) + mean log(1 − D(G(z)))
        sample m noise samples z
        update G by descending mean log(1 − D(G(z)))    ('minimax')
                 or            mean −log D(G(z))        ('nonsaturating', the paper's practical fix)

D is trained with binary cross-entropy, real = 1 and fake = 0, so the D loss is exactly −V(D, G)
estimated on the minibatch; at the optimum it is log 4. Losses are computed from logits with
softplus (log σ(l) = −softplus(−l)) so that they stay finite when D saturates.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .accel import Capture, GraphedEngine, cuda_graph_capture, use_cuda_graphs
from .models import MLP, FusedMLP
from .optim import make_optimizer

GEN_LOSSES = ("nonsaturating", "minimax")
NOISE_KINDS = ("uniform", "normal")

Sampler = Callable[[int, torch.Generator], torch.Tensor]


def noise_sampler(kind: str, dim: int) -> Sampler:
    """z ~ U(−1, 1)^dim (as in Figure 1) or N(0, I)."""
    if kind == "uniform":
        return lambda n, g: torch.empty(n, dim, device=g.device).uniform_(-1, 1, generator=g)
    if kind == "normal":
        return lambda n, g: torch.randn(n, dim, generator=g, device=g.device)
    raise ValueError(f"noise must be one of {NOISE_KINDS}")


@dataclass(frozen=True)
class Hyper:
    """The hyperparameters that may change while training runs."""

    k: int = 1
    lr_d: float = 0.01
    lr_g: float = 0.01
    momentum: float = 0.9
    optimizer: str = "sgd"
    loss: str = "nonsaturating"
    batch: int = 256


class Diverged(RuntimeError):
    """A loss or parameter became NaN or infinite."""

    def __init__(self, iteration: int, what: str):
        super().__init__(f"training diverged at iteration {iteration}: {what}")
        self.iteration, self.what = iteration, what


# --- gradient engines: the same maths, two implementations -------------------------------------

class AutogradEngine:
    """Losses and gradients through autograd: works for any G and D (DCGAN included).

    With ``autocast`` (a dtype such as bfloat16), the networks run in mixed precision; the losses
    are computed from float32 logits.
    """

    def __init__(self, G: torch.nn.Module, D: torch.nn.Module, autocast: torch.dtype | None = None):
        self.G, self.D = G, D
        self.params_g, self.params_d = list(G.parameters()), list(D.parameters())
        self.autocast = autocast

    def _precision(self):
        device_type = self.params_d[0].device.type
        return torch.autocast(device_type, dtype=self.autocast, enabled=self.autocast is not None)

    def d_grads(self, real, z):
        with self._precision():
            with torch.no_grad():
                fake = self.G(z)
            logit_real, logit_fake = self.D(real).float(), self.D(fake).float()
        # maximise log D(x) + log(1 − D(G(z)))  ⇔  minimise BCE(real → 1) + BCE(fake → 0)
        loss = F.softplus(-logit_real).mean() + F.softplus(logit_fake).mean()
        return loss.detach(), list(torch.autograd.grad(loss, self.params_d))

    def g_grads(self, z, gen_loss: str):
        with self._precision():
            logit = self.D(self.G(z)).float()
        if gen_loss == "nonsaturating":
            loss = F.softplus(-logit).mean()  # −log D(G(z))
        else:
            loss = -F.softplus(logit).mean()  # log(1 − D(G(z)))
        return loss.detach(), list(torch.autograd.grad(loss, self.params_g))


class FusedMLPEngine:
    """The same losses and gradients with hand-written backprop, for MLP generator/discriminator.

    Real and fake batches go through D as one (2m, ·) batch. With sign = −1 for real rows and +1
    for fake rows, BCE(real → 1) = softplus(−l) and BCE(fake → 0) = softplus(l) are both
    softplus(sign·l), whose derivative in l is sign·σ(sign·l).
    """

    def __init__(self, G: MLP, D: MLP):
        self.G, self.D = FusedMLP(G), FusedMLP(D)
        self.params_g, self.params_d = [self.G.flat], [self.D.flat]
        self._signs: dict[tuple[int, torch.device], torch.Tensor] = {}

    def _real_then_fake_signs(self, m: int, device: torch.device) -> torch.Tensor:
        key = (m, device)
        if key not in self._signs:
            self._signs = {key: torch.cat([-torch.ones(m, 1, device=device), torch.ones(m, 1, device=device)])}
        return self._signs[key]

    @torch.no_grad()
    def d_grads(self, real, z):
        m = real.shape[0]
        fake, _ = self.G.forward(z)
        logits, inputs = self.D.forward(torch.cat([real, fake]))  # (2m, 1)
        sign = self._real_then_fake_signs(m, logits.device)
        # maximise log D(x) + log(1 − D(G(z)))  ⇔  minimise BCE(real → 1) + BCE(fake → 0)
        signed = logits * sign
        loss = F.softplus(signed).sum().div_(m)
        grad_logits = torch.sigmoid(signed).mul_(sign).div_(m)
        return loss, [self.D.backward(inputs, grad_logits)]

    @torch.no_grad()
    def g_grads(self, z, gen_loss: str):
        m = z.shape[0]
        fake, g_inputs = self.G.forward(z)
        logit, d_inputs = self.D.forward(fake)
        if gen_loss == "nonsaturating":
            loss = F.softplus(-logit).sum().div_(m)  # −log D(G(z));  d/dl = σ(l) − 1
            grad_logit = torch.sigmoid(logit).sub_(1).div_(m)
        else:
            loss = F.softplus(logit).sum().div_(-m)  # log(1 − D(G(z)));  d/dl = −σ(l)
            grad_logit = torch.sigmoid(logit).div_(-m)
        grad_fake = self.D.backward(d_inputs, grad_logit, weight_grads=False)
        return loss, [self.G.backward(g_inputs, grad_fake)]


def make_engine(G: torch.nn.Module, D: torch.nn.Module, fused: bool | None = None,
                graphs: bool | None = None, capture: Capture = cuda_graph_capture,
                autocast: torch.dtype | None = None):
    """The fused engine when both networks are MLPs (unless ``fused`` is False), replayed from
    CUDA graphs on a GPU (``graphs`` None: decided by accel.use_cuda_graphs); else autograd."""
    can_fuse = isinstance(G, MLP) and isinstance(D, MLP)
    if fused and not can_fuse:
        raise ValueError("the fused engine needs MLP networks")
    if not (can_fuse if fused is None else fused):
        return AutogradEngine(G, D, autocast)
    engine = FusedMLPEngine(G, D)
    device = next(G.parameters()).device
    if use_cuda_graphs(device, True) if graphs is None else graphs:
        return GraphedEngine(engine, capture)
    return engine


# --- the trainer ------------------------------------------------------------------------------

class Trainer:
    """Owns G, D, their optimizers and the random stream; counts steps; detects divergence."""

    def __init__(self, G: torch.nn.Module, D: torch.nn.Module, sample_real: Sampler,
                 sample_noise: Sampler, hyper: Hyper, seed: int, device: torch.device,
                 fused: bool | None = None, graphs: bool | None = None,
                 capture: Capture = cuda_graph_capture, autocast: torch.dtype | None = None):
        self.G, self.D = G.to(device), D.to(device)
        self.sample_real, self.sample_noise = sample_real, sample_noise
        self.device = device
        self.rng = torch.Generator(device).manual_seed(seed)
        self.engine = make_engine(self.G, self.D, fused, graphs, capture, autocast)
        self.hyper = hyper
        self._make_optimizers()
        self.iterations = self.d_steps = self.g_steps = 0
        self._d_loss: torch.Tensor | None = None  # None until D's first step: there is no D loss yet
        # (D loss or None, G loss) per iteration since the last drain
        self._pending: list[tuple[torch.Tensor | None, torch.Tensor]] = []
        self._pending_start = 0
        self._checked = 0  # how many of the pending losses check_finite has already seen
        self.seconds_training = 0.0

    def _make_optimizers(self) -> None:
        h = self.hyper
        self.opt_d = make_optimizer(h.optimizer, self.engine.params_d, h.lr_d, h.momentum)
        self.opt_g = make_optimizer(h.optimizer, self.engine.params_g, h.lr_g, h.momentum)

    def set_hyper(self, hyper: Hyper) -> None:
        """Takes effect at the next step; a new optimizer kind restarts only the optimizer state."""
        old, self.hyper = self.hyper, hyper
        if hyper.optimizer != old.optimizer:
            self._make_optimizers()
            return
        for opt, lr in ((self.opt_d, hyper.lr_d), (self.opt_g, hyper.lr_g)):
            opt.lr, opt.momentum = lr, hyper.momentum

    # One D step, one G step, one iteration ------------------------------------------------------

    def step_d(self) -> None:
        """Update D on fresh minibatches of m real and m generated samples."""
        m = self.hyper.batch
        real, z = self.sample_real(m, self.rng), self.sample_noise(m, self.rng)
        self._d_loss, grads = self.engine.d_grads(real, z)
        self.opt_d.step(grads)
        self.d_steps += 1

    def step_g(self) -> None:
        """Update G on a fresh noise minibatch; this completes an iteration."""
        z = self.sample_noise(self.hyper.batch, self.rng)
        g_loss, grads = self.engine.g_grads(z, self.hyper.loss)
        self.opt_g.step(grads)
        self.g_steps += 1
        if not self._pending:
            self._pending_start = self.iterations + 1
        self.iterations += 1
        self._pending.append((self._d_loss, g_loss))

    def step_iteration(self) -> None:
        for _ in range(self.hyper.k):
            self.step_d()
        self.step_g()

    # Batches of iterations ----------------------------------------------------------------------

    CHECK_EVERY = 64  # iterations between divergence checks in long runs

    def train_iterations(self, n: int) -> None:
        """Run n iterations of Algorithm 1, checking for divergence (raises Diverged) at least
        every CHECK_EVERY iterations, so a run that blows up stops soon after it does."""
        start = time.perf_counter()
        try:
            for i in range(1, n + 1):
                self.step_iteration()
                if i % self.CHECK_EVERY == 0:
                    self.check_finite()
        finally:
            self.seconds_training += time.perf_counter() - start
        self.check_finite()

    def train_for(self, seconds: float, chunk_seconds: float = 0.01,
                  should_stop: Callable[[], bool] | None = None, max_iterations: int | None = None) -> int:
        """Train in chunks of ~chunk_seconds until ``seconds`` have passed, ``max_iterations`` are
        done, or ``should_stop()`` says so between chunks; returns iterations run (at least one,
        unless ``max_iterations`` is 0)."""
        deadline = time.perf_counter() + seconds
        left = math.inf if max_iterations is None else max_iterations
        done, chunk = 0, min(1, left)
        while chunk:
            t0 = time.perf_counter()
            self.train_iterations(chunk)
            done += chunk
            left -= chunk
            now = time.perf_counter()
            if now >= deadline or not left or (should_stop is not None and should_stop()):
                break
            per_iteration = (now - t0) / chunk
            chunk = max(1, min(int(chunk_seconds / max(per_iteration, 1e-6)), int((deadline - now) / max(per_iteration, 1e-6)) + 1, left))
        return done

    # Losses and divergence ----------------------------------------------------------------------

    @staticmethod
    def _stack(pending: list[tuple[torch.Tensor | None, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
        """(losses (n, 2), has_d (n,)): iterations before D's first step have no D loss; their
        cell holds NaN and ``has_d`` is False (one stack, no per-row sync on the GPU path)."""
        g_losses = [g for _, g in pending]
        filler = g_losses[0].new_full((), math.nan)
        d_losses = [filler if d is None else d for d, _ in pending]
        has_d = torch.tensor([d is not None for d, _ in pending], device=filler.device)
        return torch.stack([torch.stack(d_losses), torch.stack(g_losses)], dim=1), has_d

    def drain_losses(self) -> np.ndarray:
        """(n, 3) float64 rows of (iteration, D loss, G loss) for iterations since the last drain.

        An iteration that ran before any D step (Step G first) has no D loss: its cell is NaN, the
        "no value" of the loss history and the CSV (an empty cell), not a divergence."""
        if not self._pending:
            return np.empty((0, 3))
        values = self._stack(self._pending)[0].double().cpu().numpy()
        iterations = np.arange(self._pending_start, self._pending_start + len(values), dtype=float)
        self._pending, self._checked = [], 0
        return np.column_stack([iterations, values])

    def check_finite(self) -> None:
        """Raise Diverged naming the first iteration whose loss, or any parameter, is not finite
        (a D loss that does not exist yet is not a divergence)."""
        new = self._pending[self._checked:]
        if new:
            losses, has_d = self._stack(new)
            bad = ~torch.isfinite(losses)
            bad[:, 0] &= has_d
            if bool(bad.any()):
                row, col = (int(i) for i in bad.nonzero()[0])
                name = "D loss" if col == 0 else "G loss"
                raise Diverged(self._pending_start + self._checked + row,
                               f"the {name} became {float(losses[row, col])}")
            self._checked = len(self._pending)
        elif self._d_loss is not None and not math.isfinite(float(self._d_loss)):
            raise Diverged(self.iterations, f"the D loss became {float(self._d_loss)}")
        params = self.engine.params_d + self.engine.params_g  # one flat tensor each when fused
        if not bool(torch.stack([torch.isfinite(p).all() for p in params]).all()):
            raise Diverged(self.iterations, "a network weight became NaN or infinite")

    # Exact state --------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything the next step depends on, copied, as tensors, numbers and strings only (no
        objects), so it can be kept in memory (a timeline keyframe) or written to a safe file
        format: G and D (batch-norm statistics included), both optimizers' state, the random
        stream, the step counters, the hyperparameters, the last D loss and the losses not yet
        drained. Loading it and training on repeats the original run bit for bit (on one device)."""
        if self._pending:
            losses, has_d = self._stack(self._pending)
        else:
            losses, has_d = torch.empty(0, 2, device=self.device), torch.empty(0, dtype=torch.bool)
        state = {
            "G": {name: t.detach().clone() for name, t in self.G.state_dict().items()},
            "D": {name: t.detach().clone() for name, t in self.D.state_dict().items()},
            "opt_d": self.opt_d.state_dict(), "opt_g": self.opt_g.state_dict(),
            "rng": self.rng.get_state(),
            "iterations": self.iterations, "d_steps": self.d_steps, "g_steps": self.g_steps,
            "hyper": asdict(self.hyper),
            "pending_losses": losses.detach().clone(), "pending_has_d": has_d.cpu(),
            "pending_start": self._pending_start, "checked": self._checked,
        }
        if self._d_loss is not None:
            state["d_loss"] = self._d_loss.detach().clone()
        return state

    def load_state_dict(self, state: dict) -> None:
        """Put the trainer back to a :meth:`state_dict`: the tensors are copied into the existing
        ones (flat parameter views and CUDA graphs keep pointing at them)."""
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        hyper = Hyper(**state["hyper"])
        old, self.hyper = self.hyper, hyper
        if hyper.optimizer != old.optimizer:
            self._make_optimizers()
        for opt, lr, saved in ((self.opt_d, hyper.lr_d, state["opt_d"]), (self.opt_g, hyper.lr_g, state["opt_g"])):
            opt.lr, opt.momentum = lr, hyper.momentum
            opt.load_state_dict(saved)
        self.rng.set_state(state["rng"])
        self.iterations, self.d_steps, self.g_steps = (int(state[k]) for k in ("iterations", "d_steps", "g_steps"))
        d_loss = state.get("d_loss")
        self._d_loss = None if d_loss is None else d_loss.to(self.device, copy=True)
        losses = state["pending_losses"].to(self.device, copy=True)
        self._pending = [(losses[i, 0] if bool(has) else None, losses[i, 1])
                         for i, has in enumerate(state["pending_has_d"].tolist())]
        self._pending_start, self._checked = int(state["pending_start"]), int(state["checked"])

    # Evaluation ---------------------------------------------------------------------------------

    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> torch.Tensor:
        return self.G(z.to(self.device))

    @torch.no_grad()
    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """D(x) as a probability."""
        return torch.sigmoid(self.D(x.to(self.device)))
