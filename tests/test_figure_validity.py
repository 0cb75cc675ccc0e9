"""Every figure builder skips Plotly's validation for speed (``figures.common.figure``), so each one's
output is checked here against a validated copy: a wrong property name, or a value that Plotly
would coerce (a named colour scale, a template by name, an empty list), fails."""

import copy
import dataclasses
import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from helpers import assert_same, tiny_config
from playground.figures import common, mnist, one_d, two_d
from playground.labs.one_d import Run1D
from playground.labs.two_d import Config2D, Run2D
from playground.labs.mnist import ConfigMNIST, RunMNIST
from playground.mnist.data import MnistData
from playground.mnist.quality import held_out_digits


def far_off(snap):
    """The same snapshot with most samples off the plot (the builders then add an annotation)."""
    return dataclasses.replace(snap, metrics={**snap.metrics, "off_plot": 0.9, "mean_x": 42.0})


def presenting(config):
    """The same config in presentation mode (larger text and lines, other layouts)."""
    return dataclasses.replace(config, present=True)


def snapshots_1d():
    out = []
    for changes in ({}, {"objective": "least-squares", "label_smoothing": 0.1}, {"objective": "wgan-gp", "k": 1},
                    {"method": "mmd", "latent_dim": 2}):
        run = Run1D(tiny_config(**changes))
        run.trainer.train_iterations(30)
        run.snapshot()
        out.append((run.snapshot(), run.config))
    return out + [(far_off(out[0][0]), out[0][1]), (out[0][0], presenting(out[0][1]))]


def snapshots_2d():
    out = []
    for changes in ({}, {"show_manifold": True, "density": "histogram", "target": "grid25", "objective": "hinge"},
                    {"show_arrows": False, "target": "spiral", "method": "mmd"}):
        run = Run2D(dataclasses.replace(Config2D(), **{"width": 16, "batch": 64, **changes}))
        run.trainer.train_iterations(20)
        run.snapshot()
        out.append((run.snapshot(), run.config))
    return out + [(far_off(out[0][0]), out[0][1]),
                  (out[0][0], presenting(dataclasses.replace(out[0][1], shared_scale=True)))]


def snapshots_mnist():
    images, labels = held_out_digits()
    out = []
    for objective in ("bce", "wgan-gp"):
        config = dataclasses.replace(ConfigMNIST(), batch=16, latent_dim=8, device="cpu", objective=objective)
        run = RunMNIST(config, MnistData(images, labels, "test", "1,000 held-out digits", ()))
        run.trainer.train_iterations(3)
        run.snapshot()
        out.append((run.snapshot(), run.config))
    return out + [(out[0][0], presenting(out[0][1]))]


CASES = [
    ("1d", snapshots_1d, (one_d.frame_1d, one_d.history_1d)),
    ("2d", snapshots_2d, (two_d.frame_2d, two_d.history_2d)),
    ("mnist", snapshots_mnist, (mnist.frame_mnist, mnist.history_mnist)),
]


@pytest.mark.parametrize("lab, make, builders", CASES, ids=[case[0] for case in CASES])
def test_unvalidated_figures_equal_their_validated_copies(lab, make, builders):
    """Every builder's output equals a validated copy, and leaves its snapshot unchanged."""
    checked = 0
    for snap, config in make():
        before = copy.deepcopy(snap)
        for build in builders:
            for name, fig in build(snap, config).items():
                sent = json.loads(pio.to_json(fig, validate=False))
                validated = go.Figure(fig.to_plotly_json())  # raises on any invalid property or value
                assert sent == json.loads(pio.to_json(validated, validate=False)), f"{lab} {name}"
                assert_overlaid_axes_have_their_own_ticks(sent["layout"], f"{lab} {name}")
                checked += 1
        assert_same(snap, before, lab)
    assert checked >= 4


def assert_overlaid_axes_have_their_own_ticks(layout: dict, where: str) -> None:
    """An overlaid axis (a right-hand scale) defaults to ticks synced with the left one's grid,
    which labelled the JS axis 0.187, 0.374, 0.562; each one sets its own ticks instead."""
    for name, axis in layout.items():
        if isinstance(axis, dict) and axis.get("overlaying"):
            assert "tickvals" in axis or axis.get("tickmode") == "auto", f"{where}: {name}"


def test_a_bad_property_would_be_caught():
    """The check above can fail: validation rejects what ``figure`` lets through."""
    fig = common.figure([dict(type="scatter", y=[1, 2], linee=dict(color="black"))], dict(common.BASE_LAYOUT))
    with pytest.raises(ValueError):
        go.Figure(fig.to_plotly_json())
    named = common.figure([dict(type="heatmap", z=[[0, 1]], colorscale="RdBu")], {})
    assert json.loads(pio.to_json(named, validate=False)) != json.loads(
        pio.to_json(go.Figure(named.to_plotly_json()), validate=False))
