"""Streamlit helpers shared by the lab pages: the only module of the package that imports streamlit.

Widgets are generated from the lab's config dataclass; widget values live under page-unique keys
and are re-seeded from the session's config whenever Streamlit has dropped them (after a page
switch), so switching pages never loses a setting or the training progress.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Callable

import pandas as pd
import streamlit as st

from . import config as cfg
from .device import describe, device_notice
from .labs import Lab
from .live import FRAME_INTERVAL_S, MAX_PRETRAIN, TRAIN_BUDGET_S, LiveSession

log = logging.getLogger(__name__)


# --- session and URL ------------------------------------------------------------------------

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
        if text.isdigit() and 0 <= int(text) <= MAX_PRETRAIN:
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


def show_notices(lab: Lab, session: LiveSession) -> None:
    notices = st.session_state.get(f"{lab.key}:notices") or []
    if notices:
        st.warning("Some settings in the link were not used:\n\n" + "\n".join(f"- {n}" for n in notices))
    device_msg = device_notice(session.config.device)
    if device_msg:
        st.info(device_msg)
    if session.divergence_message():
        st.error(session.divergence_message())


# --- the sidebar, generated from the config dataclass ---------------------------------------

def _key(lab: Lab, name: str) -> str:
    return f"{lab.key}.{name}"


def _seed_widget_state(lab: Lab, config: Any, force: bool = False) -> None:
    """Put the config's values into widget state where Streamlit has none (or all, if ``force``)."""
    for name in cfg.specs(lab.config_cls):
        key = _key(lab, name)
        if cfg.kind_of(lab.config_cls, name) == "mixture":
            if force:
                st.session_state[f"{key}:version"] = st.session_state.get(f"{key}:version", 0) + 1
            continue
        if force or key not in st.session_state:
            st.session_state[key] = getattr(config, name)


def _apply_preset(lab: Lab, session: LiveSession) -> None:
    """on_change of the preset box: load the preset's settings and start a fresh run."""
    name = st.session_state[_key(lab, "preset")]
    if name not in lab.presets:
        return
    config = cfg.replace_fields(lab.config_cls(), lab.presets[name].settings)
    session.restart(config)
    _seed_widget_state(lab, config, force=True)


def sidebar_config(lab: Lab, session: LiveSession) -> Any:
    """Render the sidebar; return the config it describes (invalid edits keep the last good value)."""
    specs = cfg.specs(lab.config_cls)
    _seed_widget_state(lab, session.config)
    with st.sidebar:
        preset_key = _key(lab, "preset")
        st.selectbox("Preset", options=list(lab.presets), key=preset_key, index=None,
                     placeholder="Choose a preset…", format_func=lambda p: lab.presets[p].title,
                     on_change=_apply_preset, args=(lab, session))
        chosen = st.session_state.get(preset_key)
        if chosen in lab.presets:
            st.caption(lab.presets[chosen].lesson)
        values: dict[str, Any] = {}
        for group in dict.fromkeys(s.group for s in specs.values()):
            st.subheader(group)
            for name, spec in specs.items():
                if spec.group == group:
                    values[name] = _widget(lab, session, name, spec, values)
    changes, errors = {}, []
    for name, value in values.items():
        try:
            changes[name] = cfg.check_value(lab.config_cls, name, value)
        except cfg.InvalidValue as err:
            errors.append(str(err))
    for error in errors:
        st.sidebar.error(f"{error}. Keeping the previous value.")
    config = cfg.replace_fields(session.config, changes)
    message = session.apply(config)
    if message:
        st.toast(message)
    return session.config


def _condition(values: dict, condition) -> bool:
    return condition is not None and values.get(condition[0]) == condition[1]


def _widget(lab: Lab, session: LiveSession, name: str, spec: cfg.Spec, values: dict) -> Any:
    """One sidebar widget for one config field; returns its (unvalidated) value."""
    key, current = _key(lab, name), getattr(session.config, name)
    kind = cfg.kind_of(lab.config_cls, name)
    if spec.visible_if is not None and not _condition(values, spec.visible_if):
        return current
    disabled = _condition(values, spec.disabled_if)
    if disabled and name == "lr_g":  # a linked learning rate shows the value actually used
        st.session_state[key] = values.get("lr_d", current)
    common = dict(key=key, help=spec.help or None, disabled=disabled)
    if kind == "bool":
        return st.toggle(spec.label, **common)
    if kind == "choice":
        return st.selectbox(spec.label, options=spec.choices,
                            format_func=lambda c: spec.choice_labels.get(c, c), **common)
    if kind == "mixture":
        return _mixture_editor(lab, name, spec, current)
    if spec.log or spec.suggested:
        options = spec.suggested or cfg.log_grid(spec.lo, spec.hi)
        options = sorted(set(options) | {st.session_state[key]})
        return st.select_slider(spec.label, options=options, format_func=lambda v: f"{v:g}", **common)
    if kind == "int" and spec.hi - spec.lo > 1000:
        return st.number_input(spec.label, min_value=int(spec.lo), max_value=int(spec.hi), step=1, **common)
    step = 1 if kind == "int" else 0.01
    lo, hi = (int(spec.lo), int(spec.hi)) if kind == "int" else (float(spec.lo), float(spec.hi))
    return st.slider(spec.label, min_value=lo, max_value=hi, step=step, **common)


def _mixture_editor(lab: Lab, name: str, spec: cfg.Spec, current: cfg.MixtureRows) -> Any:
    """An editable table of mixture rows; shows why an edit is invalid and keeps the last valid rows."""
    version = st.session_state.get(f"{_key(lab, name)}:version", 0)
    frame = pd.DataFrame(list(current), columns=[c.name for c in spec.columns])
    edited = st.data_editor(frame, num_rows="dynamic", key=f"{_key(lab, name)}:editor:{version}",
                            hide_index=True, width="stretch")
    rows = edited.to_numpy(dtype=float, na_value=math.nan).tolist()
    try:
        return cfg.check_mixture(spec, rows)
    except cfg.InvalidValue as err:
        st.error(f"{err}. Still using the last valid table.")
        return current


# --- controls, metrics and the live fragment -------------------------------------------------

def controls(lab: Lab, session: LiveSession) -> None:
    """Run/Pause, Step D, Step G, Step iteration, Reset (callbacks run before the page redraws)."""
    cols = st.columns(5)
    label, icon = ("Pause", ":material/pause:") if session.running else ("Run", ":material/play_arrow:")
    cols[0].button(label, icon=icon, key=_key(lab, "run"), type="primary", width="stretch",
                   on_click=lambda: session.set_running(not session.running),
                   disabled=session.diverged is not None)
    for col, (what, text) in zip(cols[1:4], (("d", "Step D"), ("g", "Step G"), ("iteration", "Step iteration"))):
        col.button(text, key=_key(lab, f"step_{what}"), width="stretch", on_click=session.step, args=(what,),
                   disabled=session.running or session.diverged is not None)
    cols[4].button("Reset", icon=":material/restart_alt:", key=_key(lab, "reset"), width="stretch",
                   on_click=session.reset)


def device_caption(session: LiveSession) -> None:
    st.caption(f"Device: {describe(session.run.device)}")


def live_area(session: LiveSession, draw: Callable[[Any, LiveSession], None]) -> None:
    """Draw the latest snapshot, then train for a time budget; repeated every FRAME_INTERVAL_S
    while running.

    A fragment rerun redraws only this area, so a frame sends just its charts and numbers. Drawing
    before training means every element is replaced at the start of the run, so Streamlit never
    greys the charts out as stale while the trainer works.
    """

    @st.fragment(run_every=FRAME_INTERVAL_S if session.running else None)
    def frame() -> None:
        was_running = session.running
        try:
            draw(session.snapshot(), session)
            session.tick(TRAIN_BUDGET_S)
        except Exception as err:  # noqa: BLE001 - a frame must never show a traceback
            log.exception("live frame failed")
            session.set_running(False)
            st.error(f"This frame could not be drawn ({type(err).__name__}); training is paused. "
                     "Details are in the server log.")
            return
        if was_running and not session.running:
            st.rerun()  # stop the automatic reruns and show why training paused

    frame()
