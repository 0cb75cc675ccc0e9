"""Trained states on the page: "Start from" a state shipped with the app, a saved state's
download, and loading one back (see playground/labs/states.py). A bad file changes nothing."""

from __future__ import annotations

import dataclasses

import streamlit as st

from .. import config as cfg
from ..labs import Lab
from ..labs import states
from ..live import LiveSession
from .notices import plain
from .session import seed_widget_state, widget_key


def _message_key(lab: Lab, where: str) -> str:
    return widget_key(lab, f"state:message:{where}")


def _start(lab: Lab, session: LiveSession, data: bytes, name: str, where: str) -> None:
    """Load a state into the session (or say why not); the message shows under the control used."""
    st.session_state[_message_key(lab, "start" if where == "upload" else "upload")] = None
    try:
        loaded = states.load_state(lab, data)
    except states.InvalidState as err:
        st.session_state[_message_key(lab, where)] = ("error", plain(f"{name}: {err}. The run is unchanged."))
        return
    # settings the page draws outside the sidebar (presentation mode) are how the page is shown: they stay
    page = {name: getattr(session.config, name) for name, spec in cfg.specs(lab.config_cls).items() if not spec.sidebar}
    loaded.run.config = cfg.replace_fields(loaded.config, page)
    refused = session.start_from(dataclasses.replace(loaded, config=loaded.run.config))
    if refused:
        st.session_state[_message_key(lab, where)] = ("warning", plain(refused))
        return
    seed_widget_state(lab, session.config, force=True)
    st.session_state[_message_key(lab, where)] = ("success", plain(states.describe(loaded, name)))


def start_from_box(lab: Lab, session: LiveSession) -> None:
    """A select box of the lab's shipped states: choosing one replaces the run by it, paused."""
    shipped = {s.key: s for s in states.shipped_states(lab.key)}
    if not shipped:
        return
    key = widget_key(lab, "state:start")

    def chosen() -> None:
        entry = shipped.get(st.session_state.get(key))
        if entry is not None:
            try:
                data = states.read_state_file(entry.path)
            except states.InvalidState as err:
                st.session_state[_message_key(lab, "start")] = ("error", plain(f"{err}. The run is unchanged."))
                return
            _start(lab, session, data, f"“{entry.title}”", "start")

    st.selectbox("Start from a trained state", options=list(shipped), key=key, index=None,
                 placeholder="Choose a trained state…", format_func=lambda k: shipped[k].title, on_change=chosen,
                 help="A run trained beforehand and shipped with the app: its networks, "
                      + ("(in float16; the optimizers start afresh), " if any(s.compact for s in shipped.values())
                         else "optimizers, ")
                      + "settings and histories, so the class starts where the lesson begins. Press Run to train on.")
    entry = shipped.get(st.session_state.get(key))
    if entry is not None:
        st.caption(plain(entry.lesson))
    _show_message(lab, "start")


def _show_message(lab: Lab, where: str) -> None:
    kind, text = st.session_state.get(_message_key(lab, where)) or (None, None)
    if kind:
        getattr(st, kind)(text)


def save_and_load(lab: Lab, session: LiveSession) -> None:
    """The trained state's download and its upload (inside Share and save)."""
    _state_download(lab, session, states.state_bytes, "Trained state (.pt)", "state",
                    "Networks, optimizers, random stream, settings and histories: loading it goes on exactly "
                    "where this run is.")
    if states.full_state_estimate(session.run) > states.UPLOAD_BYTES:
        # the MNIST lab's full state (~13 MB) cannot come back through the server: offer the compact one (~2 MB)
        _state_download(lab, session, states.compact_state_bytes, "Compact state (.pt)", "compact",
                        f"This run's full state is over the {states.UPLOAD_BYTES // 2**20} MB the server takes back. "
                        "The compact one holds the networks in float16 and no optimizer state: it loads back here, "
                        "and the optimizers start afresh.")
    key = widget_key(lab, "state:upload")

    def uploaded() -> None:
        upload = st.session_state.get(key)
        if upload is not None:
            _start(lab, session, upload.getvalue(), upload.name, "upload")

    st.file_uploader("Load a trained state (.pt)", type=["pt"], key=key, on_change=uploaded,
                     help=f"A state saved from this lab (at most {states.MAX_STATE_BYTES // 2**20} MB; the "
                          f"server takes uploads up to {states.UPLOAD_BYTES // 2**20} MB). It is read as tensors and "
                          "numbers only, never as code.")
    _show_message(lab, "upload")


def _state_download(lab: Lab, session: LiveSession, write, label: str, kind: str, help_text: str) -> None:
    """A download of the run as a state file, written by ``write`` (states.state_bytes or
    compact_state_bytes) only when the button is pressed."""

    def state_file() -> bytes:
        with session.lock:
            return write(session.run, session.config, lab.key, session.data)

    st.download_button(label, data=state_file, file_name=f"gan-playground-{lab.key}-{kind}.pt",
                       mime="application/octet-stream", on_click="ignore", icon=":material/download:",
                       width="stretch", key=widget_key(lab, f"save:{kind}"), help=help_text)
