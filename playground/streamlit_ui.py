"""Streamlit helpers shared by the lab pages: the only module of the package that imports streamlit.

Widgets are generated from the lab's config dataclass; widget values live under page-unique keys
and are re-seeded from the session's config whenever Streamlit has dropped them (after a page
switch), so switching pages never loses a setting or the training progress.
"""

from __future__ import annotations

import base64
import logging
import math
import re
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components_v1
import streamlit.components.v2 as components_v2

from . import config as cfg
from .export import history_csv, png_bytes
from .device import describe, device_notice
from .labs import Lab
from .live import FRAME_PERIOD_S, HISTORY_PERIOD_S, MAX_PRETRAIN, PRETRAIN_BUDGET_S, WAIT_POLL_S, LiveSession

log = logging.getLogger(__name__)

# --- live Plotly charts updated in place ------------------------------------------------------
# st.plotly_chart derives the element's identity from a hash of the figure, so every new frame
# remounts the chart and the browser rebuilds it from scratch (measured: Chromium's renderer at
# 100% of a core at 3 frames/s). This component keeps one Plotly div per key and calls
# Plotly.react on it with each new figure. Plotly.js comes from the plotly package installed
# with the app (served locally; no CDN).
_PLOTLY_FILES = components_v1.declare_component(
    "plotlyjs", path=str(Path(plotly.__file__).parent / "package_data"))
PLOTLY_JS_URL = f"/component/{_PLOTLY_FILES.name}/plotly.min.js"

_LIVE_CHART_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const el = parentElement.querySelector(".gp-live-chart");
  el.style.height = data.height + "px";
  window.__gpPlotly ||= new Promise((resolve, reject) => {
    if (window.Plotly) return resolve(window.Plotly);
    const script = document.createElement("script");
    script.src = data.plotly_url;
    script.onload = () => resolve(window.Plotly);
    script.onerror = reject;
    document.head.appendChild(script);
  });
  window.__gpPlotly.then((Plotly) => {
    const figure = JSON.parse(data.figure);
    Plotly.react(el, figure.data, figure.layout, { displaylogo: false, responsive: true });
  });
}
"""
_live_chart = components_v2.component(
    "gan_playground.live_chart", html='<div class="gp-live-chart" style="width:100%"></div>',
    js=_LIVE_CHART_JS, isolate_styles=False)


def live_chart(figure: go.Figure, key: str) -> None:
    """Show ``figure`` in a chart that later calls with the same key update in place."""
    height = int(figure.layout.height or 400)
    _live_chart(key=key, height=height + 10,
                data={"figure": pio.to_json(figure, validate=False), "height": height, "plotly_url": PLOTLY_JS_URL})


# --- session and URL ------------------------------------------------------------------------

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


def sidebar_config(lab: Lab, session: LiveSession, after: dict[str, Callable[[dict], None]] | None = None) -> Any:
    """Render the sidebar; return the config it describes (invalid edits keep the last good value).

    ``after`` maps a field name to a function drawn right below that field's widget (given the
    values so far), for inputs that are not config fields, such as a file upload.
    """
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


def _condition(values: dict, condition) -> bool:
    return condition is not None and values.get(condition[0]) == condition[1]


def _widget(lab: Lab, session: LiveSession, name: str, spec: cfg.Spec, values: dict) -> Any:
    """One sidebar widget for one config field; returns its (unvalidated) value."""
    key, current = _key(lab, name), getattr(session.config, name)
    kind = cfg.kind_of(lab.config_cls, name)
    if not cfg.visible(lab.config_cls, name, values):
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
    columns = {c.name: st.column_config.NumberColumn(c.name, width="small") for c in spec.columns}
    edited = st.data_editor(frame, num_rows="dynamic", key=f"{_key(lab, name)}:editor:{version}",
                            hide_index=True, width="stretch", column_config=columns)
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
    key, error_key = _key(lab, "points:upload"), _key(lab, "points:error")

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


# --- sharing and saving ----------------------------------------------------------------------

def share_link(lab: Lab, config: Any) -> str:
    """This page's address with every setting in the query string."""
    base = st.context.url or f"/lab_{lab.key}"  # AppTest has no browser URL
    return f"{base}?{urllib.parse.urlencode(cfg.to_text(config, every=True))}"


def share_and_save(lab: Lab, session: LiveSession) -> None:
    """Copy a link, download the settings (JSON) and the metric history (CSV), restore settings."""
    with st.expander("Share and save", icon=":material/share:"):
        st.caption("Link with every setting (the icon at its right copies it):")
        st.code(share_link(lab, session.config), language=None, wrap_lines=False)
        stem = f"gan-playground-{lab.key}"
        st.download_button("Settings (JSON)", data=lambda: cfg.to_json(session.config, lab.key),
                           file_name=f"{stem}-settings.json", mime="application/json", on_click="ignore",
                           icon=":material/download:", width="stretch", key=_key(lab, "save:settings"))
        st.download_button("Metric history (CSV)", data=lambda: history_csv(session.latest or session.snapshot()),
                           file_name=f"{stem}-history.csv", mime="text/csv", on_click="ignore",
                           icon=":material/download:", width="stretch", key=_key(lab, "save:history"))
        settings_upload(lab, session)


def settings_upload(lab: Lab, session: LiveSession) -> None:
    """Restore settings from a JSON file made by the download above; a bad file changes nothing."""
    key, message_key = _key(lab, "settings:upload"), _key(lab, "settings:message")

    def restore() -> None:
        upload = st.session_state.get(key)
        if upload is None:
            return
        try:
            config, notices = cfg.from_json(lab.config_cls, upload.getvalue(), lab.key, base=session.config)
        except cfg.InvalidValue as err:
            st.session_state[message_key] = ("error", plain(f"{upload.name}: {err}. The settings are unchanged."))
            return
        change = session.apply(config)
        _seed_widget_state(lab, session.config, force=True)
        lines = [plain(f"Settings restored from {upload.name}." + (f" {change}" if change else ""))]
        lines += [f"- {plain(n)}" for n in notices]  # Markdown: user text escaped, bullets kept
        st.session_state[message_key] = ("warning" if notices else "success", "\n".join(lines))

    st.file_uploader("Restore settings (JSON)", type=["json"], key=key, on_change=restore,
                     help="A settings file downloaded from this lab; unknown or invalid entries are skipped.")
    kind, text = st.session_state.get(message_key) or (None, None)
    if kind:
        getattr(st, kind)(text)


# --- controls, metrics and the live fragment -------------------------------------------------

def controls(lab: Lab, session: LiveSession) -> None:
    """Run/Pause, Step D, Step G, Step iteration, Reset (callbacks run before the page redraws)."""
    cols = st.columns(5)
    label, icon = ("Pause", ":material/pause:") if session.running else ("Run", ":material/play_arrow:")
    # The button does what it showed, not a toggle: under load Streamlit can deliver one click
    # twice (once with a live-frame rerun, once with the full rerun), and a toggle undid the Pause.
    cols[0].button(label, icon=icon, key=_key(lab, "run"), type="primary", width="stretch",
                   on_click=session.set_running, args=(not session.running,),
                   disabled=session.diverged is not None)
    for col, (what, text) in zip(cols[1:4], (("d", "Step D"), ("g", "Step G"), ("iteration", "Step iteration"))):
        col.button(text, key=_key(lab, f"step_{what}"), width="stretch", on_click=session.step, args=(what,),
                   disabled=session.running or session.diverged is not None)
    cols[4].button("Reset", icon=":material/restart_alt:", key=_key(lab, "reset"), width="stretch",
                   on_click=session.reset)


def value_metric(column, value: float) -> None:
    """V(D, G), with its distance from the optimum −log 4 underneath."""
    column.metric("V(D, G)", f"{value:.3f}", f"{value + math.log(4):+.3f}", delta_color="off", delta_arrow="off",
                  help="The value at the optimum is −log 4 ≈ −1.386; the small number underneath is V + log 4.")


def history_charts(lab: Lab, snap: Any, config: Any, per_row: int | None = None) -> None:
    """The lab's history figures, ``per_row`` to a row (all in one row by default)."""
    charts = list(lab.history_figures(snap, config).items())
    per_row = per_row or len(charts)
    for start in range(0, len(charts), per_row):
        for column, (name, chart) in zip(st.columns(per_row), charts[start:start + per_row]):
            with column:
                live_chart(chart, key=f"{lab.key}.{name}")


def pixel_image(container, image, caption: str) -> None:
    """A uint8 image as lossless PNG inside the message itself (a data: URL), not a media file.

    A media file lives only until the next frame replaces it; under load the browser fetched some
    grids after that and got 404s (broken images). Inline, every frame carries its own pixels.
    """
    url = "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode()
    container.image(url, caption=caption, width="stretch")


def device_caption(session: LiveSession) -> None:
    st.caption(f"Device: {describe(session.run.device)}")


def live_area(session: LiveSession, draw: Callable[[Any, LiveSession], None]) -> None:
    """Draw the latest snapshot, then train for the frame's budget; repeated while running.

    A fragment rerun redraws only this area, so a frame sends just its own charts and numbers.
    Drawing before training replaces every element at the start of the run, so Streamlit never
    greys the charts out as stale while the trainer works. A rerun is requested every frame period
    and queues up if the frame is still running, so frames follow each other without idle gaps;
    the training budget sets the frame rate (see ``LiveSession.frame_budget``).

    A session waiting for a training slot stops redrawing: its charts stay as they are and a small
    fragment asks for a slot once a second (see ``waiting_area``), so waiting costs the server
    almost nothing.
    """
    waiting = session.waiting_message() is not None
    if waiting:
        waiting_area(session)

    @st.fragment(run_every=FRAME_PERIOD_S if session.running and not waiting else None)
    def frame() -> None:
        was_running = session.running
        try:
            t0 = time.perf_counter()
            draw(session.snapshot(), session)
            t1 = time.perf_counter()
            full_rerun_pending, any_rerun_pending = _script_request_checks()
            session.tick(interrupt=full_rerun_pending, next_frame_requested=any_rerun_pending)
            log.debug("frame: draw %.1f ms, train %.1f ms", (t1 - t0) * 1e3, (time.perf_counter() - t1) * 1e3)
        except Exception as err:  # noqa: BLE001 - a frame must never show a traceback
            _frame_failed(session, err)
            return
        if (was_running and not session.running) or (not waiting and session.waiting_message()):
            st.rerun()  # stop the automatic reruns: training paused, or it must wait for a slot

    frame()


def waiting_area(session: LiveSession) -> None:
    """The waiting message, refreshed once a second with the place in line; when a slot frees up,
    a full rerun restarts the live frames."""

    @st.fragment(run_every=WAIT_POLL_S)
    def poll() -> None:
        if session.request_slot():
            st.rerun()
        message = session.waiting_message()
        if message:
            st.info(message, icon=":material/hourglass_top:")

    poll()


def _script_request_checks() -> tuple[Callable[[], bool], Callable[[], bool]]:
    """Two checks for the training loop: has the user changed something outside the live area,
    and has the browser asked for the next frame?

    A slider change requests a full rerun, which Streamlit starts only when the running script
    next calls it, i.e. after this frame's training (up to ~150 ms later). Ending the training
    early cuts that wait to one ~10 ms chunk. The browser asks for the next frame on a timer
    (``run_every``); until it does, the frame may go on training (see ``LiveSession.tick``).
    Streamlit has no public API for either, so both read its script-request state; anything
    unexpected means "no" (the plain time budget).
    """
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        requests = get_script_run_ctx().script_requests
    except Exception:  # noqa: BLE001
        return (lambda: False), (lambda: True)

    def full_rerun_pending() -> bool:
        try:
            state, data = requests._state, requests._rerun_data
            return state == ScriptRequestType.STOP or (
                state == ScriptRequestType.RERUN and data.fragment_id is None and not data.fragment_id_queue)
        except Exception:  # noqa: BLE001
            return False

    def any_rerun_pending() -> bool:
        try:
            return requests._state != ScriptRequestType.CONTINUE
        except Exception:  # noqa: BLE001
            return True

    return full_rerun_pending, any_rerun_pending


def slow_area(session: LiveSession, draw: Callable[[Any, LiveSession], None]) -> None:
    """Charts that need not move every frame (histories): redrawn once a second from the latest
    snapshot, which keeps both the server's and the browser's work per frame small."""

    redraw = session.running and session.waiting_message() is None

    @st.fragment(run_every=HISTORY_PERIOD_S if redraw else None)
    def charts() -> None:
        try:
            if session.latest is not None:
                draw(session.latest, session)
        except Exception as err:  # noqa: BLE001
            _frame_failed(session, err)

    charts()


def _frame_failed(session: LiveSession, err: Exception) -> None:
    """Log the traceback and pause; the message shows at the top of the page (rerun once so the
    Run button agrees), or here if the page is already showing it."""
    log.exception("live frame failed")
    first_failure = session.error is None
    session.set_running(False)
    session.error = (f"A frame could not be drawn ({type(err).__name__}); training is paused. "
                     "Details are in the server log.")
    if first_failure:
        st.rerun()
    st.error(session.error)
