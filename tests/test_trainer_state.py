"""Trainer.state_dict / load_state_dict: a run put back to a saved state and trained on repeats
the run that never left that point, bit for bit, in every lab (the MNIST DCGAN's batch norm
included), and the state holds only tensors, numbers and strings (safe to write to a file)."""

import dataclasses

import pytest
import torch

from helpers import make_trainer, params
from playground.labs import LABS
from playground.mnist.data import MnistData
from playground.mnist.quality import held_out_digits
from playground.optim import Adam, SGDMomentum
from playground.trainer import Hyper


def plain(value) -> bool:
    """Only tensors, numbers, strings, None, and lists/dicts of them: what weights_only loading
    and safetensors-style formats accept (no objects, nothing that needs pickle)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, (torch.Tensor, int, float, str, bool))


def weights(trainer) -> list[torch.Tensor]:
    averaged = params(trainer.G_average) if trainer.G_average is not None else []
    return params(trainer.G) + params(trainer.D) + [b.clone() for b in trainer.G.buffers()] + \
        [b.clone() for b in trainer.D.buffers()] + averaged


def assert_identical(a: list[torch.Tensor], b: list[torch.Tensor]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert torch.equal(x, y), "not bit for bit the same"


def continue_equals_never_left(trainer, before: int, after: int, fresh=None) -> None:
    """Train ``before``, save, train ``after`` (the run that never left); load the save into
    ``fresh`` (or the same trainer, after it went on) and train ``after`` again: the same."""
    trainer.train_iterations(before)
    state = trainer.state_dict()
    assert plain(state)
    trainer.train_iterations(after)
    expected, expected_losses = weights(trainer), trainer.drain_losses()
    counters = (trainer.iterations, trainer.d_steps, trainer.g_steps)
    target = fresh if fresh is not None else trainer
    target.load_state_dict(state)
    target.train_iterations(after)
    assert (target.iterations, target.d_steps, target.g_steps) == counters
    assert_identical(weights(target), expected)
    losses = target.drain_losses()
    assert losses.shape == expected_losses.shape
    assert (losses == expected_losses).all()  # the undrained losses before the save came back too


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("fused", [True, False])
def test_a_restored_trainer_repeats_the_run_bit_for_bit(optimizer, fused):
    continue_equals_never_left(make_trainer(fused=fused, k=2, optimizer=optimizer), 7, 9)


def test_loading_overwrites_everything_a_fresh_trainer_had():
    """A trainer with another seed and other hyperparameters becomes the saved one."""
    fresh = make_trainer(seed=5, k=1, optimizer="sgd", lr_d=0.3)
    continue_equals_never_left(make_trainer(k=3, optimizer="adam"), 5, 6, fresh=fresh)
    assert fresh.hyper.k == 3 and isinstance(fresh.opt_d, Adam)


def test_a_state_saved_before_the_first_d_step_has_no_d_loss():
    t = make_trainer()
    t.step_g()  # Step G first: no D loss yet
    state = t.state_dict()
    assert "d_loss" not in state and state["pending_has_d"].tolist() == [False]
    t.train_iterations(3)
    t.load_state_dict(state)
    assert t._d_loss is None and t.iterations == 1


def test_sgd_without_momentum_state_round_trips():
    t = make_trainer(momentum=0.0)
    t.train_iterations(2)
    assert t.opt_d.state_dict() == {"kind": "sgd", "steps": 2}
    continue_equals_never_left(t, 1, 4)


def test_an_optimizer_state_of_the_other_kind_is_refused():
    p = [torch.zeros(3)]
    with pytest.raises(ValueError, match="kind"):
        SGDMomentum(p, 0.1, 0.9).load_state_dict(Adam(p, 0.1, 0.9).state_dict())


def test_a_later_live_change_is_undone_by_loading_and_can_be_applied_again():
    t = make_trainer(optimizer="sgd")
    t.train_iterations(3)
    state = t.state_dict()
    t.set_hyper(Hyper(**{**t.hyper.__dict__, "optimizer": "adam", "k": 4}))
    t.load_state_dict(state)
    assert t.hyper.optimizer == "sgd" and isinstance(t.opt_g, SGDMomentum) and t.hyper.k == 1


@pytest.fixture(scope="module")
def digits() -> MnistData:
    images, labels = held_out_digits()
    return MnistData(images, labels, "test", "1,000 held-out digits")


@pytest.mark.parametrize("lab_key, changes", [
    ("1d", {"width": 8, "batch": 32}),
    ("2d", {"width": 16, "batch": 32}),
    ("2d", {"width": 16, "batch": 32, "lr_halving": 2, "g_average": 0.9}),  # annealed, averaged G
    ("mnist", {"batch": 8, "latent_dim": 8, "device": "cpu"}),  # conditional MLP
    ("mnist", {"batch": 8, "latent_dim": 8, "device": "cpu", "model": "dcgan", "conditional": False}),
])
def test_every_lab_continues_bit_for_bit(lab_key, changes, digits):
    lab = LABS[lab_key]
    config = dataclasses.replace(lab.config_cls(), **changes)
    data = {"mnist": digits} if lab_key == "mnist" else {}
    run = lab.make_run(config, **data)
    other = lab.make_run(dataclasses.replace(config, seed=config.seed + 7), **data)
    if changes.get("model") == "dcgan":  # batch norm's running statistics are part of the state
        assert any(name.endswith("running_mean") for name in run.trainer.state_dict()["G"])
    continue_equals_never_left(run.trainer, 3, 3, fresh=other.trainer)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_restored_trainer_repeats_the_run_on_cuda_with_graphs(optimizer):
    """On a GPU the fused step replays from CUDA graphs: the state is copied into the tensors the
    graphs read, so a restored run repeats the original there too."""
    from helpers import gaussian_sampler
    from playground.models import MLP
    from playground.trainer import Trainer, noise_sampler

    torch.manual_seed(0)
    t = Trainer(MLP(1, 1, 8, 2, "relu"), MLP(1, 1, 8, 2, "relu"), gaussian_sampler(), noise_sampler("uniform", 1),
                Hyper(k=2, lr_d=0.05, lr_g=0.05, momentum=0.9, batch=32, optimizer=optimizer), 0,
                torch.device("cuda"))
    continue_equals_never_left(t, 5, 7)
