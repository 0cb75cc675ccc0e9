"""Typed, frozen lab configs whose fields carry their own valid ranges.

Each lab declares one frozen dataclass; every field is made with :func:`param`, which records the
default and a :class:`Spec` (label, range, choices, and what a change does to a running trainer).
The sidebar, the URL query string and the CLI are all generated from, and validated against, that
one declaration, so a default or a range is written exactly once.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping, Sequence, TypeVar

MixtureRows = tuple[tuple[float, ...], ...]


class Effect(str, Enum):
    """What changing a field does to a session that is already training."""

    LIVE = "live"  # takes effect at the next step; networks and optimizer state kept
    OPTIMIZER = "optimizer"  # networks kept, optimizer state restarted
    REBUILD = "rebuild"  # networks rebuilt from the seed: training starts over
    VIEW = "view"  # changes only what is drawn


@dataclass(frozen=True)
class Column:
    """One numeric column of a mixture table, with its valid interval."""

    name: str
    lo: float
    hi: float
    lo_open: bool = False  # True: the value must be strictly greater than lo


@dataclass(frozen=True)
class Spec:
    """Everything the UI, URL parser and CLI need to know about one config field."""

    label: str
    help: str = ""
    lo: float | None = None
    hi: float | None = None
    log: bool = False  # learning rates: shown on a log-spaced slider
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, str] = field(default_factory=dict)
    effect: Effect = Effect.LIVE
    group: str = "Training"
    suggested: tuple[float, ...] = ()  # values offered by a select-slider
    columns: tuple[Column, ...] = ()  # mixture tables only
    max_rows: int = 0  # mixture tables only
    visible_if: tuple[str, Any] | None = None  # (field, value or tuple of values) that must hold, and that field be shown
    disabled_if: tuple[str, Any] | None = None  # (field, value) under which the widget is greyed out
    follows: str = ""  # a field whose value this one shows and uses while disabled (lr_g follows lr_d when linked)
    sidebar: bool = True  # False: the page draws this setting's widget itself (presentation mode, beside Run)


def param(default: Any, **spec: Any) -> Any:
    """A dataclass field with a default and a :class:`Spec` in its metadata."""
    return field(default=default, metadata={"spec": Spec(**spec)})


def specs(config_cls: type) -> dict[str, Spec]:
    """Field name -> Spec, in declaration order."""
    return {f.name: f.metadata["spec"] for f in dataclasses.fields(config_cls) if "spec" in f.metadata}


def defaults(config_cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in dataclasses.fields(config_cls)}


def kind_of(config_cls: type, name: str) -> str:
    """'bool', 'int', 'float', 'choice' or 'mixture', from the field's default and spec."""
    default = defaults(config_cls)[name]
    spec = specs(config_cls)[name]
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if spec.choices:
        return "choice"
    if isinstance(default, tuple):
        return "mixture"
    raise TypeError(f"{config_cls.__name__}.{name}: unsupported field type {type(default)}")


def visible(config_cls: type, name: str, values: Mapping[str, Any]) -> bool:
    """Whether a field is shown, given the current values: its condition holds and the field the
    condition names is itself shown (the 2-D mixture table needs target = custom *and* a table)."""
    condition = specs(config_cls)[name].visible_if
    if condition is None:
        return True
    field_name, wanted = condition
    holds = values.get(field_name) in wanted if isinstance(wanted, tuple) else values.get(field_name) == wanted
    return holds and visible(config_cls, field_name, values)


def disabled(config_cls: type, name: str, values: Mapping[str, Any]) -> bool:
    """Whether a field is disabled, given the current values."""
    condition = specs(config_cls)[name].disabled_if
    return condition is not None and values.get(condition[0]) == condition[1]


def in_effect(config: Any, name: str) -> Any:
    """The value a field has in effect: while disabled, a field that follows another takes its value."""
    spec = specs(type(config))[name]
    if spec.follows and disabled(type(config), name, vars(config)):
        return getattr(config, spec.follows)
    return getattr(config, name)


class InvalidValue(ValueError):
    """A value that does not fit its field; the message is meant for the user."""


class TooMuchWork(InvalidValue):
    """Settings that are each in range but together too much (see ``check_limits``); ``fields``
    names every setting involved."""

    def __init__(self, message: str, fields: Sequence[str]):
        super().__init__(message)
        self.fields = tuple(fields)


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_value(config_cls: type, name: str, value: Any) -> Any:
    """Return ``value`` coerced to the field's type, or raise InvalidValue saying what is allowed."""
    spec = specs(config_cls)[name]
    kind = kind_of(config_cls, name)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise InvalidValue(f"{spec.label}: expected true or false")
    if kind == "choice":
        if isinstance(value, str) and value in spec.choices:
            return value
        raise InvalidValue(f"{spec.label}: expected one of {', '.join(spec.choices)}")
    if kind == "mixture":
        return check_mixture(spec, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(f"{spec.label}: expected a number")
    out_of_range = InvalidValue(f"{spec.label}: expected a number from {_fmt(spec.lo)} to {_fmt(spec.hi)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise out_of_range
    if kind == "int" and isinstance(value, float) and not value.is_integer():
        raise InvalidValue(f"{spec.label}: expected a whole number")
    # compared before converting: an int too big for a float is simply out of range
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise out_of_range
    return int(value) if kind == "int" else float(value)


def _mixture_numbers(spec: Spec, rows: Any) -> MixtureRows:
    """The table as tuples of floats; InvalidValue naming the first cell that is not a number."""
    if isinstance(rows, (str, bytes, dict)) or not hasattr(rows, "__iter__"):
        raise InvalidValue(f"{spec.label}: expected a table of rows of numbers")
    out = []
    for i, row in enumerate(rows, start=1):
        if isinstance(row, (str, bytes, dict)) or not hasattr(row, "__iter__"):
            raise InvalidValue(f"{spec.label}, row {i}: expected a row of numbers")
        cells = []
        for j, v in enumerate(row):
            name = spec.columns[j].name if j < len(spec.columns) else f"column {j + 1}"
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise InvalidValue(f"{spec.label}, row {i}: {name} is not a number")
            try:
                cells.append(float(v))
            except OverflowError:
                cells.append(math.inf)  # reported as out of range below
        out.append(tuple(cells))
    return tuple(out)


def check_mixture(spec: Spec, rows: Any) -> MixtureRows:
    """Validate a mixture table: finite numbers, each column in range, weights summing above 0."""
    rows = _mixture_numbers(spec, rows)
    width = len(spec.columns)
    if not rows:
        raise InvalidValue(f"{spec.label}: add at least one row")
    if len(rows) > spec.max_rows:
        raise InvalidValue(f"{spec.label}: at most {spec.max_rows} rows (got {len(rows)})")
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            names = ", ".join(c.name for c in spec.columns)
            raise InvalidValue(f"{spec.label}, row {i}: expected {width} numbers ({names})")
        for col, v in zip(spec.columns, row):
            if not math.isfinite(v):
                raise InvalidValue(f"{spec.label}, row {i}: {col.name} is missing or not a finite number")
            too_low = v <= col.lo if col.lo_open else v < col.lo
            if too_low or v > col.hi:
                bound = f"greater than {_fmt(col.lo)}" if col.lo_open else f"at least {_fmt(col.lo)}"
                raise InvalidValue(
                    f"{spec.label}, row {i}: {col.name} must be {bound} and at most {_fmt(col.hi)} (got {_fmt(v)})"
                )
    if sum(row[0] for row in rows) <= 0:
        raise InvalidValue(f"{spec.label}: the weights must sum to more than 0")
    return rows


# --- text form: URL query params and CLI arguments -------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
MAX_TEXT = 2000  # longer strings are rejected before parsing


def parse_text(config_cls: type, name: str, text: str) -> Any:
    """Parse the text form of a field (as in a URL or on the command line) and validate it."""
    spec = specs(config_cls)[name]
    kind = kind_of(config_cls, name)
    if len(text) > MAX_TEXT:
        raise InvalidValue(f"{spec.label}: value too long")
    text = text.strip()
    if kind == "bool":
        low = text.lower()
        if low in _TRUE | _FALSE:
            return low in _TRUE
        raise InvalidValue(f"{spec.label}: expected true or false")
    if kind == "choice":
        return check_value(config_cls, name, text)
    if kind == "mixture":
        return check_value(config_cls, name, _parse_rows(spec, text))
    try:
        number = int(text) if kind == "int" else float(text)
    except ValueError:
        what = "a whole number" if kind == "int" else "a number"
        raise InvalidValue(f"{spec.label}: expected {what}, got {text[:40]!r}") from None
    return check_value(config_cls, name, number)


def _parse_rows(spec: Spec, text: str) -> list[list[float]]:
    """'w:m:s;w:m:s' -> rows of floats (the URL form of a mixture table)."""
    rows = []
    for chunk in filter(None, (c.strip() for c in text.split(";"))):
        try:
            rows.append([float(v) for v in chunk.split(":")])
        except ValueError:
            raise InvalidValue(f"{spec.label}: rows look like weight:mean:std;weight:mean:std") from None
    return rows


def _exact(x: float) -> str:
    """The shortest text that parses back to exactly ``x`` ('3' rather than '3.0')."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def format_text(value: Any) -> str:
    """The inverse of :func:`parse_text`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _exact(value)
    if isinstance(value, tuple):
        return ";".join(":".join(_exact(v) for v in row) for row in value)
    return str(value)


C = TypeVar("C")


def check_limits(config: Any) -> None:
    """Raise TooMuchWork when settings that are each valid are too much together (a config
    class states its cross-field limits in a ``check()`` method)."""
    check = getattr(config, "check", None)
    if check is not None:
        check()


def within_limits(config: C, base: C) -> tuple[C, TooMuchWork | None, list[str]]:
    """``config`` if it is within the limits; else ``config`` with the settings involved that differ
    from ``base`` (a valid config) put back to base's values, the error, and the names put back."""
    try:
        check_limits(config)
        return config, None, []
    except TooMuchWork as err:
        undone = [name for name in err.fields if getattr(config, name) != getattr(base, name)]
        fixed = dataclasses.replace(config, **{name: getattr(base, name) for name in undone})
        try:
            check_limits(fixed)
        except TooMuchWork:  # only the other changes together with the base are still too much
            fixed, undone = base, changed_fields(base, config)
        return fixed, err, undone


def _limit_notice(err: InvalidValue, undone: Sequence[str], shown: Mapping[str, str]) -> str:
    """'Ignored batch=4096, k=20: …' for settings put back because together they were too much."""
    return f"Ignored {', '.join(f'{name}={shown[name]}' for name in undone)}: {err}"


def from_text(config_cls: type[C], params: Mapping[str, str], base: C | None = None,
              ignore: Sequence[str] = ()) -> tuple[C, list[str]]:
    """Apply text params on top of ``base`` (or the defaults); return the config and notices.

    Unknown names and invalid values are skipped, each with a notice saying why; the rest apply.
    Names in ``ignore`` are left for the caller (e.g. the URL's ``steps``).
    """
    config = base if base is not None else config_cls()
    known = specs(config_cls)
    changes: dict[str, Any] = {}
    notices: list[str] = []
    for name, text in params.items():
        if name in ignore:
            continue
        if name not in known:
            notices.append(f"Unknown setting {name[:40]!r} ignored.")
            continue
        try:
            changes[name] = parse_text(config_cls, name, str(text))
        except InvalidValue as err:
            notices.append(f"Ignored {name}={str(text)[:40]!r}: {err}")
    config, err, undone = within_limits(dataclasses.replace(config, **changes), config)
    if err is not None:
        notices.append(_limit_notice(err, undone, {n: str(params[n])[:40] for n in undone}))
    return config, notices


def to_text(config: Any, every: bool = False) -> dict[str, str]:
    """Text form of every field that differs from its default (keeps the address bar short), or
    of ``every`` field (a shared link that means the same even if a later version's defaults move)."""
    base = defaults(type(config))
    return {
        name: format_text(getattr(config, name))
        for name in specs(type(config))
        if every or getattr(config, name) != base[name]
    }


# --- JSON form: a run's settings downloaded and uploaded as a file --------------------------

MAX_JSON_BYTES = 100_000  # a settings file is a few hundred bytes; anything bigger is not one
FORMAT = "gan-playground-config"


def to_json(config: Any, lab: str) -> str:
    """Every setting of ``config`` (defaults included, so the file stands alone) as JSON."""
    settings = {name: [list(row) for row in value] if isinstance(value, tuple) else value
                for name in specs(type(config)) for value in [getattr(config, name)]}
    return json.dumps({"format": FORMAT, "lab": lab, "settings": settings}, indent=2)


def from_json(config_cls: type[C], data: bytes | str, lab: str, base: C | None = None) -> tuple[C, list[str]]:
    """Settings from a file made by :func:`to_json`, applied on top of ``base`` (or the defaults).

    Raises InvalidValue when the file as a whole is unusable (not JSON, not a settings file, for
    another lab), so the caller keeps its current settings. Unknown names and invalid values are
    skipped, each with a notice; the rest apply. Parsed with ``json`` only: data, never code.
    """
    if len(data) > MAX_JSON_BYTES:
        raise InvalidValue(f"a settings file is at most {MAX_JSON_BYTES // 1000} KB (got {len(data):,} bytes)")
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InvalidValue("not a JSON settings file") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("settings"), dict):
        raise InvalidValue('not a settings file: expected a JSON object with "settings"')
    if doc.get("lab", lab) != lab:
        raise InvalidValue(f"these settings are for the {str(doc['lab'])[:20]!r} lab, not this one")
    config = base if base is not None else config_cls()
    known = specs(config_cls)
    changes: dict[str, Any] = {}
    notices: list[str] = []
    for name, value in doc["settings"].items():
        if name not in known:
            notices.append(f"Unknown setting {name[:40]!r} ignored.")
            continue
        try:
            changes[name] = check_value(config_cls, name, value)
        except InvalidValue as err:
            notices.append(f"Ignored {name}={json.dumps(value)[:40]}: {err}")
    config, err, undone = within_limits(dataclasses.replace(config, **changes), config)
    if err is not None:
        notices.append(_limit_notice(err, undone, {n: json.dumps(doc["settings"][n])[:40] for n in undone}))
    return config, notices


def changed_fields(old: Any, new: Any) -> list[str]:
    return [name for name in specs(type(new)) if getattr(old, name) != getattr(new, name)]


def strongest_effect(config_cls: type, names: Sequence[str]) -> Effect | None:
    """The most disruptive effect among changed fields (rebuild > optimizer > live > view)."""
    order = [Effect.VIEW, Effect.LIVE, Effect.OPTIMIZER, Effect.REBUILD]
    effects = [specs(config_cls)[n].effect for n in names]
    return max(effects, key=order.index) if effects else None


def validate(config: Any) -> None:
    """Raise InvalidValue if any field of a constructed config is out of range, or the fields
    together exceed the config's limits."""
    for name in specs(type(config)):
        check_value(type(config), name, getattr(config, name))
    check_limits(config)


def log_grid(lo: float, hi: float) -> tuple[float, ...]:
    """1-2-5 steps per decade from lo to hi: the suggested values of a log-scale slider."""
    values = []
    decade = 10.0 ** math.floor(math.log10(lo))
    while decade <= hi:
        for m in (1, 2, 5):
            v = float(f"{m * decade:.10g}")
            if lo <= v <= hi:
                values.append(v)
        decade *= 10
    return tuple(values)


def replace_fields(config: C, changes: Mapping[str, Any]) -> C:
    """A copy of ``config`` with ``changes`` applied (names must be fields of the config)."""
    return dataclasses.replace(config, **changes)
