"""Speed and slow motion: how fast a live run trains, and what one step did, for the model overview.

At full speed a frame trains as much as its time budget allows. Slower speeds cap the iterations per
second; slow motion does one step per frame, a D step or a G step in Algorithm 1's order (k D steps,
then the G steps), about one a second, as GAN Lab's slow-motion mode does (it pauses 1.25 s between
the parts of a step). The trainer records a step (:class:`~playground.trainer.StepRecord`) only
while ``Trainer.watch`` is on, so full speed pays nothing; :func:`step_view` turns a record into
plain numbers and arrays in data units for the figures.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .config import Effect, param
from .mmd import mmd2
from .objectives import OBJECTIVES
from .trainer import StepRecord, Trainer

SPEEDS = ("full", "100", "10", "slow")
SPEED_LABELS = {"full": "full speed", "100": "100 iterations/s", "10": "10 iterations/s",
                "slow": "slow motion: one D or G step a second"}
SLOW_STEP_S = 1.0  # slow motion: one step per frame, one frame a second
MARKED = 128  # at most this many of a minibatch's samples (of each kind) are marked on the main figure


def speed_field() -> Any:
    """The speed setting every lab has (what is drawn changes, not the run)."""
    return param("full", label="Speed", choices=SPEEDS, choice_labels=SPEED_LABELS, effect=Effect.VIEW,
                 group="Display",
                 help="Slow motion does one D or G step a second and shows what it did: the model overview "
                      "highlights the network updated, and the toy labs mark that step's minibatch.")


def iterations_per_s(speed: str) -> float:
    """The speed's cap in iterations per second (inf at full speed; slow motion steps instead)."""
    return math.inf if speed == "full" else float(speed) if speed.isdigit() else 0.0


class Pacer:
    """How many iterations a capped speed owes since the last frame (the fraction carried over),
    so 10 iterations/s holds whatever the frame rate."""

    def __init__(self):
        self.last: float | None = None
        self.owed = 0.0

    def allowance(self, rate: float, now: float | None = None) -> int:
        now = time.perf_counter() if now is None else now
        if self.last is not None:
            self.owed = min(self.owed + rate * (now - self.last), max(rate, 1.0))  # no burst after a pause
        else:
            self.owed = 1.0  # the first frame trains at once
        self.last = now
        due = int(self.owed)
        self.owed -= due
        return due

    def reset(self) -> None:
        self.last, self.owed = None, 0.0


def next_network(trainer: Trainer, phase: int) -> str:
    """Which network step ``phase`` of an iteration updates: k D steps, then the G steps (G only
    when G is trained by MMD)."""
    hyper = trainer.hyper
    d_steps = hyper.k if hyper.method == "adversarial" else 0
    return "D" if phase % (d_steps + hyper.g_steps) < d_steps else "G"


class SlowMotion:
    """Steps through Algorithm 1 one D or G step at a time, remembering where in the iteration it is."""

    def __init__(self):
        self.phase = 0  # steps of the current iteration done

    def step(self, trainer: Trainer) -> str:
        """Do the next step with the trainer watching; returns the network it updated."""
        hyper = trainer.hyper
        per_iteration = (hyper.k if hyper.method == "adversarial" else 0) + hyper.g_steps
        self.phase %= per_iteration
        network = next_network(trainer, self.phase)
        self.phase += 1
        if network == "D":
            trainer.step_d()
        else:
            trainer.step_g(ends_iteration=self.phase == per_iteration)
        return network

    def reset(self) -> None:
        self.phase = 0


@dataclass(frozen=True)
class StepView:
    """One step as the figures draw it: which network it updated, its counters and loss, and (toy
    labs) the minibatch in data units, with the push G's loss gives each generated sample."""

    network: str  # "D" or "G"
    iteration: int
    d_steps: int
    g_steps: int
    loss: float
    loss_name: str  # the loss's formula, e.g. "−V(D, G)" ("" where it has no short one)
    detail: str  # e.g. "D step 3 of 5 of iteration 12"
    real: np.ndarray | None = None  # (n, dim) data units, at most MARKED
    fake: np.ndarray | None = None
    push: np.ndarray | None = None  # (n, dim): −∂(G loss)/∂G(z) at ``fake``, data units (G steps)


def step_view(run: Any, record: StepRecord, detail: str = "") -> StepView:
    """A record as plain numbers; the minibatch in data units where the run has them (toy labs)."""
    trainer = run.trainer
    real = fake = push = None
    to_data = getattr(run, "to_data", None)
    if to_data is not None:
        fake = to_data(record.fake[:MARKED])
        if record.real is not None:
            real = to_data(record.real[:MARKED])
        if record.network == "G":
            push = _push(trainer, record) * 1.0 / getattr(run, "half_width", 1.0)
    return StepView(record.network, record.iteration, record.d_steps, record.g_steps, float(record.loss),
                    loss_name(trainer, record.network), detail, real, fake, push)


def loss_name(trainer: Trainer, network: str) -> str:
    """The formula of the loss the step descended ("" where it has no short one)."""
    hyper = trainer.hyper
    if network == "G" and hyper.method == "mmd":
        return "MMD²(x, G(z))"
    if network == "D":
        return "−V(D, G)" if hyper.objective == "bce" and trainer.losses.real_label == 1 else ""
    if hyper.objective == "bce":
        return "−log D(G(z))" if hyper.loss == "nonsaturating" else "log(1 − D(G(z)))"
    return ""


def _push(trainer: Trainer, record: StepRecord) -> np.ndarray:
    """−∂(G loss)/∂G(z) at the step's generated samples (network units): where the step moves them."""
    fake = record.fake[:MARKED].detach().clone().requires_grad_(True)
    with torch.enable_grad():
        if record.real is not None:  # MMD
            loss = mmd2(record.real, fake)
        else:
            logit = trainer.D(fake).float()
            loss = OBJECTIVES[trainer.hyper.objective].g_loss(logit, trainer.hyper.loss)
        (grad,) = torch.autograd.grad(loss, fake)
    return -grad.double().cpu().numpy()


def describe(trainer: Trainer, record: StepRecord, phase: int | None) -> str:
    """"D step 3 of 5 of iteration 12" (slow motion knows the phase), or "D step (Step D)"."""
    hyper = trainer.hyper
    if phase is None:
        return f"{record.network} step (Step {record.network}) of iteration {record.iteration:,}"
    if record.network == "D":
        return f"D step {phase} of {hyper.k} of iteration {record.iteration:,}"
    done = phase - (hyper.k if hyper.method == "adversarial" else 0)
    return f"G step {done} of {hyper.g_steps} of iteration {record.iteration:,}"
