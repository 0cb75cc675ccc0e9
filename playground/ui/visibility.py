"""Whether the page is on screen (the Page Visibility API): a hidden tab draws nothing.

A browser keeps asking for live frames from a tab in the background (at most once a second), and
each one costs the server a snapshot, figures and their JSON, and a training slot's share of the
CPU, for nobody. A small component reports ``document.visibilityState``; while the tab is hidden
the page's live and history areas are left out, so the browser stops asking for frames and the
session's training pauses (its slot is handed on after ``live.SLOT_STALE_S``, as a closed tab's).
Showing the tab again reruns the page, which redraws and carries on training.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components_v2

KEY = "gp.visibility"
_VISIBLE = "gp.page_visible"  # this script run's answer, for the areas drawn after the first

# Reports a change from what the server last heard (``data.visible``), so an ordinary page load and
# the remount after each rerun cost no rerun.
_VISIBILITY_JS = """
export default function (component) {
  const { setStateValue, data } = component;
  let last = data.visible;
  const report = () => {
    const visible = document.visibilityState !== "hidden";
    if (visible !== last) { last = visible; setStateValue("visible", visible); }
  };
  document.addEventListener("visibilitychange", report);
  report();
  return () => document.removeEventListener("visibilitychange", report);
}
"""
_visibility = components_v2.component("gan_playground.visibility", js=_VISIBILITY_JS)


def watch_visibility() -> bool:
    """Mount the visibility reporter (once per script run, outside any fragment, so that a change
    reruns the whole page) and return whether the page is visible."""
    known = _visible_in(st.session_state.get(KEY))
    result = _visibility(key=KEY, data={"visible": known}, default={"visible": True}, height=0,
                         on_visible_change=lambda: None)
    visible = _visible_in(result)
    st.session_state[_VISIBLE] = visible
    return visible


def page_visible() -> bool:
    """Whether the page was visible when this script run mounted the reporter (True before that)."""
    return bool(st.session_state.get(_VISIBLE, True))


def _visible_in(state) -> bool:
    """The component's ``visible`` state (True when there is none yet)."""
    if state is None:
        return True
    value = state.get("visible", True) if hasattr(state, "get") else getattr(state, "visible", True)
    return value is not False
