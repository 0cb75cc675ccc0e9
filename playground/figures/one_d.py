"""The 1-D lab's figures: Goodfellow et al.'s Figure 1 live, and its history charts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..objectives import OBJECTIVES
from .common import D_LINE, D_STAR, NORMAL, P_DATA, P_G, REFERENCE, Style, axis, base_layout, figure, scaled, style_of
from .history import OBJECTIVE_NAMES, d_history, distance_history, gradient_history, loss_history, mmd_history

MAPPING = dict(color="#2ca02c", width=1)
IDEAL = dict(color="#555555", width=1, dash="dot")


def d_curve(snap) -> dict:
    """How the curve in D's place reads for this snapshot's objective: its name, its axis (range,
    ticks, title) and a reference line (value, label) where one means something.

    Binary cross-entropy: a probability on [0, 1], ½ at the optimum, D* = y · p_data / (p_data + p_g).
    Least squares: a score whose optimum is the same D*, drawn on an axis that holds [0, 1].
    Hinge and WGAN-GP: a critic's score, on an axis of its own, with no D* and no ½. MMD: the
    witness function f, scaled so that 1 is the data's peak with no G mass (see ToyRun.witness)."""
    d = np.asarray(snap.d, dtype=float)
    finite = d[np.isfinite(d)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    optimum = snap.real_label / 2
    if snap.method == "mmd":
        top = max(1.05, hi, -lo)
        return dict(name="witness f(x), scaled", title="witness f(x)", range=[-top, top], reference=(0.0, "0"),
                    d_star=False, ticks=dict(tickvals=[-1, -0.5, 0, 0.5, 1]))
    spec = OBJECTIVES[snap.objective]
    if spec.probability:
        return dict(name="D(x)", title="D(x)", range=[0, 1.05], reference=(optimum, _label(optimum)), d_star=True,
                    ticks=dict(tickvals=[0, 0.25, 0.5, 0.75, 1]))
    if spec.optimal_d:
        bottom, top = min(-0.05, lo - 0.05), max(1.05, hi + 0.05)
        return dict(name="D(x) (least squares)", title="D(x), least squares", range=[bottom, top],
                    reference=(optimum, _label(optimum)), d_star=True, ticks=dict(tickvals=[0, 0.25, 0.5, 0.75, 1]))
    pad = 0.08 * (hi - lo) or 1.0
    return dict(name=f"critic D(x) ({OBJECTIVE_NAMES[snap.objective]})", title="critic score D(x)",
                range=[lo - pad, hi + pad], reference=None, d_star=False, ticks=dict(tickmode="auto"))


def _label(value: float) -> str:
    return "½" if value == 0.5 else f"{value:g}"


def figure1(snap, show_d_star: bool = True, height: int = 460, show_ideal: bool = True,
            style: Style = NORMAL) -> go.Figure:
    """Goodfellow et al. Figure 1: p_data (black, dotted), p_g (green, solid), D (blue, dashed; a
    critic's score or the MMD witness where those train G), and under them the mapping x = G(z)
    from evenly spaced z, with the ideal transform G*(z) dotted."""
    lo, hi = snap.x_range
    density_top = 1.6 * float(np.nanmax(snap.p_data)) or 1.0
    grid = dict(x0=float(snap.x[0]), dx=float(snap.x[1] - snap.x[0]))
    curve = d_curve(snap)
    traces = [
        dict(type="scatter", y=snap.p_data, name="p_data", line=scaled(P_DATA, style), yaxis="y", **grid),
        dict(type="scatter", y=np.minimum(snap.p_g, 2 * density_top), name="p_g", line=scaled(P_G, style), yaxis="y",
             **grid),
        dict(type="scatter", y=snap.d, name=curve["name"], line=scaled(D_LINE, style), yaxis="y2", **grid),
    ]
    if show_d_star and curve["d_star"]:
        star = "D*(x) = p_data/(p_data+p_g)" if snap.real_label == 1 else f"D*(x) = {snap.real_label:g}·p_data/(p_data+p_g)"
        traces.append(dict(type="scatter", y=snap.d_star, name=star, line=scaled(D_STAR, style), yaxis="y2", **grid))
    if curve["reference"] is not None:
        value, label = curve["reference"]
        traces.append(dict(type="scatter", x=[lo, hi], y=[value, value], name=label, line=REFERENCE, yaxis="y2",
                           hoverinfo="skip", showlegend=False))
    traces += _mapping_traces(snap, style)
    notes = _off_plot_note(snap, style)
    if show_ideal:
        if snap.ideal is not None:
            traces.append(_ideal_trace(snap, style))
        else:
            notes.append(_ideal_note(snap, style))
    layout = base_layout(
        style,
        height=height,
        xaxis=axis(range=[lo, hi], title=dict(text="x"), anchor="y3"),
        yaxis=axis(domain=[0.3, 1.0], range=[0, density_top], title=dict(text="density"), fixedrange=True),
        yaxis2=axis(domain=[0.3, 1.0], range=curve["range"], overlaying="y", side="right",
                    title=dict(text=curve["title"]), showgrid=False, fixedrange=True, **curve["ticks"]),
        yaxis3=axis(domain=[0.0, 0.2], range=[-0.15, 1.15], tickvals=[0, 1], ticktext=["z", "x"],
                    showgrid=False, showline=False, fixedrange=True),
    )
    if notes:
        layout["annotations"] = notes
    return figure(traces, layout)


def _ideal_trace(snap, style: Style = NORMAL) -> dict:
    """The ideal transform as dotted segments from each z to G*(z) (or to its mirror image)."""
    lo, hi = snap.x_range
    xs, ys = _segments(_z_positions(snap), np.clip(snap.ideal, lo - (hi - lo), hi + (hi - lo)))
    name = "ideal G*(−z) = F_data⁻¹(F_z(−z))" if snap.ideal_mirrored else "ideal G*(z) = F_data⁻¹(F_z(z))"
    return dict(type="scatter", x=xs, y=ys, mode="lines", line=scaled(IDEAL, style), yaxis="y3", name=name,
                hoverinfo="skip", connectgaps=False)


def _ideal_note(snap, style: Style = NORMAL) -> dict:
    return dict(xref="paper", yref="paper", x=1.0, y=0.0, xanchor="right", yanchor="bottom", showarrow=False,
                text=f"G*(z) = F_data⁻¹(F_z(z)) is drawn for a 1-D z only (here d = {snap.latent_dim}: no single "
                     "monotone map to draw)", font=dict(size=style.font - 2, color="#777777"))


def _off_plot_note(snap, style: Style = NORMAL) -> list[dict]:
    """Layout annotations saying so when most of p_g lies outside the plotted range (G thrown far away)."""
    share, mean = snap.metrics.get("off_plot", 0.0), snap.metrics.get("mean_x", 0.0)
    if not share > 0.5:
        return []
    lo, hi = snap.x_range
    right = mean > (lo + hi) / 2
    return [dict(xref="paper", yref="paper", x=1.0 if right else 0.0, y=0.62,
                 xanchor="right" if right else "left", showarrow=False,
                 text=f"{share:.0%} of p_g is off the plot (mean x = {mean:.3g}) →" if right
                 else f"← {share:.0%} of p_g is off the plot (mean x = {mean:.3g})",
                 font=dict(color=P_G["color"], size=style.font), bgcolor="rgba(255,255,255,0.8)")]


def _z_positions(snap) -> np.ndarray:
    """The z values placed on the lower line, rescaled to the x axis."""
    lo, hi = snap.x_range
    z_lo, z_hi = snap.z_span
    return lo + (snap.z_line - z_lo) / (z_hi - z_lo) * (hi - lo)


def _segments(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of segments from (start, 0) up to (end, 1), NaN-separated, as one float32 trace."""
    n = len(starts)
    xs = np.full(3 * n, np.nan, dtype=np.float32)
    ys = np.full(3 * n, np.nan, dtype=np.float32)
    xs[0::3], xs[1::3] = starts, ends
    ys[0::3], ys[1::3] = 0.0, 1.0
    return xs, ys


def _mapping_traces(snap, style: Style = NORMAL) -> list[dict]:
    """Segments from each z (placed on the lower line, rescaled to the x axis) up to G(z)."""
    lo, hi = snap.x_range
    xs, ys = _segments(_z_positions(snap), np.clip(snap.x_of_z, lo - (hi - lo), hi + (hi - lo)))
    return [
        dict(type="scatter", x=xs, y=ys, mode="lines", line=scaled(MAPPING, style), yaxis="y3", name="x = G(z)",
             showlegend=False, hoverinfo="skip", connectgaps=False),
        dict(type="scatter", x=[lo, hi, None, lo, hi], y=[0, 0, None, 1, 1], mode="lines", yaxis="y3",
             line=dict(color="black", width=1), showlegend=False, hoverinfo="skip"),
    ]


def frame_1d(snap, config) -> dict[str, go.Figure]:
    """The figures redrawn every frame of the 1-D lab, by name."""
    return {"figure1": figure1(snap, config.show_d_star, show_ideal=config.show_ideal, style=style_of(config))}


def history_1d(snap, config) -> dict[str, go.Figure]:
    """The 1-D lab's history charts (redrawn about once a second); MMD training has no D to chart."""
    style = style_of(config)
    charts = {"losses": loss_history(snap.losses, config.loss, objective=snap.objective, method=snap.method,
                                     style=style)}
    if snap.method == "adversarial":
        charts["d_history"] = d_history(snap.evals, objective=snap.objective, style=style)
    charts["distances"] = distance_history(snap.evals, style=style)
    charts["mmd"] = mmd_history(snap.evals, style=style)
    charts["g_gradient"] = gradient_history(snap.losses, style=style)
    return charts
