"""What every lab's run shares: the Run and Snapshot protocols, the histories, D's scores and the
named seed streams."""

import dataclasses

import numpy as np
import pytest
import torch

from playground import metrics
from playground.labs import LABS, Run, SeedOffset, Snapshot
from playground.labs.base import SCORE_NAMES, d_scores
from playground.labs.mnist import RunMNIST
from playground.mnist.data import MnistData
from playground.mnist.quality import held_out_digits

SMALL = {"1d": {"width": 8, "batch": 32}, "2d": {"width": 8, "batch": 32},
         "mnist": {"batch": 16, "latent_dim": 8, "device": "cpu"}}


def small_run(key: str, **changes):
    lab = LABS[key]
    config = dataclasses.replace(lab.config_cls(), **{**SMALL[key], **changes})
    if key == "mnist":  # the held-out digits are already loaded for the quality scorer
        images, labels = held_out_digits()
        return RunMNIST(config, MnistData(images, labels, "test", "held-out digits", ()))
    return lab.make_run(config)


@pytest.mark.parametrize("key", sorted(LABS))
def test_every_lab_run_implements_the_protocol_and_records_the_same_histories(key):
    """A run is a Run, its snapshot a Snapshot; the loss history holds both losses per iteration and
    the evaluation history starts with D's scores and V, then the lab's own metrics."""
    run = small_run(key)
    assert isinstance(run, Run)
    run.trainer.train_iterations(3)
    snap = run.snapshot()
    assert isinstance(snap, Snapshot)
    assert list(snap.losses) == ["iteration", "d_loss", "g_loss", "g_grad_norm"]
    assert list(snap.losses["iteration"]) == [1, 2, 3]
    assert list(snap.evals) == ["iteration", *SCORE_NAMES, *type(run).EVAL_NAMES]
    assert snap.evals["iteration"][-1] == 3
    for name in (*SCORE_NAMES, *type(run).EVAL_NAMES, "d_loss", "g_loss", "g_grad_norm"):
        assert np.isfinite(snap.metrics[name]), name
    assert snap.metrics["d_loss"] == pytest.approx(float(snap.losses["d_loss"][-1]))
    for name in SCORE_NAMES:
        assert snap.evals[name][-1] == np.float32(snap.metrics[name])


def test_d_scores_are_the_mean_probabilities_and_v_from_logits():
    """D's mean outputs and V(D, G), finite even when D saturates (logits of ±1000)."""
    logit_real, logit_fake = np.array([0.0, 2.0, 1000.0]), np.array([-1000.0, -1.0, 0.5])
    p_real, p_fake, stats = d_scores(logit_real, logit_fake)
    assert p_real == pytest.approx([0.5, 1 / (1 + np.exp(-2.0)), 1.0])
    assert stats["d_real"] == pytest.approx(p_real.mean()) and stats["d_fake"] == pytest.approx(p_fake.mean())
    assert stats["value"] == metrics.value_from_logits(logit_real, logit_fake) and np.isfinite(stats["value"])


def test_named_seed_streams_reproduce_the_fixed_batches():
    """The fixed evaluation batch is drawn from seed + EVALUATION, saved samples from seed + EXPORT:
    the same for the same seed (a shared link reproduces them), different for another."""
    run = small_run("1d", seed=7)
    again = run.trainer.sample_noise(len(run.eval_z), torch.Generator(run.device).manual_seed(7 + SeedOffset.EVALUATION))
    assert torch.equal(run.eval_z, again)
    assert len({offset.value for offset in SeedOffset}) == len(SeedOffset)
    assert np.array_equal(run.sample_output(50), small_run("1d", seed=7).sample_output(50))
    assert not np.array_equal(run.sample_output(50), small_run("1d", seed=8).sample_output(50))
