"""This browser session's state for a lab: its LiveSession, the URL's settings, and the widget
values that mirror the session's config.

Widget values live under page-unique keys and are re-seeded from the session's config whenever
Streamlit has dropped them (after a page switch), so switching pages never loses a setting or the
training progress.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from .. import config as cfg
from ..labs import Lab
from ..live import MAX_PRETRAIN, LiveSession


def lab_session(lab: Lab) -> LiveSession:
    """This browser session's LiveSession for ``lab``, created from the URL on first visit."""
    key = f"{lab.key}:session"
    if key not in st.session_state:
        config, notices, steps = config_from_url(lab)
        session = LiveSession(lab, config)
        if steps:
            session.pretrain(steps)
        st.session_state[key] = session
        st.session_state[f"{lab.key}:notices"] = notices
    return st.session_state[key]


def config_from_url(lab: Lab):
    """(config, notices, pre-train iterations) from the query string; bad entries are skipped."""
    params = {name: st.query_params.get(name) for name in st.query_params.keys()}
    config, notices = cfg.from_text(lab.config_cls, params, ignore=("steps",))
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
