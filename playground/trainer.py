"""Algorithm 1 of Goodfellow et al. (2014): k discriminator steps, then generator steps.

    for each training iteration:
        for k steps:                                               (none when G is trained by MMD)
            sample m noise samples z and m data samples x          (fresh minibatches each step)
            update D by descending its objective's D loss, e.g. −[mean log D(x) + mean log(1 − D(G(z)))]
        for g_steps steps (1 in the paper):
            sample m noise samples z
            update G by descending its objective's G loss, e.g. mean −log D(G(z)) ('nonsaturating')
                     or mean log(1 − D(G(z))) ('minimax'), or MMD²(x, G(z)) with method 'mmd'

The objectives (the paper's binary cross-entropy, least squares, hinge, WGAN-GP) are stated in
:mod:`playground.objectives`, MMD in :mod:`playground.mmd`. With binary cross-entropy D is trained
with real = 1 and fake = 0, so the D loss is exactly −V(D, G) estimated on the minibatch; at the
optimum it is log 4. Losses are computed from logits (log σ(l) = −softplus(−l)) so that they stay
finite when D saturates.

A G with InfoGAN's categorical code (``G.code_dim`` > 0, Chen et al. 2016) adds λ · CE(Q(G(z, c)), c)
to both updates, Q being D's second head: D's shared layers and Q learn to read the code back,
G to write it legibly. The losses reported are the objective's alone.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from dataclasses import asdict, dataclass
from typing import Callable, ContextManager

import numpy as np
import torch

from .accel import Capture, GraphedEngine, cuda_graph_capture, use_cuda_graphs
from .mmd import mmd2
from .models import MLP, FusedMLP
from .objectives import OBJECTIVES, Losses, d_column, gradient_penalty, real_label
from .optim import make_optimizer

GEN_LOSSES = ("nonsaturating", "minimax")
NOISE_KINDS = ("uniform", "normal")

Sampler = Callable[[int, torch.Generator], torch.Tensor]
INFO_WEIGHT = 1.0  # λ of InfoGAN's code term (Chen et al. use 1 for a categorical code)


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
    g_steps: int = 1  # G steps per iteration
    optimizer_g: str | None = None  # None: the same as D's
    momentum_g: float | None = None  # None: the same as D's
    objective: str = "bce"
    label_smoothing: float = 0.0  # one-sided: real samples' label 1 − s (bce and least squares)
    gp_weight: float = 10.0  # WGAN-GP's λ
    method: str = "adversarial"  # or 'mmd': G minimises MMD² to the data, D is not trained
    lr_halving: int = 0  # both learning rates halve every this many iterations (0: constant)
    g_average: float = 0.0  # β of the averaged generator shown, updated after each G step (0: off)

    @property
    def g_optimizer(self) -> str:
        return self.optimizer if self.optimizer_g is None else self.optimizer_g

    @property
    def g_momentum(self) -> float:
        return self.momentum if self.momentum_g is None else self.momentum_g

    def lr_factor(self, iterations: int) -> float:
        """What the learning rates are multiplied by after ``iterations`` iterations."""
        return 0.5 ** (iterations / self.lr_halving) if self.lr_halving else 1.0

    def losses(self) -> Losses:
        return Losses(self.objective, self.loss, real_label(self.objective, self.label_smoothing), self.gp_weight)


@dataclass(frozen=True)
class StepRecord:
    """What one D or G step did, kept only while ``Trainer.watch`` is on (slow motion, the Step
    buttons), so that full speed pays nothing for it: which network it updated, its minibatch
    (network units), the generated samples D judged (G(z) before the step) and the step's loss."""

    network: str  # "D" or "G"
    d_steps: int  # the counters after the step
    g_steps: int
    iteration: int  # the iteration the step belongs to (1: the first)
    real: torch.Tensor | None  # the real minibatch (a D step's; an MMD G step's), None for an adversarial G step
    z: torch.Tensor
    fake: torch.Tensor  # G(z) as the step saw it
    loss: torch.Tensor  # the loss the step descended


class Diverged(RuntimeError):
    """A loss or parameter became NaN or infinite."""

    def __init__(self, iteration: int, what: str):
        super().__init__(f"training diverged at iteration {iteration}: {what}")
        self.iteration, self.what = iteration, what


# --- gradient engines: the same maths, two implementations -------------------------------------

class _Columns:
    """The D loss's per-row column (see objectives.py), made once per objective, label and batch size."""

    def __init__(self):
        self._cached: tuple[tuple, torch.Tensor] | None = None

    def get(self, losses: Losses, m: int, device: torch.device) -> torch.Tensor:
        key = (losses.objective, losses.real_label, m, device)
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, d_column(OBJECTIVES[losses.objective], losses, m, device))
        return self._cached[1]


class AutogradEngine:
    """Losses and gradients through autograd: works for any G and D (DCGAN included) and every
    objective (WGAN-GP's penalty is the gradient of a gradient).

    With ``autocast`` (a dtype such as bfloat16), the networks run in mixed precision; the losses
    are computed from float32 logits.
    """

    def __init__(self, G: torch.nn.Module, D: torch.nn.Module, autocast: torch.dtype | None = None):
        self.G, self.D = G, D
        self.params_g, self.params_d = list(G.parameters()), list(D.parameters())
        self.autocast = autocast
        self.columns = _Columns()
        self.coded = getattr(G, "code_dim", 0) > 0  # InfoGAN: D's Q head reads G's code back

    def _judge_fake(self, fake, z):
        """D's logits on generated samples, and InfoGAN's code term (0 without a code)."""
        if not self.coded:
            return self.D(fake), 0.0
        logits, code_logits = self.D.forward_with_code(fake)
        return logits, INFO_WEIGHT * torch.nn.functional.cross_entropy(code_logits.float(), self.G.code_of(z))

    def _precision(self):
        device_type = self.params_d[0].device.type
        return torch.autocast(device_type, dtype=self.autocast, enabled=self.autocast is not None)

    def d_grads(self, real, z, losses: Losses, mix=None):
        objective, m = OBJECTIVES[losses.objective], real.shape[0]
        with self._precision():
            with torch.no_grad():
                fake = self.G(z)
            # real and fake go through D separately (batch norm sees each batch on its own)
            logit_real = self.D(real)
            logit_fake, code_loss = self._judge_fake(fake, z)
            logits = torch.cat([logit_real, logit_fake]).float()  # (2m, 1): real rows, then fake rows
            loss = objective.d_loss(logits, self.columns.get(losses, m, logits.device), m)
            if objective.penalty:
                loss = loss + losses.gp_weight * gradient_penalty(self.D, real, fake, mix)
        return loss.detach(), list(torch.autograd.grad(loss + code_loss, self.params_d))

    def g_grads(self, z, losses: Losses):
        with self._precision():
            logit, code_loss = self._judge_fake(self.G(z), z)
        loss = OBJECTIVES[losses.objective].g_loss(logit.float(), losses.gen_loss)
        return loss.detach(), list(torch.autograd.grad(loss + code_loss, self.params_g))

    def mmd_grads(self, z, real):
        with self._precision():
            fake = self.G(z).float()
        loss = mmd2(real, fake)
        return loss.detach(), list(torch.autograd.grad(loss, self.params_g))


class FusedMLPEngine:
    """The same losses and gradients with hand-written backprop, for MLP generator/discriminator
    and the objectives that are functions of D's logits alone.

    Real and fake batches go through D as one (2m, ·) batch; the objective gives the loss and its
    derivative in each logit (see objectives.py), which is backpropagated by hand. MMD's kernel
    part is differentiated by autograd, on G's (m, dim) output only.
    """

    def __init__(self, G: MLP, D: MLP):
        self.G, self.D = FusedMLP(G), FusedMLP(D)
        self.params_g, self.params_d = [self.G.flat], [self.D.flat]
        self.columns = _Columns()

    @torch.no_grad()
    def d_grads(self, real, z, losses: Losses, mix=None):
        objective, m = OBJECTIVES[losses.objective], real.shape[0]
        fake, _ = self.G.forward(z)
        logits, inputs = self.D.forward(torch.cat([real, fake]))  # (2m, 1)
        column = self.columns.get(losses, m, logits.device)
        loss = objective.d_loss(logits, column, m)
        return loss, [self.D.backward(inputs, objective.d_grad(logits, column, m))]

    @torch.no_grad()
    def g_grads(self, z, losses: Losses):
        objective = OBJECTIVES[losses.objective]
        fake, g_inputs = self.G.forward(z)
        logit, d_inputs = self.D.forward(fake)
        loss = objective.g_loss(logit, losses.gen_loss)
        grad_fake = self.D.backward(d_inputs, objective.g_grad(logit, losses.gen_loss), weight_grads=False)
        return loss, [self.G.backward(g_inputs, grad_fake)]

    @torch.no_grad()
    def mmd_grads(self, z, real):
        fake, g_inputs = self.G.forward(z)
        with torch.enable_grad():
            fake = fake.requires_grad_(True)
            loss = mmd2(real, fake)
            (grad_fake,) = torch.autograd.grad(loss, fake)
        return loss.detach(), [self.G.backward(g_inputs, grad_fake)]


def make_engine(G: torch.nn.Module, D: torch.nn.Module, fused: bool | None = None,
                graphs: bool | None = None, capture: Capture = cuda_graph_capture,
                autocast: torch.dtype | None = None, objective: str = "bce"):
    """The fused engine when both networks are MLPs and the objective is a function of D's logits
    (unless ``fused`` is False), replayed from CUDA graphs on a GPU (``graphs`` None: decided by
    accel.use_cuda_graphs); else autograd."""
    mlps = isinstance(G, MLP) and isinstance(D, MLP)
    if fused and not mlps:
        raise ValueError("the fused engine needs MLP networks")
    if not (mlps and OBJECTIVES[objective].fused and fused is not False):
        return AutogradEngine(G, D, autocast)
    engine = FusedMLPEngine(G, D)
    device = next(G.parameters()).device
    if use_cuda_graphs(device, True) if graphs is None else graphs:
        return GraphedEngine(engine, capture)
    return engine


def gradient_norm(grads: list[torch.Tensor]) -> torch.Tensor:
    """‖∇θ‖ over all of a network's gradients (one tensor each when fused), without a sync."""
    if len(grads) == 1:
        return torch.linalg.vector_norm(grads[0])
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


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
        self._engine_options = dict(fused=fused, graphs=graphs, capture=capture, autocast=autocast)
        self.hyper, self.losses = hyper, hyper.losses()
        self.engine = self._make_engine()
        self._make_optimizers()
        self.G_average: torch.nn.Module | None = None  # the averaged generator, while hyper.g_average > 0
        self.averaged_steps = 0  # G steps averaged into it
        self._sync_average()
        self.iterations = self.d_steps = self.g_steps = 0
        self._d_loss: torch.Tensor | None = None  # None until D's first step: there is no D loss yet
        self._g_norms: list[torch.Tensor] = []  # ‖∇θG‖ of each G step of the iteration under way
        # (D loss or None, G loss, mean ‖∇θG‖) per iteration since the last drain
        self._pending: list[tuple[torch.Tensor | None, torch.Tensor, torch.Tensor]] = []
        self._pending_start = 0
        self._checked = 0  # how many of the pending losses check_finite has already seen
        self._weights_checked_at = 0  # the iteration count at check_finite's last look at the weights
        self.seconds_training = 0.0
        self.watch = False  # True: keep a StepRecord of every step in ``last_step`` (slow motion)
        self.last_step: StepRecord | None = None

    def _make_engine(self):
        return make_engine(self.G, self.D, objective=self.hyper.objective, **self._engine_options)

    def _make_optimizers(self, d: bool = True, g: bool = True) -> None:
        h = self.hyper
        if d:
            self.opt_d = make_optimizer(h.optimizer, self.engine.params_d, h.lr_d, h.momentum)
        if g:
            self.opt_g = make_optimizer(h.g_optimizer, self.engine.params_g, h.lr_g, h.g_momentum)

    def set_hyper(self, hyper: Hyper) -> None:
        """Takes effect at the next step. A network whose optimizer kind changes gets a fresh
        optimizer; a new objective or method restarts both (their moments were scaled to the old
        losses), and one that needs the other engine (WGAN-GP's penalty) gets it; the networks are
        always kept."""
        old, self.hyper, self.losses = self.hyper, hyper, hyper.losses()
        new_losses = (old.objective, old.method) != (hyper.objective, hyper.method)
        if OBJECTIVES[old.objective].fused != OBJECTIVES[hyper.objective].fused:
            self.engine = self._make_engine()
        restart_d = new_losses or hyper.optimizer != old.optimizer
        restart_g = new_losses or hyper.g_optimizer != old.g_optimizer
        self._make_optimizers(d=restart_d, g=restart_g)
        for opt, lr, momentum in ((self.opt_d, hyper.lr_d, hyper.momentum), (self.opt_g, hyper.lr_g, hyper.g_momentum)):
            opt.lr, opt.momentum = lr, momentum
        self._sync_average()

    def _sync_average(self) -> None:
        """Keep an averaged generator while the hyperparameters ask for one: it starts as a copy of G
        (when averaging is switched on) and is dropped when it is switched off."""
        if self.hyper.g_average <= 0:
            self.G_average = None
        elif self.G_average is None:
            self.G_average = copy.deepcopy(self.G).requires_grad_(False)
            self.averaged_steps = 0
            # the tensors each update reads, listed once (walking the modules every step costs more than the update)
            self._averaged = (list(self.G_average.parameters()), list(self.G.parameters()),
                              list(zip(self.G_average.buffers(), self.G.buffers())))

    def _update_average(self) -> None:
        """θ̄ ← β θ̄ + (1 − β) θ after a G step: an exponential moving average of G's weights (Polyak
        averaging). Where the pair circles the equilibrium rather than settling, the average of the
        circle sits near its centre; training itself never reads it. For the first steps β is at most
        (1 + n) / (10 + n), n the steps averaged so far, so the average follows a G that is still
        learning fast instead of dragging its initial weights along."""
        if self.G_average is None:
            return
        n = self.averaged_steps
        beta = min(self.hyper.g_average, (1 + n) / (10 + n))
        self.averaged_steps += 1
        averages, lives, buffers = self._averaged
        with torch.no_grad():
            torch._foreach_lerp_(averages, lives, 1 - beta)
            for average, live in buffers:
                average.copy_(live)

    def _anneal(self) -> None:
        """Set both learning rates for the iteration under way (with ``lr_halving``: they halve
        every that many iterations, so the steps shrink and the pair can settle)."""
        h = self.hyper
        if h.lr_halving:
            factor = h.lr_factor(self.iterations)
            self.opt_d.lr, self.opt_g.lr = h.lr_d * factor, h.lr_g * factor

    # One D step, one G step, one iteration ------------------------------------------------------

    def step_d(self) -> None:
        """Update D on fresh minibatches of m real and m generated samples (and, for WGAN-GP's
        penalty, m mixing weights ε)."""
        m = self.hyper.batch
        real, z = self.sample_real(m, self.rng), self.sample_noise(m, self.rng)
        mix = torch.rand(m, 1, generator=self.rng, device=self.device) if self.losses.objective == "wgan-gp" else None
        # descend the objective's D loss (objectives.py): for bce −[mean log D(x) + mean log(1 − D(G(z)))],
        # for wgan-gp mean D(G(z)) − mean D(x) + λ · penalty at x̂ = ε x + (1 − ε) G(z)
        self._d_loss, grads = self.engine.d_grads(real, z, self.losses, mix)
        self._anneal()
        self.opt_d.step(grads)
        self.d_steps += 1
        if self.watch:  # G did not move: G(z) now is what D saw
            self.last_step = StepRecord("D", self.d_steps, self.g_steps, self.iterations + 1, real, z,
                                        self.generate(z, averaged=False), self._d_loss)

    def _update_g(self) -> torch.Tensor:
        """Update G on a fresh noise minibatch; returns its loss."""
        m = self.hyper.batch
        z = self.sample_noise(m, self.rng)
        real = None
        fake = self.generate(z, averaged=False) if self.watch else None  # before G moves
        if self.hyper.method == "mmd":
            # descend MMD²(x, G(z)) on a fresh data minibatch: no discriminator (Li et al. 2015)
            real = self.sample_real(m, self.rng)
            g_loss, grads = self.engine.mmd_grads(z, real)
        else:
            g_loss, grads = self.engine.g_grads(z, self.losses)  # descend the objective's G loss
        self._g_norms.append(gradient_norm(grads))
        self._anneal()
        self.opt_g.step(grads)
        self._update_average()
        self.g_steps += 1
        if self.watch:
            self.last_step = StepRecord("G", self.d_steps, self.g_steps, self.iterations + 1, real, z, fake, g_loss)
        return g_loss

    def step_g(self, ends_iteration: bool = True) -> None:
        """One G step on its own (the page's Step G): it completes an iteration, unless more G
        steps of the same iteration follow (slow motion with several G steps per iteration)."""
        g_loss = self._update_g()
        if ends_iteration:
            self._end_iteration(g_loss)

    def step_iteration(self) -> None:
        """k D steps (none when G is trained by MMD), then g_steps G steps."""
        if self.hyper.method == "adversarial":
            for _ in range(self.hyper.k):
                self.step_d()
        for _ in range(self.hyper.g_steps):
            g_loss = self._update_g()
        self._end_iteration(g_loss)

    def _end_iteration(self, g_loss: torch.Tensor) -> None:
        """Count the iteration and keep its losses and G's mean gradient norm (read at the next drain)."""
        norms, self._g_norms = self._g_norms, []
        g_norm = norms[0] if len(norms) == 1 else torch.stack(norms).mean()
        if not self._pending:
            self._pending_start = self.iterations + 1
        self.iterations += 1
        d_loss = self._d_loss if self.hyper.method == "adversarial" else None
        self._pending.append((d_loss, g_loss, g_norm))

    # Batches of iterations ----------------------------------------------------------------------

    CHECK_EVERY = 64  # iterations between divergence checks in long runs

    def train_iterations(self, n: int) -> None:
        """Run n iterations of Algorithm 1, checking for divergence (raises Diverged) at least
        every CHECK_EVERY iterations, so a run that blows up stops soon after it does.

        The losses are checked at the end of every call, the weights only once CHECK_EVERY
        iterations have passed since they last were: a live page trains the MNIST lab one
        iteration per call, and looking at a million weights after each took 14% of its training
        time (a non-finite weight makes the next iteration's losses non-finite anyway)."""
        start = time.perf_counter()
        try:
            for i in range(1, n + 1):
                self.step_iteration()
                if i % self.CHECK_EVERY == 0:
                    self.check_finite()
        finally:
            self.seconds_training += time.perf_counter() - start
        self.check_finite(weights=abs(self.iterations - self._weights_checked_at) >= self.CHECK_EVERY)

    def train_for(self, seconds: float, chunk_seconds: float = 0.01,
                  should_stop: Callable[[], bool] | None = None, max_iterations: int | None = None,
                  gate: Callable[[], ContextManager] = contextlib.nullcontext) -> int:
        """Train in chunks of ~chunk_seconds until ``seconds`` have passed, ``max_iterations`` are
        done, or ``should_stop()`` says so between chunks; returns iterations run (at least one,
        unless ``max_iterations`` is 0). Each chunk runs inside ``gate()`` (the live server's
        turn-taking between sessions, see ``live.TrainingGate``); waiting for it counts towards
        ``seconds`` but not towards the chunk's size."""
        deadline = time.perf_counter() + seconds
        left = math.inf if max_iterations is None else max_iterations
        done, chunk = 0, min(1, left)
        while chunk:
            with gate():
                t0 = time.perf_counter()
                self.train_iterations(chunk)
                per_iteration = (time.perf_counter() - t0) / chunk
            done += chunk
            left -= chunk
            now = time.perf_counter()
            if now >= deadline or not left or (should_stop is not None and should_stop()):
                break
            chunk = max(1, min(int(chunk_seconds / max(per_iteration, 1e-6)), int((deadline - now) / max(per_iteration, 1e-6)) + 1, left))
        return done

    # Losses and divergence ----------------------------------------------------------------------

    @staticmethod
    def _stack(pending) -> tuple[torch.Tensor, torch.Tensor]:
        """(rows (n, 3) of D loss, G loss, ‖∇θG‖; has_d (n,)): iterations with no D step (before
        D's first, or trained by MMD) have no D loss; their cell holds NaN and ``has_d`` is False
        (one stack, no per-row sync on the GPU path)."""
        g_losses = [g for _, g, _ in pending]
        filler = g_losses[0].new_full((), math.nan)
        d_losses = [filler if d is None else d for d, _, _ in pending]
        has_d = torch.tensor([d is not None for d, _, _ in pending], device=filler.device)
        norms = [n.to(filler.dtype) for _, _, n in pending]
        return torch.stack([torch.stack(d_losses), torch.stack(g_losses), torch.stack(norms)], dim=1), has_d

    def drain_losses(self) -> np.ndarray:
        """(n, 4) float64 rows of (iteration, D loss, G loss, ‖∇θG‖) for iterations since the last
        drain; ‖∇θG‖ is the norm of G's loss gradient, averaged over the iteration's G steps.

        An iteration that ran before any D step (Step G first) or without one (MMD) has no D loss:
        its cell is NaN, the "no value" of the loss history and the CSV (an empty cell), not a
        divergence."""
        if not self._pending:
            return np.empty((0, 4))
        values = self._stack(self._pending)[0].double().cpu().numpy()
        iterations = np.arange(self._pending_start, self._pending_start + len(values), dtype=float)
        self._pending, self._checked = [], 0
        return np.column_stack([iterations, values])

    def check_finite(self, weights: bool = True) -> None:
        """Raise Diverged naming the first iteration whose loss, or (``weights``) any parameter,
        is not finite (a D loss that does not exist yet is not a divergence)."""
        new = self._pending[self._checked:]
        if new:
            losses, has_d = self._stack(new)
            losses = losses[:, :2]
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
        if not weights:
            return
        self._weights_checked_at = self.iterations
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
            losses, has_d = torch.empty(0, 3, device=self.device), torch.empty(0, dtype=torch.bool)
        state = {
            "G": {name: t.detach().clone() for name, t in self.G.state_dict().items()},
            "D": {name: t.detach().clone() for name, t in self.D.state_dict().items()},
            "opt_d": self.opt_d.state_dict(), "opt_g": self.opt_g.state_dict(),
            "rng": self.rng.get_state(),
            "iterations": self.iterations, "d_steps": self.d_steps, "g_steps": self.g_steps,
            "hyper": asdict(self.hyper),
            "pending_losses": losses.detach().clone(), "pending_has_d": has_d.cpu(),
            "pending_start": self._pending_start, "checked": self._checked,
            "g_norms": [n.detach().clone() for n in self._g_norms],  # of the iteration under way
        }
        if self._d_loss is not None:
            state["d_loss"] = self._d_loss.detach().clone()
        if self.G_average is not None:
            state["G_average"] = {name: t.detach().clone() for name, t in self.G_average.state_dict().items()}
            state["averaged_steps"] = self.averaged_steps
        return state

    def load_state_dict(self, state: dict) -> None:
        """Put the trainer back to a :meth:`state_dict`: the tensors are copied into the existing
        ones (flat parameter views and CUDA graphs keep pointing at them)."""
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        hyper = Hyper(**state["hyper"])
        old, self.hyper, self.losses = self.hyper, hyper, hyper.losses()
        new_engine = OBJECTIVES[old.objective].fused != OBJECTIVES[hyper.objective].fused
        if new_engine:
            self.engine = self._make_engine()
        self._make_optimizers(d=new_engine or hyper.optimizer != old.optimizer,
                              g=new_engine or hyper.g_optimizer != old.g_optimizer)
        for opt, lr, momentum, saved in ((self.opt_d, hyper.lr_d, hyper.momentum, state["opt_d"]),
                                         (self.opt_g, hyper.lr_g, hyper.g_momentum, state["opt_g"])):
            opt.lr, opt.momentum = lr, momentum
            opt.load_state_dict(saved)
        self._sync_average()
        if self.G_average is not None:  # a state saved without one (averaging was off): start from G
            self.G_average.load_state_dict(state.get("G_average", state["G"]))
            self.averaged_steps = int(state.get("averaged_steps", 0))
        self.rng.set_state(state["rng"])
        self.iterations, self.d_steps, self.g_steps = (int(state[k]) for k in ("iterations", "d_steps", "g_steps"))
        d_loss = state.get("d_loss")
        self._d_loss = None if d_loss is None else d_loss.to(self.device, copy=True)
        losses = state["pending_losses"].to(self.device, copy=True)
        self._pending = [(losses[i, 0] if bool(has) else None, losses[i, 1], losses[i, 2])
                         for i, has in enumerate(state["pending_has_d"].tolist())]
        self._g_norms = [n.to(self.device, copy=True) for n in state.get("g_norms", [])]
        self._pending_start, self._checked = int(state["pending_start"]), int(state["checked"])

    # Evaluation ---------------------------------------------------------------------------------

    @torch.no_grad()
    def generate(self, z: torch.Tensor, averaged: bool = True) -> torch.Tensor:
        """G(z), by the averaged generator when there is one (what the page shows) unless
        ``averaged`` is False (the G that trains: what a D step saw)."""
        G = self.G_average if averaged and self.G_average is not None else self.G
        return G(z.to(self.device))

    @torch.no_grad()
    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """D(x) as its objective reads it (see :meth:`d_output`)."""
        return self.d_output(x.to(self.device))

    def d_output(self, x: torch.Tensor) -> torch.Tensor:
        """D(x) as its objective reads it, differentiable: a probability (σ of the logit) or a
        score (the raw output)."""
        out = self.D(x)
        return torch.sigmoid(out) if OBJECTIVES[self.hyper.objective].probability else out
