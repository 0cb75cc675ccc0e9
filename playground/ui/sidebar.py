"""The sidebar, generated from the lab's config dataclass: presets, one widget per setting (its
kind, range, visibility and linked values all come from the field's Spec), extra inputs such as a
points upload, and Share and save at the end."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Callable

import pandas as pd
import streamlit as st

from .. import config as cfg
from .. import links
from ..labs import Lab
from ..labs.registry import recommendation_note
from ..live import LiveSession
from .notices import plain
from .session import seed_widget_state, widget_key
from .share import share_and_save
from .states import start_from_box


def _apply_preset(lab: Lab, session: LiveSession) -> None:
    """on_change of the preset box: load the preset's settings and start a fresh run. Settings the
    teacher locked keep their values, and the box says so; settings the page draws outside the
    sidebar (presentation mode) are how the page is shown, not part of a preset: they stay."""
    name = st.session_state[widget_key(lab, "preset")]
    st.session_state[widget_key(lab, "preset:kept")] = None
    if name not in lab.presets:
        return
    page_settings = {field: getattr(session.config, field) for field, spec in cfg.specs(lab.config_cls).items()
                     if not spec.sidebar}
    config = cfg.replace_fields(lab.config_cls(), {**page_settings, **lab.presets[name].settings})
    kept = session.restrictions.overridden(config)
    session.restart(config)
    seed_widget_state(lab, session.config, force=True)
    if kept:
        st.session_state[widget_key(lab, "preset:kept")] = (
            f"This preset would change what your teacher fixed, which stays: "
            f"{session.restrictions.describe_locked(lab.config_cls, kept)}.")


def _apply_recommended(lab: Lab, session: LiveSession) -> None:
    """on_change of the target: put the new target's recommended settings (and the old one's
    defaults back) into the widgets, before they are drawn; a teacher's fixed or hidden settings stay."""
    new = cfg.replace_fields(session.config, {"target": st.session_state[widget_key(lab, "target")]})
    keep = {*session.restrictions.locked, *session.restrictions.hidden}
    config, _ = lab.retarget(session.config, new, keep=keep)
    for name in cfg.changed_fields(new, config):
        st.session_state[widget_key(lab, name)] = getattr(config, name)


def _recommendation(lab: Lab, target: str) -> None:
    """Under the target: that it trains with its recommended settings, while the widgets hold them."""
    shown = SimpleNamespace(target=target, **{name: st.session_state.get(widget_key(lab, name))
                                              for name in lab.recommended.get(target, {})})
    note = recommendation_note(lab, shown)
    if note:
        st.info(plain(note), icon=":material/tune:")


def _teacher_note(lab: Lab, session: LiveSession) -> None:
    """What the teacher's link fixed and hid, at the top of the sidebar."""
    restrictions = session.restrictions
    lines = []  # Markdown: each item escaped, the bullets kept
    if restrictions.locked:
        lines += ["Fixed by your teacher:"] + [f"- {plain(item)}" for item in restrictions.locked_items(lab.config_cls)]
    if restrictions.hidden:
        lines += ["", plain(f"Hidden by your teacher: {restrictions.describe_hidden(lab.config_cls)}.")]
    if lines:
        st.info("\n".join(lines).strip(), icon=":material/lock:")


def sidebar_config(lab: Lab, session: LiveSession, after: dict[str, Callable[[dict], None]] | None = None) -> Any:
    """Render the sidebar; return the config it describes (invalid edits keep the last good value).

    ``after`` maps a field name to a function drawn right below that field's widget (given the
    values so far), for inputs that are not config fields, such as a file upload.
    """
    specs = cfg.specs(lab.config_cls)
    hidden = set(session.restrictions.hidden)
    seed_widget_state(lab, session.config)
    with st.sidebar:
        _teacher_note(lab, session)
        if links.PRESET not in hidden:
            _preset_box(lab, session)
            start_from_box(lab, session)
        values: dict[str, Any] = {name: st.session_state.get(widget_key(lab, name), getattr(session.config, name))
                                  for name, spec in specs.items() if not spec.sidebar}  # drawn by the page
        for group in dict.fromkeys(s.group for s in specs.values() if s.sidebar):
            in_group = [name for name, spec in specs.items() if spec.group == group and spec.sidebar]
            if all(name in hidden for name in in_group):
                values |= {name: getattr(session.config, name) for name in in_group}
                continue
            st.subheader(group)
            for name, spec in specs.items():
                if spec.group == group and spec.sidebar:
                    values[name] = _widget(lab, session, name, spec, values)
                    if after and name in after:
                        after[name](values)
    changes, errors = {}, []
    for name, value in values.items():
        try:
            changes[name] = cfg.check_value(lab.config_cls, name, value)
        except cfg.InvalidValue as err:
            errors.append(str(err))
    for error in errors:
        st.sidebar.error(f"{error}. Keeping the previous value.")
    config, too_much, _ = cfg.within_limits(cfg.replace_fields(session.config, changes), session.config)
    if too_much is not None:
        st.sidebar.error(f"{too_much}. Keeping the previous values.")
    message = session.apply(config)
    if message:
        st.toast(message)
    with st.sidebar:
        share_and_save(lab, session)
    return session.config


def _preset_box(lab: Lab, session: LiveSession) -> None:
    """The preset box, the chosen preset's lesson, and what a preset could not change."""
    preset_key = widget_key(lab, "preset")
    st.selectbox("Preset", options=list(lab.presets), key=preset_key, index=None,
                 placeholder="Choose a preset…", format_func=lambda p: lab.presets[p].title,
                 on_change=_apply_preset, args=(lab, session))
    chosen = st.session_state.get(preset_key)
    if chosen in lab.presets:
        st.caption(lab.presets[chosen].lesson)
    kept = st.session_state.get(widget_key(lab, "preset:kept"))
    if kept:
        st.warning(plain(kept), icon=":material/lock:")


def _widget(lab: Lab, session: LiveSession, name: str, spec: cfg.Spec, values: dict) -> Any:
    """One sidebar widget for one config field; returns its (unvalidated) value.

    A hidden setting has none; a locked one is shown disabled, with its value. A linked field
    (disabled, following another) shows the value actually used but keeps its own stored value, so
    a restored settings file stays as it was; unlinked, it starts from what it showed."""
    key, current = widget_key(lab, name), getattr(session.config, name)
    if name in session.restrictions.hidden or not cfg.visible(lab.config_cls, name, values):
        return current
    locked = name in session.restrictions.locked
    disabled = locked or cfg.disabled(lab.config_cls, name, values)
    if cfg.kind_of(lab.config_cls, name) == "mixture":
        return _mixture_editor(lab, name, spec, current, disabled=locked)
    help_text = "\n\n".join(filter(None, [spec.help, "Fixed by your teacher's link." if locked else ""]))
    common = dict(key=key, help=help_text or None, disabled=disabled)
    if name == "target" and lab.recommended:
        common |= dict(on_change=_apply_recommended, args=(lab, session))
        value = _input(lab, name, spec, common)
        _recommendation(lab, value)
        return value
    if locked:  # shows the fixed value, whatever the widget held
        st.session_state[key] = current
    elif disabled and spec.follows:
        st.session_state[key] = values.get(spec.follows, current)
        _input(lab, name, spec, common)
        return current
    return _input(lab, name, spec, common)


def _input(lab: Lab, name: str, spec: cfg.Spec, common: dict) -> Any:
    """The widget for a (non-table) field of the given kind; returns its value."""
    key = common["key"]
    kind = cfg.kind_of(lab.config_cls, name)
    if kind == "bool":
        return st.toggle(spec.label, **common)
    if kind == "choice":
        return st.selectbox(spec.label, options=spec.choices,
                            format_func=lambda c: spec.choice_labels.get(c, c), **common)
    if spec.log or spec.suggested:
        options = spec.suggested or cfg.log_grid(spec.lo, spec.hi)
        options = sorted(set(options) | {st.session_state[key]})
        return st.select_slider(spec.label, options=options, format_func=lambda v: f"{v:g}", **common)
    if kind == "int" and spec.hi - spec.lo > 1000:
        return st.number_input(spec.label, min_value=int(spec.lo), max_value=int(spec.hi), step=1, **common)
    step = 1 if kind == "int" else 0.01
    lo, hi = (int(spec.lo), int(spec.hi)) if kind == "int" else (float(spec.lo), float(spec.hi))
    return st.slider(spec.label, min_value=lo, max_value=hi, step=step, **common)


def _mixture_editor(lab: Lab, name: str, spec: cfg.Spec, current: cfg.MixtureRows, disabled: bool = False) -> Any:
    """An editable table of mixture rows; shows why an edit is invalid and keeps the last valid rows."""
    version = st.session_state.get(f"{widget_key(lab, name)}:version", 0)
    frame = pd.DataFrame(list(current), columns=[c.name for c in spec.columns])
    columns = {c.name: st.column_config.NumberColumn(c.name, width="small") for c in spec.columns}
    edited = st.data_editor(frame, num_rows="fixed" if disabled else "dynamic", key=f"{widget_key(lab, name)}:editor:{version}",
                            hide_index=True, width="stretch", column_config=columns, disabled=disabled)
    rows = edited.to_numpy(dtype=float, na_value=math.nan).tolist()
    try:
        return cfg.check_mixture(spec, rows)
    except cfg.InvalidValue as err:
        st.error(plain(f"{err}. Still using the last valid table."))
        return current


def points_upload(lab: Lab, session: LiveSession, parse: Callable[[bytes], Any]) -> None:
    """A CSV uploader whose parsed points replace the session's data; a bad file keeps the old points.

    Parsing happens in the upload's on_change callback, once per file, not on every rerun.
    """
    key, error_key = widget_key(lab, "points:upload"), widget_key(lab, "points:error")

    def parse_upload() -> None:
        upload = st.session_state.get(key)
        if upload is None:  # removed: keep training on the points already loaded
            st.session_state[error_key] = None
            return
        try:
            points = parse(upload.getvalue())
        except cfg.InvalidValue as err:
            st.session_state[error_key] = f"{upload.name}: {err} The previous data stays."
            return
        st.session_state[error_key] = None
        session.set_data(points=points, points_name=upload.name)

    st.file_uploader("CSV of points (x, y per row)", type=["csv", "txt"], key=key, on_change=parse_upload,
                     help="Two numeric columns, at most 100,000 rows; an optional header row.")
    if st.session_state.get(error_key):
        st.error(plain(st.session_state[error_key]))
    points = session.data.get("points")
    if points is not None:
        st.caption(plain(f"Using {len(points):,} points from {session.data.get('points_name', 'the upload')}."))
