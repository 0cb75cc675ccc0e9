"""The buttons under a lab's title and the widgets that show numbers."""

from __future__ import annotations

import math

import streamlit as st

from ..device import describe
from ..labs import Lab
from ..live import LiveSession
from .session import widget_key


def controls(lab: Lab, session: LiveSession) -> None:
    """Run/Pause, Step D, Step G, Step iteration, Reset (callbacks run before the page redraws)."""
    cols = st.columns(5)
    label, icon = ("Pause", ":material/pause:") if session.running else ("Run", ":material/play_arrow:")
    # The button does what it showed, not a toggle: under load Streamlit can deliver one click
    # twice (once with a live-frame rerun, once with the full rerun), and a toggle undid the Pause.
    cols[0].button(label, icon=icon, key=widget_key(lab, "run"), type="primary", width="stretch",
                   on_click=session.set_running, args=(not session.running,),
                   disabled=session.diverged is not None)
    for col, (what, text) in zip(cols[1:4], (("d", "Step D"), ("g", "Step G"), ("iteration", "Step iteration"))):
        col.button(text, key=widget_key(lab, f"step_{what}"), width="stretch", on_click=session.step, args=(what,),
                   disabled=session.running or session.diverged is not None)
    cols[4].button("Reset", icon=":material/restart_alt:", key=widget_key(lab, "reset"), width="stretch",
                   on_click=session.reset)


def value_metric(column, value: float) -> None:
    """V(D, G), with its distance from the optimum −log 4 underneath."""
    column.metric("V(D, G)", f"{value:.3f}", f"{value + math.log(4):+.3f}", delta_color="off", delta_arrow="off",
                  help="The value at the optimum is −log 4 ≈ −1.386; the small number underneath is V + log 4.")


def device_caption(session: LiveSession) -> None:
    """Which device the run trains on."""
    st.caption(f"Device: {describe(session.run.device)}")
