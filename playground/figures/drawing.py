"""The canvas of the 2-D lab's "Draw your own data": the points drawn so far over an invisible
grid of clickable points (a click on the plane lands on the nearest one)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..targets.drawing import CANVAS, canvas_grid
from .common import NORMAL, Style, axis, base_layout, figure


def canvas(drawn: np.ndarray, height: int = 460, style: Style = NORMAL) -> go.Figure:
    """Drawn points (black) over the click grid. A click on the plane adds a small cloud; with the
    toolbar's lasso, a drag adds points along the stroke. Streamlit selects clicked points only
    while the drag mode is neither lasso nor box, so it starts as "pan" on axes that cannot move."""
    grid = canvas_grid()
    traces = [
        # hover must stay on (not "skip") for clicks to register; the markers are transparent
        dict(type="scatter", x=grid[:, 0], y=grid[:, 1], mode="markers", name="click here", hoverinfo="none",
             marker=dict(size=12, opacity=0.0, color="black"), showlegend=False),
        dict(type="scatter", x=drawn[:, 0], y=drawn[:, 1], mode="markers", name=f"drawn ({len(drawn):,})",
             marker=dict(size=3.5, color="black", opacity=0.6), hoverinfo="skip"),
    ]
    layout = base_layout(style, height=height, dragmode="pan", hovermode="closest",
                         margin=dict(l=45, r=10, t=10, b=40), showlegend=False,
                         xaxis=axis(range=list(CANVAS), constrain="domain", fixedrange=True, zeroline=True),
                         yaxis=axis(range=list(CANVAS), scaleanchor="x", constrain="domain", fixedrange=True,
                                    zeroline=True))
    return figure(traces, layout)
