"""The 2-D lab's "Draw your own data": click or drag on a plane to add points, clear, then train
on them. The points become the session's data exactly as an uploaded CSV's do (the same checks
and caps), so everything downstream (the target, saved states) treats them alike.

Clicks and strokes arrive as Streamlit's own plotly selection events (``on_select``): a click
selects the nearest point of an invisible grid, a lasso stroke reports its path. After each
gesture the chart gets a new key, so it starts with no selection and the same spot can be
clicked again.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import config as cfg
from ..figures.drawing import canvas
from ..labs import Lab
from ..live import LiveSession
from ..targets import drawing
from ..targets.points import MAX_POINTS, MIN_POINTS, check_points
from .notices import plain
from .session import widget_key


def _state(lab: Lab) -> dict:
    """This session's drawing: its points, the chart's version (its key) and a random stream."""
    key = widget_key(lab, "drawing")
    if key not in st.session_state:
        st.session_state[key] = {"points": np.empty((0, 2)), "version": 0, "rng": np.random.default_rng(), "note": None}
    return st.session_state[key]


def _gesture(lab: Lab, state: dict, chart_key: str) -> None:
    """on_select: add what the click or stroke drew, then give the chart a fresh key."""
    event = st.session_state.get(chart_key)
    selection = (event or {}).get("selection") or {}
    new = drawing.from_selection(selection, state["rng"])
    if len(new):
        state["points"], full = drawing.add(state["points"], new)
        state["note"] = f"The drawing holds at most {MAX_POINTS:,} points; the rest were left out." if full else None
        state["version"] += 1


def drawing_panel(lab: Lab, session: LiveSession) -> None:
    """The canvas, its buttons, and training on what was drawn."""
    state = _state(lab)
    with st.expander("Draw your own data", icon=":material/draw:", expanded=session.data.get("points") is None):
        st.caption("Click on the plane to add a small cloud of points; or pick the lasso in the chart's toolbar "
                   "(top right) and drag to draw a stroke of points. Then train on them. At least "
                   f"{MIN_POINTS} points, at most {MAX_POINTS:,}.")
        chart_key = widget_key(lab, f"drawing:chart:{state['version']}")
        st.plotly_chart(canvas(state["points"]), key=chart_key, on_select=lambda: _gesture(lab, state, chart_key),
                        selection_mode=("points", "box", "lasso"), config={"displaylogo": False},
                        width="stretch")
        left, middle, _ = st.columns([2, 1, 2])
        train = left.button("Train on these points", icon=":material/play_arrow:", type="primary",
                            key=widget_key(lab, "drawing:train"), disabled=len(state["points"]) < MIN_POINTS)
        if middle.button("Clear", icon=":material/delete:", key=widget_key(lab, "drawing:clear")):
            state["points"], state["note"] = np.empty((0, 2)), None
            state["version"] += 1
            st.rerun()
        if train:
            try:
                points = check_points(state["points"])
            except cfg.InvalidValue as err:
                state["note"] = f"{err} The previous data stays."
            else:
                session.set_data(points=points, points_name=f"{len(points):,} points drawn on the plane")
                state["note"] = None
                st.rerun()  # the sidebar, drawn before this button, says which points are in use
        st.caption(plain(f"{len(state['points']):,} points drawn."))
        if state["note"]:
            st.warning(plain(state["note"]))
