"""Play every shipped lesson headless on seeds 0-4 and print, per lesson and seed, how each step
ended ("reached" its rule, or stopped at its "cap") and after how many iterations.

    python3 scripts/lesson_report.py [--seeds 0,1,2,3,4] [--lesson figure1] [--check-every 50]

Exits 1 if any step of any lesson did not reach its rule within its cap. The tests run two seeds
of the quick lessons (tests/test_lessons_run.py); this runs them all.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import lessons  # noqa: E402
from playground.device import limit_threads  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--lesson", action="append", help="a shipped lesson's key (default: every one)")
    parser.add_argument("--check-every", type=int, default=50, help="iterations between checks of a step's rule")
    args = parser.parse_args()
    limit_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    shipped = lessons.shipped()
    failed = False
    for key in args.lesson or list(shipped):
        lesson = shipped[key]
        print(f"\n{key} ({lesson.lab}): {lesson.title}")
        print("seed  " + "  ".join(f"step {i + 1:<10}" for i in range(len(lesson.steps))) + "  seconds")
        for seed in seeds:
            start = time.perf_counter()
            results = lessons.run_lesson(lesson, seed, check_every=args.check_every)
            cells = [f"{r.outcome[:5]} {r.iterations:>5}" for r in results]
            failed |= not all(r.outcome == "reached" for r in results)
            print(f"{seed:>4}  " + "  ".join(f"{c:<15}" for c in cells) + f"  {time.perf_counter() - start:7.1f}",
                  flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
