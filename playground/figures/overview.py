"""The model overview beside a lab's main figure (after GAN Lab's): noise z → G → G(z) → D ← real x,
D's outputs and the two losses, with the network the current step updates highlighted; and the
marks a slow-motion step leaves on the main figure (its minibatch, and in 2-D G's push).

Pure functions of a :class:`~playground.slowmo.StepView` (or of none), drawn as shapes and
annotations in a Plotly figure, so tests read the highlighted state without a browser.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..slowmo import StepView
from .common import NORMAL, P_G, Style, base_layout, figure

D_COLOUR, G_COLOUR = "#1f77b4", P_G["color"]
IDLE_EDGE, IDLE_FILL, FROZEN_TEXT = "#9a9a9a", "#f6f6f6", "#8a8a8a"
HIGHLIGHT_FILL = {"D": "rgba(31,119,180,0.18)", "G": "rgba(44,160,44,0.18)"}
PUSH_COLOUR = "#d62728"
PUSH_ARROWS = 48  # of a G step's generated samples get an arrow (more hide each other)

# node: (centre x, centre y, width, height) in the figure's unit square. The networks' boxes hold two
# lines and the losses' three: tall enough for presentation mode's fonts in a compact 330 px overview.
NODES = {
    "z": (0.24, 0.91, 0.40, 0.09),
    "G": (0.24, 0.71, 0.44, 0.14),
    "fake": (0.24, 0.51, 0.40, 0.09),
    "real": (0.76, 0.71, 0.40, 0.09),
    "D": (0.76, 0.51, 0.44, 0.14),
    "scores": (0.76, 0.33, 0.44, 0.09),
    "d_loss": (0.24, 0.105, 0.46, 0.19),
    "g_loss": (0.76, 0.105, 0.46, 0.19),
}
EDGES = (("z", "G"), ("G", "fake"), ("fake", "D"), ("real", "D"), ("D", "scores"),
         ("scores", "d_loss"), ("scores", "g_loss"))
# which nodes and edges each kind of step uses (the rest are drawn faint)
USES = {
    "D": {"z", "G", "fake", "real", "D", "scores", "d_loss"},
    "G": {"z", "G", "fake", "D", "scores", "g_loss"},
}


def overview(view: StepView | None, running: bool = False, method: str = "adversarial", k: int = 1,
             style: Style = NORMAL, height: int = 420) -> go.Figure:
    """The model overview. ``view``: the step just done (its network is highlighted, the other one
    marked frozen, the loss it descended shown); None: training at full speed (``running``) or
    waiting for a step. ``method`` 'mmd': G descends MMD² to the data, and D is not trained."""
    updating = view.network if view is not None else None
    uses = USES.get(updating, set(NODES))
    if method == "mmd":
        uses = {"z", "G", "fake", "real", "g_loss"} if updating else {"z", "G", "fake", "real", "g_loss"}
    labels = {
        "z": "noise z ~ p_z", "G": "G", "fake": "generated G(z)", "real": "real x ~ p_data", "D": "D",
        "scores": "D(x), D(G(z))", "d_loss": "D loss", "g_loss": "G loss",
    }
    if method == "mmd":
        labels.update(D="no D", scores="(MMD: no D)", g_loss="G loss")
    if view is not None:
        key = "d_loss" if updating == "D" else "g_loss"
        formula = f"{view.loss_name}<br>" if view.loss_name else ""
        labels[key] = f"{labels[key]}<br>{formula}= {view.loss:.4g}"
    shapes, annotations = [], []
    for name, (cx, cy, w, h) in NODES.items():
        shapes.append(_node_shape(name, cx, cy, w, h, updating, name in uses))
        annotations.append(_text(cx, cy, _node_label(name, labels[name], updating, method), name in uses, style,
                                 bold=name in ("G", "D")))
    for start, end in EDGES:
        annotations.append(_edge(start, end, start in uses and end in uses, updating))
    annotations.append(_caption(view, running, method, k, style))
    layout = base_layout(style, height=height, margin=dict(l=4, r=4, t=8, b=4), hovermode=False, showlegend=False,
                         xaxis=dict(range=[0, 1], visible=False, fixedrange=True),
                         yaxis=dict(range=[-0.02, 1.12], visible=False, fixedrange=True),
                         shapes=shapes, annotations=annotations, meta=dict(updating=updating or ""))
    return figure([], layout)


def highlighted(fig: go.Figure) -> str | None:
    """The network a built overview highlights ('D', 'G' or None), as recorded in its layout."""
    meta = fig.layout.meta
    return (meta.get("updating") if isinstance(meta, dict) else None) or None


def _node_shape(name: str, cx: float, cy: float, w: float, h: float, updating: str | None, used: bool) -> dict:
    network = name in ("G", "D")
    if network and name == updating:
        line, fill, width = (D_COLOUR if name == "D" else G_COLOUR), HIGHLIGHT_FILL[name], 4
    elif name == {"D": "d_loss", "G": "g_loss"}.get(updating or ""):
        line, fill, width = (D_COLOUR if updating == "D" else G_COLOUR), "white", 2.5
    else:
        line, fill, width = (IDLE_EDGE if used else "#d8d8d8"), (IDLE_FILL if network else "white"), 1.5 if used else 1
    return dict(type="rect", xref="x", yref="y", x0=cx - w / 2, x1=cx + w / 2, y0=cy - h / 2, y1=cy + h / 2,
                line=dict(color=line, width=width, dash="solid" if used else "dot"), fillcolor=fill, layer="below",
                name=name)


def _node_label(name: str, label: str, updating: str | None, method: str) -> str:
    if name in ("G", "D") and updating is not None and method != "mmd":
        return f"{name}<br>updating weights" if name == updating else f"{name}<br>frozen"
    return label


def _text(x: float, y: float, text: str, used: bool, style: Style, bold: bool = False) -> dict:
    return dict(x=x, y=y, xref="x", yref="y", text=f"<b>{text}</b>" if bold else text, showarrow=False,
                font=dict(size=style.font - 2, color="#31333F" if used else "#b0b0b0"))


def _edge(start: str, end: str, used: bool, updating: str | None) -> dict:
    """An arrow between two nodes' facing sides."""
    (x0, y0, w0, h0), (x1, y1, w1, h1) = NODES[start], NODES[end]
    if abs(y0 - y1) < 1e-6:  # side by side
        sign = 1 if x1 > x0 else -1
        tail, head = (x0 + sign * w0 / 2, y0), (x1 - sign * w1 / 2, y1)
    else:
        tail, head = (x0, y0 - h0 / 2), (x1 + (0.0 if abs(x0 - x1) < 1e-6 else (x0 - x1) * 0.25), y1 + h1 / 2)
    colour = {"D": D_COLOUR, "G": G_COLOUR}.get(updating or "", "#555555") if used else "#d0d0d0"
    return dict(x=head[0], y=head[1], ax=tail[0], ay=tail[1], xref="x", yref="y", axref="x", ayref="y", text="",
                showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=2.2 if used and updating else 1.4,
                arrowcolor=colour)


def _caption(view: StepView | None, running: bool, method: str, k: int, style: Style) -> dict:
    if view is not None:
        text = f"<b>{view.detail}</b>"
    elif running:  # on two lines: one is wider than the overview's narrow columns (1-D, MNIST)
        text = ("Training at full speed:<br>G steps on MMD²" if method == "mmd"
                else f"Training at full speed:<br>{k} D step{'s' if k != 1 else ''}, then G")
    else:
        text = "Step D, Step G or slow motion<br>shows each step"
    return dict(x=0.5, y=1.06, xref="x", yref="y", text=text, showarrow=False,
                font=dict(size=style.font, color="#31333F"))


# --- a step's marks on the main figure -------------------------------------------------------------

def mark_step(fig: go.Figure, view: StepView | None, arrows: bool = True, style: Style = NORMAL) -> go.Figure:
    """Mark the step's minibatch on a toy lab's main figure: real x as black rings, G(z) as green
    rings (in 1-D as ticks along the x axis), and in 2-D the push G's loss gives each generated
    sample (a G step's gradient arrows). The figure is changed in place and returned."""
    if view is None or view.fake is None:
        return fig
    dim = view.fake.shape[1]
    traces = []
    if dim == 1:  # ticks just above the density axis's foot
        top = (fig.layout.yaxis.range or (0, 1))[1]
        for points, colour, name, y in ((view.real, "black", "this step's real x", 0.03 * top),
                                        (view.fake, G_COLOUR, "this step's G(z)", 0.08 * top)):
            if points is not None:
                xs = points[:, 0].astype(np.float32)
                traces.append(dict(type="scatter", x=xs, y=np.full(len(xs), y, np.float32), mode="markers",
                                   yaxis="y", name=name, hoverinfo="skip",
                                   marker=dict(symbol="line-ns-open", size=14 * style.marker, color=colour,
                                               line=dict(color=colour, width=1.5 * style.line))))
    elif dim == 2:
        for points, colour, name in ((view.real, "black", "this step's real x"), (view.fake, G_COLOUR, "this step's G(z)")):
            if points is not None:
                traces.append(dict(type="scatter", x=points[:, 0].astype(np.float32), y=points[:, 1].astype(np.float32),
                                   mode="markers", name=name, hoverinfo="skip",
                                   marker=dict(symbol="circle-open", size=9 * style.marker, color=colour,
                                               line=dict(color=colour, width=1.6 * style.line))))
        if arrows and view.push is not None:
            traces.append(push_arrows(view.fake[:PUSH_ARROWS], view.push[:PUSH_ARROWS], fig, style))
    fig.add_traces(traces)
    return fig


def push_arrows(start: np.ndarray, push: np.ndarray, fig: go.Figure, style: Style = NORMAL) -> dict:
    """Segments from each generated sample along its push, the longest 12% of the plot's width."""
    x_range = fig.layout.xaxis.range or (float(np.min(start[:, 0])) - 1, float(np.max(start[:, 0])) + 1)
    push = np.nan_to_num(np.asarray(push, dtype=np.float32))
    longest = float(np.max(np.linalg.norm(push, axis=1))) if len(push) else 0.0
    scale = 0.12 * (x_range[1] - x_range[0]) / longest if longest > 0 else 0.0
    xy = np.full((len(start), 3, 2), np.nan, dtype=np.float32)
    xy[:, 0], xy[:, 1] = start, start + push * scale
    sizes = np.tile(np.array([0, 8, 0], dtype=np.float32), len(start)) * np.float32(style.marker)
    xy = xy.reshape(-1, 2)
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode="lines+markers", name="this G step's push",
                line=dict(color=PUSH_COLOUR, width=1.4 * style.line), connectgaps=False, hoverinfo="skip",
                marker=dict(symbol="arrow", angleref="previous", size=sizes, color=PUSH_COLOUR))
