"""Modes captured and % high-quality samples over wall-clock time, per seed, for 2-D lab presets.

    python scripts/mode_report.py [--presets all_modes collapse grid25] [--seeds 0 1 2 3 4]
                                  [--seconds 60] [--every 10] [--json]

Each run trains headless on one torch thread and evaluates the VEEGAN/PacGAN metrics (2,500
samples, 3 std) every ``--every`` seconds; evaluation time is not counted as training time.
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
from playground.labs.two_d import PRESETS_2D, Config2D, Run2D  # noqa: E402


def curve(preset: str, seed: int, seconds: float, every: float) -> list[dict]:
    config = cfg.replace_fields(Config2D(), {**PRESETS_2D[preset].settings, "seed": seed})
    run = Run2D(config)
    points, trained, next_eval = [], 0.0, every
    while trained < seconds - 1e-9:
        start = time.perf_counter()
        run.trainer.train_for(min(next_eval, seconds) - trained)
        trained += time.perf_counter() - start
        if trained >= next_eval - 1e-3 or trained >= seconds:
            _, m = run.evaluate()
            points.append({"seconds": round(trained, 1), "iteration": run.trainer.iterations,
                           "modes": m["modes_captured"], "of": m["modes_total"],
                           "high_quality": round(m["high_quality"], 3), "js": round(m["js"], 3)})
            next_eval += every
    return points


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["all_modes", "collapse"], choices=sorted(PRESETS_2D))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    limit_threads(1)
    for preset in args.presets:
        for seed in args.seeds:
            points = curve(preset, seed, args.seconds, args.every)
            if args.json:
                print(json.dumps({"preset": preset, "seed": seed, "curve": points}), flush=True)
            else:
                text = "  ".join(f"{p['seconds']:>4.0f}s {p['modes']}/{p['of']} {p['high_quality']:.0%}" for p in points)
                print(f"{preset:>10} seed {seed}: {text}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
