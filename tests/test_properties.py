"""Property tests (hypothesis) of the parsers every input surface goes through.

For any input: the URL/CLI text parser, the settings-file reader, the CSV reader and the mixture
check either return a value that passes validation or raise InvalidValue, never anything else; and
what the app writes (links, settings files, CSVs of points) reads back exactly.
"""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from playground import config as cfg
from playground.labs import LABS
from playground.targets.points import MAX_COORDINATE, parse_points_csv

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CONFIGS = [lab.config_cls for lab in LABS.values()]
FIELDS = [(cls, name) for cls in CONFIGS for name in cfg.specs(cls)]
MIXTURE_SPECS = [spec for cls, name in FIELDS if cfg.kind_of(cls, name) == "mixture"
                 for spec in [cfg.specs(cls)[name]]]
# Any integer, including ones too large for a float (|x| > ~1.8e308): they are simply out of range.
SAFE_INT = st.integers()


# --- strategies -------------------------------------------------------------------------------

def number_texts() -> st.SearchStrategy[str]:
    """Text that looks like a number, or nearly: the values a URL or a command line might carry."""
    return st.one_of(
        st.integers().map(str),
        st.floats().map(repr),
        st.floats().map(lambda x: f"{x:g}"),
        st.sampled_from(["", " ", "-0", "+1", "1_000", "0x10", "1e999", "-1e999", "nan", "-inf", "Infinity",
                         "²", "١٢", "１２", "1.", ".5", "1e", "--1", "1 2", "\x00", "true", "None"]),
    )


def texts_for(cls: type, name: str) -> st.SearchStrategy[str]:
    spec = cfg.specs(cls)[name]
    choices = list(spec.choices) or ["x"]
    near_choice = st.sampled_from(choices).flatmap(lambda c: st.sampled_from(
        [c, c.upper(), f" {c} ", c + "\x00", c[:-1], c + c, f"<b>{c}</b>"]))
    mixture = st.lists(st.lists(number_texts(), max_size=6).map(":".join), max_size=30).map(";".join)
    return st.one_of(st.text(max_size=80), number_texts(), near_choice, mixture,
                     st.sampled_from(["true", "FALSE", "yes", "Off", "2", "maybe"]),
                     # ints too big for a float (309+ digits), and just past MAX_TEXT
                     st.text(min_size=309, max_size=cfg.MAX_TEXT + 100, alphabet="0123456789"))


def _floats(lo: float, hi: float, exclude_min: bool = False) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, exclude_min=exclude_min, allow_nan=False, allow_infinity=False)


def valid_values(cls: type, name: str) -> st.SearchStrategy:
    """Any value the field's Spec allows."""
    spec, kind = cfg.specs(cls)[name], cfg.kind_of(cls, name)
    if kind == "bool":
        return st.booleans()
    if kind == "choice":
        return st.sampled_from(spec.choices)
    if kind == "int":
        return st.integers(int(spec.lo), int(spec.hi))
    if kind == "float":
        return _floats(spec.lo, spec.hi)
    row = st.tuples(*(_floats(c.lo, c.hi, exclude_min=c.lo_open) for c in spec.columns))
    return st.lists(row, min_size=1, max_size=spec.max_rows).filter(lambda rows: sum(r[0] for r in rows) > 0).map(tuple)


@st.composite
def valid_configs(draw, cls: type):
    """Each field in its range, and together within the work limit (settings that are too much work
    together go back to the defaults, as a link's do)."""
    names = draw(st.lists(st.sampled_from(list(cfg.specs(cls))), unique=True))
    config = cfg.replace_fields(cls(), {name: draw(valid_values(cls, name)) for name in names})
    return cfg.within_limits(config, cls())[0]


JSON_SCALARS = st.one_of(st.none(), st.booleans(), SAFE_INT, st.floats(), st.text(max_size=20))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)), max_leaves=25)


@st.composite
def settings_documents(draw) -> str:
    """JSON text shaped more or less like a settings file, with arbitrary values in it."""
    cls = draw(st.sampled_from(CONFIGS))
    names = st.one_of(st.sampled_from(list(cfg.specs(cls))), st.text(max_size=15))
    values = st.one_of(JSON_VALUES, st.sampled_from(list(cfg.specs(cls))).flatmap(lambda n: valid_values(cls, n)))
    settings_value = st.one_of(st.dictionaries(names, values, max_size=8), JSON_VALUES)
    doc = draw(st.one_of(
        st.fixed_dictionaries({"settings": settings_value},
                              optional={"lab": st.one_of(st.sampled_from(sorted(LABS)), JSON_VALUES),
                                        "format": JSON_VALUES}),
        JSON_VALUES))
    return json.dumps(doc)


# --- text form: URL query params and CLI arguments ----------------------------------------------

@PROPS
@given(data=st.data())
def test_parse_text_returns_a_valid_value_or_raises_invalid_value(data):
    cls, name = data.draw(st.sampled_from(FIELDS), label="field")
    text = data.draw(texts_for(cls, name), label="text")
    try:
        value = cfg.parse_text(cls, name, text)
    except cfg.InvalidValue as err:
        assert str(err).startswith(cfg.specs(cls)[name].label)
        return
    assert cfg.check_value(cls, name, value) == value


@PROPS
@given(data=st.data())
def test_from_text_applies_what_parses_and_reports_the_rest(data):
    cls = data.draw(st.sampled_from(CONFIGS), label="config")
    names = st.one_of(st.sampled_from(list(cfg.specs(cls))), st.text(max_size=30))
    params = data.draw(st.dictionaries(names, st.one_of(st.text(max_size=40), number_texts()), max_size=8), label="params")
    config, notices = cfg.from_text(cls, params)
    cfg.validate(config)
    rejected = 0
    for name, text in params.items():
        try:
            value = cfg.parse_text(cls, name, text) if name in cfg.specs(cls) else None
        except cfg.InvalidValue:
            value = None
        if value is None:
            rejected += 1
            if name in cfg.specs(cls):  # an unknown name may be a method's ("check"): nothing to compare
                assert getattr(config, name) == getattr(cls(), name)
        else:
            assert getattr(config, name) == value
    assert len(notices) == rejected
    assert all(len(n) < 400 for n in notices)


@PROPS
@given(data=st.data())
def test_text_round_trip_of_valid_configs(data):
    cls = data.draw(st.sampled_from(CONFIGS), label="config")
    config = data.draw(valid_configs(cls), label="values")
    cfg.validate(config)
    text = cfg.to_text(config)
    assert all(len(v) <= cfg.MAX_TEXT for v in text.values())
    assert cfg.from_text(cls, text) == (config, [])


# --- JSON form: settings files --------------------------------------------------------------------

@PROPS
@given(data=st.data())
def test_json_round_trip_of_valid_configs(data):
    key = data.draw(st.sampled_from(sorted(LABS)), label="lab")
    cls = LABS[key].config_cls
    config = data.draw(valid_configs(cls), label="values")
    assert cfg.from_json(cls, cfg.to_json(config, key), key) == (config, [])


def _read_settings(data) -> None:
    for key, lab in LABS.items():
        try:
            config, notices = cfg.from_json(lab.config_cls, data, key)
        except cfg.InvalidValue as err:
            assert str(err) and len(str(err)) < 200
            continue
        cfg.validate(config)
        assert all(isinstance(n, str) and len(n) < 300 for n in notices)


@PROPS
@given(doc=settings_documents())
def test_from_json_on_arbitrary_json_raises_only_invalid_value(doc):
    _read_settings(doc)
    _read_settings(doc.encode())


@PROPS
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=400)))
@example(b"\xef\xbb\xbf{}")
@example(b"NaN")
@example("[" * 5000)
def test_from_json_on_arbitrary_bytes_raises_only_invalid_value(data):
    _read_settings(data)


# --- CSV uploads ------------------------------------------------------------------------------------

CSV_TOKENS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**7, 10**7).map(str),
    st.sampled_from(["", " ", "x", "y", '"', "'", '"1"', "=1+1", "@SUM(A1)", "nan", "inf", "1e999", "\t", ",", ";",
                     "\n", "\r\n", "é", "\ufeff", "0x1f"]),
)


@st.composite
def csv_like(draw) -> bytes:
    rows = draw(st.lists(st.lists(CSV_TOKENS, max_size=5), max_size=40))
    sep, nl = draw(st.sampled_from([",", ";", "\t", " "])), draw(st.sampled_from(["\n", "\r\n"]))
    return nl.join(sep.join(row) for row in rows).encode()


def _parse_or_refuse(data: bytes) -> None:
    try:
        points = parse_points_csv(data)
    except cfg.InvalidValue as err:
        assert str(err) and len(str(err)) < 200
        return
    assert points.ndim == 2 and points.shape[1] == 2 and len(points) >= 10
    assert np.isfinite(points).all() and np.abs(points).max() <= MAX_COORDINATE


@PROPS
@given(data=st.one_of(st.binary(max_size=2000), csv_like()))
@example(b"x,y\r1,2\r3,4\r")
def test_parse_points_csv_raises_only_invalid_value(data):
    """Any bytes: points, or InvalidValue."""
    _parse_or_refuse(data)


COORD = st.floats(min_value=-MAX_COORDINATE, max_value=MAX_COORDINATE, allow_nan=False, allow_infinity=False)


@PROPS
@given(points=st.lists(st.tuples(COORD, COORD), min_size=7, max_size=60),
       sep=st.sampled_from([",", ";", "\t"]), nl=st.sampled_from(["\n", "\r\n"]),
       header=st.sampled_from([(), ("x", "y"), ("lon", "lat"), ("X coordinate", "Y coordinate")]), bom=st.booleans())
def test_points_written_as_csv_read_back_exactly(points, sep, nl, header, bom):
    array = np.array([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), *points])  # three corners: the points spread in 2-D
    centred = array - array.mean(0)
    assume(np.linalg.matrix_rank(centred, tol=1e-9 * (1 + np.abs(array).max())) == 2)
    lines = [sep.join(repr(float(v)) for v in row) for row in array]
    text = nl.join(([sep.join(header)] if header else []) + lines) + nl
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    np.testing.assert_array_equal(parse_points_csv(data), array)


# --- mixture tables -----------------------------------------------------------------------------------

MIXTURE_CELLS = st.one_of(st.none(), st.booleans(), SAFE_INT, st.floats(), st.text(max_size=8),
                          st.sampled_from(["1", " 2.5 ", "nan", "-0", "1e3"]))
NESTED = st.recursive(MIXTURE_CELLS, lambda inner: st.lists(inner, max_size=6), max_leaves=40)


@st.composite
def table_like(draw, spec: cfg.Spec):
    """Mostly rows of about the right width with cells near the column ranges, sometimes anything."""
    width = len(spec.columns)
    cell = st.one_of(st.floats(min_value=-200, max_value=1200), MIXTURE_CELLS)
    row = st.lists(cell, min_size=width - 1, max_size=width + 1)
    return draw(st.one_of(st.lists(row, max_size=spec.max_rows + 2), NESTED, st.dictionaries(st.text(max_size=3), NESTED)))


@PROPS
@given(data=st.data())
def test_check_mixture_returns_a_valid_table_or_raises_invalid_value(data):
    spec = data.draw(st.sampled_from(MIXTURE_SPECS), label="spec")
    rows = data.draw(table_like(spec), label="rows")
    try:
        table = cfg.check_mixture(spec, rows)
    except cfg.InvalidValue as err:
        assert str(err).startswith(spec.label)
        return
    assert 1 <= len(table) <= spec.max_rows and sum(r[0] for r in table) > 0
    for row in table:
        assert len(row) == len(spec.columns)
        for col, v in zip(spec.columns, row):
            assert isinstance(v, float) and math.isfinite(v) and v <= col.hi
            assert v > col.lo if col.lo_open else v >= col.lo
    assert cfg.check_mixture(spec, table) == table
