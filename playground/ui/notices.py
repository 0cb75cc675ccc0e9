"""Messages at the top of a lab page: settings the link could not use, the device, divergence and
failed frames; and the Markdown escaping every message quoting user text goes through."""

from __future__ import annotations

import streamlit as st

from ..device import device_notice
from ..labs import Lab
from ..live import LiveSession

_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$"})


def plain(text: str) -> str:
    """Text as Markdown that renders it literally (notices may quote what a user typed in a URL)."""
    return text.translate(_MARKDOWN_SPECIALS)


def show_notices(lab: Lab, session: LiveSession) -> None:
    """The link's unused settings, the device notice, and a divergence or a failed frame."""
    notices = st.session_state.get(f"{lab.key}:notices") or []
    if notices:
        st.warning("Some settings in the link were not used:\n\n" + "\n".join(f"- {plain(n)}" for n in notices))
    device_msg = device_notice(session.config.device)
    if device_msg:
        st.info(device_msg)
    for message in (session.divergence_message(), session.error):
        if message:
            st.error(message)
