"""The 2-D lab's Plotly figures, pure functions of a :class:`~playground.labs.two_d.Snapshot2D`.

Maps go out as PNG images (``raster.grid_image``) of their uint8 levels (0–255 over a fixed
range) on the evenly spaced grid (x0, dx, y0, dy): the browser decodes an image instead of
colouring 10,000 heatmap cells each frame. Colours
follow the 1-D lab: p_data black and dotted, the generator green, D on a red (fake) – white (½) –
blue (real) scale.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from .common import BASE_LAYOUT, HISTORY_MARGIN, P_G, axis, figure, hline, title
from .history import d_history, distance_history, loss_history
from .raster import colour_bar, grid_image

D_SCALE = get_colorscale("RdBu")  # diverging, white at ½: red where D says fake, blue where it says real
D_TICKS = dict(tickvals=[0, 63.75, 127.5, 191.25, 255], ticktext=["0 fake", "¼", "½", "¾", "1 real"])
REAL_MARKER = dict(color="black", size=3.5, opacity=0.55)
FAKE_MARKER = dict(color=P_G["color"], size=4.5, opacity=0.85, line=dict(color="white", width=0.5))
P_DATA_SCALE, P_G_SCALE = get_colorscale("Greys"), get_colorscale("Greens")
ARROW_COLOR = "#0b4f0b"
MANIFOLD_LINE = dict(color="rgba(44,160,44,0.55)", width=1)
ARROW_LENGTH = 0.1  # the longest arrow, as a fraction of the plot's width
ARROW_HEAD = 0.016  # an arrowhead's length, as a fraction of the plot's width (~8 px)


def _to_uint8(values: np.ndarray, top: float) -> np.ndarray:
    """Values in [0, top] -> 0..255 (NaN -> 0)."""
    scaled = np.nan_to_num(np.asarray(values, dtype=np.float32) / np.float32(top)) * 255
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _grid(snap) -> dict:
    return dict(x0=float(snap.xs[0]), dx=float(snap.xs[1] - snap.xs[0]),
                y0=float(snap.ys[0]), dy=float(snap.ys[1] - snap.ys[0]))


def _square_axes(snap, suffix: str = "", **settings) -> dict:
    """x and y axes over the plotting square, with equal scales."""
    (x_lo, x_hi), (y_lo, y_hi) = snap.limits
    return {f"xaxis{suffix}": axis(range=[x_lo, x_hi], constrain="domain", showgrid=False, **settings.get("x", {})),
            f"yaxis{suffix}": axis(range=[y_lo, y_hi], scaleanchor=f"x{suffix}", constrain="domain",
                                   showgrid=False, **settings.get("y", {}))}


def landscape(snap, show_arrows: bool = True, show_manifold: bool = False, height: int = 560) -> go.Figure:
    """D(x) as a heatmap, p_data's contours, real (black) and generated (green) samples, and
    optionally the gradient arrows ∂D/∂x at generated samples and G's warped z-grid."""
    top = float(np.nanmax(snap.p_data)) or 1.0
    traces = [
        grid_image(_to_uint8(snap.d, 1.0), D_SCALE, _grid(snap), "D(x)", opacity=0.85),
        _contour_trace(snap, levels=(0.1 * top, 0.4 * top, 0.8 * top)),
        dict(type="scatter", x=snap.real[:, 0], y=snap.real[:, 1], mode="markers", name="real x ~ p_data",
             marker=REAL_MARKER, hoverinfo="skip"),
    ]
    if show_manifold and snap.manifold is not None:
        traces.append(_manifold_trace(snap.manifold))
    traces.append(dict(type="scatter", x=snap.fake[:, 0], y=snap.fake[:, 1], mode="markers", name="generated G(z)",
                       marker=FAKE_MARKER, hoverinfo="skip"))
    if show_arrows and snap.arrows is not None:
        traces.extend(_arrow_traces(snap))
    traces.append(colour_bar(D_SCALE, dict(title=dict(text="D(x)", side="top"), thickness=12, len=0.8, **D_TICKS),
                             name="D(x) colour bar"))
    layout = dict(BASE_LAYOUT, height=height, hovermode=False, margin=dict(l=45, r=10, t=40, b=40),
                  **_off_plot_note(snap), **_square_axes(snap))
    return figure(traces, layout)


def _contour_trace(snap, levels) -> dict:
    """p_data's contour lines as one dotted line trace. Traced here with contourpy (~1 ms) rather
    than by a Plotly contour trace, which the browser would re-trace on every frame."""
    import contourpy

    generator = contourpy.contour_generator(snap.xs, snap.ys, snap.p_data, line_type="ChunkCombinedNan")
    gap = np.full((1, 2), np.nan)  # chunks of different levels must not join up
    pieces = [part for level in levels for chunk in generator.lines(level)[0] if chunk is not None
              for part in (chunk, gap)]
    xy = np.concatenate(pieces).astype(np.float32) if pieces else np.empty((0, 2), np.float32)
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode="lines", name="p_data", hoverinfo="skip",
                connectgaps=False, line=dict(color="black", width=1.2, dash="dot"))


def _manifold_trace(manifold: np.ndarray) -> dict:
    """The images G(z) of z-grid lines, joined into one trace with NaN breaks."""
    lines, points, _ = manifold.shape
    xy = np.full((lines, points + 1, 2), np.nan, dtype=np.float32)
    xy[:, :points] = manifold
    xy = xy.reshape(-1, 2)
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode="lines", line=MANIFOLD_LINE, name="G(z-grid)",
                hoverinfo="skip", connectgaps=False)


def _arrow_traces(snap) -> list[dict]:
    """Segments from each generated sample along ∂D/∂x, with a filled arrowhead at the tip; the
    longest is ARROW_LENGTH of the plot, the rest in proportion (so their lengths compare within a
    frame). Shafts and heads are one SVG path each: as 80 marker symbols the heads cost the
    browser as much as a fifth of the whole frame (measured in Chromium)."""
    (x_lo, x_hi), _ = snap.limits
    start = snap.fake[: len(snap.arrows)].astype(np.float32)
    grad = np.nan_to_num(snap.arrows.astype(np.float32))
    lengths = np.linalg.norm(grad, axis=1)
    longest = float(np.max(lengths)) if len(grad) else 0.0
    scale = ARROW_LENGTH * (x_hi - x_lo) / longest if longest > 0 else 0.0
    tip = start + grad * scale
    n = len(start)
    shafts = np.full((n, 3, 2), np.nan, dtype=np.float32)
    shafts[:, 0], shafts[:, 1] = start, tip
    along = grad / np.maximum(lengths, 1e-30)[:, None]  # unit vectors (0 where there is no gradient)
    across = np.column_stack([-along[:, 1], along[:, 0]])
    size = ARROW_HEAD * (x_hi - x_lo)
    base = tip - along * size
    heads = np.full((n, 4, 2), np.nan, dtype=np.float32)
    heads[:, 0], heads[:, 1], heads[:, 2] = tip, base + across * size * 0.5, base - across * size * 0.5
    shafts, heads = shafts.reshape(-1, 2), heads.reshape(-1, 2)
    name = "∂D/∂x (G's push)"
    return [dict(type="scatter", x=shafts[:, 0], y=shafts[:, 1], mode="lines", name=name, legendgroup="arrows",
                 line=dict(color=ARROW_COLOR, width=1.2), connectgaps=False, hoverinfo="skip"),
            dict(type="scatter", x=heads[:, 0], y=heads[:, 1], mode="lines", name=f"{name} heads", legendgroup="arrows",
                 showlegend=False, fill="toself", fillcolor=ARROW_COLOR, line=dict(color=ARROW_COLOR, width=0.5),
                 connectgaps=False, hoverinfo="skip")]


def _off_plot_note(snap) -> dict:
    """Layout annotations saying so when most generated samples are off the plot."""
    share = snap.metrics.get("off_plot", 0.0)
    if not share > 0.5:
        return {}
    return dict(annotations=[dict(xref="paper", yref="paper", x=0.5, y=0.02, xanchor="center", showarrow=False,
                 text=f"{share:.0%} of the generated samples are off the plot",
                 font=dict(color=P_G["color"], size=13), bgcolor="rgba(255,255,255,0.85)")])


def densities(snap, density: str, height: int = 560) -> go.Figure:
    """p_data (top) and p_g (bottom) on one colour scale; p_g above p_data's peak saturates."""
    top = 1.2 * (float(np.nanmax(snap.p_data)) or 1.0)
    traces = [
        grid_image(_to_uint8(snap.p_data, top), P_DATA_SCALE, _grid(snap), "p_data", xaxis="x", yaxis="y"),
        grid_image(_to_uint8(snap.p_g, top), P_G_SCALE, _grid(snap), "p_g", xaxis="x2", yaxis="y2"),
    ]
    label = "KDE" if density == "kde" else "histogram"
    x_top, y_top = _square_axes(snap, "", x=dict(showticklabels=False), y=dict(domain=[0.53, 1.0])).values()
    x_bottom, y_bottom = _square_axes(snap, "2", y=dict(domain=[0.0, 0.47])).values()
    x_bottom["anchor"], y_bottom["anchor"], x_top["matches"] = "y2", "x2", "x2"
    layout = dict(BASE_LAYOUT, height=height, hovermode=False, margin=dict(l=45, r=10, t=30, b=40),
                  xaxis=x_top, yaxis=y_top, xaxis2=x_bottom, yaxis2=y_bottom,
                  annotations=[_panel_label("p_data (true density)", 1.0), _panel_label(f"p_g ({label})", 0.47)])
    return figure(traces, layout)


def _panel_label(text: str, y: float) -> dict:
    return dict(xref="paper", yref="paper", x=0.0, y=y, xanchor="left", yanchor="bottom", showarrow=False,
                text=text, font=dict(size=14))


def modes_history(history: dict, modes_total: int, height: int = 300) -> go.Figure:
    """Modes captured (left axis, out of the target's total) and % high-quality samples (right)."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history["modes_captured"], name="modes captured", mode="lines",
             line=dict(color="#ff7f0e", width=1.5, shape="hv")),
        dict(type="scatter", x=it, y=100 * history["high_quality"], name="% high quality", mode="lines", yaxis="y2",
             line=dict(color="#8c564b", width=1.5)),
    ]
    layout = dict(BASE_LAYOUT, height=height, title=title("Modes"), margin=HISTORY_MARGIN,
                  xaxis=axis(title=dict(text="iteration")),
                  yaxis=axis(range=[0, max(modes_total, 1) + 0.5], title=dict(text="modes"), rangemode="tozero"),
                  yaxis2=axis(range=[0, 105], overlaying="y", side="right", showgrid=False,
                              tickvals=[0, 25, 50, 75, 100], title=dict(text="% high quality")),
                  shapes=[hline(modes_total, f"all {modes_total}")] if modes_total else [])
    return figure(traces, layout)


def frame_2d(snap, config) -> dict[str, go.Figure]:
    """The figures redrawn every frame of the 2-D lab, by name."""
    return {"landscape": landscape(snap, config.show_arrows, config.show_manifold),
            "densities": densities(snap, config.density)}


def history_2d(snap, config) -> dict[str, go.Figure]:
    """The 2-D lab's history charts (redrawn about once a second)."""
    charts = {"losses": loss_history(snap.losses, config.loss), "d_history": d_history(snap.evals)}
    if snap.metrics.get("modes_total"):
        charts["modes"] = modes_history(snap.evals, snap.metrics["modes_total"])
    charts["distances"] = distance_history(snap.evals, distance="swd", label="sliced W1")
    return charts
