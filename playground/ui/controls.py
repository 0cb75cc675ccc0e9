"""The buttons under a lab's title and the row of numbers under them."""

from __future__ import annotations

from typing import Any

import streamlit as st

from .. import criteria
from ..device import describe
from ..labs import Lab
from ..live import LiveSession
from .present import presentation_controls, presenting, shortcut_help
from .session import widget_key


def controls(lab: Lab, session: LiveSession) -> None:
    """Run/Pause, Step D, Step G, Step iteration, Reset (callbacks run before the page redraws), and
    the presentation toggle with the keyboard shortcuts."""
    cols = st.columns(6)
    label, icon = ("Pause", ":material/pause:") if session.running else ("Run", ":material/play_arrow:")
    # The button does what it showed, not a toggle: under load Streamlit can deliver one click
    # twice (once with a live-frame rerun, once with the full rerun), and a toggle undid the Pause.
    cols[0].button(label, icon=icon, key=widget_key(lab, "run"), type="primary", width="stretch",
                   on_click=session.set_running, args=(not session.running,),
                   disabled=session.diverged is not None, help=shortcut_help("run"))
    no_d = getattr(session.config, "method", "adversarial") == "mmd"  # direct training has no D to step
    for col, (what, text) in zip(cols[1:4], (("d", "Step D"), ("g", "Step G"), ("iteration", "Step iteration"))):
        col.button(text, key=widget_key(lab, f"step_{what}"), width="stretch", on_click=session.step, args=(what,),
                   disabled=session.running or session.diverged is not None or (what == "d" and no_d),
                   help="MMD training has no discriminator" if what == "d" and no_d else shortcut_help(f"step_{what}"))
    cols[4].button("Reset", icon=":material/restart_alt:", key=widget_key(lab, "reset"), width="stretch",
                   on_click=session.reset, help=shortcut_help("reset"))
    with cols[5]:
        presentation_controls(lab, session)


def metric_row(lab: Lab, snap: Any, session: LiveSession) -> None:
    """The lab's readouts (``Lab.readouts``) as one row of metrics; the tooltip of each gives the
    exact value and what it means."""
    readouts = lab.readouts(snap, session.steps_per_s)
    show_readouts(st.columns(len(readouts)), readouts)
    trap_notice(snap, session)


def show_readouts(columns, readouts) -> None:
    """Readouts as metrics, one to a column."""
    for column, readout in zip(columns, readouts):
        help_text = "\n\n".join(part for part in (readout.long, readout.help) if part) or None
        column.metric(readout.label, readout.value, readout.delta or None, delta_color="off", delta_arrow="off",
                      help=help_text)


def trap_notice(snap: Any, session: LiveSession) -> None:
    """Under the numbers: "D is fooled, not beaten" when D says ½ but p_g is still far from p_data
    (criteria.trap_note), so that D ≈ ½ is never mistaken for the Nash equilibrium. Only where D
    outputs probabilities (binary cross-entropy) and the run has a yardstick (the toy labs). Not in
    presentation mode, where the main figure must fit under the numbers (the coach's line below the
    figure says the same)."""
    if presenting(session.config):
        return
    if getattr(snap, "objective", "bce") != "bce" or getattr(snap, "method", "adversarial") != "adversarial":
        return
    note = criteria.trap_note(snap.metrics, getattr(session.run, "yardstick", None))
    if note:
        st.warning(note, icon=":material/visibility_off:")


def device_caption(session: LiveSession) -> None:
    """Which device the run trains on (not in presentation mode)."""
    if not presenting(session.config):
        st.caption(f"Device: {describe(session.run.device)}")
