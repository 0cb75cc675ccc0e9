"""What every lab's run is and shares.

- :class:`Run`: the contract that the app, the CLI and the benchmarks rely on (``Lab.make_run``
  returns one): a config, a trainer, a device, ``snapshot()`` and ``sample_output(n)``;
- :class:`Snapshot`: what every lab's snapshot holds besides its own arrays;
- :class:`LabRun`: the bookkeeping every run does the same way: the device, the loss and
  evaluation histories, D's scores and V(D, G) from logits, and one random stream per purpose
  (:class:`SeedOffset`);
- :class:`Preset`: a named set of settings and the lesson it teaches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch

from .. import metrics
from ..device import select_device
from ..objectives import OBJECTIVES
from ..trainer import Trainer


@dataclass(frozen=True)
class Preset:
    """Settings that differ from the lab's defaults, with a title and what to watch for."""

    title: str
    lesson: str
    settings: dict
    shows: str = "converges"  # what the preset promises: a key of criteria.CHECKS, checked over seeds


class SeedOffset(IntEnum):
    """Offsets from the config's seed: one random stream per purpose, so that drawing more of one
    (a bigger evaluation batch, more saved samples) never changes another (the training run)."""

    TRAINING = 0  # network initialisation and the trainer's minibatches
    EVALUATION = 1  # the fixed evaluation batches behind D's scores and the metrics
    REFERENCE = 2  # fixed reference draws: the 1-D lab's p_data sample for W1, the MNIST grid's noise and digits
    EXPORT = 3  # sample_output (the CLI's --save-samples)


SCORE_NAMES = ("d_real", "d_fake", "value")  # the start of every lab's evaluation history
LOSS_NAMES = ("d_loss", "g_loss", "g_grad_norm")  # per iteration: Trainer.drain_losses's columns


@runtime_checkable
class Snapshot(Protocol):
    """What every lab's snapshot holds; figures and exports read these, and each lab adds its arrays."""

    iteration: int
    d_steps: int
    g_steps: int
    metrics: dict  # this frame's numbers by name
    losses: dict  # history arrays: iteration, d_loss, g_loss, g_grad_norm
    evals: dict  # history arrays: iteration, d_real, d_fake, value, then the lab's own metrics


@runtime_checkable
class Run(Protocol):
    """One lab's training run, as ``Lab.make_run(config, **data)`` builds it."""

    config: Any  # the lab's frozen config (LiveSession swaps in live changes)
    trainer: Trainer
    device: torch.device

    def snapshot(self) -> Snapshot:
        """Record the losses since the last snapshot, evaluate, and return what a frame shows."""

    def sample_output(self, n: int) -> np.ndarray:
        """n generated samples in data units (the CLI's --save-samples), the same for the same seed."""

    def refresh(self) -> None:
        """Make the next snapshot compute every number afresh (some are rate-limited while live)."""


def d_scores(logit_real: np.ndarray, logit_fake: np.ndarray, objective: str = "bce",
             method: str = "adversarial") -> tuple[np.ndarray, np.ndarray, dict]:
    """D's outputs on a real and a generated batch (float64) as the objective reads them (a
    probability σ(l), or the raw score), and the numbers every lab shows: their means and V(D, G),
    computed from the logits so that V stays finite when D saturates.

    V(D, G) exists for the binary cross-entropy objective only, and nothing of D means anything
    when G is trained by MMD (D is not trained): those are NaN, "does not apply"."""
    if method != "adversarial":
        nan = np.full_like(logit_real, np.nan)
        return nan, np.full_like(logit_fake, np.nan), {"d_real": math.nan, "d_fake": math.nan, "value": math.nan}
    with np.errstate(over="ignore", invalid="ignore"):
        if OBJECTIVES[objective].probability:
            p_real, p_fake = 1 / (1 + np.exp(-logit_real)), 1 / (1 + np.exp(-logit_fake))
        else:
            p_real, p_fake = logit_real, logit_fake
        value = metrics.value_from_logits(logit_real, logit_fake) if objective == "bce" else math.nan
        stats = {"d_real": float(np.mean(p_real)), "d_fake": float(np.mean(p_fake)), "value": value}
    return p_real, p_fake, stats


class LabRun:
    """The bookkeeping shared by every lab's run. A subclass builds ``self.trainer`` and lists the
    metrics it adds to the evaluation history in ``EVAL_NAMES``."""

    EVAL_NAMES: tuple[str, ...] = ()
    trainer: Trainer

    def __init__(self, config):
        self.config = config
        self.device = select_device(config.device)
        self.loss_history = metrics.History(LOSS_NAMES)  # every iteration (decimated)
        self.eval_history = metrics.History(SCORE_NAMES + self.EVAL_NAMES)  # every snapshot

    def seed(self, offset: SeedOffset) -> int:
        return self.config.seed + offset

    def generator(self, offset: SeedOffset) -> torch.Generator:
        """A fresh torch random stream on the run's device."""
        return torch.Generator(self.device).manual_seed(self.seed(offset))

    def scores(self, logit_real: np.ndarray, logit_fake: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
        """:func:`d_scores` for the objective and method training now."""
        hyper = self.trainer.hyper
        return d_scores(logit_real, logit_fake, hyper.objective, hyper.method)

    @torch.no_grad()
    def d_logits(self, batch: torch.Tensor) -> np.ndarray:
        """D's logits on a batch, as a flat float64 array."""
        return self.trainer.D(batch).double().cpu().numpy().ravel()

    def record_losses(self) -> None:
        """Move the trainer's losses since the last call into the loss history."""
        self.loss_history.add_rows(self.trainer.drain_losses())

    def rewind(self) -> None:
        """After the trainer was put back to an earlier state: forget the histories' later points."""
        self.loss_history.truncate(self.trainer.iterations)
        self.eval_history.truncate(self.trainer.iterations)
        self.refresh()

    def refresh(self) -> None:
        """Make the next snapshot compute every number afresh (a lab that rate-limits some says how)."""

    def record_evaluation(self, stats: dict) -> dict:
        """Add the latest losses to a snapshot's numbers, and those to the evaluation history."""
        stats.update(self.loss_history.last())
        self.eval_history.add(self.trainer.iterations, **stats)
        return stats
