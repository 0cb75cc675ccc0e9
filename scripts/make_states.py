"""Make the trained states that ship with the app (playground/data/states/): each is a preset
trained for a fixed number of iterations on the CPU, saved as the page's "Trained state (.pt)"
download would be, and listed in index.json with its title and lesson (the page's "Start from a
trained state" box reads that). Deterministic per seed; rerun after a change to the networks or
the state format:

    python3 scripts/make_states.py            # the missing ones
    python3 scripts/make_states.py --force    # all, again
    python3 scripts/make_states.py --lab 2d   # one lab's

The MNIST lab's states are *compact* (states.compact_state_bytes): the networks in float16
without the optimizers' moments, 2.2 MB for the default conditional MLP where a full state is
13 MB. Each MNIST line prints the classifier IS of the compact file loaded back (what a class
sees when it starts from it), measured on the lab's 500 generated digits; index.json keeps it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import config as cfg  # noqa: E402
from playground.labs import LABS  # noqa: E402
from playground.labs import states  # noqa: E402

# (lab, key, preset, iterations, title, lesson); the seed is 0 (on it each preset does what its
# lesson says: scripts/coach_report.py). The MNIST iterations are what the CPU needs for IS ≥ 8 with
# room to spare (the README's MNIST section has the numbers).
SHIPPED = [
    ("1d", "figure1_trained", "figure1", 2000, "Figure 1 — trained 2,000 iterations",
     "p_g already lies on p_data and D is nearly flat at ½: Figure 1(d). Run on to see it stay there, or change "
     "k or the learning rates and watch the balance break."),
    ("1d", "collapse_trained", "collapse", 2000, "Mode collapse (bimodal) — trained 2,000 iterations",
     "G has piled into narrow spikes and D is high where p_data has mass G misses. Run on to watch the spikes hop."),
    ("2d", "all_modes_trained", "all_modes", 2000, "Ring of 8 — trained 2,000 iterations (all modes)",
     "G covers the ring's eight modes and D's landscape has flattened towards ½. Run on, or switch to SGD with "
     "momentum 0.9 and watch it fall apart."),
    ("2d", "collapse_trained", "collapse", 2000, "Ring of 8 with SGD — trained 2,000 iterations (collapsed)",
     "The paper's SGD recipe has collapsed onto a few modes. Switch the optimizer to Adam with momentum 0.5 and "
     "run on to see G spread out again."),
    ("mnist", "conditional_mlp_trained", "conditional_mlp", 8000,
     "Digits — conditional MLP",  # short: the select box shows ~27 characters
     "Trained 8,000 iterations: G writes every digit on demand, one row per digit and one handwriting style per "
     "column (classifier IS 9.0; real digits score 9.6). Run on: the optimizers start afresh and the digits hold "
     "(the IS stays near 9) while D and G keep pushing each other; or pick one digit in the sidebar."),
]
COMPACT_LABS = {"mnist"}  # labs whose states ship compact (float16 networks, no optimizer state)


def make(lab_key: str, key: str, preset: str, iterations: int, force: bool) -> tuple[str, int]:
    name = f"{lab_key}-{key}.pt"
    if not force and (states.STATES_DIR / name).is_file():
        return name, (states.STATES_DIR / name).stat().st_size
    lab = LABS[lab_key]
    started = time.perf_counter()
    config = cfg.replace_fields(lab.config_cls(), {**lab.presets[preset].settings, "seed": 0})
    run = lab.make_run(config)
    for _ in range(20):  # evaluations along the way, so the history charts show the whole run
        run.trainer.train_iterations(iterations // 20)
        run.snapshot()
    write = states.compact_state_bytes if lab_key in COMPACT_LABS else states.state_bytes
    data = write(run, config, lab_key)
    print(f"{name}: trained {iterations:,} iterations on seed 0 in {time.perf_counter() - started:.0f} s", flush=True)
    (states.STATES_DIR / name).write_bytes(data)
    return name, len(data)


def classifier_is(lab_key: str, name: str) -> float | None:
    """The MNIST classifier IS of a shipped state as loaded back from its file (None elsewhere)."""
    if lab_key != "mnist":
        return None
    loaded = states.load_state(LABS[lab_key], states.read_state_file(states.STATES_DIR / name))
    return round(float(loaded.run.snapshot(quality=True).metrics["classifier_is"]), 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", choices=sorted({row[0] for row in SHIPPED}))
    parser.add_argument("--force", action="store_true", help="remake the states that exist already")
    args = parser.parse_args()
    states.STATES_DIR.mkdir(parents=True, exist_ok=True)
    for lab_key in sorted({row[0] for row in SHIPPED}):
        if args.lab not in (None, lab_key):
            continue
        entries = []
        for _, key, preset, iterations, title, lesson in (row for row in SHIPPED if row[0] == lab_key):
            name, size = make(lab_key, key, preset, iterations, args.force)
            score = classifier_is(lab_key, name)
            print(f"{name}: {size / 1024:.0f} KB" + (f", classifier IS {score} loaded back" if score else ""), flush=True)
            entry = {"key": key, "file": name, "title": title, "lesson": lesson, "preset": preset,
                     "iterations": iterations, "bytes": size}
            if lab_key in COMPACT_LABS:
                entry["form"] = states.COMPACT
            if score is not None:
                entry["classifier_is"] = score
            entries.append(entry)
        try:  # read just before writing: another lab's run may have written it meanwhile
            index = json.loads(states.INDEX_FILE.read_text())
        except (OSError, ValueError):
            index = {}
        index[lab_key] = entries
        states.INDEX_FILE.write_text(json.dumps(dict(sorted(index.items())), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
