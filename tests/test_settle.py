"""Annealing (learning rates that halve every N iterations) and the averaged generator (an
exponential moving average of G's weights, shown instead of G): the two settings that let a 2-D
curve target settle instead of circling the equilibrium."""

import dataclasses

import pytest
import torch

from helpers import make_trainer, params, same
from playground.labs import LABS
from playground.labs import states
from playground.trainer import Hyper


@pytest.mark.parametrize("fused", [True, False])
def test_learning_rates_halve_every_lr_halving_iterations(fused):
    t = make_trainer(fused=fused, lr_d=0.04, lr_g=0.02, lr_halving=10)
    t.train_iterations(21)  # the 21st iteration ran at iterations = 20: two halvings
    assert (t.opt_d.lr, t.opt_g.lr) == pytest.approx((0.01, 0.005))
    constant = make_trainer(fused=fused, lr_d=0.04, lr_g=0.02)
    constant.train_iterations(21)
    assert (constant.opt_d.lr, constant.opt_g.lr) == (0.04, 0.02)
    t.set_hyper(dataclasses.replace(t.hyper, lr_halving=0))  # switched off: the set rates again
    t.train_iterations(1)
    assert (t.opt_d.lr, t.opt_g.lr) == (0.04, 0.02)


@pytest.mark.parametrize("fused", [True, False])
def test_the_averaged_generator_is_the_moving_average_and_training_never_reads_it(fused):
    beta = 0.5  # reached after 8 steps of warm-up: β_n = min(β, (1 + n) / (10 + n))
    averaged, plain = make_trainer(fused=fused, g_average=beta), make_trainer(fused=fused)
    expected = params(plain.G)
    for n in range(12):
        averaged.step_iteration()
        plain.step_iteration()
        beta_n = min(beta, (1 + n) / (10 + n))
        expected = [beta_n * e + (1 - beta_n) * p for e, p in zip(expected, params(plain.G))]
    assert same(params(averaged.G), params(plain.G)) and same(params(averaged.D), params(plain.D))
    for got, want in zip(params(averaged.G_average), expected):
        torch.testing.assert_close(got, want)
    z = torch.linspace(-1, 1, 50).reshape(-1, 1)
    torch.testing.assert_close(averaged.generate(z), averaged.G_average(z).detach())
    assert torch.equal(averaged.generate(z, averaged=False), plain.generate(z))
    assert not torch.allclose(averaged.generate(z), plain.generate(z))  # it is not G
    assert plain.G_average is None


def test_switching_averaging_on_starts_from_g_and_off_drops_it():
    t = make_trainer()
    t.train_iterations(5)
    t.set_hyper(dataclasses.replace(t.hyper, g_average=0.9))
    assert same(params(t.G_average), params(t.G))
    t.train_iterations(3)
    assert not same(params(t.G_average), params(t.G))
    t.set_hyper(dataclasses.replace(t.hyper, g_average=0.0))
    assert t.G_average is None


def test_a_2d_run_saved_with_an_averaged_generator_loads_back_with_it():
    lab = LABS["2d"]
    config = dataclasses.replace(lab.config_cls(), width=16, batch=32, g_average=0.9, lr_halving=50)
    run = lab.make_run(config)
    run.trainer.train_iterations(20)
    for data, compact in ((states.state_bytes(run, config, "2d"), False),
                          (states.compact_state_bytes(run, config, "2d"), True)):
        loaded = states.load_state(lab, data)
        assert loaded.compact is compact and loaded.run.trainer.iterations == 20
        assert loaded.run.trainer.averaged_steps == run.trainer.averaged_steps == 20
        tolerance = dict(atol=1e-2, rtol=1e-2) if compact else dict(atol=0, rtol=0)  # float16 in a compact file
        for got, want in zip(params(loaded.run.trainer.G_average), params(run.trainer.G_average)):
            torch.testing.assert_close(got, want, **tolerance)
        assert not same(params(loaded.run.trainer.G_average), params(loaded.run.trainer.G))


def test_a_state_file_from_before_these_settings_existed_still_loads():
    lab = LABS["2d"]
    config = dataclasses.replace(lab.config_cls(), width=16, batch=32)
    run = lab.make_run(config)
    run.trainer.train_iterations(5)
    trainer_state = run.trainer.state_dict()
    for name in states.HYPER_ADDED:
        del trainer_state["hyper"][name]
    states._check_trainer(trainer_state, run, config)  # noqa: SLF001 - the check an old file meets
    trainer_state["hyper"]["unknown"] = 1
    with pytest.raises(states.InvalidState):
        states._check_trainer(trainer_state, run, config)  # noqa: SLF001


def test_hyper_defaults_leave_training_as_it_was():
    assert Hyper().lr_halving == 0 and Hyper().g_average == 0.0
    assert LABS["1d"].config_cls().hyper().g_average == 0.0 and LABS["2d"].config_cls().hyper().lr_halving == 0


def test_the_algorithm_box_and_the_settings_line_say_when_rates_halve_and_g_is_averaged():
    from playground import text

    plain = LABS["2d"].config_cls()
    settled = dataclasses.replace(plain, lr_halving=2500, g_average=0.999)
    assert "halve" not in text.algorithm1(plain, "ring") and "averaged" not in text.settings_line(plain)
    box = text.algorithm1(settled, "ring")
    assert "halve every 2,500 iterations" in box and "averaged generator" in box and "β = 0.999" in box
    assert text.settings_line(settled).endswith("η halves every 2,500 · averaged G, β = 0.999")
