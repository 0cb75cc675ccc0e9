"""The GPU path (CUDA graphs for the toy labs' tiny steps, bf16 autocast for convolutional models)
and bf16 autocast for the MNIST MLPs on a CPU with native bf16 arithmetic.

A toy GAN step is ~40 tiny kernels; on a GPU each launch costs more than its arithmetic, so the
fused engine's gradient computation is captured once into a CUDA graph and replayed (one launch
per D or G step). Sampling and the optimizer stay outside the graph, so the random streams, live
learning-rate changes and Adam's step count behave exactly as in eager mode.

Whether to use either is decided here and nowhere else. The capture itself is injectable: on the
CPU the tests replay through :func:`eager_capture`, which gives the same static-buffer semantics
as a graph, so the logic (buffers, re-capture on a new batch size, fallback) runs without a GPU.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import time
from typing import Callable

import torch

log = logging.getLogger(__name__)

Capture = Callable[[Callable[[], object]], tuple[object, Callable[[], None]]]


def _tensors(out) -> list[torch.Tensor]:
    """The tensors of an engine's (loss, [grads]) result, flattened."""
    loss, grads = out
    return [loss, *grads]


def cuda_graph_capture(fn: Callable[[], object]) -> tuple[object, Callable[[], None]]:
    """Capture ``fn`` into a CUDA graph after warm-up on a side stream (as PyTorch's docs do);
    returns its outputs (static tensors, rewritten by every replay) and the replay function."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = fn()
    return out, graph.replay


def eager_capture(fn: Callable[[], object]) -> tuple[object, Callable[[], None]]:
    """A graph's semantics without a GPU: replay reruns ``fn`` and writes into the first outputs."""
    out = fn()
    static = _tensors(out)

    def replay() -> None:
        for target, value in zip(static, _tensors(fn())):
            if target.data_ptr() != value.data_ptr():
                target.copy_(value)

    return out, replay


class GraphedEngine:
    """The fused engine's d_grads/g_grads replayed from captured graphs, one per (step, batch, losses).

    Inputs are copied into static buffers before each replay; the returned loss is a copy (the
    trainer keeps losses), the gradients are the static buffers, used by the optimizer at once.
    If capture fails, the error is logged and the eager engine takes over for good.
    """

    def __init__(self, engine, capture: Capture = cuda_graph_capture):
        self.engine, self.capture = engine, capture
        self.G, self.D = engine.G, engine.D
        self.params_g, self.params_d = engine.params_g, engine.params_d
        self.graphs: dict[tuple, tuple[list[torch.Tensor], object, Callable[[], None]]] = {}
        self.fallback_reason: str | None = None

    def d_grads(self, real, z, losses, mix=None):
        return self._run(("d", real.shape[0], losses), lambda r, n: self.engine.d_grads(r, n, losses), real, z)

    def g_grads(self, z, losses):
        return self._run(("g", z.shape[0], losses), lambda n: self.engine.g_grads(n, losses), z)

    def mmd_grads(self, z, real):
        """Eager: MMD's kernel gradient comes from autograd, which is not captured."""
        return self.engine.mmd_grads(z, real)

    def _run(self, key: tuple, step, *inputs):
        if self.fallback_reason is not None:
            return step(*inputs)
        if key not in self.graphs:
            if any(k[1] != key[1] for k in self.graphs):  # a new batch size: drop the old graphs' memory
                self.graphs.clear()
            try:
                static = [x.clone() for x in inputs]
                out, replay = self.capture(lambda: step(*static))
            except Exception as err:  # noqa: BLE001 - any capture failure means: run eagerly
                self.fallback_reason = f"{type(err).__name__}: {err}"
                log.warning("CUDA graph capture failed, training eagerly: %s", self.fallback_reason)
                return step(*inputs)
            self.graphs[key] = (static, out, replay)
        static, (loss, grads), replay = self.graphs[key]
        for buffer, x in zip(static, inputs):
            buffer.copy_(x)
        replay()
        return loss.clone(), grads


def use_cuda_graphs(device: torch.device, fused: bool) -> bool:
    """Graphs pay off for the fused toy step on a GPU; on the CPU there is no launch cost to save."""
    return fused and device.type == "cuda"


def autocast_dtype(device: torch.device, convolutional: bool) -> torch.dtype | None:
    """bf16 autocast (no loss scaling needed, unlike fp16) for convolutional models on a GPU that
    supports it (tensor cores), and for MLPs on a CPU whose bf16 matrix products measure clearly
    faster than float32 ones (the MNIST MLPs' step is ~80% matrix products, so it is bound by
    arithmetic, not overhead); None (full float32) otherwise."""
    if device.type == "cuda":
        return torch.bfloat16 if convolutional and torch.cuda.is_bf16_supported() else None
    if device.type == "cpu" and not convolutional and cpu_bf16_pays_off():
        return torch.bfloat16
    return None


CPU_BF16_ENV = "GAN_PLAYGROUND_CPU_BF16"  # "0" or "1" overrides the measurement
CPU_BF16_GAIN = 1.4  # bf16 must multiply at least this much faster to be used


@functools.cache
def cpu_bf16_pays_off() -> bool:
    """Whether this CPU multiplies bf16 matrices at least CPU_BF16_GAIN× faster than float32 ones
    (native bf16 instructions such as AVX512-BF16 or AMX measured ~2×; without them bf16 is
    emulated and slower), timed once per process on an MNIST-sized product (~0.1 s) in the
    thread's CPU time, so a busy machine does not change the answer."""
    forced = os.environ.get(CPU_BF16_ENV)
    if forced in ("0", "1"):
        return forced == "1"
    a, b = torch.randn(64, 784), torch.randn(784, 512)
    return _best_time(a, b) / _best_time(a.bfloat16(), b.bfloat16()) >= CPU_BF16_GAIN


def _best_time(a: torch.Tensor, b: torch.Tensor, repeats: int = 3, n: int = 20) -> float:
    torch.mm(a, b)
    best = math.inf
    for _ in range(repeats):
        start = time.thread_time()
        for _ in range(n):
            torch.mm(a, b)
        best = min(best, time.thread_time() - start)
    return best
