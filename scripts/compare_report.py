"""Does every comparison preset show its difference between run A and run B, over seeds?

    nice python scripts/compare_report.py [--lab 1d|2d|all] [--seeds 0-4] [--jobs 2] [--only NAME,...]

Each comparison preset (playground/compare.py) is trained as its runs A and B from the same seed, in
lockstep as the page does (same iterations), and evaluated at 40 evenly spaced points. The measure
of each preset says what should differ; a seed counts when B differs from A in the stated direction:

- k1_vs_k5: D's margin, D(real) − D(fake) (median of the last half): larger with k = 5;
- minimax_vs_ns (1-D): A stalls (playground.criteria.stalls) and B does not;
- momentum_05_vs_099: B oscillates (criteria.oscillates) and A does not;
- adam_vs_sgd_ring8: modes captured (median of the last half): fewer with SGD;
- adversarial_vs_mmd: 1-D: both learn p_data (criteria.converges), one with a discriminator, one
  without; 2-D (the ring): MMD (B) captures every mode at the end, with fewer high-quality samples
  than the adversarial run (A), whose numbers are reported beside it.

MNIST's comparisons are not measured here (minutes per run on a CPU).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from playground import compare, criteria  # noqa: E402
from playground import config as cfg  # noqa: E402
from playground.device import limit_threads  # noqa: E402
from playground.labs import LABS  # noqa: E402

ITERATIONS = {"1d": 3_000, "2d": 5_000}
LONGER = {("1d", "minimax_vs_ns"): 1_500}  # k = 10: 11 steps an iteration
EVALUATIONS = 40


def series(lab_key: str, config, iterations: int) -> tuple[list[dict], object]:
    run = LABS[lab_key].make_run(config)
    points = []
    for chunk in np.diff(np.linspace(0, iterations, EVALUATIONS + 1).astype(int)):
        run.trainer.train_iterations(int(chunk))
        points.append(dict(run.snapshot().metrics))
    return points, getattr(run, "yardstick", None)


def margin(points: list[dict]) -> float:
    half = points[len(points) // 2:]
    return float(np.median([m["d_real"] - m["d_fake"] for m in half]))


def judge(lab_key: str, name: str, a: list[dict], b: list[dict], ys) -> tuple[bool, str]:
    if name == "k1_vs_k5":
        ma, mb = margin(a), margin(b)
        return mb > ma, f"D margin A {ma:.3f}, B {mb:.3f}"
    if name == "minimax_vs_ns":
        va, vb = criteria.stalls(a, ys, lab_key), criteria.stalls(b, ys, lab_key)
        return va.passed and not vb.passed, f"A {va.note}; B {vb.note}"
    if name == "momentum_05_vs_099":
        va, vb = criteria.oscillates(a, ys, lab_key), criteria.oscillates(b, ys, lab_key)
        return vb.passed and not va.passed, f"A {va.note}; B {vb.note}"
    if name == "adam_vs_sgd_ring8":
        ma, mb = (float(np.median([m["modes_captured"] for m in s[len(s) // 2:]])) for s in (a, b))
        return mb < ma, f"modes A {ma:.1f}, B {mb:.1f}"
    if lab_key == "2d":  # adversarial_vs_mmd on the ring: MMD covers the modes, with blurrier samples
        (ma, qa), (mb, qb) = ((s[-1]["modes_captured"], s[-1]["high_quality"]) for s in (a, b))
        ok = mb == b[-1]["modes_total"] and qb < qa
        return ok, f"A {ma:.0f} modes, {qa:.0%} HQ; B {mb:.0f} modes, {qb:.0%} HQ"
    va, vb = criteria.converges(a, ys, lab_key), criteria.converges(b, ys, lab_key)  # adversarial_vs_mmd
    return va.passed and vb.passed, f"A {va.note}; B {vb.note}"


def cell(job: tuple[str, str, int]) -> tuple[str, str, int, bool, str]:
    lab_key, name, seed = job
    limit_threads(1)
    lab, preset = LABS[lab_key], compare.presets_of(LABS[lab_key])[name]
    a_config = cfg.replace_fields(lab.config_cls(), {**preset.a, "seed": seed})
    b_config, used, problems = compare.b_config(a_config, preset.b)
    assert used == dict(preset.b) and not problems, problems
    iterations = LONGER.get((lab_key, name), ITERATIONS[lab_key])
    a, ys = series(lab_key, a_config, iterations)
    b, _ = series(lab_key, b_config, iterations)
    ok, note = judge(lab_key, name, a, b, ys)
    return lab_key, name, seed, ok, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="all", choices=["1d", "2d", "all"])
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    lo, _, hi = args.seeds.partition("-")
    seeds = range(int(lo), int(hi or lo) + 1)
    labs = ["1d", "2d"] if args.lab == "all" else [args.lab]
    only = set(filter(None, args.only.split(",")))
    jobs = [(lab, name, seed) for lab in labs for name in compare.presets_of(LABS[lab])
            if not only or name in only for seed in seeds]
    results = []
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for result in pool.imap(cell, jobs):  # each seed as it comes, so a long report shows progress
            results.append(result)
            print(f"{result[0]} {result[1]} seed {result[2]}: {'yes' if result[3] else 'no '}  {result[4]}", flush=True)
    print()
    for lab, name in dict.fromkeys((r[0], r[1]) for r in results):
        rows = [r for r in results if r[:2] == (lab, name)]
        print(f"{lab} {name}: B differs as stated on {sum(r[3] for r in rows)}/{len(rows)} seeds")

if __name__ == "__main__":
    main()
