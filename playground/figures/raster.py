"""Grids drawn as images: a colour-mapped PNG in a Plotly ``image`` trace instead of a heatmap.

A 100 × 100 heatmap makes Plotly.js colour 10,000 cells in JavaScript, paint them on a canvas
and encode that canvas as a PNG, every frame, for each map (the 2-D lab has three). The server
can colour and encode the grid in well under a millisecond with a lookup table, and the browser
then only decodes an image. The picture is the same: the same colour scale, interpolated the
same way between its stops, scaled up smoothly as a ``zsmooth="fast"`` heatmap is. Image traces
carry no colour bar, so :func:`colour_bar` adds one on an invisible scatter trace.
"""

from __future__ import annotations

import base64
import functools

import numpy as np

from ..export import png_bytes

Colorscale = list  # Plotly's [[position, "rgb(r, g, b)" or "#rrggbb"], ...]


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return tuple(float(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    inside = colour[colour.index("(") + 1: colour.rindex(")")]
    return tuple(float(v) for v in inside.split(",")[:3])


@functools.lru_cache(maxsize=32)
def _table(scale: tuple[tuple[float, str], ...]) -> np.ndarray:
    positions = np.array([p for p, _ in scale], dtype=float)
    colours = np.array([_rgb(c) for _, c in scale])
    t = np.linspace(0.0, 1.0, 256)
    channels = [np.interp(t, positions, colours[:, k]) for k in range(3)]
    return np.rint(np.stack(channels, axis=1)).astype(np.uint8)


def colour_table(colorscale: Colorscale) -> np.ndarray:
    """(256, 3) uint8: the colour of each level 0..255, interpolated linearly in RGB between the
    scale's stops, as Plotly.js colours a heatmap with zmin 0 and zmax 255."""
    return _table(tuple((float(p), str(c)) for p, c in colorscale))


@functools.lru_cache(maxsize=8)
def _data_url(levels: bytes, shape: tuple[int, int], scale: tuple[tuple[float, str], ...]) -> str:
    image = _table(scale)[np.frombuffer(levels, dtype=np.uint8).reshape(shape)]
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode()


def grid_image(levels: np.ndarray, colorscale: Colorscale, grid: dict, name: str, **trace) -> dict:
    """An image trace showing ``levels`` (uint8 (rows, cols), row 0 at the lowest y) coloured by
    ``colorscale`` over the evenly spaced cells ``grid`` = (x0, dx, y0, dy) of their centres.

    Plotly puts an image's row r at y0 + r·dy whichever way the y axis points, so the rows go in
    as they are. The encoded image is cached, so a grid that does not change between frames (the
    2-D lab's p_data) is coloured and encoded once."""
    levels = np.ascontiguousarray(levels, dtype=np.uint8)
    scale = tuple((float(p), str(c)) for p, c in colorscale)
    return dict(type="image", source=_data_url(levels.tobytes(), levels.shape, scale), name=name,
                zsmooth="fast", hoverinfo="skip", **grid, **trace)


def colour_bar(colorscale: Colorscale, colorbar: dict, zmin: float = 0, zmax: float = 255, **trace) -> dict:
    """A scatter trace with no points whose only visible part is a colour bar for ``colorscale``."""
    return dict(type="scatter", x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                marker=dict(color=[zmin], cmin=zmin, cmax=zmax, colorscale=colorscale, showscale=True,
                            colorbar=colorbar), **trace)
