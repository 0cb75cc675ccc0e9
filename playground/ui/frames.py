"""The live fragments of a lab page and their scheduling: frames drawn and trained while running,
the history charts once a second, and a session waiting for a training slot."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

import streamlit as st

from ..live import HISTORY_PERIOD_S, WAIT_POLL_S, LiveSession
from .internals import script_request_checks
from .visibility import page_visible, watch_visibility

log = logging.getLogger(__name__)


def live_area(session: LiveSession, draw: Callable[[Any, LiveSession], None]) -> None:
    """Draw the latest snapshot, then train for the frame's budget; repeated while running.

    A fragment rerun redraws only this area, so a frame sends just its own charts and numbers.
    Drawing before training replaces every element at the start of the run, so Streamlit never
    greys the charts out as stale while the trainer works. A rerun is requested every frame period
    and queues up if the frame is still running, so frames follow each other without idle gaps;
    the training budget sets the frame rate (see ``LiveSession.frame_budget``).

    A session waiting for a training slot stops redrawing: its charts stay as they are and a small
    fragment asks for a slot once a second (see ``waiting_area``), so waiting costs the server
    almost nothing. A hidden tab draws nothing at all and does not train (see ``visibility``).
    """
    if not watch_visibility():
        return
    if session.comparison is not None:  # compare mode draws both runs (see ui.compare)
        from .compare import compare_frame
        draw = compare_frame
    waiting = session.waiting_message() is not None
    if waiting:
        waiting_area(session)

    @st.fragment(run_every=session.frame_period if session.running and not waiting else None)
    def frame() -> None:
        was_running = session.running
        try:
            t0 = time.perf_counter()
            draw(session.snapshot(), session)
            t1 = time.perf_counter()
            full_rerun_pending, any_rerun_pending = script_request_checks()
            session.tick(interrupt=full_rerun_pending, next_frame_requested=any_rerun_pending)
            log.debug("frame: draw %.1f ms, train %.1f ms", (t1 - t0) * 1e3, (time.perf_counter() - t1) * 1e3)
        except Exception as err:  # noqa: BLE001 - a frame must never show a traceback
            _frame_failed(session, err)
            return
        if (was_running and not session.running) or (not waiting and session.waiting_message()):
            st.rerun()  # stop the automatic reruns: training paused, or it must wait for a slot

    frame()


def waiting_area(session: LiveSession) -> None:
    """The waiting message, refreshed once a second with the place in line; when a slot frees up,
    a full rerun restarts the live frames."""

    @st.fragment(run_every=WAIT_POLL_S)
    def poll() -> None:
        if session.request_slot():
            st.rerun()
        message = session.waiting_message()
        if message:
            st.info(message, icon=":material/hourglass_top:")

    poll()


def slow_area(session: LiveSession, draw: Callable[[Any, LiveSession], None]) -> None:
    """Charts that need not move every frame (histories): redrawn once a second from the latest
    snapshot, which keeps both the server's and the browser's work per frame small."""

    if not page_visible():
        return
    if session.comparison is not None:
        from .compare import compare_histories
        draw = compare_histories
    redraw = session.running and session.waiting_message() is None

    @st.fragment(run_every=HISTORY_PERIOD_S if redraw else None)
    def charts() -> None:
        try:
            if session.shown is not None:  # the present, or the moment scrubbed to
                draw(session.shown, session)
        except Exception as err:  # noqa: BLE001
            _frame_failed(session, err)

    charts()


def _frame_failed(session: LiveSession, err: Exception) -> None:
    """Log the traceback and pause; the message shows at the top of the page (rerun once so the
    Run button agrees), or here if the page is already showing it."""
    log.exception("live frame failed")
    first_failure = session.error is None
    session.set_running(False)
    session.error = (f"A frame could not be drawn ({type(err).__name__}); training is paused. "
                     "Details are in the server log.")
    if first_failure:
        st.rerun()
    st.error(session.error)
