"""Share and save: a link holding every setting, the settings (JSON) and metric history (CSV)
downloads, and restoring settings from a downloaded file."""

from __future__ import annotations

import urllib.parse
from typing import Any

import streamlit as st

from .. import compare
from .. import config as cfg
from ..export import history_csv
from ..labs import Lab
from ..links import Restrictions
from ..live import LiveSession
from .notices import plain
from .session import comparison_params, seed_widget_state, widget_key
from .states import save_and_load


def share_link(lab: Lab, config: Any, restrictions: Restrictions | None = None) -> str:
    """This page's address with every setting in the query string, and the teacher's hide and lock
    (a student's copied link keeps them)."""
    base = st.context.url or f"/lab_{lab.key}"  # AppTest has no browser URL
    params = cfg.to_text(config, every=True) | (restrictions or Restrictions()).to_params() | comparison_params()
    return f"{base}?{urllib.parse.urlencode(params, safe=',')}"


def share_and_save(lab: Lab, session: LiveSession) -> None:
    """Copy a link, download the settings (JSON) and the metric history (CSV), restore settings."""
    with st.expander("Share and save", icon=":material/share:"):
        st.caption("Link with every setting (the icon at its right copies it):")
        st.code(share_link(lab, session.config, session.restrictions), language=None, wrap_lines=False)
        stem = f"gan-playground-{lab.key}"
        st.download_button("Settings (JSON)", data=lambda: compare.with_b(cfg.to_json(session.config, lab.key), overrides(session)),
                           file_name=f"{stem}-settings.json", mime="application/json", on_click="ignore",
                           icon=":material/download:", width="stretch", key=widget_key(lab, "save:settings"))
        st.download_button("Metric history (CSV)", data=lambda: history_csv(session.latest or session.snapshot()),
                           file_name=f"{stem}-history.csv", mime="text/csv", on_click="ignore",
                           icon=":material/download:", width="stretch", key=widget_key(lab, "save:history"))
        settings_upload(lab, session)
        save_and_load(lab, session)


def settings_upload(lab: Lab, session: LiveSession) -> None:
    """Restore settings from a JSON file made by the download above; a bad file changes nothing."""
    key, message_key = widget_key(lab, "settings:upload"), widget_key(lab, "settings:message")

    def restore() -> None:
        upload = st.session_state.get(key)
        if upload is None:
            return
        try:
            config, notices = cfg.from_json(lab.config_cls, upload.getvalue(), lab.key, base=session.config)
        except cfg.InvalidValue as err:
            st.session_state[message_key] = ("error", plain(f"{upload.name}: {err}. The settings are unchanged."))
            return
        kept = session.restrictions.overridden(config)
        if kept:
            notices.append(f"Kept what your teacher fixed: {session.restrictions.describe_locked(lab.config_cls, kept)}.")
        change = session.apply(config)
        b, more = compare.b_from_json(upload.getvalue())  # the file's run B, or one run
        notices += more
        if b is None:
            session.stop_comparing()
        else:
            notices += session.compare(b)
            st.session_state.pop(widget_key(lab, "compare:b"), None)  # the panel shows the file's run B
        seed_widget_state(lab, session.config, force=True)
        lines = [plain(f"Settings restored from {upload.name}." + (f" {change}" if change else ""))]
        lines += [f"- {plain(n)}" for n in notices]  # Markdown: user text escaped, bullets kept
        st.session_state[message_key] = ("warning" if notices else "success", "\n".join(lines))

    st.file_uploader("Restore settings (JSON)", type=["json"], key=key, on_change=restore,
                     help="A settings file downloaded from this lab; unknown or invalid entries are skipped.")
    kind, text = st.session_state.get(message_key) or (None, None)
    if kind:
        getattr(st, kind)(text)


def overrides(session: LiveSession) -> dict | None:
    """Run B's overrides for the settings file, None when not comparing."""
    return session.comparison.overrides if session.comparison is not None else None
