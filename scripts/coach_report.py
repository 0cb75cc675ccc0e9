"""How often each preset triggers the coach's readings over seeds: the table behind the coach's
thresholds (playground/coach.py). Each pathology preset should trigger its reading on at least 9
of seeds 0-9, and the converging presets none of the problem readings.

    python3 scripts/coach_report.py                     # every preset below, seeds 0-9
    python3 scripts/coach_report.py --lab 1d --seeds 0-4

Each run trains the preset for its iterations with 40 evaluations along the way (as a page's
frames would), then asks the coach about the last snapshot.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from playground import coach  # noqa: E402
from playground import config as cfg  # noqa: E402
from playground.labs import LABS  # noqa: E402
from playground.trainer import Diverged  # noqa: E402

# (lab, preset, iterations, the reading it should trigger, or None for a preset that converges)
CASES = [
    ("1d", "figure1", 3000, None),
    ("1d", "strong_d", 1000, "d_winning"),  # k = 20: 21 steps an iteration; G escapes the stall later
    ("1d", "saturating", 1000, "vanishing_gradient"),
    ("1d", "oscillation", 3000, "oscillation"),
    ("1d", "collapse", 3000, "mode_collapse"),
    ("1d", "weak_d", 3000, "fooled_not_beaten"),
    ("2d", "all_modes", 2000, None),
    ("2d", "collapse", 2000, "mode_collapse"),
]
EVALUATIONS = 40


def trained_snapshot(lab_key: str, preset: str, iterations: int, seed: int):
    """(the last snapshot, the config, the iteration it diverged at or None): a run that diverges
    stops there, as the page pauses, and the coach reads what was recorded until then."""
    lab = LABS[lab_key]
    config = cfg.replace_fields(lab.config_cls(), {**lab.presets[preset].settings, "seed": seed})
    run = lab.make_run(config)
    for _ in range(EVALUATIONS):
        try:
            run.trainer.train_iterations(iterations // EVALUATIONS)
        except Diverged as err:
            run.trainer.drain_losses()  # the non-finite losses are not history
            return run.snapshot(), config, err.iteration
        snapshot = run.snapshot()
    return snapshot, config, None


def seeds_arg(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", choices=sorted({case[0] for case in CASES}))
    parser.add_argument("--seeds", type=seeds_arg, default=list(range(10)), help="e.g. 0-9")
    parser.add_argument("--only", help="comma-separated preset names")
    args = parser.parse_args()
    torch.set_num_threads(1)
    only = set(args.only.split(",")) if args.only else None
    print("| lab | preset | expected reading | seeds with it | other readings (seeds) |")
    print("|---|---|---|---|---|")
    for lab_key, preset, iterations, expected in CASES:
        if args.lab not in (None, lab_key) or (only and preset not in only):
            continue
        start, hits, others = time.perf_counter(), [], collections.Counter()
        for seed in args.seeds:
            snapshot, config, diverged = trained_snapshot(lab_key, preset, iterations, seed)
            kinds = {r.kind for r in coach.read(snapshot, config)} | ({"diverged"} if diverged else set())
            if expected is None:
                hits.append(seed) if kinds <= {"converged"} else None
            elif expected in kinds:
                hits.append(seed)
            others.update(kinds - {expected})
        wanted = expected or "no problem reading"
        other = ", ".join(f"{kind} ({n})" for kind, n in sorted(others.items())) or "—"
        print(f"| {lab_key} | {preset} | {wanted} | {len(hits)} of {len(args.seeds)} | {other} |"
              f"  <!-- {time.perf_counter() - start:.0f} s -->", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
