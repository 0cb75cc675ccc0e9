"""The 2-D lab's figures are pure functions of a snapshot: the right layers, colours and sizes."""

import copy
import dataclasses

import numpy as np
import plotly.io as pio

from helpers import assert_same
from helpers import decode_image as decode
from playground.figures import two_d
from playground.figures.raster import colour_table
from playground.labs.two_d import Config2D, Run2D


def snapshot(**changes):
    config = dataclasses.replace(Config2D(), **{"width": 16, "batch": 64, **changes})
    run = Run2D(config)
    run.trainer.train_iterations(20)
    run.snapshot()
    return run.snapshot(), run.config


def test_landscape_layers():
    """D as an image on a diverging scale (with its colour bar), p_data contours (black, dotted),
    real then generated samples, and arrows whose tips carry arrowheads."""
    snap, config = snapshot(show_manifold=True)
    fig = two_d.landscape(snap, show_arrows=True, show_manifold=True)
    names = [t.name for t in fig.data]
    assert names == ["D(x)", "p_data", "real x ~ p_data", "G(z-grid)", "generated G(z)", "∂D/∂x (G's push)",
                     "∂D/∂x (G's push) heads", "D(x) colour bar"]
    heat = fig.data[0]
    assert heat.type == "image" and heat.y0 == snap.ys[0] and heat.dy > 0
    assert np.array_equal(decode(heat), colour_table(two_d.D_SCALE)[np.rint(snap.d * 255).astype(np.uint8)])
    assert fig.data[-1].marker.colorscale[0][1] != fig.data[-1].marker.colorscale[-1][1]
    assert fig.data[1].line.color == "black" and fig.data[1].line.dash == "dot"
    assert fig.data[4].marker.color == two_d.P_G["color"]
    arrows = fig.data[5]
    assert len(arrows.x) == 3 * len(snap.arrows)
    # the tip of each arrow points along ∂D/∂x
    start = np.column_stack([arrows.x[0::3], arrows.y[0::3]])
    tip = np.column_stack([arrows.x[1::3], arrows.y[1::3]])
    cos = np.sum((tip - start) * snap.arrows, axis=1)
    assert np.all(cos >= -1e-6)
    # each head is a filled triangle at its shaft's tip, its base behind the tip (towards the start)
    heads = fig.data[6]
    assert heads.fill == "toself" and len(heads.x) == 4 * len(snap.arrows)
    head_tip = np.column_stack([heads.x[0::4], heads.y[0::4]])
    np.testing.assert_allclose(head_tip, tip, atol=1e-6)
    base_mid = (np.column_stack([heads.x[1::4], heads.y[1::4]]) + np.column_stack([heads.x[2::4], heads.y[2::4]])) / 2
    moving = np.linalg.norm(snap.arrows, axis=1) > 0
    assert np.all(np.sum((tip - base_mid) * snap.arrows, axis=1)[moving] > 0)


def test_toggles_remove_layers():
    snap, _ = snapshot()
    names = [t.name for t in two_d.landscape(snap, show_arrows=False, show_manifold=False).data]
    assert "∂D/∂x (G's push)" not in names and "G(z-grid)" not in names


def test_each_display_layer_is_drawn_only_when_on():
    snap, config = snapshot(show_manifold=True)
    layers = {"show_heatmap": ("D(x)", "D(x) colour bar"), "show_contours": ("p_data",),
              "show_real": ("real x ~ p_data",), "show_fake": ("generated G(z)",),
              "show_arrows": ("∂D/∂x (G's push)", "∂D/∂x (G's push) heads"), "show_manifold": ("G(z-grid)",)}
    everything = [t.name for t in two_d.landscape_of(snap, config).data]
    assert sorted(everything) == sorted(n for names in layers.values() for n in names)
    for toggle, names in layers.items():
        left = [t.name for t in two_d.landscape_of(snap, dataclasses.replace(config, **{toggle: False})).data]
        assert sorted(left) == sorted(n for other in layers.values() if other != names for n in other), toggle


def test_axes_are_square_over_the_target():
    snap, _ = snapshot()
    layout = two_d.landscape(snap).layout
    assert tuple(layout.xaxis.range) == snap.limits[0] and tuple(layout.yaxis.range) == snap.limits[1]
    assert layout.yaxis.scaleanchor == "x"


def levels(trace, scale) -> np.ndarray:
    """The levels 0..255 an image trace shows: each pixel's nearest colour in the scale's table."""
    pixels = decode(trace).reshape(-1, 1, 3).astype(int)
    return np.argmin(((pixels - colour_table(scale)[None].astype(int)) ** 2).sum(-1), axis=1)


def test_p_g_has_its_own_colour_scale_and_the_shared_one_is_a_switch_away():
    """A p_g spread out over the ring peaks far lower than p_data (here at 0.3 of it). On its own
    scale its peak is as dark as p_data's; on the shared scale (one toggle) it is as pale as its peak
    says; the panel's label tells which scale is in use."""
    snap, _ = snapshot()
    peak_ratio = 0.3
    spread = snap.p_g / snap.p_g.max() * (peak_ratio * snap.p_data.max())
    snap = dataclasses.replace(snap, p_g=spread.astype(np.float32))
    own, shared = two_d.densities(snap, "kde"), two_d.densities(snap, "kde", shared_scale=True)
    (p_data, p_g), (_, p_g_shared) = own.data, shared.data
    assert p_data.type == p_g.type == p_g_shared.type == "image"
    top = levels(p_data, two_d.P_DATA_SCALE).max()
    assert top == round(255 / 1.2) and abs(int(levels(p_g, two_d.P_G_SCALE).max()) - top) <= 1
    assert abs(int(levels(p_g_shared, two_d.P_G_SCALE).max()) - round(255 / 1.2 * peak_ratio)) <= 1
    assert "p_g (KDE, own scale)" in [a.text for a in own.layout.annotations]
    assert "p_g (KDE, p_data's scale)" in [a.text for a in shared.layout.annotations]


def test_densities_side_by_side_for_a_wide_window():
    """Presentation mode puts p_data left of p_g (same scales on both axes), each panel labelled."""
    snap, _ = snapshot()
    layout = two_d.densities(snap, "kde", side_by_side=True).layout
    assert layout.xaxis.domain[1] < layout.xaxis2.domain[0] and layout.yaxis.matches == "y2"
    assert [a.x for a in layout.annotations] == [0.0, layout.xaxis2.domain[0]]


def test_figures_do_not_mutate_the_snapshot_and_stay_small():
    """Figures leave the snapshot unchanged (every field, the history dicts included); a frame's two
    figures serialise to under 120 KB."""
    snap, config = snapshot(show_manifold=True)
    before = copy.deepcopy(snap)
    frame = two_d.frame_2d(snap, config)
    two_d.history_2d(snap, config)
    assert_same(snap, before)
    size = sum(len(pio.to_json(fig, validate=False)) for fig in frame.values())
    assert size < 120_000, size


def test_history_has_modes_only_for_targets_with_modes():
    snap, config = snapshot()
    assert list(two_d.history_2d(snap, config)) == ["losses", "d_history", "modes", "distances", "mmd", "g_gradient"]
    spiral, config = snapshot(target="spiral")
    assert "modes" not in two_d.history_2d(spiral, config)


def test_contour_lines_of_different_levels_do_not_join():
    """Every segment of the p_data contour trace is short (a line across the plot would join two
    level sets), and the levels bracket each ring mode."""
    snap, _ = snapshot()
    contour = two_d.landscape(snap).data[1]
    xy = np.column_stack([contour.x, contour.y]).astype(float)
    steps = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    assert np.nanmax(steps) < 0.2
    assert np.isnan(xy).any(axis=1).sum() >= 8


def test_the_landscape_scale_follows_the_objective():
    """D's probability on 0 … 1 (white at ½); a hinge critic's score on its own scale around its
    boundary 0; the MMD witness on a symmetric scale around 0 (red where G has too much mass)."""
    snap, _ = snapshot()
    assert two_d.d_scale(snap)["bottom"] == 0 and two_d.d_scale(snap)["top"] == 1
    hinge, _ = snapshot(objective="hinge", k=2)
    scale = two_d.d_scale(hinge)
    assert scale["bottom"] == -scale["top"] and scale["title"] == "critic score (hinge)"
    heat = two_d.landscape(hinge).data[0]
    z = two_d._to_uint8(hinge.d, scale["top"], scale["bottom"])
    assert np.array_equal(decode(heat), colour_table(two_d.D_SCALE)[z])
    assert z.max() > 240  # the scale reaches as far as the scores do: not washed out
    witness, _ = snapshot(method="mmd")
    scale = two_d.d_scale(witness)
    assert scale["bottom"] == -scale["top"] >= -1.5 and scale["ticks"][0].endswith("G too much")
    assert two_d.landscape(witness).data[-1].marker.colorbar.title.text == "witness f(x)"


def test_p_g_says_when_it_is_the_averaged_generators():
    snap, config = snapshot(g_average=0.999)
    labels = [a.text for a in two_d.frame_2d(snap, config)["densities"].layout.annotations]
    assert "p_g (averaged G, KDE, own scale)" in labels
    assert "averaged G(z)" in [t.name for t in two_d.frame_2d(snap, config)["landscape"].data]
    plain, config = snapshot()
    assert "p_g (KDE, own scale)" in [a.text for a in two_d.frame_2d(plain, config)["densities"].layout.annotations]
