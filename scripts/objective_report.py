"""Do the objective and MMD presets do what they say, over seeds?

    python scripts/objective_report.py [--only NAME,...] [--seeds 0-9] [--jobs 2] [--iterations N]
                                       [--lab 1d|2d] [--set name=value ...] [--json]

Each cell is a preset of issue 15 (or, with --lab and --set, any settings): trained on every seed,
evaluated at the end, and judged by the cell's criterion (``CRITERIA``). A preset passes when its
criterion holds on at least 9 seeds of 10. Prints one row per cell: passes, then the deciding
number per seed. (Issue 12's scripts/preset_report.py judges every preset this way once it lands;
this is the interim check for the presets added here.)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from playground import config as cfg  # noqa: E402
from playground.device import limit_threads  # noqa: E402
from playground.labs import LABS  # noqa: E402


@dataclass(frozen=True)
class Criterion:
    """What a run must show at its end: ``metric(snapshot metrics, run)`` compared with ``bound``."""

    what: str
    metric: str  # 'modes' | 'w1_of_std' | 'worst_share' | 'mmd2'
    at_most: float | None = None
    at_least: float | None = None

    def value(self, stats: dict, run) -> float:
        if self.metric == "modes":
            return float(stats["modes_captured"])
        if self.metric == "w1_of_std":
            return stats["w1"] / run.target.std
        if self.metric == "worst_share":  # 1-D mixtures: how far the emptiest mode's share is from its weight
            return worst_share_gap(run)
        return float(stats[self.metric])

    def passed(self, value: float) -> bool:
        return (self.at_most is None or value <= self.at_most) and (self.at_least is None or value >= self.at_least)


def worst_share_gap(run) -> float:
    """The largest |share of G's samples nearest a mode − that mode's weight| (1-D mixtures)."""
    samples = run.sample_output(4000)
    means, weights = np.asarray(run.target.means), run.target.w
    nearest = np.abs(samples[:, None] - means[None]).argmin(axis=1)
    shares = np.bincount(nearest, minlength=len(means)) / len(samples)
    return float(np.max(np.abs(shares - weights)))


ALL_MODES = Criterion("all 8 modes", "modes", at_least=8)
COLLAPSED = Criterion("at most 3 of 8 modes", "modes", at_most=3)
LEARNED_1D = Criterion("W1 ≤ 0.2 std", "w1_of_std", at_most=0.2)
BOTH_MODES = Criterion("each mode within 0.1 of its share", "worst_share", at_most=0.1)
MODE_LOST = Criterion("a mode's share off by ≥ 0.25", "worst_share", at_least=0.25)

# preset key -> (lab, criterion, iterations); presets not listed are not judged here
CRITERIA = {
    ("2d", "wgan_gp"): (ALL_MODES, 6000),
    ("2d", "least_squares"): (ALL_MODES, 6000),
    ("2d", "hinge"): (ALL_MODES, 6000),
    ("2d", "mmd_ring"): (ALL_MODES, 3000),
    ("2d", "collapse"): (COLLAPSED, 6000),
    ("1d", "least_squares"): (LEARNED_1D, 3000),
    ("1d", "mmd_bimodal"): (BOTH_MODES, 3000),
    ("1d", "collapse"): (MODE_LOST, 3000),
}


def run_cell(args: tuple) -> tuple[float, float]:
    lab_key, settings, seed, iterations, criterion = args
    limit_threads(1)
    lab = LABS[lab_key]
    config = cfg.replace_fields(lab.config_cls(), {**settings, "seed": seed})
    run = lab.make_run(config)
    start = time.process_time()
    try:
        run.trainer.train_iterations(iterations)
    except Exception as err:  # noqa: BLE001 - a diverged run fails its cell, with the reason printed
        print(f"  seed {seed}: {err}", file=sys.stderr)
        return float("nan"), time.process_time() - start
    stats = run.snapshot().metrics
    return criterion.value(stats, run), time.process_time() - start


def seeds_of(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated preset keys (default: every judged preset)")
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--iterations", type=int, help="instead of each cell's own")
    parser.add_argument("--lab", choices=("1d", "2d"), help="judge --set settings instead of presets")
    parser.add_argument("--criterion", default="all_modes", help="with --lab: all_modes, collapsed, learned, "
                                                                  "both_modes or mode_lost")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seeds = seeds_of(args.seeds)
    overrides = dict(item.split("=", 1) for item in args.set)
    cells = []
    if args.lab:
        lab = LABS[args.lab]
        config, notices = cfg.from_text(lab.config_cls, overrides)
        assert not notices, notices
        settings = {name: getattr(config, name) for name in cfg.changed_fields(lab.config_cls(), config)}
        criterion = {"all_modes": ALL_MODES, "collapsed": COLLAPSED, "learned": LEARNED_1D,
                     "both_modes": BOTH_MODES, "mode_lost": MODE_LOST}[args.criterion]
        cells.append((args.lab, " ".join(args.set) or "defaults", settings, criterion, args.iterations or 3000))
    else:
        wanted = set(filter(None, args.only.split(",")))
        for (lab_key, name), (criterion, iterations) in CRITERIA.items():
            if wanted and name not in wanted:
                continue
            lab = LABS[lab_key]
            settings = dict(lab.presets[name].settings)
            config, notices = cfg.from_text(lab.config_cls, overrides, base=cfg.replace_fields(lab.config_cls(), settings))
            assert not notices, notices
            settings = {n: getattr(config, n) for n in cfg.changed_fields(lab.config_cls(), config)}
            cells.append((lab_key, name, settings, criterion, args.iterations or iterations))
    rows = []
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for lab_key, name, settings, criterion, iterations in cells:
            results = pool.map(run_cell, [(lab_key, settings, s, iterations, criterion) for s in seeds])
            values = [v for v, _ in results]
            passes = sum(criterion.passed(v) for v in values)
            row = {"lab": lab_key, "cell": name, "criterion": criterion.what, "iterations": iterations,
                   "passes": passes, "seeds": len(seeds), "values": values,
                   "cpu_s_per_seed": round(float(np.mean([c for _, c in results])), 1)}
            rows.append(row)
            shown = " ".join("nan" if v != v else f"{v:.3g}" for v in values)
            print(f"{lab_key} {name:<18} {criterion.what:<36} {iterations:>6} it  {passes}/{len(seeds)}  [{shown}]"
                  f"  {row['cpu_s_per_seed']} CPU-s/seed", flush=True)
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
