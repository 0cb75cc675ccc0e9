"""`python -m playground`: train headless, list targets, benchmark, or serve the app.

Every lab option is generated from the lab's config dataclass, so the CLI takes exactly the
settings (and defaults, and ranges) that the page does.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import animation
from . import config as cfg
from .device import DEVICE_CHOICES
from .labs import LABS
from .labs.registry import recommendation_note
from .trainer import Diverged

MAX_STEPS = 10_000_000
EXIT_DIVERGED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130  # 130 = 128 + SIGINT, as shells report Ctrl-C
EXIT_CODES = ("exit codes: 0 done; 1 training diverged (the results so far are still printed); 2 a bad argument, "
              "or a --save-samples or --save-animation file that cannot be written; 130 interrupted by Ctrl-C "
              "(the results so far, and the samples and animation if asked, are still written)")


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


def _frames(text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or not 2 <= int(text) <= animation.MAX_FRAMES:
        raise argparse.ArgumentTypeError(f"expected a whole number from 2 to {animation.MAX_FRAMES}")
    return int(text)


def chosen_lab(argv: list[str]) -> str:
    """The lab named by --lab in ``argv`` (so that --help can show that lab's defaults), else 1d."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lab" and i + 1 < len(argv) else arg[6:] if arg.startswith("--lab=") else None
        if value in LABS:
            return value
    return "1d"


def _follower_help(spec: cfg.Spec) -> str:
    """' (… follows --optimizer until …)' for a setting that takes another's value while linked."""
    if not spec.follows or spec.disabled_if is None:
        return ""
    link = spec.disabled_if[0].replace("_", "-")
    return f"; giving it sets --{link} false, otherwise it follows --{spec.follows.replace('_', '-')}"


def build_parser(lab_key: str = "1d") -> argparse.ArgumentParser:
    """The command line; ``train --help`` lists the settings of ``lab_key`` with that lab's defaults
    (the other labs' settings are accepted and refused with a message if they are not the lab's)."""
    parser = OneLineParser(prog="python -m playground", description=__doc__.splitlines()[0], epilog=EXIT_CODES)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    train = sub.add_parser("train", help="train one lab headless and report metrics", epilog=EXIT_CODES,
                           description=f"Train the {LABS[lab_key].title} headless (settings and defaults below are "
                                       f"its own; --lab LAB --help shows another lab's).")
    train.add_argument("--lab", choices=sorted(LABS), default="1d")
    train.add_argument("--preset", help="start from a named preset of the lab (see `targets`)")
    train.add_argument("--steps", type=_steps, default=2000, help="iterations of Algorithm 1")
    train.add_argument("--save-samples", type=Path, metavar="FILE.npy",
                       help="write generated samples as a NumPy array to exactly this file (10,000 points in "
                            "the toy labs, 1,000 uint8 28 × 28 digits in the MNIST lab)")
    train.add_argument("--save-animation", type=Path, metavar="FILE.gif",
                       help="write the run as an animation of the lab's main figure, each frame stamped with its "
                            "iteration, to exactly this file: .gif, or .mp4 (H.264) with imageio-ffmpeg installed "
                            f"(at most {animation.MAX_WIDTH} × {animation.MAX_HEIGHT} pixels a frame)")
    train.add_argument("--frames", type=_frames, metavar="N",
                       help=f"with --save-animation: frames, evenly spaced from iteration 0 to the end "
                            f"(default {animation.DEFAULT_FRAMES}, at most {animation.MAX_FRAMES})")
    train.add_argument("--points", type=Path, metavar="FILE.csv",
                       help="2-D lab: a CSV of x, y points to learn (with --target custom --custom-source csv)")
    train.add_argument("--load-state", type=Path, metavar="FILE.pt",
                       help="start from a trained state saved by the page or by --save-state (its settings, "
                            "networks, optimizers and histories; settings given beside it that retune, such as "
                            "--k or --lr-d, apply on top; ones that would rebuild the networks are refused)")
    train.add_argument("--save-state", type=Path, metavar="FILE.pt",
                       help="write the trained state at the end to exactly this file (the page's Start from "
                            "and --load-state read it)")
    train.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    chosen = LABS[lab_key]
    seen: set[str] = set()
    for lab in [chosen, *(other for other in LABS.values() if other is not chosen)]:
        for name, spec in cfg.specs(lab.config_cls).items():  # values are validated against --lab later
            if name in seen:
                continue
            seen.add(name)
            flag = {"nargs": "?", "const": "true"} if cfg.kind_of(lab.config_cls, name) == "bool" else {}
            bounds = f", {spec.lo:g} to {spec.hi:g}" if spec.lo is not None and spec.hi is not None else ""
            shown = (f"{spec.label} (default {cfg.format_text(getattr(lab.config_cls(), name))}{bounds}"
                     f"{_follower_help(spec)})") if lab is chosen else argparse.SUPPRESS
            metavar = "{" + ",".join(spec.choices) + "}" if spec.choices and lab is chosen else "VALUE"
            train.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar=metavar, **flag, help=shown)

    sub.add_parser("targets", help="list target names and presets per lab")
    sub.add_parser("serve", help="run the app (streamlit run app.py, warmed up); Streamlit options follow")
    bench = sub.add_parser("bench", help="trainer vs a plain PyTorch loop, and the live tick breakdown")
    bench.add_argument("--lab", choices=sorted(LABS) + ["all"], default="all")
    bench.add_argument("--seconds", type=float, default=3.0, help="measuring time per variant")
    bench.add_argument("--device", choices=DEVICE_CHOICES, default="cpu",
                       help="where both loops train (cuda: timed in wall-clock time, synchronised)")
    bench.add_argument("--json", action="store_true")
    return parser


def _config_from_args(parser, args, base=None):
    """The lab and its config: the defaults (or ``base``, a loaded state's), the preset, then the flags."""
    lab = LABS[args.lab]
    base = lab.config_cls() if base is None else base
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
    for name in texts:  # --optimizer-g sgd means G uses SGD: unlink it unless --link-optimizer says otherwise
        spec = known[name]
        if spec.follows and spec.disabled_if is not None and spec.disabled_if[0] not in texts:
            link, linked = spec.disabled_if
            changes[link] = not linked
    config = cfg.replace_fields(base, changes)
    config, _ = lab.retarget(base, config, keep=texts)  # --target T brings T's recommended settings
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
    from .targets.points import MAX_CSV_BYTES, parse_points_csv

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


class SamplesFile:
    """Where --save-samples (or --save-animation) writes: exactly the path given (through a symlink
    to a regular file).

    A temporary file is created beside it before training, so a place that cannot be written (a
    missing or read-only directory, /proc, a device such as /dev/full) is refused before any time
    is spent; the samples go into it and it is renamed onto the path once complete, so a failed
    write never leaves half a file or destroys an earlier one.
    """

    def __init__(self, path: Path):
        self.path = path
        target = path.resolve()
        if target.exists() and not stat.S_ISREG(target.stat().st_mode):
            raise OSError("it is a directory" if target.is_dir() else "it is not a regular file (a device, a pipe…)")
        if not target.parent.is_dir():
            raise OSError("no such directory")
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        self.target, self.temp = target, Path(name)
        try:  # the permissions a plain write would give (mkstemp's are private)
            os.fchmod(fd, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask())
        finally:
            os.close(fd)

    def write(self, samples: np.ndarray) -> None:
        with open(self.temp, "wb") as out:
            np.save(out, samples)
        os.replace(self.temp, self.target)

    def write_bytes(self, data: bytes) -> None:
        self.temp.write_bytes(data)
        os.replace(self.temp, self.target)

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _samples_file(parser, path: Path | None, flag: str = "--save-samples") -> SamplesFile | None:
    """The --save-samples (or --save-animation) file, checked before training; exit code 2 and
    one line if unusable."""
    if path is None:
        return None
    try:
        return SamplesFile(path)
    except OSError as err:
        parser.error(f"argument {flag}: cannot write {path}: {err.strerror or err}")


def _animation_file(parser, args) -> SamplesFile | None:
    """The --save-animation file (its format checked, then its place, before training)."""
    if args.save_animation is None:
        if args.frames is not None:
            parser.error("argument --frames: only with --save-animation")
        return None
    problem = animation.format_problem(args.save_animation.suffix.lower())
    if problem:
        parser.error(f"argument --save-animation: {problem}")
    return _samples_file(parser, args.save_animation, "--save-animation")


def _strict(value):
    """A value JSON can hold exactly: NaN and infinities (a metric that does not exist, or a
    diverged loss) become null, NumPy scalars plain numbers."""
    if isinstance(value, dict):
        return {key: _strict(v) for key, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _train(run, steps: int, on_frame=None, frames: int = 0) -> tuple[int, str | None]:
    """Train ``steps`` iterations, calling ``on_frame()`` after each of ``frames`` - 1 evenly spaced
    stretches if given (the caller draws iteration 0); (exit code, the one-line message when it
    ended early)."""
    marks = sorted({round(x) for x in np.linspace(0, steps, frames)} - {0}) if on_frame is not None else [steps]
    start = run.trainer.iterations  # not 0 when started from a saved state
    try:
        for mark in marks:
            run.trainer.train_iterations(start + mark - run.trainer.iterations)
            if on_frame is not None:
                on_frame()
    except Diverged as err:
        return EXIT_DIVERGED, f"{err}; try a smaller learning rate"
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED, (f"interrupted at iteration {run.trainer.iterations:,} of {steps:,}; "
                                  "the results so far follow")
    return 0, None


def _write_animation(parser, output: SamplesFile, pictures: list) -> tuple[int, str | None]:
    """Render and write the animation; (exit code, the error line) when it cannot be made."""
    suffix = output.target.suffix.lower()
    try:
        output.write_bytes(animation.make_animation(pictures, (suffix,))[suffix])
        return 0, None
    except (animation.AnimationError, OSError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        return EXIT_USAGE, f"cannot write the animation {output.path}: {reason}"


def _loaded_state(parser, args):
    """The --load-state file's run (None without one); exit code 2 and one line if it is unusable."""
    if args.load_state is None:
        return None
    from .labs import states

    for flag, given in (("--preset", args.preset is not None), ("--points", args.points is not None)):
        if given:
            parser.error(f"argument {flag}: not with --load-state (the state holds its own settings and data)")
    try:
        return states.load_state(LABS[args.lab], states.read_state_file(args.load_state))
    except states.InvalidState as err:
        parser.error(f"argument --load-state: {args.load_state}: {err}")


def _run_from_state(parser, loaded, config):
    """The loaded run, retuned by the settings given beside --load-state; a setting that would
    rebuild the networks is refused (it would throw the state away)."""
    rebuild = [name for name in cfg.changed_fields(loaded.config, config)
               if cfg.specs(type(config))[name].effect is cfg.Effect.REBUILD]
    if rebuild:
        flags = "/".join(f"--{name.replace('_', '-')}" for name in rebuild)
        parser.error(f"arguments {flags}: would build new networks, not train the loaded state on")
    loaded.run.config = config
    loaded.run.trainer.set_hyper(config.hyper())
    return loaded.run


def cmd_train(parser, args) -> int:
    loaded = _loaded_state(parser, args)
    lab, config = _config_from_args(parser, args, None if loaded is None else loaded.config)
    data = _data_from_args(parser, args, config) if loaded is None else loaded.data
    output = _samples_file(parser, args.save_samples)
    movie = _animation_file(parser, args)
    saved_state = _samples_file(parser, args.save_state, "--save-state")
    note = recommendation_note(lab, config)  # once the arguments are known to be good: errors stay one line
    if note:
        print(note, file=sys.stderr)
    pictures: list = []
    try:
        run = lab.make_run(config, **data) if loaded is None else _run_from_state(parser, loaded, config)
        on_frame, drawing = None, [0.0]  # seconds spent drawing frames (not training)
        if movie is not None:
            def on_frame() -> None:
                t0 = time.perf_counter()
                snap = run.snapshot()
                pictures.append((snap.iteration, lab.picture(snap, config)))
                drawing[0] += time.perf_counter() - t0

            on_frame()  # iteration 0, which also says whether its pictures can be rendered here
            drawing[0] = 0.0
            problem = animation.picture_problem(pictures[0][1])
            if problem:
                parser.error(f"argument --save-animation: {problem}")
        start = time.perf_counter()
        code, message = _train(run, args.steps, on_frame, args.frames or animation.DEFAULT_FRAMES)
        seconds = time.perf_counter() - start - drawing[0]
        if message:
            print(f"{parser.prog}: {message}", file=sys.stderr, flush=True)
        run.refresh()
        snapshot = run.snapshot()
        what = {name: getattr(config, name) for name in ("target", "model", "conditional", "objective", "method")
                if hasattr(config, name)}
        result = {"lab": lab.key, **what, "device": str(run.device), **lab.summary(snapshot, seconds)}
        if loaded is not None:  # steps counts the whole run; the rate, what this command trained
            trained = snapshot.iteration - loaded.iteration
            result |= {"loaded_iteration": loaded.iteration,
                       "steps_per_s": round(trained / seconds, 1) if seconds > 0 else None}
        if output is not None:
            try:
                output.write(run.sample_output(lab.saved_samples))
                result["samples_file"] = str(output.path)
            except OSError as err:
                print(f"{parser.prog}: cannot write {output.path}: {err.strerror or err}; the samples are not "
                      "saved", file=sys.stderr)
                result["samples_file"], code = None, EXIT_USAGE
        if saved_state is not None:
            code = _write_state(run, config, lab, data, saved_state, result, parser.prog, code) or code
        if movie is not None:
            if pictures[-1][0] != snapshot.iteration:  # ended early (diverged, interrupted): its last moment too
                pictures.append((snapshot.iteration, lab.picture(snapshot, config)))
            failed, line = _write_animation(parser, movie, pictures)
            result["animation_file"], result["animation_frames"] = (None, 0) if failed else (str(movie.path),
                                                                                           len(pictures))
            if failed:
                print(f"{parser.prog}: {line}", file=sys.stderr)
                code = code or failed
    finally:
        for file in (output, movie, saved_state):
            if file is not None:
                file.discard()
    if args.json:
        print(json.dumps(_strict(result), allow_nan=False))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value}")
    return code


def _write_state(run, config, lab, data, output: SamplesFile, result: dict, prog: str, code: int) -> int:
    """Write --save-state (not for a diverged run: its weights may be NaN, which no state may
    hold); the exit code 2 if it cannot be written."""
    from .labs import states

    if code == EXIT_DIVERGED:
        print(f"{prog}: the run diverged; the state is not saved", file=sys.stderr)
        result["state_file"] = None
        return 0
    try:
        output.write_bytes(states.state_bytes(run, config, lab.key, data))
        result["state_file"] = str(output.path)
        return 0
    except OSError as err:
        print(f"{prog}: cannot write {output.path}: {err.strerror or err}; the state is not saved", file=sys.stderr)
        result["state_file"] = None
        return EXIT_USAGE


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
        from .ui.serve import serve

        return serve(argv[1:])
    parser = build_parser(chosen_lab(argv))
    args = parser.parse_args(argv)
    if args.command == "train":
        try:
            return cmd_train(parser, args)
        except KeyboardInterrupt:  # a second Ctrl-C, while the results so far were being written
            print(f"{parser.prog}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
    if args.command == "targets":
        return cmd_targets()
    from .bench import run_bench
    from .device import cuda_available

    if args.device == "cuda" and not cuda_available():  # a benchmark must not quietly measure the CPU instead
        parser.error("argument --device: cuda was asked for but no CUDA device was found")
    return run_bench(args.lab, args.seconds, args.json, args.device)
