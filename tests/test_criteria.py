"""The criteria over seeds: each check decides on the numbers the way README states it."""

import math

import numpy as np
import pytest

from playground import criteria
from playground.criteria import CHECKS, Yardstick
from playground.labs import LABS

YS_1D = Yardstick("w1", learned=0.1, fresh=0.01, scale=0.5)
YS_2D = Yardstick("swd", learned=0.08, fresh=0.04, scale=1.4)


def series(n: int = 20, **columns) -> list[dict]:
    """n evaluations; each keyword is a constant or a function of the index."""
    return [{"iteration": 100 * (i + 1), **{k: (v(i) if callable(v) else v) for k, v in columns.items()}}
            for i in range(n)]


def test_every_preset_promises_something_the_criteria_can_check():
    for lab in LABS.values():
        for name, preset in lab.presets.items():
            assert preset.shows in CHECKS, (lab.key, name)


def test_learned_1d_needs_w1_and_every_mode_share():
    assert criteria.learned_1d({"w1": 0.09, "mode_share_error": math.nan}, YS_1D).passed
    assert not criteria.learned_1d({"w1": 0.11, "mode_share_error": math.nan}, YS_1D).passed
    assert criteria.learned_1d({"w1": 0.09, "mode_share_error": 0.10}, YS_1D).passed
    assert not criteria.learned_1d({"w1": 0.09, "mode_share_error": 0.11}, YS_1D).passed
    assert not criteria.learned_1d({"w1": math.nan, "mode_share_error": 0.0}, YS_1D).passed


def test_learned_2d_mixtures_need_every_mode_and_high_quality_curves_a_small_swd():
    ring = {"modes_total": 8, "modes_captured": 8, "high_quality": 0.7, "swd": 1.0}
    assert criteria.learned_2d(ring, YS_2D).passed
    assert not criteria.learned_2d({**ring, "modes_captured": 7}, YS_2D).passed
    assert not criteria.learned_2d({**ring, "high_quality": 0.69}, YS_2D).passed
    curve = {"modes_total": 0, "modes_captured": math.nan, "high_quality": math.nan}
    assert criteria.learned_2d({**curve, "swd": 0.08}, YS_2D).passed
    assert not criteria.learned_2d({**curve, "swd": 0.09}, YS_2D).passed


def test_converges_reads_the_last_point_and_mnist_the_best_within_the_time():
    rising = series(w1=lambda i: 1.0 - 0.05 * i, mode_share_error=math.nan)
    assert criteria.converges(rising, YS_1D, "1d").passed
    assert not criteria.converges(rising[:-2], YS_1D, "1d").passed
    digits = series(classifier_is=lambda i: 8.2 if i == 10 else 5.0, seconds=lambda i: 10.0 * i)
    verdict = criteria.converges(digits, None, "mnist")
    assert verdict.passed and verdict.value == 8.2 and "100 s" in verdict.note


def test_oscillation_is_a_swing_not_a_drift():
    """A sine of amplitude 1 std oscillates; a ramp over the same range and a tiny wobble do not."""
    swinging = series(200, mean_x=lambda i: 4 + 0.5 * math.sin(i / 5))
    drifting = series(200, mean_x=lambda i: 4 + 0.5 * i / 200)
    wobbling = series(200, mean_x=lambda i: 4 + 0.05 * math.sin(i / 5))
    assert criteria.oscillates(swinging, YS_1D, "1d").passed
    assert not criteria.oscillates(drifting, YS_1D, "1d").passed
    assert not criteria.oscillates(wobbling, YS_1D, "1d").passed


def test_stalls_needs_a_saturated_d_and_a_g_that_stays_far():
    stuck = series(d_fake=0.01, w1=2.0)
    assert criteria.stalls(stuck, YS_1D, "1d").passed
    assert not criteria.stalls(series(d_fake=0.2, w1=2.0), YS_1D, "1d").passed
    assert not criteria.stalls(series(d_fake=0.01, w1=lambda i: 2.0 if i < 15 else 0.2), YS_1D, "1d").passed


def test_collapse_counts_modes_in_the_last_half():
    kept_two = series(modes_captured=lambda i: 8 if i < 10 else 2, modes_total=8)
    assert criteria.collapses(kept_two, YS_2D, "2d").passed
    assert not criteria.collapses(series(modes_captured=lambda i: 2 if i < 19 else 5, modes_total=8),
                                  YS_2D, "2d").passed
    assert criteria.collapses(series(mode_share_error=0.5), YS_1D, "1d").passed
    assert not criteria.collapses(series(mode_share_error=0.05), YS_1D, "1d").passed
    hopping = series(mode_share_error=lambda i: 0.02 if i % 4 == 0 else 0.5)  # split only while crossing
    assert criteria.collapses(hopping, YS_1D, "1d").passed
    assert not criteria.collapses(series(mode_share_error=lambda i: 0.5 if i % 4 == 0 else 0.02), YS_1D, "1d").passed


@pytest.mark.parametrize("values, expected", [((0.5, 0.5, 0.3), True), ((0.7, 0.3, 0.3), False),
                                              ((0.5, 0.5, 0.05), False)])
def test_fooled_means_d_says_half_while_p_g_is_far(values, expected):
    d_real, d_fake, w1 = values
    end = series(d_real=d_real, d_fake=d_fake, w1=w1, mode_share_error=math.nan)
    assert criteria.fooled(end, YS_1D, "1d").passed is expected
    assert (criteria.trap_note(end[-1], YS_1D) is not None) is expected


def test_a_mode_left_behind_is_far_even_when_w1_is_small():
    m = {"d_real": 0.5, "d_fake": 0.5, "w1": 0.05, "mode_share_error": 0.3}
    assert criteria.far_from_data(m, YS_1D) and "fooled, not beaten" in criteria.trap_note(m, YS_1D)
    assert criteria.trap_note(m, None) is None


def test_oscillation_measure_counts_crossings():
    values = series(40, mean_x=lambda i: float(np.sign(math.sin(i * math.pi / 4 + 0.1))))
    swing, crossings = criteria.oscillation(values)
    assert swing == pytest.approx(2.0) and crossings == 4


def test_mixture_shares_count_each_sample_for_its_nearest_component():
    from playground import metrics

    samples = np.array([0.9, 1.1, 1.0, 5.0, 4.8, 30.0])  # 30 belongs to the right mode
    shares = metrics.mixture_shares(samples, (0.5, 0.5), (1.0, 5.0), (0.4, 0.4))
    assert shares == pytest.approx([0.5, 0.5])
    assert metrics.mixture_shares(np.full(10, 1.0), (1, 1), (1.0, 5.0), (0.4, 0.4)) == pytest.approx([1.0, 0.0])
