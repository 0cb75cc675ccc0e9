"""This browser session's state for a lab: its LiveSession, the URL's settings, and the widget
values that mirror the session's config.

Widget values live under page-unique keys and are re-seeded from the session's config whenever
Streamlit has dropped them (after a page switch), so switching pages never loses a setting or the
training progress.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import streamlit as st

from .. import config as cfg
from ..labs import Lab
from ..live import MAX_PRETRAIN, PRETRAIN_BUDGET_S, LiveSession
from .notices import plain

log = logging.getLogger(__name__)


def lab_session(lab: Lab) -> LiveSession:
    """This browser session's LiveSession for ``lab``, created from the URL on first visit.

    A lab that cannot start (no data at all) says so instead of showing a traceback. The session
    is stored before a link's pre-training, so a rerun that interrupts it keeps what was done.
    """
    key = f"{lab.key}:session"
    if key not in st.session_state:
        config, notices, steps = config_from_url(lab)
        try:
            session = LiveSession(lab, config)
        except Exception as err:  # noqa: BLE001 - a page must never show a traceback
            log.exception("the %s could not start", lab.title)
            st.error(plain(f"The {lab.title} could not start: {err}"))
            st.stop()
        st.session_state[key] = session
        st.session_state[f"{lab.key}:notices"] = notices
        if steps:
            pretrain_with_progress(session, steps)
        if "at" in st.query_params:  # a link to a moment of its pre-training: opens paused there
            session.snapshot()
            problem = session.scrub_to_iteration(st.query_params.get("at"))
            if problem:
                notices.append(problem)
    return st.session_state[key]


def pretrain_with_progress(session: LiveSession, steps: int) -> None:
    """A link's pre-training (at most PRETRAIN_BUDGET_S) under a progress bar. Each update is a
    Streamlit call, where Streamlit stops the script once its tab has closed: the training stops
    with it, and no thread is left behind."""
    def text(done: int, asked: int, place: int) -> str:
        if place:
            return f"Waiting for a training slot to pre-train (place in line: {place})…"
        return f"Pre-training from the link: {done:,} of {asked:,} iterations (at most {PRETRAIN_BUDGET_S:.0f} s)…"

    bar = st.progress(0.0, text=text(0, steps, 0))
    start = time.perf_counter()

    def progress(done: int, asked: int, place: int) -> None:
        # full when the iterations are done or the time is up, whichever comes first
        elapsed = (time.perf_counter() - start) / PRETRAIN_BUDGET_S
        bar.progress(min(max(done / asked, elapsed), 1.0), text=text(done, asked, place))

    session.pretrain(steps, progress=progress)
    bar.empty()


def config_from_url(lab: Lab):
    """(config, notices, pre-train iterations) from the query string; bad entries are skipped."""
    params = {name: st.query_params.get(name) for name in st.query_params.keys()}
    config, notices = cfg.from_text(lab.config_cls, params, ignore=("steps", "at"))
    steps = 0
    if "steps" in params:
        text = str(params["steps"]).strip()
        if text.isascii() and text.isdigit() and int(text) <= MAX_PRETRAIN:
            steps = int(text)
        else:
            notices.append(f"Ignored steps={text[:40]!r}: expected a whole number from 0 to {MAX_PRETRAIN}.")
    return config, notices, steps


def write_url(config: Any) -> None:
    """Mirror every non-default setting into the query string, so the link reproduces the setup."""
    wanted = cfg.to_text(config)
    current = {name: st.query_params.get(name) for name in st.query_params.keys()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def widget_key(lab: Lab, name: str) -> str:
    """The session-state key of one of a lab's widgets (page-unique: lab key and name)."""
    return f"{lab.key}.{name}"


def seed_widget_state(lab: Lab, config: Any, force: bool = False) -> None:
    """Put the config's values into widget state where Streamlit has none (or all, if ``force``)."""
    for name in cfg.specs(lab.config_cls):
        key = widget_key(lab, name)
        if cfg.kind_of(lab.config_cls, name) == "mixture":
            if force:
                st.session_state[f"{key}:version"] = st.session_state.get(f"{key}:version", 0) + 1
            continue
        if force or key not in st.session_state:
            st.session_state[key] = getattr(config, name)
