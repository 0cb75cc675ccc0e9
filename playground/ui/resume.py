"""A reload loses nothing: the browser's token, the server's lot of runs whose page went, and the
offer to resume one.

Streamlit starts a new session on a reload, with an empty ``st.session_state``. Every lab page
therefore registers its run in a process-wide :class:`~playground.parking.ParkingLot` under its
browser's token, which the page keeps in a cookie (``secrets.token_urlsafe``, 256 bits; set by a
tiny component, since ``st.context.cookies`` is read-only, and read back on the next page load).
The token never goes into a link, and only a page presenting it can claim the run: another
browser cannot reach it. Behind several replicas, nginx's sticky cookie brings the reload back
to the process that holds the run (``deploy/nginx.conf``).
"""

from __future__ import annotations

import re
import secrets
import time

import streamlit as st
import streamlit.components.v2 as components_v2

from ..labs import Lab
from ..live import LiveSession
from ..parking import ParkingLot
from . import internals
from .notices import plain

COOKIE = "gp_resume"
_TOKEN_KEY = "gp:browser_token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes; anything else is replaced
_COOKIE_ELEMENT = "gp_browser_token"

LOT = ParkingLot(is_connected=internals.session_is_connected, on_park=LiveSession.release_slot)
LOT.start_sweeping()  # one thread per server process, so parked runs expire even when no page asks

# A session cookie (gone when the browser closes), sent only to this site. The element that sets it
# takes no room on the page.
_SET_COOKIE_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${data.name}=${data.token}; Path=/; SameSite=Strict${secure}`;
  const box = parentElement.closest("[data-testid='stElementContainer']");
  if (box) box.style.display = "none";
}
"""
_set_cookie = components_v2.component("gan_playground.browser_token", html="<span></span>", js=_SET_COOKIE_JS,
                                      isolate_styles=False)


def browser_token() -> str:
    """This browser's token: from its cookie, else a new one for this session (which
    :func:`remember_browser` stores in the cookie)."""
    cookie = _cookie()
    if cookie is not None:
        return cookie
    if _TOKEN_KEY not in st.session_state:
        st.session_state[_TOKEN_KEY] = secrets.token_urlsafe(32)
    return st.session_state[_TOKEN_KEY]


def _cookie() -> str | None:
    """The token the page came with (cookies sent when it connected), if it is one we could have made."""
    cookie = st.context.cookies.get(COOKIE)
    return cookie if isinstance(cookie, str) and _TOKEN.fullmatch(cookie) else None


def remember_browser() -> None:
    """Store this session's token in the browser's cookie, unless the page came with it."""
    token = browser_token()
    if _cookie() != token:
        _set_cookie(key=_COOKIE_ELEMENT, data={"name": COOKIE, "token": token})


def hold(lab: Lab, session: LiveSession) -> bool:
    """Register this page's run; False when a page of this browser resumed it elsewhere after this
    page had gone (a dropped connection that came back): this page must start afresh."""
    me = internals.session_id()
    if me is None:
        return True
    return LOT.hold(browser_token(), lab.key, me, session)


def resumed_run(lab: Lab) -> LiveSession | None:
    """The run this browser left on ``lab`` (a reload, a closed tab) if the user chooses to resume
    it; None when there is none or the user starts fresh. Until the user has chosen, the page shows
    the offer and nothing else."""
    me = internals.session_id()
    if me is None:
        return None
    token = browser_token()
    entry = LOT.parked(token, lab.key)
    if entry is None:
        return None
    choice_key = f"{lab.key}:resume"
    choice = st.session_state.pop(choice_key, None)
    if choice == "resume":
        if LOT.claim(token, entry.run, me):
            st.toast(f"Resumed your run at iteration {entry.run.run.trainer.iterations:,}.", icon=":material/history:")
            return entry.run
        return None
    if choice == "fresh":
        LOT.discard(token, entry.run)
        return None
    _offer(lab, entry.run, time.monotonic() - entry.parked_at, choice_key)
    st.stop()


def _offer(lab: Lab, run: LiveSession, seconds: float, choice_key: str) -> None:
    """'Resume your run (iteration 8,200, 2 minutes ago)' or 'Start fresh'."""
    def choose(choice: str) -> None:
        st.session_state[choice_key] = choice

    iteration, ago = run.run.trainer.iterations, _ago(seconds)
    state = "it was training and goes on when resumed" if run.running else "paused"
    st.title(lab.title)
    with st.container(border=True):
        lesson = (f" The lesson {run.lesson.lesson.title!r} comes back with it, at {run.lesson.where().lower()}."
                  if run.lesson is not None else "")
        st.markdown(f"**Your run is still here.** This browser left the {lab.title} {ago} at iteration "
                    f"{iteration:,} ({state}).{plain(lesson)}")
        with st.container(horizontal=True):
            st.button(f"Resume your run (iteration {iteration:,}, {ago})", type="primary", icon=":material/history:",
                      on_click=choose, args=("resume",), key=f"{lab.key}.resume")
            st.button("Start fresh", icon=":material/restart_alt:", on_click=choose, args=("fresh",),
                      key=f"{lab.key}.fresh")
        st.caption(f"Start fresh uses this page's link and lets the earlier run go. A run is kept for "
                   f"{LOT.ttl_s / 60:.0f} minutes after its page went.")


def _ago(seconds: float) -> str:
    if seconds < 10:
        return "just now"
    if seconds < 90:
        return f"{seconds:.0f} seconds ago"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
