"""`python -m playground`: train headless, list targets, benchmark, or serve the app.

Every lab option is generated from the lab's config dataclass, so the CLI takes exactly the
settings (and defaults, and ranges) that the page does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import config as cfg
from .labs import LABS
from .trainer import Diverged

MAX_STEPS = 10_000_000


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments: one line on stderr and exit code 2 (argparse prints the whole usage)."""

    def error(self, message: str):
        message = " ".join(message.split("\n"))  # an argument with a newline in it stays on one line
        self.exit(2, f"{self.prog}: error: {message}\n")


def _field_type(config_cls, name):
    def parse(text: str):
        try:
            return cfg.parse_text(config_cls, name, text)
        except cfg.InvalidValue as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def _steps(text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_STEPS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_STEPS}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m playground", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    train = sub.add_parser("train", help="train one lab headless and report metrics")
    train.add_argument("--lab", choices=sorted(LABS), default="1d")
    train.add_argument("--preset", help="start from a named preset of the lab (see `targets`)")
    train.add_argument("--steps", type=_steps, default=2000, help="iterations of Algorithm 1")
    train.add_argument("--save-samples", type=Path, metavar="FILE.npy",
                       help="write generated samples as a NumPy array (10,000 points in the toy labs, "
                            "1,000 uint8 28 × 28 digits in the MNIST lab)")
    train.add_argument("--points", type=Path, metavar="FILE.csv",
                       help="2-D lab: a CSV of x, y points to learn (with --target custom --custom-source csv)")
    train.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    seen: set[str] = set()
    for lab in LABS.values():  # every lab's settings; values are validated against --lab later
        for name, spec in cfg.specs(lab.config_cls).items():
            if name not in seen:
                seen.add(name)
                flag = {"nargs": "?", "const": "true"} if cfg.kind_of(lab.config_cls, name) == "bool" else {}
                train.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="VALUE", **flag,
                                   help=f"{spec.label} (default {cfg.format_text(getattr(lab.config_cls(), name))})")

    sub.add_parser("targets", help="list target names and presets per lab")
    sub.add_parser("serve", help="run the app (streamlit run app.py, warmed up); Streamlit options follow")
    bench = sub.add_parser("bench", help="trainer vs a plain PyTorch loop, and the live tick breakdown")
    bench.add_argument("--lab", choices=sorted(LABS) + ["all"], default="all")
    bench.add_argument("--seconds", type=float, default=3.0, help="measuring time per variant")
    bench.add_argument("--json", action="store_true")
    return parser


def _config_from_args(parser, args):
    lab = LABS[args.lab]
    base = lab.config_cls()
    if args.preset is not None:
        if args.preset not in lab.presets:
            parser.error(f"argument --preset: expected one of {', '.join(lab.presets)}")
        base = cfg.replace_fields(base, lab.presets[args.preset].settings)
    known = cfg.specs(lab.config_cls)
    texts = {}
    for name in {n for other in LABS.values() for n in cfg.specs(other.config_cls)}:
        value = getattr(args, name, None)
        if value is None:
            continue
        if name not in known:
            parser.error(f"argument --{name.replace('_', '-')}: not a setting of the {lab.title}")
        texts[name] = value
    changes = {}
    for name, text in texts.items():
        try:
            changes[name] = cfg.parse_text(lab.config_cls, name, text)
        except cfg.InvalidValue as err:
            parser.error(f"argument --{name.replace('_', '-')}: {err}")
    config = cfg.replace_fields(base, changes)
    try:
        cfg.check_limits(config)
    except cfg.TooMuchWork as err:
        flags = "/".join(f"--{name.replace('_', '-')}" for name in err.fields)
        parser.error(f"arguments {flags}: {err}")
    return lab, config


def _data_from_args(parser, args, config) -> dict:
    """Uploaded-data arguments (the 2-D lab's --points), read and validated as data."""
    wants_points = getattr(config, "custom_source", None) == "csv" and config.target == "custom"
    if args.points is None:
        if wants_points:
            parser.error("argument --custom-source csv: give the points with --points FILE.csv")
        return {}
    if not wants_points:
        parser.error("argument --points: only with --lab 2d --target custom --custom-source csv")
    from .targets2d import MAX_CSV_BYTES, parse_points_csv

    try:
        if not args.points.is_file():
            parser.error(f"argument --points: {args.points} is not a file")
        with open(args.points, "rb") as file:  # read at most one byte past the cap (a device has no size)
            data = file.read(MAX_CSV_BYTES + 1)
        return {"points": parse_points_csv(data), "points_name": args.points.name}
    except OSError as err:
        parser.error(f"argument --points: cannot read {args.points}: {err.strerror}")
    except cfg.InvalidValue as err:
        parser.error(f"argument --points: {err}")


def _check_output(parser, path: Path | None) -> None:
    """Refuse an unwritable --save-samples path before training, not after."""
    if path is not None and not (path.parent.is_dir() and not path.is_dir()):
        parser.error(f"argument --save-samples: cannot write {path}: "
                     + ("it is a directory" if path.is_dir() else "no such directory"))


def cmd_train(parser, args) -> int:
    lab, config = _config_from_args(parser, args)
    _check_output(parser, args.save_samples)
    run = lab.make_run(config, **_data_from_args(parser, args, config))
    start = time.perf_counter()
    try:
        run.trainer.train_iterations(args.steps)
    except Diverged as err:
        print(f"playground: {err}; try a smaller learning rate", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    snapshot = run.snapshot()
    what = {name: getattr(config, name) for name in ("target", "model", "conditional") if hasattr(config, name)}
    result = {"lab": lab.key, **what, "device": str(run.device), **lab.summary(snapshot, seconds)}
    if args.save_samples is not None:
        samples = run.sample_output(lab.saved_samples)
        np.save(args.save_samples, samples)
        result["samples_file"] = str(args.save_samples)
    if args.json:
        print(json.dumps(result, allow_nan=True))
    else:
        for key, value in result.items():
            print(f"{key:>14}: {value}")
    return 0


def cmd_targets() -> int:
    for lab in LABS.values():
        specs = cfg.specs(lab.config_cls)
        if "target" in specs:
            print(f"{lab.key}: targets: {', '.join(specs['target'].choices)}")
        if "model" in specs:
            print(f"{lab.key}: models: {', '.join(specs['model'].choices)}")
        print(f"{lab.key}: presets: {', '.join(lab.presets)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # the rest are Streamlit's own options, passed through untouched
        from .serve import serve

        return serve(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "train":
        return cmd_train(parser, args)
    if args.command == "targets":
        return cmd_targets()
    from .bench import run_bench

    return run_bench(args.lab, args.seconds, args.json)
