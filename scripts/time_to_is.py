"""MNIST lab: classifier IS over training time, and the time to reach given IS levels.

    python scripts/time_to_is.py [--preset conditional_mlp] [--seeds 0] [--seconds 180] [--every 10]
                                 [--targets 8 9] [--device auto|cpu|cuda] [--json]

Each run trains headless on one torch thread (the app's setting) and scores QUALITY_SAMPLES
generated digits with the shipped classifier every ``--every`` seconds of training; scoring is not
counted as training time. Training time is the training thread's CPU time on the CPU (other
processes on a shared machine do not slow it down; the wall time is printed beside it) and wall
time on a GPU (there the CPU waits for the GPU). Issue 13's goal for the default preset: IS ≥ 8
within 60 s and ≥ 9 within 3 minutes on one CPU thread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import config as cfg  # noqa: E402
from playground.device import limit_threads  # noqa: E402
from playground.labs.mnist import PRESETS_MNIST, ConfigMNIST, RunMNIST  # noqa: E402


def curve(preset: str, seed: int, seconds: float, every: float, device: str) -> list[dict]:
    """(training seconds, wall seconds, iteration, classifier IS) every ``every`` training seconds."""
    config = cfg.replace_fields(ConfigMNIST(), {**PRESETS_MNIST[preset].settings, "seed": seed, "device": device})
    run = RunMNIST(config)
    on_gpu = run.device.type == "cuda"
    clock = time.perf_counter if on_gpu else time.thread_time
    points, trained, wall, next_eval = [], 0.0, 0.0, every
    while trained < seconds - 1e-9:
        start, wall_start = clock(), time.perf_counter()
        while clock() - start < min(next_eval, seconds) - trained:
            run.trainer.train_iterations(10)
        if on_gpu:
            import torch

            torch.cuda.synchronize()
        trained += clock() - start
        wall += time.perf_counter() - wall_start
        quality = run.quality(force=True)
        points.append({"seconds": round(trained, 1), "wall_seconds": round(wall, 1),
                       "iteration": run.trainer.iterations, "classifier_is": round(quality["classifier_is"], 2)})
        next_eval += every
    return points


def first_reaching(points: list[dict], target: float) -> float | None:
    """Training seconds at the first evaluation with IS ≥ target (None if never)."""
    return next((p["seconds"] for p in points if p["classifier_is"] >= target), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS_MNIST), default="conditional_mlp")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="training time per run")
    parser.add_argument("--every", type=float, default=10.0, help="training seconds between IS evaluations")
    parser.add_argument("--targets", type=float, nargs="+", default=[8.0, 9.0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.every <= 0:
        parser.error("--seconds and --every must be positive")
    limit_threads(1)
    results = []
    for seed in args.seeds:
        points = curve(args.preset, seed, args.seconds, args.every, args.device)
        reached = {f"seconds_to_is_{t:g}": first_reaching(points, t) for t in args.targets}
        results.append({"preset": args.preset, "seed": seed, **reached,
                        "final_is": points[-1]["classifier_is"], "curve": points})
        if not args.json:
            print(f"{args.preset} seed {seed}: " + ", ".join(f"IS ≥ {t:g} at {reached[f'seconds_to_is_{t:g}']} s"
                                                             for t in args.targets)
                  + f"; IS {points[-1]['classifier_is']} after {points[-1]['seconds']} s "
                  f"({points[-1]['iteration']:,} iterations, {points[-1]['wall_seconds']} s wall)", flush=True)
            print("  " + "  ".join(f"{p['seconds']:g}s:{p['classifier_is']}" for p in points), flush=True)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
