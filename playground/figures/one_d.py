"""The 1-D lab's figures: Goodfellow et al.'s Figure 1 live, and its history charts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .common import D_LINE, D_STAR, NORMAL, P_DATA, P_G, REFERENCE, Style, axis, base_layout, figure, scaled, style_of
from .history import d_history, distance_history, loss_history

MAPPING = dict(color="#2ca02c", width=1)


def figure1(snap, show_d_star: bool = True, height: int = 460, style: Style = NORMAL) -> go.Figure:
    """Goodfellow et al. Figure 1: p_data (black, dotted), p_g (green, solid), D (blue, dashed),
    and under them the mapping x = G(z) from evenly spaced z."""
    lo, hi = snap.x_range
    density_top = 1.6 * float(np.nanmax(snap.p_data)) or 1.0
    grid = dict(x0=float(snap.x[0]), dx=float(snap.x[1] - snap.x[0]))
    traces = [
        dict(type="scatter", y=snap.p_data, name="p_data", line=scaled(P_DATA, style), yaxis="y", **grid),
        dict(type="scatter", y=np.minimum(snap.p_g, 2 * density_top), name="p_g", line=scaled(P_G, style), yaxis="y",
             **grid),
        dict(type="scatter", y=snap.d, name="D(x)", line=scaled(D_LINE, style), yaxis="y2", **grid),
    ]
    if show_d_star:
        traces.append(dict(type="scatter", y=snap.d_star, name="D*(x) = p_data/(p_data+p_g)",
                           line=scaled(D_STAR, style), yaxis="y2", **grid))
    traces.append(dict(type="scatter", x=[lo, hi], y=[0.5, 0.5], name="½", line=REFERENCE, yaxis="y2",
                       hoverinfo="skip", showlegend=False))
    traces += _mapping_traces(snap, style)
    layout = base_layout(
        style,
        height=height,
        xaxis=axis(range=[lo, hi], title=dict(text="x"), anchor="y3"),
        yaxis=axis(domain=[0.3, 1.0], range=[0, density_top], title=dict(text="density"), fixedrange=True),
        yaxis2=axis(domain=[0.3, 1.0], range=[0, 1.05], overlaying="y", side="right",
                    tickvals=[0, 0.25, 0.5, 0.75, 1], title=dict(text="D(x)"), showgrid=False, fixedrange=True),
        yaxis3=axis(domain=[0.0, 0.2], range=[-0.15, 1.15], tickvals=[0, 1], ticktext=["z", "x"],
                    showgrid=False, showline=False, fixedrange=True),
        **_off_plot_note(snap, style),
    )
    return figure(traces, layout)


def _off_plot_note(snap, style: Style = NORMAL) -> dict:
    """Layout annotations saying so when most of p_g lies outside the plotted range (G thrown far away)."""
    share, mean = snap.metrics.get("off_plot", 0.0), snap.metrics.get("mean_x", 0.0)
    if not share > 0.5:
        return {}
    lo, hi = snap.x_range
    right = mean > (lo + hi) / 2
    return dict(annotations=[dict(xref="paper", yref="paper", x=1.0 if right else 0.0, y=0.62,
                 xanchor="right" if right else "left", showarrow=False,
                 text=f"{share:.0%} of p_g is off the plot (mean x = {mean:.3g}) →" if right
                 else f"← {share:.0%} of p_g is off the plot (mean x = {mean:.3g})",
                 font=dict(color=P_G["color"], size=style.font), bgcolor="rgba(255,255,255,0.8)")])


def _mapping_traces(snap, style: Style = NORMAL) -> list[dict]:
    """Segments from each z (placed on the lower line, rescaled to the x axis) up to G(z)."""
    lo, hi = snap.x_range
    z_lo, z_hi = snap.z_span
    z_pos = lo + (snap.z_line - z_lo) / (z_hi - z_lo) * (hi - lo)
    n = len(z_pos)
    xs = np.full(3 * n, np.nan, dtype=np.float32)
    ys = np.full(3 * n, np.nan, dtype=np.float32)
    xs[0::3], xs[1::3] = z_pos, np.clip(snap.x_of_z, lo - (hi - lo), hi + (hi - lo))
    ys[0::3], ys[1::3] = 0.0, 1.0
    return [
        dict(type="scatter", x=xs, y=ys, mode="lines", line=scaled(MAPPING, style), yaxis="y3", name="x = G(z)",
             showlegend=False, hoverinfo="skip", connectgaps=False),
        dict(type="scatter", x=[lo, hi, None, lo, hi], y=[0, 0, None, 1, 1], mode="lines", yaxis="y3",
             line=dict(color="black", width=1), showlegend=False, hoverinfo="skip"),
    ]


def frame_1d(snap, config) -> dict[str, go.Figure]:
    """The figures redrawn every frame of the 1-D lab, by name."""
    return {"figure1": figure1(snap, config.show_d_star, style=style_of(config))}


def history_1d(snap, config) -> dict[str, go.Figure]:
    """The 1-D lab's history charts (redrawn about once a second)."""
    style = style_of(config)
    return {
        "losses": loss_history(snap.losses, config.loss, style=style),
        "d_history": d_history(snap.evals, style=style),
        "distances": distance_history(snap.evals, style=style),
    }
