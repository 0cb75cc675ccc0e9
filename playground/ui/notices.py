"""Messages at the top of a lab page: settings the link could not use, the device, divergence and
failed frames; and the Markdown escaping every message quoting user text goes through."""

from __future__ import annotations

import re

import streamlit as st

from ..device import device_notice
from ..labs import Lab
from ..live import LiveSession

_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$"})
# What Markdown (GitHub's flavour, as Streamlit renders it) turns into a link from the raw text: a
# backslash escape inside it would show, and break the link (the MNIST mirrors' URLs did).
_AUTOLINK = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-.:/?#=&%+@]+")


def plain(text: str) -> str:
    """Text as Markdown that renders it literally (notices may quote what a user typed in a URL);
    web addresses are left as they are, made only of characters that are not Markdown there."""
    pieces, last = [], 0
    for url in _AUTOLINK.finditer(text):
        pieces += [text[last:url.start()].translate(_MARKDOWN_SPECIALS), url.group()]
        last = url.end()
    return "".join(pieces) + text[last:].translate(_MARKDOWN_SPECIALS)


def show_notices(lab: Lab, session: LiveSession) -> None:
    """The link's unused settings, the device notice, and a divergence or a failed frame."""
    notices = st.session_state.get(f"{lab.key}:notices") or []
    if notices:
        st.warning("Some settings in the link were not used:\n\n" + "\n".join(f"- {plain(n)}" for n in notices))
    device_msg = device_notice(session.config.device)
    if device_msg:
        st.info(device_msg)
    if session.pretraining_message():
        st.info(session.pretraining_message(), icon=":material/timer:")
    for message in (session.divergence_message(), session.error):
        if message:
            st.error(message)
