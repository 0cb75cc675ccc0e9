"""The coach's box on a lab page: its readings of the run (playground/coach.py) with their
evidence, redrawn with the history charts (once a second). In presentation mode one compact line."""

from __future__ import annotations

from typing import Any

import streamlit as st

from .. import coach
from ..live import LiveSession
from .notices import plain


def coach_box(snapshot: Any, session: LiveSession) -> None:
    """The readings of ``snapshot`` (the moment shown, with its settings): a bordered box, or one
    line when presenting."""
    readings = coach.read(snapshot, session.shown_config)
    if session.config.present:
        if readings:
            st.caption(plain("Coach: " + " · ".join(r.title for r in readings)))
        return
    with st.container(border=True, key="coach"):
        if not readings:
            st.caption("Coach: nothing to say yet. Readings appear once the run has trained a few hundred "
                       "iterations and something stands out (D winning, oscillation, mode collapse, …).")
            return
        for reading in readings:
            icon = ":material/check_circle:" if reading.good else ":material/warning:"
            st.markdown(f"{icon} **{plain(reading.title)}** — {plain(reading.text)}")
            st.caption("Evidence: " + plain(" · ".join(f"{name} = {value}" for name, value in reading.evidence)))
