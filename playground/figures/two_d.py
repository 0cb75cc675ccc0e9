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

from ..objectives import OBJECTIVES
from .common import BASE_LAYOUT, NORMAL, P_G, Style, axis, base_layout, figure, hline, scaled, style_of
from .history import (OBJECTIVE_NAMES, d_history, distance_history, gradient_history, history_layout,
                      loss_history, mmd_history)
from .raster import colour_bar, grid_image

D_SCALE = get_colorscale("RdBu")  # diverging, white at ½: red where D says fake, blue where it says real
D_TICK_VALUES = [0, 63.75, 127.5, 191.25, 255]  # the colour bar's ticks: the ends, quarters and middle
REAL_MARKER = dict(color="black", size=3.5, opacity=0.55)
FAKE_MARKER = dict(color=P_G["color"], size=4.5, opacity=0.85, line=dict(color="white", width=0.5))
P_DATA_SCALE, P_G_SCALE = get_colorscale("Greys"), get_colorscale("Greens")
ARROW_COLOR = "#0b4f0b"
MANIFOLD_LINE = dict(color="rgba(44,160,44,0.55)", width=1)
ARROW_LENGTH = 0.1  # the longest arrow, as a fraction of the plot's width
ARROW_HEAD = 0.016  # an arrowhead's length, as a fraction of the plot's width (~8 px)


def _to_uint8(values: np.ndarray, top: float, bottom: float = 0.0) -> np.ndarray:
    """Values in [bottom, top] -> 0..255 (NaN -> 0; outside: the nearest end)."""
    scaled = np.nan_to_num((np.asarray(values, dtype=np.float32) - np.float32(bottom)) / np.float32(top - bottom)) * 255
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def d_scale(snap) -> dict:
    """What the landscape's colours mean for this snapshot's objective: the values at the scale's
    two ends (white halfway), the colour bar's title and labelled ticks, and the trace's name.

    Binary cross-entropy and least squares: D from 0 (red, "fake") to 1 (blue, "real"), white at ½
    (least squares' scores beyond [0, 1] saturate). A critic (hinge, WGAN-GP): its own symmetric
    scale around its boundary (hinge: 0; WGAN-GP, whose scores have no fixed origin: halfway between
    its mean scores of real and generated samples), red scoring like G's samples, blue like the data.
    MMD: the witness (scaled as in ToyRun.witness) on a symmetric scale around 0 that follows its
    reach (at least ±WITNESS_FLOOR), red where G has too much mass, blue where the data outweigh G."""
    if snap.method == "mmd":
        half = max(_spread(snap.d, 0.0), WITNESS_FLOOR)
        return dict(bottom=-half, top=half, name="witness f(x)", title="witness f(x)",
                    ticks=_ticks(0.0, half, "G too much", "data, no G"))
    spec = OBJECTIVES[snap.objective]
    if spec.optimal_d:
        title = "D(x)" if spec.probability else "D(x), least squares"
        return dict(bottom=0.0, top=1.0, name="D(x)", title=title, ticks=["0 fake", "¼", "½", "¾", "1 real"])
    if snap.objective == "hinge":
        centre = 0.0
    else:
        centre = (snap.metrics.get("d_real", 0.0) + snap.metrics.get("d_fake", 0.0)) / 2
        centre = centre if np.isfinite(centre) else 0.0
    half = _spread(snap.d, centre) or 1.0
    return dict(bottom=centre - half, top=centre + half, name="critic D(x)",
                title=f"critic score ({OBJECTIVE_NAMES[snap.objective]})", ticks=_ticks(centre, half, "like G", "like data"))


WITNESS_FLOOR = 0.1  # the witness's colour scale spans at least ±0.1 (of the data's own peak): noise stays pale


def _spread(values: np.ndarray, centre: float) -> float:
    """How far the values reach from ``centre`` (their 99th percentile, so one outlier does not wash
    the map out); 0 when there are none."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(np.percentile(np.abs(finite - centre), 99)) if finite.size else 0.0


def _ticks(centre: float, half: float, low: str, high: str) -> list[str]:
    """Labels of the colour bar's five ticks, the two ends saying what they mean."""
    ticks = [f"{centre + half * step:.2g}" for step in (-1, -0.5, 0, 0.5, 1)]
    return [f"{ticks[0]} {low}", *ticks[1:4], f"{ticks[4]} {high}"]


def _grid(snap) -> dict:
    return dict(x0=float(snap.xs[0]), dx=float(snap.xs[1] - snap.xs[0]),
                y0=float(snap.ys[0]), dy=float(snap.ys[1] - snap.ys[0]))


def _square_axes(snap, suffix: str = "", **settings) -> dict:
    """x and y axes over the plotting square, with equal scales."""
    (x_lo, x_hi), (y_lo, y_hi) = snap.limits
    return {f"xaxis{suffix}": axis(range=[x_lo, x_hi], constrain="domain", showgrid=False, **settings.get("x", {})),
            f"yaxis{suffix}": axis(range=[y_lo, y_hi], scaleanchor=f"x{suffix}", constrain="domain",
                                   showgrid=False, **settings.get("y", {}))}


def landscape(snap, show_arrows: bool = True, show_manifold: bool = False, height: int = 560,
              style: Style = NORMAL, show_heatmap: bool = True, show_contours: bool = True,
              show_real: bool = True, show_fake: bool = True, averaged: bool = False) -> go.Figure:
    """D(x) as a heatmap (a critic's score or the MMD witness where those train G; see
    :func:`d_scale`), p_data's contours, real (black) and generated (green) samples, the gradient
    arrows at generated samples and G's warped z-grid: each layer drawn only when it is on.
    ``averaged``: the generated samples are the averaged generator's, and their legend says so."""
    top = float(np.nanmax(snap.p_data)) or 1.0
    traces = []
    if show_heatmap:
        scale = d_scale(snap)
        traces.append(grid_image(_to_uint8(snap.d, scale["top"], scale["bottom"]), D_SCALE, _grid(snap), scale["name"],
                                 opacity=0.85))
    if show_contours:
        traces.append(_contour_trace(snap, levels=(0.1 * top, 0.4 * top, 0.8 * top), style=style))
    if show_real:
        traces.append(dict(type="scatter", x=snap.real[:, 0], y=snap.real[:, 1], mode="markers",
                           name="real x ~ p_data", marker=_sized(REAL_MARKER, style), hoverinfo="skip"))
    if show_manifold and snap.manifold is not None:
        traces.append(_manifold_trace(snap.manifold, style))
    if show_fake:
        traces.append(dict(type="scatter", x=snap.fake[:, 0], y=snap.fake[:, 1], mode="markers",
                           name="averaged G(z)" if averaged else "generated G(z)", marker=_sized(FAKE_MARKER, style), hoverinfo="skip"))
    if show_arrows and snap.arrows is not None:
        traces.extend(_arrow_traces(snap, "∂f/∂x (G's push)" if snap.method == "mmd" else "∂D/∂x (G's push)", style))
    if show_heatmap:
        traces.append(colour_bar(D_SCALE, dict(title=dict(text=scale["title"], side="top"), thickness=12, len=0.8,
                                               tickvals=D_TICK_VALUES, ticktext=scale["ticks"]),
                                 name=f"{scale['name']} colour bar"))
    legend = {**BASE_LAYOUT["legend"], "font": {"size": max(style.font - 3, NORMAL.font)}}  # one row on a projector
    layout = base_layout(style, height=height, hovermode=False, margin=dict(l=45, r=10, t=40, b=40), legend=legend,
                         **_off_plot_note(snap, style), **_square_axes(snap))
    return figure(traces, layout)


def _sized(marker: dict, style: Style) -> dict:
    """A marker in the style's size."""
    return {**marker, "size": marker["size"] * style.marker}


def _contour_trace(snap, levels, style: Style = NORMAL) -> dict:
    """p_data's contour lines as one dotted line trace. Traced here with contourpy (~1 ms) rather
    than by a Plotly contour trace, which the browser would re-trace on every frame."""
    import contourpy

    generator = contourpy.contour_generator(snap.xs, snap.ys, snap.p_data, line_type="ChunkCombinedNan")
    gap = np.full((1, 2), np.nan)  # chunks of different levels must not join up
    pieces = [part for level in levels for chunk in generator.lines(level)[0] if chunk is not None
              for part in (chunk, gap)]
    xy = np.concatenate(pieces).astype(np.float32) if pieces else np.empty((0, 2), np.float32)
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode="lines", name="p_data", hoverinfo="skip",
                connectgaps=False, line=dict(color="black", width=1.2 * style.line, dash="dot"))


def _manifold_trace(manifold: np.ndarray, style: Style = NORMAL) -> dict:
    """The images G(z) of z-grid lines, joined into one trace with NaN breaks."""
    lines, points, _ = manifold.shape
    xy = np.full((lines, points + 1, 2), np.nan, dtype=np.float32)
    xy[:, :points] = manifold
    xy = xy.reshape(-1, 2)
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode="lines", line=scaled(MANIFOLD_LINE, style), name="G(z-grid)",
                hoverinfo="skip", connectgaps=False)


def _arrow_traces(snap, name: str, style: Style = NORMAL) -> list[dict]:
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
    size = ARROW_HEAD * (x_hi - x_lo) * style.marker
    base = tip - along * size
    heads = np.full((n, 4, 2), np.nan, dtype=np.float32)
    heads[:, 0], heads[:, 1], heads[:, 2] = tip, base + across * size * 0.5, base - across * size * 0.5
    shafts, heads = shafts.reshape(-1, 2), heads.reshape(-1, 2)
    return [dict(type="scatter", x=shafts[:, 0], y=shafts[:, 1], mode="lines", name=name, legendgroup="arrows",
                 line=dict(color=ARROW_COLOR, width=1.2 * style.line), connectgaps=False, hoverinfo="skip"),
            dict(type="scatter", x=heads[:, 0], y=heads[:, 1], mode="lines", name=f"{name} heads", legendgroup="arrows",
                 showlegend=False, fill="toself", fillcolor=ARROW_COLOR, line=dict(color=ARROW_COLOR, width=0.5),
                 connectgaps=False, hoverinfo="skip")]


def _off_plot_note(snap, style: Style = NORMAL) -> dict:
    """Layout annotations saying so when most generated samples are off the plot."""
    share = snap.metrics.get("off_plot", 0.0)
    if not share > 0.5:
        return {}
    return dict(annotations=[dict(xref="paper", yref="paper", x=0.5, y=0.02, xanchor="center", showarrow=False,
                 text=f"{share:.0%} of the generated samples are off the plot",
                 font=dict(color=P_G["color"], size=style.font), bgcolor="rgba(255,255,255,0.85)")])


def densities(snap, density: str, height: int = 560, shared_scale: bool = False, side_by_side: bool = False,
              style: Style = NORMAL, averaged: bool = False) -> go.Figure:
    """p_data above p_g (or beside it: ``side_by_side``, for a wide and low window). p_g has a colour
    scale of its own: on p_data's, a p_g that has spread out a little is a pale wash (a ring of 8
    Gaussians of std 0.1 peaks ~6× higher than a KDE of G's samples), unreadable on a projector.
    ``shared_scale`` puts it on p_data's scale, where a collapsed p_g saturates. ``averaged``: the
    samples are the averaged generator's, and p_g's label says so where it has the room (stacked; side
    by side, the landscape's legend says it)."""
    label = ("averaged G, " if averaged and not side_by_side else "") + ("KDE" if density == "kde" else "histogram")
    top = 1.2 * (float(np.nanmax(snap.p_data)) or 1.0)
    top_g, scale_note = (top, "p_data's scale") if shared_scale else (_own_top(snap.p_g), "own scale")
    traces = [
        grid_image(_to_uint8(snap.p_data, top), P_DATA_SCALE, _grid(snap), "p_data", xaxis="x", yaxis="y"),
        grid_image(_to_uint8(snap.p_g, top_g), P_G_SCALE, _grid(snap), "p_g", xaxis="x2", yaxis="y2"),
    ]
    if side_by_side:
        top = dict(constraintoward="top")  # the squares sit right under their labels
        x_top, y_top = _square_axes(snap, "", x=dict(domain=[0.0, 0.47]), y=top).values()
        x_bottom, y_bottom = _square_axes(snap, "2", x=dict(domain=[0.53, 1.0]),
                                          y=dict(showticklabels=False, **top)).values()
        x_bottom["anchor"], y_bottom["anchor"], y_top["matches"] = "y2", "x2", "y2"
        labels = [_panel_label("p_data (true density)", 1.0, style), _panel_label(f"p_g ({label}, {scale_note})",
                                                                                1.0, style, x=0.53)]
    else:
        x_top, y_top = _square_axes(snap, "", x=dict(showticklabels=False), y=dict(domain=[0.53, 1.0])).values()
        x_bottom, y_bottom = _square_axes(snap, "2", y=dict(domain=[0.0, 0.47])).values()
        x_bottom["anchor"], y_bottom["anchor"], x_top["matches"] = "y2", "x2", "x2"
        labels = [_panel_label("p_data (true density)", 1.0, style),
                  _panel_label(f"p_g ({label}, {scale_note})", 0.47, style)]
    layout = base_layout(style, height=height, hovermode=False, margin=dict(l=45, r=10, t=30, b=40),
                         xaxis=x_top, yaxis=y_top, xaxis2=x_bottom, yaxis2=y_bottom, annotations=labels)
    return figure(traces, layout)


def _own_top(p_g: np.ndarray) -> float:
    """The top of p_g's own colour scale: as for p_data, its peak is 1/1.2 of the way up."""
    peak = float(np.nanmax(p_g)) if np.isfinite(p_g).any() else 0.0
    return 1.2 * peak if peak > 0 else 1.0


def _panel_label(text: str, y: float, style: Style = NORMAL, x: float = 0.0) -> dict:
    """A panel's name above its top left corner, clear of the axis' top tick label."""
    return dict(xref="paper", yref="paper", x=x, y=y, xanchor="left", yanchor="bottom", showarrow=False,
                yshift=6, text=text, font=dict(size=style.font + 1))


def modes_history(history: dict, modes_total: int, height: int = 300, style: Style = NORMAL) -> go.Figure:
    """Modes captured (left axis, out of the target's total) and % high-quality samples (right)."""
    it = history["iteration"]
    traces = [
        dict(type="scatter", x=it, y=history["modes_captured"], name="modes captured", mode="lines",
             line=dict(color="#ff7f0e", width=1.5 * style.line, shape="hv")),
        dict(type="scatter", x=it, y=100 * history["high_quality"], name="% high quality", mode="lines", yaxis="y2",
             line=dict(color="#8c564b", width=1.5 * style.line)),
    ]
    layout = history_layout("Modes", height, style,
                            yaxis=axis(range=[0, max(modes_total, 1) + 0.5], title=dict(text=f"modes of {modes_total}"),
                                       rangemode="tozero", nticks=6),
                            yaxis2=axis(range=[0, 105], overlaying="y", side="right", showgrid=False,
                                        tickvals=[0, 25, 50, 75, 100], title=dict(text="% high quality")),
                            shapes=[hline(modes_total, "", style)] if modes_total else [])
    return figure(traces, layout)


def landscape_of(snap, config, style: Style = NORMAL) -> go.Figure:
    """The landscape with the layers the config's Display settings switch on."""
    return landscape(snap, config.show_arrows, config.show_manifold, style=style, show_heatmap=config.show_heatmap,
                     show_contours=config.show_contours, show_real=config.show_real, show_fake=config.show_fake,
                     averaged=config.g_average > 0)


def frame_2d(snap, config) -> dict[str, go.Figure]:
    """The figures redrawn every frame of the 2-D lab, by name."""
    style = style_of(config)
    return {"landscape": landscape_of(snap, config, style),
            "densities": densities(snap, config.density, shared_scale=config.shared_scale,
                                   side_by_side=config.present, style=style, averaged=config.g_average > 0)}


def history_2d(snap, config) -> dict[str, go.Figure]:
    """The 2-D lab's history charts (redrawn about once a second); MMD training has no D to chart."""
    style = style_of(config)
    charts = {"losses": loss_history(snap.losses, config.loss, objective=snap.objective, method=snap.method,
                                     style=style)}
    if snap.method == "adversarial":
        charts["d_history"] = d_history(snap.evals, objective=snap.objective, style=style)
    if snap.metrics.get("modes_total"):
        charts["modes"] = modes_history(snap.evals, snap.metrics["modes_total"], style=style)
    charts["distances"] = distance_history(snap.evals, distance="swd", label="sliced W1", style=style)
    charts["mmd"] = mmd_history(snap.evals, style=style)
    charts["g_gradient"] = gradient_history(snap.losses, style=style)
    return charts
