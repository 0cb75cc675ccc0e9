"""Does every preset do what its name says, and is every target learned with the defaults, over seeds?

    python scripts/preset_report.py [--lab 1d|2d|mnist|all] [--seeds 0-9] [--jobs 2]
                                    [--only NAME,...] [--iterations N] [--seconds S] [--set name=value ...]
                                    [--markdown] [--json]

Each cell is a preset (its settings) or a target (the lab's defaults with only the target changed),
trained on every seed: 10,000 iterations in the 1-D lab, 20,000 in the 2-D lab (pathology presets
3,000 and 5,000: a pathology a class should see shows early), and 180 CPU-seconds in the MNIST lab
(process time, so that other work on the machine does not count against it). A pathology preset's
run is evaluated at 100 evenly spaced points, a converging one's only at its end, which is all its
verdict reads (MNIST: every 20 CPU-seconds), and judged by playground/criteria.py:
targets and converging presets must be learned, pathology presets must show their pathology. A
target passes on at least 8 seeds of 10, a preset on at least 9 (MNIST's converging presets on 4
of 5). One table is printed: the verdict and its number per seed.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from playground import config as cfg  # noqa: E402
from playground import criteria  # noqa: E402
from playground.device import limit_threads  # noqa: E402
from playground.labs import LABS  # noqa: E402

ITERATIONS = {"1d": 10_000, "2d": 20_000}
PATHOLOGY_ITERATIONS = {"1d": 3_000, "2d": 5_000}
PRESET_ITERATIONS = {("1d", "strong_d"): 1_000, ("1d", "saturating"): 1_500}  # k = 20, 10: 21 and 11 steps an iteration
MNIST_SECONDS = 180.0
MNIST_EVERY_S = 20.0
EVALUATIONS = 100
POINTS_CELL = "custom-csv"  # the 2-D custom target trained on uploaded points (circles, as a CSV would hold)


@dataclass(frozen=True)
class Cell:
    lab: str
    name: str  # a preset key, or "target:<name>"
    settings: tuple[tuple[str, object], ...]
    shows: str

    @property
    def is_target(self) -> bool:
        return self.name.startswith("target:")

    @property
    def needed(self) -> float:
        """The share of seeds that must pass."""
        if self.lab == "mnist" and self.shows == "converges":
            return 0.8
        return 0.8 if self.is_target else 0.9


def cells_of(lab_key: str) -> list[Cell]:
    lab = LABS[lab_key]
    cells = [Cell(lab_key, name, tuple(p.settings.items()), p.shows) for name, p in lab.presets.items()]
    if lab_key != "mnist":
        targets = cfg.specs(lab.config_cls)["target"].choices
        cells += [Cell(lab_key, f"target:{t}", (("target", t),), "converges") for t in targets]
    if lab_key == "2d":
        cells.append(Cell(lab_key, f"target:{POINTS_CELL}", (("target", "custom"), ("custom_source", "csv")),
                          "converges"))
    return cells


def iterations(cell: Cell) -> int:
    table = ITERATIONS if cell.shows == "converges" else PATHOLOGY_ITERATIONS
    return PRESET_ITERATIONS.get((cell.lab, cell.name), table.get(cell.lab, 0))


def make_run(cell: Cell, seed: int, overrides: dict):
    lab = LABS[cell.lab]
    config = cfg.replace_fields(lab.config_cls(), {**dict(cell.settings), "seed": seed})
    config, _ = lab.retarget(lab.config_cls(), config)  # a target cell trains as choosing the target does
    config, notices = cfg.from_text(lab.config_cls, overrides, base=config)
    assert not notices, notices
    data = {}
    if cell.name == f"target:{POINTS_CELL}":
        from playground.targets.two_d import make_target_2d

        data["points"] = make_target_2d("circles").sample(2000, np.random.default_rng(1000 + seed))
    return lab.make_run(config, **data)


def toy_series(run, iterations: int, evaluations: int = EVALUATIONS) -> list[dict]:
    series = []
    for chunk in np.diff(np.linspace(0, iterations, evaluations + 1).round().astype(int)):
        run.trainer.train_iterations(int(chunk))
        _, m = run.evaluate()
        series.append({**m, "iteration": run.trainer.iterations})
    return series


def mnist_series(run, seconds: float, stop_when_learned: bool) -> list[dict]:
    """Evaluations every MNIST_EVERY_S CPU-seconds up to ``seconds``; a converging preset stops at the
    first that meets the goal (its verdict reads the best evaluation, and later ones cannot lower it)."""
    series, used, next_eval = [], 0.0, MNIST_EVERY_S
    while used < seconds:
        start = time.process_time()
        while time.process_time() - start < min(next_eval, seconds) - used:
            run.trainer.train_iterations(10)
        used += time.process_time() - start
        _, _, scores = run.discriminator_scores()
        series.append({**scores, **run.quality(force=True), "iteration": run.trainer.iterations,
                       "seconds": used})
        next_eval += MNIST_EVERY_S
        if stop_when_learned and criteria.learned_mnist(series[-1]).passed:
            break
    return series


def judge(task: tuple) -> dict:
    """One cell on one seed (runs in a worker process)."""
    cell, seed, iterations, seconds, overrides = task
    limit_threads(1)
    start = time.perf_counter()
    run = make_run(cell, seed, overrides)
    try:
        converging = cell.shows == "converges"  # judged on the last point alone: evaluate only there
        series = (mnist_series(run, seconds, converging) if cell.lab == "mnist"
                  else toy_series(run, iterations, 1 if converging else EVALUATIONS))
    except Exception as err:  # noqa: BLE001 - a diverged run is a failed cell, not a failed report
        return {"lab": cell.lab, "cell": cell.name, "seed": seed, "passed": False, "value": math.nan,
                "note": f"{type(err).__name__}: {err}"[:80], "seconds": time.perf_counter() - start}
    verdict = criteria.CHECKS[cell.shows](series, getattr(run, "yardstick", None), cell.lab)
    return {"lab": cell.lab, "cell": cell.name, "seed": seed, "passed": bool(verdict.passed),
            "value": float(verdict.value), "note": verdict.note, "seconds": round(time.perf_counter() - start, 1)}


def parse_seeds(text: str) -> list[int]:
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    return seeds


def table(cells: list[Cell], seeds: list[int], results: dict, markdown: bool) -> tuple[str, int]:
    """The report as text, and how many cells fall short of their share of seeds."""
    head = ["lab", "cell", "shows"] + [f"s{s}" for s in seeds] + ["passed", "needed", ""]
    rows, short = [], 0
    for cell in cells:
        got = [results[(cell.lab, cell.name, s)] for s in seeds]
        passed = sum(r["passed"] for r in got)
        need = math.ceil(cell.needed * len(seeds) - 1e-9)
        short += passed < need
        marks = [("✓" if r["passed"] else "✗") + (f"{r['value']:.2f}" if math.isfinite(r["value"]) else "err")
                 for r in got]
        rows.append([cell.lab, cell.name.replace("target:", "target "), cell.shows, *marks,
                     f"{passed}/{len(seeds)}", f"{need}", "ok" if passed >= need else "SHORT"])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
        lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)) for row in [head] + rows]
    return "\n".join(lines), short


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", choices=sorted(LABS) + ["all"], default="all")
    parser.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 0,3,5-7")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (one torch thread each)")
    parser.add_argument("--only", default="", help="comma-separated presets or target:NAME cells")
    parser.add_argument("--iterations", type=int, help="override 10,000 (1-D) / 20,000 (2-D)")
    parser.add_argument("--seconds", type=float, default=MNIST_SECONDS, help="MNIST: CPU-seconds per run")
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="applied to every cell")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", action="store_true", help="also print one JSON object per run")
    args = parser.parse_args()
    labs = sorted(LABS) if args.lab == "all" else [args.lab]
    labs = [lab for lab in ("1d", "2d", "mnist") if lab in labs]
    seeds = parse_seeds(args.seeds)
    overrides = dict(item.split("=", 1) for item in args.set)
    cells = [c for lab in labs for c in cells_of(lab)]
    if args.only:
        wanted = set(args.only.split(","))
        cells = [c for c in cells if c.name in wanted]
    tasks = [(c, s, args.iterations or iterations(c), args.seconds, overrides) for c in cells for s in seeds]
    results, start = {}, time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for done, r in enumerate(pool.imap_unordered(judge, tasks), start=1):
            results[(r["lab"], r["cell"], r["seed"])] = r
            print(f"[{done}/{len(tasks)} {time.perf_counter() - start:.0f}s] {r['lab']} {r['cell']} seed {r['seed']}: "
                  f"{'pass' if r['passed'] else 'FAIL'} {r['note']} ({r['seconds']}s)", file=sys.stderr, flush=True)
            if args.json:
                print(json.dumps(r), flush=True)
    text, short = table(cells, seeds, results, args.markdown)
    print(text)
    print(f"\n{len(cells) - short} of {len(cells)} cells pass on enough seeds"
          f" ({', '.join(labs)}; seeds {args.seeds}; {time.perf_counter() - start:.0f} s)")
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
