"""Saved trained states: a run written to a file (networks, both optimizers, the random stream,
settings, histories, and the 2-D lab's own points) and read back into a new run of the same lab.

The file is ``torch.save`` of plain tensors, numbers and strings (the settings inside as the same
JSON a settings file holds), read with ``torch.load(weights_only=True)``: PyTorch's restricted
unpickler, which builds tensors and containers and nothing else, so a file can never run code.
Everything in it is then checked before the page's run is touched: its size, its format and lab,
its settings (each in range), and every tensor's name, shape and dtype against the networks the
settings build. The new run is built beside the old one; any failure raises InvalidState with a
message and the caller keeps the run it had.

A *compact* state (``"form": "compact"``) holds only the networks' weights, in float16, with the
counts, settings and histories: a quarter of a full MNIST state's size (no Adam moments, half the
bytes per weight), small enough to ship. It is read back into float32 networks with fresh
optimizers and a random stream started from the seed, so training on differs from the saved run
(the page says the optimizer restarted, as after switching optimizers).
"""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .. import config as cfg
from .. import metrics
from ..targets.points import check_points

FORMAT = "gan-playground-state"
VERSION = 1
MAX_STATE_BYTES = 32 * 1024 * 1024  # the MNIST lab's conditional MLP with Adam is ~13 MB; toy states ~0.1 MB
UPLOAD_BYTES = 10 * 1024 * 1024  # the server's upload cap (.streamlit/config.toml, server.maxUploadSize)
COMPACT = "compact"  # the "form" of a state that holds only the networks' weights
COMPACT_DTYPE = torch.float16  # 11 significant bits: weights within ~0.05% of float32's; range ±65504
# the float dtypes a saved network may hold (read back into the network's own dtype); integer
# tensors (batch norm's counter) must have exactly the network's dtype
FLOAT_DTYPES = (torch.float32, torch.float16, torch.bfloat16)
STATES_DIR = Path(__file__).resolve().parent.parent / "data" / "states"  # the shipped states
INDEX_FILE = STATES_DIR / "index.json"


class InvalidState(ValueError):
    """A file that is not a usable saved state of this lab; the message is meant for the user."""


@dataclass(frozen=True)
class Loaded:
    """A run rebuilt from a saved state, ready to replace the page's."""

    run: Any
    config: Any
    data: dict  # what make_run took besides the config (the 2-D lab's points)
    iteration: int
    compact: bool = False  # networks only: the optimizers and the random stream start afresh


@dataclass(frozen=True)
class Shipped:
    """A trained state that ships with the app (playground/data/states/, made by scripts/make_states.py)."""

    lab: str
    key: str
    title: str
    lesson: str
    path: Path
    compact: bool = False  # float16 networks, no optimizer state (states.compact_state_bytes)


def _histories(run) -> dict[str, metrics.History]:
    """The run's bounded histories by attribute name (losses, evaluations, MNIST's quality)."""
    return {name: value for name, value in vars(run).items() if isinstance(value, metrics.History)}


def _cpu(value):
    """A copy of a state tree with every tensor on the CPU (a file must load on any device)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, dict):
        return {key: _cpu(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cpu(v) for v in value]
    return value


def state_bytes(run, config, lab_key: str, data: dict | None = None) -> bytes:
    """The run as a state file's bytes: ``torch.save`` of tensors, numbers and strings only."""
    doc = _document(run, config, lab_key, data)
    doc["trainer"] = _cpu(run.trainer.state_dict())
    return _saved(doc)


def full_state_estimate(run) -> int:
    """About how many bytes a full state of ``run`` takes: its weights in float32 and, with Adam, two
    moments each (the histories and settings add little)."""
    params = sum(p.numel() for net in (run.trainer.G, run.trainer.D) for p in net.parameters())
    return 12 * params


def compact_state_bytes(run, config, lab_key: str, data: dict | None = None) -> bytes:
    """The run as a compact state's bytes: its networks in float16 (no optimizer state, no random
    stream), its counts, settings and histories. Losses not yet drained into the histories are left
    out. ValueError if a weight does not fit float16 (then only a full state keeps the run)."""
    trainer = run.trainer
    doc = _document(run, config, lab_key, data)
    doc["form"] = COMPACT
    doc["networks"] = {"G": _half(trainer.G.state_dict()), "D": _half(trainer.D.state_dict())}
    if trainer.G_average is not None:
        doc["networks"]["G_average"] = _half(trainer.G_average.state_dict())
    doc["counts"] = {"iterations": trainer.iterations, "d_steps": trainer.d_steps, "g_steps": trainer.g_steps}
    if trainer.G_average is not None:
        doc["counts"]["averaged_steps"] = trainer.averaged_steps
    return _saved(doc)


def _half(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A network's tensors on the CPU, its floating ones in COMPACT_DTYPE (integers as they are)."""
    out = {}
    for name, tensor in tensors.items():
        value = tensor.detach().cpu()
        if value.is_floating_point():
            value = value.to(COMPACT_DTYPE)
            if not bool(torch.isfinite(value).all()):
                raise ValueError(f"{name} does not fit {COMPACT_DTYPE} (or is not finite): save a full state")
        out[name] = value.clone()
    return out


def _document(run, config, lab_key: str, data: dict | None) -> dict:
    """What both forms of a state hold: format, lab, settings, histories and the 2-D lab's points."""
    histories = {name: {"columns": {c: torch.tensor(v, dtype=torch.float64) for c, v in h.columns.items()},
                        "stride": h.stride, "seen": h._seen}  # noqa: SLF001 - History is ours
                 for name, h in _histories(run).items()}
    doc = {"format": FORMAT, "version": VERSION, "lab": lab_key,
           "settings": cfg.to_json(config, lab_key), "histories": histories}
    points = (data or {}).get("points")
    if points is not None and getattr(run, "using_points", False):
        doc["points"] = torch.as_tensor(np.asarray(points, dtype=np.float64))
        doc["points_name"] = str((data or {}).get("points_name", ""))[:200]
    return doc


def _saved(doc: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(doc, buffer)
    return buffer.getvalue()


def read_state_file(path: Path) -> bytes:
    """A state file's bytes, at most one byte past the cap (a device or a pipe has no size)."""
    try:
        if not path.is_file():
            raise InvalidState(f"{path} is not a file")
        with open(path, "rb") as file:
            return file.read(MAX_STATE_BYTES + 1)
    except OSError as err:
        raise InvalidState(f"cannot read {path}: {err.strerror or err}") from None


def _parse(data: bytes) -> dict:
    """The file's top-level dict, read safely; InvalidState for anything that is not one of ours."""
    if len(data) > MAX_STATE_BYTES:
        raise InvalidState(f"a saved state is at most {MAX_STATE_BYTES // 2**20} MB (this file is larger)")
    if not data:
        raise InvalidState("the file is empty")
    try:
        with warnings.catch_warnings():  # a foreign pickle's protocol warning: it is refused below anyway
            warnings.simplefilter("ignore")
            doc = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - truncated zips, pickles of objects, random bytes: all refused
        raise InvalidState(f"not a saved state of GAN Playground: {_unreadable(data, err)}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidState("not a saved state of GAN Playground (a PyTorch file, but not one this app wrote)")
    if doc.get("version") != VERSION:
        raise InvalidState(f"a saved state of version {str(doc.get('version'))[:20]}; this app reads version {VERSION}")
    return doc


def _unreadable(data: bytes, err: Exception) -> str:
    """Why torch.load refused a file, in words: Python objects (a pickle, or a zip holding one) or damage."""
    if data[:1] == b"\x80" or (data[:4] == b"PK\x03\x04" and "Unsupported global" in str(err)):
        return "it holds Python objects, which are never loaded"
    return "it is damaged, truncated or not a PyTorch file"


def _settings(lab, doc: dict):
    """The state's config: every setting valid (a bad one means a bad file, not a skip)."""
    if doc.get("lab") != lab.key:
        raise InvalidState(f"this state is from the {str(doc.get('lab'))[:20]!r} lab, not the {lab.title}")
    settings = doc.get("settings")
    if not isinstance(settings, str):
        raise InvalidState("the state's settings are missing")
    try:
        config, notices = cfg.from_json(lab.config_cls, settings, lab.key)
    except cfg.InvalidValue as err:
        raise InvalidState(f"the state's settings are unusable: {err}") from None
    if notices:
        raise InvalidState(f"the state's settings are unusable: {notices[0]}")
    return config


def _points(doc: dict, config) -> dict:
    """The 2-D lab's points saved with the state, checked like an uploaded CSV's."""
    if "points" not in doc:
        if getattr(config, "target", None) == "custom" and getattr(config, "custom_source", None) == "csv":
            raise InvalidState("the state trains on uploaded points, but the file does not hold them")
        return {}
    points = doc["points"]
    if not isinstance(points, torch.Tensor) or points.ndim != 2 or points.shape[1] != 2:
        raise InvalidState("the state's points are not a table of x, y pairs")
    try:
        checked = check_points(points.double().numpy())
    except cfg.InvalidValue as err:
        raise InvalidState(f"the state's points: {err}") from None
    return {"points": checked, "points_name": str(doc.get("points_name", ""))[:200]}


def _same_tensors(what: str, saved: Any, expected: dict[str, torch.Tensor], floats: tuple = ()) -> None:
    """The saved network has exactly the expected names and shapes, finite values, and the expected
    dtypes (a floating tensor may instead hold one of ``floats``: a compact state's float16)."""
    if not isinstance(saved, dict) or set(saved) != set(expected):
        raise InvalidState(f"the state's {what} has different layers from the one its settings build")
    for name, tensor in expected.items():
        value = saved[name]
        if not isinstance(value, torch.Tensor) or value.shape != tensor.shape:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise InvalidState(f"the state's {what} layer {name[:40]} has shape {shape}, "
                               f"expected {tuple(tensor.shape)}")
        allowed = tuple(dict.fromkeys((tensor.dtype, *floats))) if tensor.is_floating_point() else (tensor.dtype,)
        if value.dtype not in allowed:
            raise InvalidState(f"the state's {what} layer {name[:40]} holds {str(value.dtype).removeprefix('torch.')} "
                               f"numbers, expected {' or '.join(str(d).removeprefix('torch.') for d in allowed)}")
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            raise InvalidState(f"the state's {what} layer {name[:40]} holds NaN or infinite weights")


def _check_optimizer(what: str, saved: Any, params: list[torch.Tensor]) -> None:
    """An optimizer state whose tensors fit the network's parameters one to one."""
    if not isinstance(saved, dict) or saved.get("kind") not in ("sgd", "adam"):
        raise InvalidState(f"the state's {what} optimizer is not one this app writes")
    lists = [saved.get(key) for key in (("buffers",) if saved["kind"] == "sgd" else ("exp_avg", "exp_avg_sq"))]
    for tensors in lists:
        if tensors is None and saved["kind"] == "sgd":
            continue
        if not isinstance(tensors, list) or len(tensors) != len(params) or any(
                not isinstance(t, torch.Tensor) or t.shape != p.shape for t, p in zip(tensors, params)):
            raise InvalidState(f"the state's {what} optimizer does not fit the network")


def _check_trainer(state: Any, run, config) -> None:
    if not isinstance(state, dict):
        raise InvalidState("the state holds no trainer")
    trainer = run.trainer
    _same_tensors("generator", state.get("G"), trainer.G.state_dict())
    _same_tensors("discriminator", state.get("D"), trainer.D.state_dict())
    hyper = asdict(config.hyper())
    saved = state.get("hyper")
    # a file written before a hyperparameter existed lacks it (HYPER_ADDED): it takes the settings' value
    if not isinstance(saved, dict) or not set(hyper) - HYPER_ADDED <= set(saved) <= set(hyper):
        raise InvalidState("the state's trainer and its settings disagree")
    if "G_average" in state:
        _same_tensors("averaged generator", state["G_average"], trainer.G.state_dict())
        _check_counts(state, ("averaged_steps",))
    state["hyper"] = hyper  # the settings rule (the MNIST lab's minibatch is 4 × m on a GPU, m on a CPU)
    _check_counts(state, ("iterations", "d_steps", "g_steps", "pending_start", "checked"))
    # the optimizers are made for the trainer's engine (one flat tensor per network when fused)
    _check_optimizer("D", state.get("opt_d"), trainer.engine.params_d)
    _check_optimizer("G", state.get("opt_g"), trainer.engine.params_g)
    rng = state.get("rng")
    if not isinstance(rng, torch.Tensor) or rng.dtype != torch.uint8:
        raise InvalidState("the state's random stream is missing")
    if rng.shape != trainer.rng.get_state().shape:  # saved on another kind of device: reseeded from the settings
        state["rng"] = trainer.rng.get_state()


HYPER_ADDED = frozenset({"lr_halving", "g_average"})  # Hyper fields newer than the first state files


def _check_counts(state: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        value = state.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**12:
            raise InvalidState(f"the state's {key.replace('_', ' ')} is not a count")


def _compact_trainer(doc: dict, run) -> dict:
    """A trainer state for ``run`` from a compact state: its networks' weights (checked, cast back
    to the networks' dtypes) and counts; the fresh run's optimizers and random stream."""
    networks, counts = doc.get("networks"), doc.get("counts")
    if not isinstance(networks, dict) or not isinstance(counts, dict):
        raise InvalidState("the compact state holds no networks")
    state = run.trainer.state_dict()
    parts = [("G", "generator"), ("D", "discriminator")]
    if "G_average" in state and "G_average" in networks:  # else the averaged generator starts from G
        parts.append(("G_average", "averaged generator"))
    for key, what in parts:
        expected = state[key]
        _same_tensors(what, networks.get(key), expected, FLOAT_DTYPES)
        state[key] = {name: networks[key][name].to(tensor.dtype) for name, tensor in expected.items()}
    if "G_average" in state and "G_average" not in networks:
        state["G_average"] = state["G"]
    if "averaged_steps" in state and "averaged_steps" in counts:
        _check_counts(counts, ("averaged_steps",))
        state["averaged_steps"] = counts["averaged_steps"]
    _check_counts(counts, ("iterations", "d_steps", "g_steps"))
    state.update({key: counts[key] for key in ("iterations", "d_steps", "g_steps")})
    return state


def _load_histories(saved: Any, run) -> None:
    histories = _histories(run)
    if not isinstance(saved, dict) or set(saved) != set(histories):
        raise InvalidState("the state's histories do not fit this lab")
    for name, history in histories.items():
        entry = saved[name]
        columns = entry.get("columns") if isinstance(entry, dict) else None
        if not isinstance(columns, dict) or set(columns) != set(history.columns):
            raise InvalidState("the state's histories do not fit this lab")
        lengths = {len(v) if isinstance(v, torch.Tensor) and v.ndim == 1 else -1 for v in columns.values()}
        stride, seen = entry.get("stride"), entry.get("seen")
        if len(lengths) != 1 or not 0 <= lengths.pop() <= history.capacity or \
                not isinstance(stride, int) or stride < 1 or stride & (stride - 1) or not isinstance(seen, int) or seen < 0:
            raise InvalidState("the state's histories are damaged")
        history.columns = {c: [float(x) for x in columns[c].tolist()] for c in history.columns}
        history.stride, history._seen = stride, seen  # noqa: SLF001


def load_state(lab, data: bytes) -> Loaded:
    """A new run of ``lab`` put back to the saved state in ``data``; InvalidState (with a message
    for the user) if the file is not a sound state of this lab. Nothing of the caller's changes."""
    doc = _parse(data)
    config = _settings(lab, doc)
    extra = _points(doc, config)
    try:
        run = lab.make_run(config, **extra)
    except cfg.InvalidValue as err:
        raise InvalidState(f"the state's settings are unusable: {err}") from None
    compact = doc.get("form") == COMPACT
    if compact:
        state = _compact_trainer(doc, run)
    elif "form" in doc:
        raise InvalidState(f"a saved state of form {str(doc['form'])[:20]!r}; this app reads full and compact states")
    else:
        state = doc.get("trainer")
        _check_trainer(state, run, config)
    try:
        run.trainer.load_state_dict(state)
    except (KeyError, TypeError, ValueError, RuntimeError, IndexError) as err:
        raise InvalidState(f"the state's trainer could not be loaded ({type(err).__name__})") from None
    _load_histories(doc.get("histories"), run)
    run.refresh()
    return Loaded(run, config, extra, run.trainer.iterations, compact)


def shipped_states(lab_key: str) -> list[Shipped]:
    """The trained states shipped for a lab, in the index's order (none if the index is missing)."""
    try:
        index = json.loads(INDEX_FILE.read_text())
    except (OSError, ValueError):
        return []
    return [Shipped(lab_key, entry["key"], entry["title"], entry["lesson"], STATES_DIR / entry["file"],
                    entry.get("form") == COMPACT)
            for entry in index.get(lab_key, [])]


def describe(loaded: Loaded, name: str) -> str:
    """What the page says after loading."""
    if loaded.compact:
        return (f"Started from {name}: iteration {loaded.iteration:,}, with its networks and settings "
                "(optimizer state restarted). Press Run to train on.")
    return (f"Started from {name}: iteration {loaded.iteration:,}, with its networks, optimizers and settings. "
            "Press Run to train on.")
