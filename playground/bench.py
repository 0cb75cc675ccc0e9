"""`python -m playground bench`: measured ratios, not timed tests.

For each lab's default preset:
1. headless iterations/s of the Trainer and of a plain eager PyTorch loop doing the same work
   (copies of the same G and D, same batch, k, loss, optimizer and samplers) in the same process,
   interleaved so that machine noise hits both alike, and their ratio. Both are timed in the
   benchmark thread's CPU time (PyTorch runs on that one thread), so other processes on a shared
   machine slow neither; wall-clock rates varied by ±25% between hours on the development VM;
   for the toy labs also the same on the REFERENCE setting (MLPs 2 × 32, m 256, k 1, SGD with
   momentum 0.9, non-saturating), with the rate the arithmetic alone would allow (its FLOPs at
   the rate this machine multiplies 256 × 256 matrices) and the trainer's share of it;
2. a frame's work outside training broken down in ms (snapshot without its metrics, metrics,
   figure build, serialisation) between trainings of a fixed 0.7 frame period, and the payload
   bytes one frame sends to the browser. The page's frames differ in training time only: theirs
   adapts to what drawing took (``LiveSession.frame_budget``). Streamlit's own work is not timed.

``--device cuda`` trains both loops on the GPU and times them in wall-clock time, synchronising
before each reading (the CPU time of a thread that queues GPU kernels says little).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import statistics
import time

import plotly.io as pio
import torch
import torch.nn.functional as F

from .device import limit_threads, select_device
from .labs import LABS
from .live import FRAME_PERIOD_S
from .timing import recording

ROUNDS = 3
# The setting whose trainer / plain loop ratio issue 13 set a goal for (≥ 3×): small enough that
# per-operation overhead, not arithmetic, decides the speed.
REFERENCE = dict(width=32, depth=2, batch=256, k=1, optimizer="sgd", momentum=0.9, loss="nonsaturating")
TOY_LABS = ("1d", "2d")


class PlainLoop:
    """Algorithm 1 as a tutorial writes it: autograd, torch.optim, BCE-with-logits, new labels each step."""

    def __init__(self, trainer):
        h = trainer.hyper
        self.G, self.D = copy.deepcopy(trainer.G), copy.deepcopy(trainer.D)
        self.sample_real, self.sample_noise, self.rng = trainer.sample_real, trainer.sample_noise, trainer.rng
        self.hyper = h
        make = (lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=h.momentum)) if h.optimizer == "sgd" else (
            lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(h.momentum, 0.999)))
        self.opt_d, self.opt_g = make(self.D.parameters(), h.lr_d), make(self.G.parameters(), h.lr_g)

    def iteration(self) -> None:
        m, h = self.hyper.batch, self.hyper
        for _ in range(h.k):
            real, z = self.sample_real(m, self.rng), self.sample_noise(m, self.rng)
            fake = self.G(z).detach()
            self.opt_d.zero_grad()
            d_real, d_fake = self.D(real), self.D(fake)
            loss_d = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                      + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
            loss_d.backward()
            self.opt_d.step()
        z = self.sample_noise(m, self.rng)
        self.opt_g.zero_grad()
        d_fake = self.D(self.G(z))
        if h.loss == "nonsaturating":
            loss_g = F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
        else:
            loss_g = -F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
        loss_g.backward()
        self.opt_g.step()


def rate(step, seconds: float, clock=time.perf_counter) -> float:
    """Iterations per second of ``step`` over about ``seconds`` of ``clock``."""
    for _ in range(20):
        step()
    n, start = 0, clock()
    while clock() - start < seconds:
        for _ in range(20):
            step()
        n += 20
    return n / (clock() - start)


def clock_for(device: torch.device):
    """The benchmark's clock: this thread's CPU time on the CPU; on CUDA wall-clock time read after
    the GPU has finished what was queued."""
    if device.type != "cuda":
        return time.thread_time

    def synchronised() -> float:
        torch.cuda.synchronize(device)
        return time.perf_counter()

    return synchronised


def headless(lab, seconds: float, config=None, prefix: str = "", device: str = "cpu") -> dict:
    """Trainer vs plain loop in CPU iterations/s, interleaved in ROUNDS rounds; the trainer's
    pending losses are drained between rounds, as a page's frames do."""
    config = dataclasses.replace(config or lab.config_cls(), device=device)
    return _headless(lab.make_run(config), seconds, prefix)


def _headless(run, seconds: float, prefix: str) -> dict:
    plain = PlainLoop(run.trainer)
    clock = clock_for(run.device)
    ours, theirs = [], []
    for _ in range(ROUNDS):
        ours.append(rate(run.trainer.step_iteration, seconds / ROUNDS, clock))
        run.trainer.drain_losses()
        theirs.append(rate(plain.iteration, seconds / ROUNDS, clock))
    trainer, reference = statistics.median(ours), statistics.median(theirs)
    autocast = getattr(run.trainer.engine, "autocast", None)  # the plain loop always runs in float32
    return {f"{prefix}trainer_steps_per_s": round(trainer, 1), f"{prefix}plain_steps_per_s": round(reference, 1),
            f"{prefix}ratio": round(trainer / reference, 2),
            f"{prefix}trainer_precision": str(autocast).removeprefix("torch.") if autocast else "float32"}


def iteration_flops(trainer) -> float:
    """Floating-point operations of one toy iteration's matrix products: a D step is G's forward
    pass on m samples and D's forward, weight-gradient and input-gradient passes on 2m; a G step is
    G's and D's forward passes, D's input gradient and G's two backward passes on m."""
    g, d = (sum(linear.in_features * linear.out_features for linear in net.linears) for net in (trainer.G, trainer.D))
    k, m = trainer.hyper.k, trainer.hyper.batch
    return 2.0 * (k * m * (g + 6 * d) + m * (3 * g + 2 * d))


def matmul_flops_per_s(size: int = 256, seconds: float = 0.5) -> float:
    """What this machine's one thread multiplies at, on matrices big enough to hide overheads."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    return 2.0 * size**3 * max(rate(lambda: torch.mm(a, b), seconds / 3, time.thread_time) for _ in range(3))


def reference(lab, seconds: float, device: str = "cpu") -> dict:
    """The REFERENCE setting on a toy lab: trainer vs plain loop, and the arithmetic limit (on the
    CPU; a GPU's limit at these sizes is its launch rate, not its arithmetic)."""
    run = lab.make_run(dataclasses.replace(lab.config_cls(), **REFERENCE, device=device))
    result = _headless(run, seconds, prefix="reference_")
    if run.device.type == "cuda":
        return result
    limit = matmul_flops_per_s() / iteration_flops(run.trainer)
    return {**result, "reference_limit_steps_per_s": round(limit, 1),
            "reference_share_of_limit": round(result["reference_trainer_steps_per_s"] / limit, 3)}


def live_tick(lab, frames: int = 20, device: str = "cpu") -> dict:
    """Time a frame's parts: training for a fixed 70% of the frame period, then the snapshot, its
    metrics, the figures and their JSON, which are what the page does each frame."""
    run = lab.make_run(dataclasses.replace(lab.config_cls(), device=device))
    parts = {"train": [], "snapshot": [], "metrics": [], "figures": [], "serialise": []}
    payload = history_payload = 0
    for _ in range(frames):
        t0 = time.perf_counter()
        run.trainer.train_for(FRAME_PERIOD_S * 0.7)
        t1 = time.perf_counter()
        with recording() as sections:
            snap = run.snapshot()
        t2 = time.perf_counter()
        figures = lab.frame_figures(snap, run.config)
        t3 = time.perf_counter()
        payload = sum(len(pio.to_json(fig, validate=False)) for fig in figures.values())
        t4 = time.perf_counter()
        metrics_s = sections.get("metrics", 0.0)
        for name, seconds in (("train", t1 - t0), ("snapshot", t2 - t1 - metrics_s), ("metrics", metrics_s),
                              ("figures", t3 - t2), ("serialise", t4 - t3)):
            parts[name].append(seconds * 1000)
    history_payload = sum(len(pio.to_json(fig, validate=False))
                          for fig in lab.history_figures(snap, run.config).values())
    ms = {f"{name}_ms": round(statistics.median(values), 2) for name, values in parts.items()}
    overhead = sum(v for k, v in ms.items() if k != "train_ms")
    return {**ms, "frame_payload_bytes": payload, "history_payload_bytes_per_s": history_payload,
            "overhead_ms": round(overhead, 2),
            "frame_period_ms": FRAME_PERIOD_S * 1000,
            "training_share_of_tick": round(ms["train_ms"] / (ms["train_ms"] + overhead), 3)}


def run_bench(which: str, seconds: float, as_json: bool, device: str = "cpu") -> int:
    limit_threads(1)
    results = {}
    for key in (sorted(LABS) if which == "all" else [which]):
        lab = LABS[key]
        results[key] = {"device": str(select_device(device)), **headless(lab, seconds, device=device),
                        **(reference(lab, seconds, device) if key in TOY_LABS else {}), **live_tick(lab, device=device)}
    if as_json:
        print(json.dumps(results))
    else:
        for key, result in results.items():
            print(f"[{key}]")
            for name, value in result.items():
                print(f"  {name:>30}: {value}")
    return 0
