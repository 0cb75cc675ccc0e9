"""The config fields every lab shares: Algorithm 1, the optimizer, the networks' seed and device.

Each lab's dataclass calls these with its own defaults, so a label, range or help text is written
once for all labs (and the page, URL and CLI of every lab read the same spec).
"""

from __future__ import annotations

import math
from typing import Any

from . import metrics
from .config import Effect, TooMuchWork, in_effect, param, specs
from .device import DEVICE_CHOICES, select_device
from .mmd import BANDWIDTHS
from .models import ACTIVATIONS
from .objectives import METHODS, OBJECTIVES_ORDER
from .optim import OPTIMIZERS
from .trainer import GEN_LOSSES, NOISE_KINDS, Hyper

LOSS_LABELS = {"nonsaturating": "non-saturating  −log D(G(z))", "minimax": "minimax  log(1 − D(G(z)))"}
OPTIMIZER_LABELS = {"sgd": "SGD with momentum", "adam": "Adam (β1 = momentum)"}
DENSITY_LABELS = {"kde": "KDE", "hist": "histogram"}
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


def noise(default: str, normal_label: str = "normal N(0, I)") -> Any:
    return param(default, label="Noise z", choices=NOISE_KINDS, effect=Effect.REBUILD, group="Data",
                 choice_labels={"uniform": "uniform U(−1, 1)", "normal": normal_label})


def k(default: int, hi: int = 20) -> Any:
    return param(default, label="k — D steps per G step", lo=1, hi=hi, group="Algorithm 1",
                 disabled_if=("method", "mmd"), help="Direct training by MMD has no discriminator: k does nothing then.")


def loss() -> Any:
    return param("nonsaturating", label="Generator loss", choices=GEN_LOSSES, choice_labels=LOSS_LABELS,
                 group="Algorithm 1", visible_if=("objective", "bce"))


def batch(default: int, hi: int = 4096, label: str = "Minibatch size m", help: str = "") -> Any:
    return param(default, label=label, lo=8, hi=hi, group="Algorithm 1", help=help,
                 suggested=tuple(b for b in BATCH_SIZES if b <= hi))


def optimizer() -> Any:
    return param("adam", label="Optimizer (D)", choices=OPTIMIZERS, choice_labels=OPTIMIZER_LABELS,
                 effect=Effect.OPTIMIZER, group="Optimizer")


def lr_d(default: float) -> Any:
    return param(default, label="Learning rate (D)", lo=1e-5, hi=1.0, log=True, group="Optimizer")


def link_lr(default: bool) -> Any:
    return param(default, label="G uses D's learning rate", group="Optimizer")


def lr_g(default: float) -> Any:
    return param(default, label="Learning rate (G)", lo=1e-5, hi=1.0, log=True, group="Optimizer",
                 disabled_if=("link_lr", True), follows="lr_d")


def momentum(default: float) -> Any:
    return param(default, label="Momentum (D; β1 for Adam)", lo=0.0, hi=0.99, group="Optimizer")


def lr_halving(default: int = 0) -> Any:
    return param(default, label="Learning-rate half-life (iterations)", lo=0, hi=100_000,
                 group="Optimizer", suggested=(0, 1000, 2500, 5000, 10_000, 20_000),
                 help="Annealing: both learning rates halve every this many iterations (0: never), so the steps "
                      "shrink and the pair can settle at the equilibrium instead of circling it.")


def g_average(default: float = 0.0) -> Any:
    return param(default, label="Averaged generator β", lo=0.0, hi=0.9999, group="Optimizer",
                 suggested=(0.0, 0.9, 0.99, 0.999, 0.9999),
                 help="0: off. Else show an exponential moving average of G's weights (after each G step, "
                      "θ̄ ← β θ̄ + (1 − β) θ; Polyak averaging) instead of G itself. Training is unchanged: "
                      "where G circles or jitters around the equilibrium, the average sits near its centre.")


def width(default: int) -> Any:
    return param(default, label="Width", lo=2, hi=256, effect=Effect.REBUILD, group="Networks")


def depth(default: int) -> Any:
    return param(default, label="Hidden layers", lo=1, hi=6, effect=Effect.REBUILD, group="Networks")


def activation() -> Any:
    return param("leaky_relu", label="Activation", choices=ACTIVATIONS, effect=Effect.REBUILD, group="Networks")


def seed(default: int) -> Any:
    return param(default, label="Seed", lo=0, hi=2**31 - 1, effect=Effect.REBUILD, group="Networks")


def device() -> Any:
    return param("auto", label="Device", choices=DEVICE_CHOICES, effect=Effect.REBUILD, group="Networks")


# --- objectives, direct training and GAN Lab's remaining controls (issue 15) ----------------------

OBJECTIVE_LABELS = {"bce": "binary cross-entropy (the paper's)", "least-squares": "least squares (LSGAN)",
                    "wgan-gp": "WGAN-GP (a critic with gradient penalty)", "hinge": "hinge"}
METHOD_LABELS = {"adversarial": "adversarial (train a discriminator)", "mmd": "direct: minimise MMD² (no discriminator)"}


def objective(visible_if: tuple[str, Any] | None = None) -> Any:
    return param("bce", label="Objective", choices=OBJECTIVES_ORDER, choice_labels=OBJECTIVE_LABELS,
                 effect=Effect.OPTIMIZER, group="Algorithm 1", visible_if=visible_if,
                 help="What D and G optimise (see Algorithm 1 below). A WGAN-GP critic usually wants k = 5 and "
                      "Adam with β1 = 0 or 0.5 (its preset). Switching keeps both networks and restarts the "
                      "optimizers.")


def gp_weight() -> Any:
    return param(10.0, label="Gradient penalty λ", lo=0.0, hi=100.0, group="Algorithm 1",
                 visible_if=("objective", "wgan-gp"),
                 help="WGAN-GP's weight on (‖∇D(x̂)‖ − 1)² at random points between real and generated samples.")


def label_smoothing() -> Any:
    return param(0.0, label="One-sided label smoothing", lo=0.0, hi=0.3, group="Algorithm 1",
                 visible_if=("objective", ("bce", "least-squares")),
                 help="D's label for real samples is 1 minus this (0.1: 0.9, as Salimans et al.; 0.05: GAN "
                      "Lab's 0.95); generated samples keep 0. Then D* = (1 − s) · p_data / (p_data + p_g).")


def method() -> Any:
    return param("adversarial", label="Training method", choices=METHODS, choice_labels=METHOD_LABELS,
                 effect=Effect.OPTIMIZER, group="Algorithm 1",
                 help="Direct training moves G's samples to minimise MMD² (a mixture of Gaussian kernels) to "
                      "data minibatches: no discriminator. The figure then draws the MMD witness function in "
                      "D's place.")


def g_steps() -> Any:
    return param(1, label="G steps per iteration", lo=1, hi=10, group="Algorithm 1",
                 help="Each on a fresh noise minibatch, after the k D steps (1 in the paper).")


def link_optimizer(default: bool = True) -> Any:
    return param(default, label="G uses D's optimizer and momentum", group="Optimizer")


def optimizer_g() -> Any:
    return param("adam", label="Optimizer (G)", choices=OPTIMIZERS, choice_labels=OPTIMIZER_LABELS,
                 effect=Effect.OPTIMIZER, group="Optimizer", disabled_if=("link_optimizer", True),
                 follows="optimizer")


def momentum_g(default: float) -> Any:
    return param(default, label="Momentum (G; β1 for Adam)", lo=0.0, hi=0.99, group="Optimizer",
                 disabled_if=("link_optimizer", True), follows="momentum")


def density() -> Any:
    return param("kde", label="p_g estimate", choices=metrics.DENSITY_METHODS, choice_labels=DENSITY_LABELS,
                 effect=Effect.VIEW, group="Display")


def present() -> Any:
    """Presentation mode: a page mode for a projector, not part of a preset (its toggle is beside Run)."""
    return param(False, label="Present", effect=Effect.VIEW, group="Display", sidebar=False,
                 help="For a projector: sidebar and captions folded away, larger figures and text, the main "
                      "figure as large as the window allows (present=1 in a link opens a page this way).")


# The most work one iteration may be: m × (k + G steps) × multiply-adds per sample through G and D.
# Measured on one core of the development machine, 0.14-0.30 ns per unit across toy MLPs, the MNIST
# MLP and the DCGAN, so the limit is about half a second per iteration. Without it one link
# (2-D lab, m 4096, width 256, 6 layers, k 20: 5.7e10) took 18 s per iteration.
MAX_ITERATION_WORK = 2.5e9
WGAN_GP_D_COST = 2  # a WGAN-GP critic step took 1.8× a plain autograd D step (2-D lab, widths 64 and 256)
# MMD's three m × m kernel matrices, one exp per bandwidth per entry: ~6 ns (30 units) per entry with its gradient
MMD_WORK_PER_PAIR = 3 * len(BANDWIDTHS) * 30


class TrainingSettings:
    """Mixin for a lab config with the shared fields: the trainer's live hyperparameters, and the
    limit on how much work one iteration may be (see :meth:`check`)."""

    CUDA_BATCH_SCALE = 1  # a lab may train on bigger minibatches on a GPU
    WORK_FIELDS: tuple[str, ...] = ("batch", "k", "g_steps", "objective")  # every field the work of an iteration depends on

    def hyper(self) -> Hyper:
        scale = self.CUDA_BATCH_SCALE if self.CUDA_BATCH_SCALE != 1 and select_device(self.device).type == "cuda" else 1
        return Hyper(k=self.k, lr_d=self.lr_d, lr_g=in_effect(self, "lr_g"),
                     momentum=self.momentum, optimizer=self.optimizer, loss=self.loss, batch=self.batch * scale,
                     g_steps=self.g_steps, optimizer_g=in_effect(self, "optimizer_g"),
                     momentum_g=in_effect(self, "momentum_g"), objective=self.objective,
                     label_smoothing=self.label_smoothing, gp_weight=self.gp_weight,
                     method=getattr(self, "method", "adversarial"), lr_halving=getattr(self, "lr_halving", 0),
                     g_average=getattr(self, "g_average", 0.0))

    def multiply_adds_per_sample(self) -> int:
        """Multiply-adds of one sample's forward pass through G and through D (each lab's networks)."""
        raise NotImplementedError

    def iteration_work(self) -> int:
        """What one iteration costs, up to a constant: m × (k + G steps) × multiply-adds per sample
        (k D steps and the G steps, each on a minibatch of m; a WGAN-GP critic step counts twice,
        for its penalty's gradient of a gradient); with MMD, G steps × m × (multiply-adds per sample
        + MMD_WORK_PER_PAIR × m), its kernels being m × m."""
        per_sample, m = self.multiply_adds_per_sample(), self.batch
        if getattr(self, "method", "adversarial") == "mmd":
            return self.g_steps * m * (per_sample + MMD_WORK_PER_PAIR * m)
        return m * self._step_count() * per_sample

    def _step_count(self) -> int:
        return self.k * (WGAN_GP_D_COST if self.objective == "wgan-gp" else 1) + self.g_steps

    def _work_terms(self) -> tuple[str, int]:
        """How iteration_work was computed, with the numbers (for the message), and the largest m that fits."""
        per_sample, m = self.multiply_adds_per_sample(), self.batch
        if getattr(self, "method", "adversarial") == "mmd":
            c, budget = MMD_WORK_PER_PAIR, MAX_ITERATION_WORK / self.g_steps
            fits = int((math.sqrt(per_sample ** 2 + 4 * c * budget) - per_sample) / (2 * c))
            return (f"G steps × m × (multiply-adds per sample through G and D + {c} × m for MMD's kernels) = "
                    f"{self.g_steps} × {m:,} × ({per_sample:,} + {c} × {m:,})"), fits
        steps = "2k + G steps" if self.objective == "wgan-gp" else "k + G steps"
        return (f"m × ({steps}) × multiply-adds per sample through G and D = {m:,} × {self._step_count()} × "
                f"{per_sample:,}"), int(MAX_ITERATION_WORK // (self._step_count() * per_sample))

    def check(self) -> None:
        """Raise TooMuchWork, naming the settings and the limit, when one iteration would take
        longer than about half a second on one CPU core (a link, a settings file, the sidebar or
        the CLI could otherwise make one iteration take many seconds)."""
        work = self.iteration_work()
        if work <= MAX_ITERATION_WORK:
            return
        terms, fits = self._work_terms()
        labels = ", ".join(specs(type(self))[name].label for name in self.WORK_FIELDS)
        hint = f" (with the rest as it is, m up to {fits:,})" if fits >= specs(type(self))["batch"].lo else ""
        raise TooMuchWork(
            f"one iteration would be too much work: {terms} = {_short(work)}, over the limit of "
            f"{_short(MAX_ITERATION_WORK)} (about half a second on one CPU core). Lower one of: {labels}{hint}",
            fields=self.WORK_FIELDS)


def _short(x: float) -> str:
    """5.7e10 rather than 57,042,149,376 or 5.7e+10."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"
