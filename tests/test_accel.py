"""The GPU path's logic, run on the CPU: graph replay with static buffers, re-capture, fallback,
device-based choices, and bf16 autocast for the DCGAN. On a machine with CUDA the last test runs
the real graphs."""

import dataclasses

import pytest
import torch

from helpers import gaussian_sampler, params
from playground import accel
from playground.mnist.models import make_models
from playground.models import MLP
from playground.objectives import Losses
from playground.trainer import AutogradEngine, FusedMLPEngine, Hyper, Trainer, make_engine, noise_sampler

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def trainer(device=CPU, **kwargs) -> Trainer:
    torch.manual_seed(0)
    G, D = MLP(1, 1, 16, 2, "leaky_relu"), MLP(1, 1, 16, 2, "leaky_relu")
    hyper = Hyper(k=2, lr_d=0.01, lr_g=0.005, momentum=0.5, optimizer="adam", batch=32)
    return Trainer(G, D, gaussian_sampler(), noise_sampler("normal", 1), hyper, 0, device, **kwargs)


def assert_same_training(a: Trainer, b: Trainer) -> None:
    for x, y in zip(params(a.G) + params(a.D), params(b.G) + params(b.D)):
        torch.testing.assert_close(x, y, rtol=0, atol=1e-6)
    torch.testing.assert_close(torch.as_tensor(a.drain_losses()), torch.as_tensor(b.drain_losses()))


def test_replayed_steps_train_exactly_like_the_eager_engine():
    graphed, eager = trainer(graphs=True, capture=accel.eager_capture), trainer(graphs=False)
    assert isinstance(graphed.engine, accel.GraphedEngine) and isinstance(eager.engine, FusedMLPEngine)
    graphed.train_iterations(25)
    eager.train_iterations(25)
    # fresh minibatches each step reach the graph only through its static input buffers
    assert set(graphed.engine.graphs) == {("d", 32, Losses()), ("g", 32, Losses())}
    assert graphed.engine.fallback_reason is None
    assert_same_training(graphed, eager)


def test_a_new_batch_size_or_loss_is_captured_afresh_and_old_graphs_are_dropped():
    graphed, eager = trainer(graphs=True, capture=accel.eager_capture), trainer(graphs=False)
    for t in (graphed, eager):
        t.train_iterations(3)
        t.set_hyper(dataclasses.replace(t.hyper, batch=48, loss="minimax"))
        t.train_iterations(3)
    minimax = Losses(gen_loss="minimax")
    assert set(graphed.engine.graphs) == {("d", 48, minimax), ("g", 48, minimax)}
    assert_same_training(graphed, eager)


def test_a_failed_capture_falls_back_to_eager_training_for_good():
    calls = []

    def broken_capture(fn):
        calls.append(fn)
        raise RuntimeError("operation not permitted when stream is capturing")

    graphed, eager = trainer(graphs=True, capture=broken_capture), trainer(graphs=False)
    graphed.train_iterations(10)
    eager.train_iterations(10)
    assert len(calls) == 1 and "not permitted" in graphed.engine.fallback_reason
    assert_same_training(graphed, eager)


def test_graphs_and_autocast_are_chosen_by_device_and_model(monkeypatch):
    assert not accel.use_cuda_graphs(CPU, fused=True)
    assert accel.use_cuda_graphs(CUDA, fused=True) and not accel.use_cuda_graphs(CUDA, fused=False)
    assert isinstance(trainer().engine, FusedMLPEngine)  # the CPU default: no graphs
    G, D = make_models("dcgan", 16, False)
    assert isinstance(make_engine(G, D), AutogradEngine) and make_engine(G, D).autocast is None
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert accel.autocast_dtype(CUDA, convolutional=True) is torch.bfloat16
    assert accel.autocast_dtype(CUDA, convolutional=False) is None
    assert accel.autocast_dtype(CPU, convolutional=True) is None
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert accel.autocast_dtype(CUDA, convolutional=True) is None


def test_bf16_autocast_runs_the_dcgan_in_bf16_with_float32_weights_and_close_gradients():
    torch.manual_seed(0)
    G, D = make_models("dcgan", 16, False)
    z, real = torch.randn(8, 16), torch.rand(8, 784) * 2 - 1
    full, mixed = AutogradEngine(G, D), AutogradEngine(G, D, autocast=torch.bfloat16)
    seen = []
    hook = next(m for m in D.modules() if isinstance(m, torch.nn.Conv2d)).register_forward_hook(
        lambda module, args, out: seen.append(out.dtype))
    loss_full, grads_full = full.d_grads(real, z, Losses())
    loss_mixed, grads_mixed = mixed.d_grads(real, z, Losses())
    hook.remove()
    assert seen == [torch.float32] * 2 + [torch.bfloat16] * 2  # D ran on real and fake, twice
    assert loss_mixed.dtype == torch.float32 and all(g.dtype == torch.float32 for g in grads_mixed)
    assert abs(float(loss_mixed) - float(loss_full)) < 0.05
    flat = lambda grads: torch.cat([g.reshape(-1) for g in grads])  # noqa: E731
    assert torch.cosine_similarity(flat(grads_full), flat(grads_mixed), dim=0) > 0.98
    _, g_grads = mixed.g_grads(z, Losses())
    assert all(torch.isfinite(g).all() for g in g_grads)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_real_cuda_graphs_train_like_eager_on_the_gpu():
    graphed, eager = trainer(CUDA), trainer(CUDA, graphs=False)
    assert isinstance(graphed.engine, accel.GraphedEngine)
    graphed.train_iterations(25)
    eager.train_iterations(25)
    assert graphed.engine.fallback_reason is None
    for x, y in zip(params(graphed.G), params(eager.G)):
        torch.testing.assert_close(x, y, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("objective", ["least-squares", "hinge"])
def test_each_logit_objective_is_captured_with_its_losses_and_replays_like_eager(objective):
    """The graphs are keyed by the loss settings (a new label smoothing is a new graph); WGAN-GP
    needs autograd, so it runs eagerly without graphs."""
    graphed, eager = trainer(graphs=True, capture=accel.eager_capture), trainer(graphs=False)
    for t in (graphed, eager):
        t.set_hyper(dataclasses.replace(t.hyper, objective=objective, label_smoothing=0.1))
        t.train_iterations(5)
        t.set_hyper(dataclasses.replace(t.hyper, label_smoothing=0.2))
        t.train_iterations(5)
    assert {key[2] for key in graphed.engine.graphs} == {dataclasses.replace(graphed.losses, real_label=r)
                                                         for r in ((0.9, 0.8) if objective == "least-squares" else (1.0,))}
    assert_same_training(graphed, eager)
    graphed.set_hyper(dataclasses.replace(graphed.hyper, objective="wgan-gp"))
    assert isinstance(graphed.engine, AutogradEngine)


def test_limit_threads_limits_torch_and_every_blas_library():
    """One thread for PyTorch and for the BLAS that NumPy and SciPy load (the metrics run there)."""
    import threadpoolctl

    from playground.device import limit_threads

    limit_threads(1)
    assert torch.get_num_threads() == 1
    blas = [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_mlps_on_a_cpu_use_bf16_only_where_it_measures_faster(monkeypatch):
    """The MNIST MLPs train in bf16 autocast on a CPU with fast bf16 products, in float32 on one
    without; convolutional models stay in float32 on the CPU either way; the environment overrides."""
    monkeypatch.delenv(accel.CPU_BF16_ENV, raising=False)
    for pays_off, expected in ((True, torch.bfloat16), (False, None)):
        monkeypatch.setattr(accel, "cpu_bf16_pays_off", lambda answer=pays_off: answer)
        assert accel.autocast_dtype(CPU, convolutional=False) is expected
        assert accel.autocast_dtype(CPU, convolutional=True) is None
    monkeypatch.undo()
    accel.cpu_bf16_pays_off.cache_clear()
    try:
        for forced in ("0", "1"):
            monkeypatch.setenv(accel.CPU_BF16_ENV, forced)
            accel.cpu_bf16_pays_off.cache_clear()
            assert accel.cpu_bf16_pays_off() is (forced == "1")
    finally:
        accel.cpu_bf16_pays_off.cache_clear()
