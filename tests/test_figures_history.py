"""The history charts: smoothed losses over their faint raw values, and few, legible ticks."""

import math

import numpy as np

from playground.figures import history
from playground.figures.common import NORMAL, PROJECTOR
from playground.figures.mnist import log_ticks


def test_smoothing_is_a_debiased_moving_average_that_skips_gaps():
    """It starts at the first value (not pulled towards 0), follows a constant exactly, leaves NaN
    (no D loss yet) as a gap without it entering the average, and damps minibatch noise."""
    assert np.allclose(history.smooth(np.full(50, 3.0), 0.9), 3.0)
    values = np.array([np.nan, 1.0, 3.0, np.nan, 3.0])
    out = history.smooth(values, 0.5)
    assert np.isnan(out[0]) and np.isnan(out[3]) and out[1] == 1.0
    assert out[2] == np.float32((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25))  # debiased EMA after two values
    noisy = 1.0 + np.random.default_rng(0).normal(0, 0.5, 400)
    assert np.std(history.smooth(noisy, history.smoothing_weight(400))[50:]) < 0.4 * np.std(noisy)


def test_loss_chart_draws_raw_faint_under_the_average():
    it = np.arange(400, dtype=np.float32)
    losses = {"iteration": it, "d_loss": np.sin(it / 9) + 1.4, "g_loss": np.cos(it / 7) + 0.7}
    fig = history.loss_history(losses, "nonsaturating")
    raw, smooth = fig.data[0], fig.data[1]
    assert raw.opacity < 0.5 and raw.showlegend is False and raw.legendgroup == smooth.legendgroup
    assert smooth.line.width > raw.line.width and smooth.name == "D loss = −V"
    short = history.loss_history({k: v[:10] for k, v in losses.items()}, "nonsaturating")
    assert len(short.data) == 2  # too few points to smooth: the values as they are


def test_reference_labels_sit_in_the_margin_and_projector_style_is_larger():
    """'log 4' is labelled past the plot's right edge (where no curve runs), and presentation mode
    draws larger text and thicker lines."""
    losses = {"iteration": np.arange(30.0), "d_loss": np.ones(30), "g_loss": np.ones(30)}
    fig = history.loss_history(losses, "nonsaturating")
    label = fig.layout.shapes[0].label
    assert label.text == "log 4" and label.textposition == "end" and label.xanchor == "left"
    big = history.loss_history(losses, "nonsaturating", style=PROJECTOR)
    assert big.layout.font.size > fig.layout.font.size == NORMAL.font
    assert big.data[-1].line.width > fig.data[-1].line.width
    assert fig.layout.xaxis.nticks <= 6


def test_log_ticks_are_few_and_never_repeat():
    """The Fréchet axis once stacked 1k, 900, 800, … and repeated '1.31k': now a 1-2-5 series of at
    most four labels, and a narrow range is widened to two of them."""
    for values in ([5, 1400], [200, 900], [2, 90], [9, 1e5], [1310, 1320], [3.1, 3.2]):
        ticks, (lo, hi) = log_ticks(values)
        assert 2 <= len(ticks) <= 4 and len(set(ticks)) == len(ticks), values
        assert all(round(t / 10 ** math.floor(math.log10(t))) in (1, 2, 5) for t in ticks)
        assert lo <= math.log10(min(values)) and hi >= math.log10(max(values))
    assert log_ticks([1310, 1320])[0] == [1000, 2000]
    assert log_ticks([np.nan, -1])[0]  # no usable values: a default axis, no error
