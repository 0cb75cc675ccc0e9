"""Grids drawn as images (figures/raster.py): the picture a heatmap would have been, losslessly."""

import numpy as np
from plotly.colors import get_colorscale, sample_colorscale

from helpers import decode_image as decode
from playground.figures.raster import colour_bar, colour_table, grid_image


def test_the_colour_table_is_plotlys_colour_scale():
    """Level v gets the colour Plotly interpolates at v / 255, on scales given as rgb() and as hex."""
    for name in ("RdBu", "Greens", "Viridis"):
        scale = get_colorscale(name)
        expected = sample_colorscale(scale, list(np.linspace(0, 1, 256)), colortype="tuple")
        np.testing.assert_allclose(colour_table(scale), np.array(expected) * 255, atol=0.51)


def test_the_image_holds_every_level_and_rows_run_up_the_y_axis():
    """Decoded, the PNG is exactly the colour table applied to the levels (a grey scale, whose 256
    colours all differ, gives every level back); row 0 is the grid's lowest row, at y0."""
    rng = np.random.default_rng(0)
    levels = rng.integers(0, 256, size=(30, 40), dtype=np.uint8)
    scale = [[0.0, "rgb(0, 0, 0)"], [1.0, "rgb(255, 255, 255)"]]
    trace = grid_image(levels, scale, dict(x0=-1.0, dx=0.05, y0=-2.0, dy=0.1), "p", opacity=0.5)
    pixels = decode(trace)
    assert pixels.shape == (30, 40, 3)
    np.testing.assert_array_equal(pixels[..., 0], levels)
    assert (trace["x0"], trace["dx"], trace["y0"], trace["dy"]) == (-1.0, 0.05, -2.0, 0.1)
    assert trace["type"] == "image" and trace["zsmooth"] == "fast" and trace["opacity"] == 0.5


def test_a_diverging_scale_round_trips_within_its_quantisation():
    """On the 2-D lab's D scale, decoding the image and taking the nearest colour of the table gives
    each value back within one level (1/255)."""
    scale = get_colorscale("RdBu")
    values = np.linspace(0, 1, 64 * 64).reshape(64, 64)
    levels = np.rint(values * 255).astype(np.uint8)
    pixels = decode(grid_image(levels, scale, dict(x0=0, dx=1, y0=0, dy=1), "D")).reshape(-1, 1, 3).astype(int)
    nearest = np.argmin(((pixels - colour_table(scale)[None].astype(int)) ** 2).sum(-1), axis=1)
    assert np.abs(nearest / 255 - values.ravel()).max() <= 1 / 255 + 1e-9


def test_colour_bar_draws_no_points():
    bar = colour_bar(get_colorscale("RdBu"), dict(title=dict(text="D(x)")))
    assert bar["x"] == [None] and bar["marker"]["showscale"] and bar["showlegend"] is False
