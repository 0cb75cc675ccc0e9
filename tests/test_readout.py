"""Metric rows as data: compact values that always fit a box, exact values for the tooltip, and
every lab's row built from its snapshot."""

import dataclasses
import math

import pytest

from playground import readout
from playground.labs import LABS
from playground.labs.mnist import ConfigMNIST
from playground.readout import MAX_CHARS, count, number, percent

COUNTS = [0, 7, 999, 1_000, 9_999, 10_000, 48_213, 99_949, 99_950, 482_130, 999_499, 999_500, 1_234_567,
          5e9, 1e14, 2.5e16]
NUMBERS = [0.0, 0.5312, -0.0001, -1.3318, 0.693147, 2.302585, 12.345, 123.45, 1234.5, 9_999.4, 12_345.6, 99_999.4,
           99_999.6, -9_999.6, -123_456.0, 1e20, -3e17, 1e-9]


@pytest.mark.parametrize("n", COUNTS)
def test_counts_fit_five_characters(n):
    assert len(count(n)) <= MAX_CHARS, count(n)


@pytest.mark.parametrize("x", NUMBERS)
def test_numbers_fit_five_characters(x):
    assert len(number(x)) <= MAX_CHARS, number(x)


def test_compact_forms_read_as_expected():
    """Exact up to 9,999; then three significant digits with a suffix, rounding into the next one."""
    assert [count(n) for n in (7, 9_999, 10_000, 48_213, 99_950, 482_130, 999_500, 1_234_567)] == \
        ["7", "9,999", "10.0k", "48.2k", "100k", "482k", "1.00M", "1.23M"]
    assert [number(x) for x in (0.5312, -1.3318, -0.0001, 12.345, 1234.5, 12_345.6, 99_999.6)] == \
        ["0.531", "-1.33", "0.000", "12.35", "1234", "12346", "100k"]
    assert number(0.5312, 1) == "0.5" and percent(0.671) == "67%"


def test_missing_values_show_a_dash_not_nan():
    assert number(math.nan) == count(math.nan) == percent(math.nan) == readout.MISSING
    assert number(math.inf) == "∞" and readout.exact(math.nan) == readout.MISSING


def test_v_shows_its_distance_from_the_optimum():
    v = readout.value(-1.3318)
    assert v.value == "-1.33" and v.delta == f"{-1.3318 + math.log(4):+.3f}" and "−log 4" in v.help
    assert readout.value(math.nan).delta == ""


def tiny(lab_key):
    lab = LABS[lab_key]
    changes = {"batch": 16, "latent_dim": 8, "device": "cpu"} if lab.config_cls is ConfigMNIST else {"width": 8,
                                                                                                      "batch": 32}
    return lab, lab.make_run(dataclasses.replace(lab.config_cls(), **changes))


@pytest.mark.parametrize("lab_key", list(LABS))
def test_every_lab_row_fits_and_explains_itself(lab_key):
    """Every readout of every lab: a compact value, a short label, and a tooltip with the exact value
    or an explanation; the iteration's exact count is in its tooltip even once it is compacted."""
    lab, run = tiny(lab_key)
    run.trainer.train_iterations(2)
    snap = dataclasses.replace(run.snapshot(), iteration=48_213)
    row = lab.readouts(snap, 1234.5)
    assert 8 <= len(row) <= 9
    for r in row:
        assert len(r.value) <= MAX_CHARS, (r.label, r.value)
        assert len(r.label) <= 9 and (r.long or r.help), r.label
    first = row[0]
    assert (first.label, first.value) == ("Iteration", "48.2k") and "48,213 iterations" in first.long
    assert row[-1].label == "V(D, G)" and row[-1].delta
