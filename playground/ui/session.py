"""This browser session's state for a lab: its LiveSession (new from the URL, or resumed after a
reload), what the URL asks for (settings, preset, steps, a teacher's hide and lock), and the
widget values that mirror the session's config.

Widget values live under page-unique keys and are re-seeded from the session's config whenever
Streamlit has dropped them (after a page switch), so switching pages never loses a setting or the
training progress.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from .. import compare
from .. import config as cfg
from .. import links
from ..labs import Lab
from ..live import MAX_PRETRAIN, PRETRAIN_BUDGET_S, LiveSession
from . import resume
from .notices import plain

log = logging.getLogger(__name__)

_PAGE_RESTRICTIONS = "gp:page_restrictions"  # the hide and lock of the lab page being drawn (for write_url)
_PAGE_COMPARISON = "gp:page_comparison"  # run B's overrides on the lab page being drawn, None: not comparing


def lab_session(lab: Lab) -> LiveSession:
    """This browser session's LiveSession for ``lab``: the run this browser left here before a
    reload if the user resumes it, else a new one from the URL.

    A lab that cannot start (no data at all) says so instead of showing a traceback. The session
    is stored (and kept for a reload) before a link's pre-training, so a rerun that interrupts it
    keeps what was done.
    """
    key = f"{lab.key}:session"
    resume.remember_browser()
    if key in st.session_state and not resume.hold(lab, st.session_state[key]):
        del st.session_state[key]
        st.toast("This run went on in another tab of this browser; this page starts afresh.")
    if key not in st.session_state:
        session = resumed = resume.resumed_run(lab)
        steps = 0
        if session is None:
            session, steps = _session_from_url(lab)
        else:
            st.session_state[f"{lab.key}:notices"] = []
        st.session_state[key] = session
        resume.hold(lab, session)
        if steps:
            pretrain_with_progress(session, steps)
        if session is not resumed and "at" in st.query_params:  # a link to a moment: opens paused there
            session.snapshot()
            problem = session.scrub_to_iteration(st.query_params.get("at"))
            if problem:
                st.session_state[f"{lab.key}:notices"].append(problem)
    session = st.session_state[key]
    st.session_state[_PAGE_RESTRICTIONS] = session.restrictions
    st.session_state[_PAGE_COMPARISON] = session  # write_url reads its comparison after the page's changes
    return session


def _session_from_url(lab: Lab) -> tuple[LiveSession, int]:
    """A new LiveSession set up as the URL says, and the pre-training iterations it asks for."""
    link = link_from_url(lab)
    try:
        session = LiveSession(lab, link.config, restrictions=link.restrictions)
    except Exception as err:  # noqa: BLE001 - a page must never show a traceback
        log.exception("the %s could not start", lab.title)
        st.error(plain(f"The {lab.title} could not start: {err}"))
        st.stop()
    if link.compare is not None:  # a broken run B: a notice, and run A alone as the link's settings say
        problems = session.compare(link.compare)
        if session.comparison is None:
            problems.append("Compare mode is off: none of run B's settings in the link could be used.")
        link.notices.extend(problems)
        if st.query_params.get(links.PRESET) in compare.presets_of(lab):  # the comparison box shows it
            st.session_state[widget_key(lab, "compare:preset")] = st.query_params.get(links.PRESET)
    st.session_state[f"{lab.key}:notices"] = link.notices
    if link.preset:  # the preset box shows which preset the link started from, and its lesson
        st.session_state[widget_key(lab, links.PRESET)] = link.preset
    return session, link.steps


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


@dataclass(frozen=True)
class Link:
    """What a page's URL asks for."""

    config: Any
    restrictions: links.Restrictions
    notices: list[str]  # what the link asked for that could not be used
    steps: int  # iterations to pre-train before the first frame
    preset: str | None  # the preset the settings started from
    compare: dict | None = None  # run B's overrides (compare mode), None: one run


def link_from_url(lab: Lab) -> Link:
    """The query string's preset, settings (on top of the preset's), steps, hide and lock; bad
    entries are skipped, each with a notice."""
    params = {name: st.query_params.get(name) for name in st.query_params.keys()}
    overrides, params, compare_notices = compare.from_params(params)
    comparisons = compare.presets_of(lab)
    presets = {name: preset.settings for name, preset in lab.presets.items()}
    presets |= {name: dict(preset.a) for name, preset in comparisons.items() if name not in presets}
    base, notices = links.preset_config(lab.config_cls, params, presets)
    config, more = cfg.from_text(lab.config_cls, params, base=base, ignore=("steps", "at", *links.PARAMS))
    config, _ = lab.retarget(base, config, keep=params)  # target=T brings T's recommended settings
    restrictions, locks = links.restrictions_from(lab.config_cls, params, config)
    notices += compare_notices + more + locks
    steps = 0
    if "steps" in params:
        text = str(params["steps"]).strip()
        if text.isascii() and text.isdigit() and int(text) <= MAX_PRETRAIN:
            steps = int(text)
        else:
            notices.append(f"Ignored steps={text[:40]!r}: expected a whole number from 0 to {MAX_PRETRAIN}.")
    preset = str(params.get(links.PRESET, "")).strip()
    if preset in comparisons:  # a comparison preset: its run B, the link's own b.* on top
        overrides = dict(comparisons[preset].b) | (overrides or {})
    return Link(config, restrictions, notices, steps, preset if preset in lab.presets else None, overrides)


def write_url(config: Any) -> None:
    """Mirror every non-default setting into the query string, and the teacher's hide and lock of
    the page's session, so that the address (and a reload) reproduces the setup. A link's preset
    shows as the settings it made."""
    restrictions = st.session_state.get(_PAGE_RESTRICTIONS) or links.Restrictions()
    current = {name: st.query_params.get(name) for name in st.query_params.keys()}
    lesson = {links.LESSON: current[links.LESSON]} if links.LESSON in current else {}  # the lesson box's own
    wanted = cfg.to_text(config) | restrictions.to_params() | lesson | comparison_params()
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


def comparison_params() -> dict[str, str]:
    """The link parameters of the page's comparison (``compare=1&b.k=5``), none when not comparing."""
    session = st.session_state.get(_PAGE_COMPARISON)
    comparison = getattr(session, "comparison", None)
    return compare.to_params(comparison.overrides) if comparison is not None else {}
