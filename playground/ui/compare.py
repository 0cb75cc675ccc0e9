"""Compare mode on a lab page: the panel that turns it on (a comparison preset, or what run B
changes, typed as ``name=value`` like a link), and, while it is on, the live frame and history
charts of both runs: the differing settings above, A's and B's numbers, the main pictures side by
side, the histories overlaid (A solid, B dashed). See ``playground.compare`` for the runs.

The timeline is off while comparing (scrubbing A would show A's past beside B's present), and so is
the model overview (it would show one run's step); Figure 1's stages, the coach and a lesson follow
run A. Slow motion slows both: B catches up each time A completes an iteration.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from .. import compare
from .. import config as cfg
from ..figures.history import overlaid
from ..labs import Lab
from ..live import LiveSession
from ..text import shown_generator
from .chart import live_chart, pixel_image
from .coach import coach_box
from .controls import show_readouts
from .notices import plain
from .session import seed_widget_state, widget_key


def overrides_text(overrides: dict[str, str]) -> str:
    return ", ".join(f"{name}={text}" for name, text in overrides.items())


def compare_panel(lab: Lab, session: LiveSession) -> None:
    """'Compare two runs': a toggle, the comparison presets and B's settings; a bad entry gets a
    message and changes nothing (A trains on, B keeps its last good settings). Not in presentation
    mode unless comparing (then folded), so the main figure still fits the window."""
    if session.config.present and session.comparison is None:
        return  # a projector's page keeps its room for the figure; leave presentation mode to compare
    toggle_key, text_key, preset_key = (widget_key(lab, f"compare:{name}") for name in ("on", "b", "preset"))
    message_key = widget_key(lab, "compare:message")
    comparing = session.comparison is not None
    st.session_state[toggle_key] = comparing  # mirrors the session (a link or a file may have changed it)
    if comparing and text_key not in st.session_state:
        st.session_state[text_key] = overrides_text(session.comparison.overrides)
    presets = compare.presets_of(lab)

    def start(overrides: dict[str, str], problems: list[str]) -> None:
        """Compare with these overrides, unless any part of them is bad: then nothing changes."""
        problems = problems + compare.b_config(session.config, overrides, session.restrictions.locked)[2]
        if problems:
            st.session_state[message_key] = problems + ["Nothing changed: " + (
                "run B keeps its settings." if session.comparison is not None else "compare mode stays off.")]
            st.session_state[text_key] = overrides_text(session.comparison.overrides) if session.comparison else ""
            if session.comparison is None:
                st.session_state[toggle_key] = False
            return
        st.session_state[message_key] = []
        if session.comparison is None or session.comparison.overrides != overrides:
            session.compare(overrides)
        st.session_state[text_key] = overrides_text(session.comparison.overrides)

    def toggled() -> None:
        if st.session_state[toggle_key]:
            start(*compare.parse_overrides(st.session_state.get(text_key) or ""))
        else:
            session.stop_comparing()
            st.session_state[message_key] = []

    def typed() -> None:
        if session.comparison is not None:
            start(*compare.parse_overrides(st.session_state.get(text_key) or ""))

    def chose() -> None:
        name = st.session_state.get(preset_key)
        if name not in presets:
            return
        preset = presets[name]
        page = {f: getattr(session.config, f) for f, spec in cfg.specs(lab.config_cls).items() if not spec.sidebar}
        session.restart(cfg.replace_fields(lab.config_cls(), {**page, **preset.a}))
        seed_widget_state(lab, session.config, force=True)
        start(dict(preset.b), [])

    # open while comparing, so B's settings are at hand; folded away on a projector, where the figures need the room
    with st.expander("Compare two runs", icon=":material/compare:", expanded=comparing and not session.config.present):
        left, middle, right = st.columns([2, 3, 3], vertical_alignment="bottom")
        left.toggle("Compare with B", key=toggle_key, on_change=toggled,
                    help="Run B is run A with the settings you name changed, built from the same seed and "
                         "trained in lockstep (the same iterations every frame). Both start afresh.")
        middle.selectbox("Comparison preset", options=list(presets), index=None, key=preset_key,
                         placeholder="Choose a comparison…", format_func=lambda p: presets[p].title, on_change=chose)
        right.text_input("B differs in", key=text_key, on_change=typed, placeholder="e.g. k=5, loss=minimax",
                         help="Settings as name=value, separated by commas, as in a link: "
                              + ", ".join(compare.comparable(lab.config_cls)))
        chosen = st.session_state.get(preset_key)
        if chosen in presets:
            st.caption(presets[chosen].lesson)
        for line in st.session_state.get(message_key) or []:
            st.warning(plain(line))
        if session.comparison is not None:
            followers = "Figure 1's stages and the coach follow" if lab.stages else "The coach follows"
            st.caption("The two runs take turns in each frame, so each trains at about half the speed of one run "
                       f"alone. The timeline and the model overview are off while comparing. {followers} run A.")


def compare_frame(snap: Any, session: LiveSession) -> None:
    """A live frame of both runs: what B changes, both rows of numbers, both main pictures."""
    lab, comparison = session.lab, session.comparison
    b = comparison.latest if comparison.latest is not None else comparison.snapshot()
    st.markdown(f"**{plain(comparison.describe(session.config))}**")
    if comparison.diverged is not None:
        st.error(comparison.divergence_message())
    present = session.config.present
    if not present:
        _both_numbers(lab, snap, b, session.steps_per_s)
    columns = st.columns(2)
    for column, name, shot, config in ((columns[0], "A", snap, session.config), (columns[1], "B", b, comparison.config)):
        picture = lab.picture(shot, config)  # the lab's main view, as its animations show it
        if hasattr(picture, "to_plotly_json"):  # the toy labs: a figure, as wide as its column
            with column:
                st.markdown(f"**Run {name}**")
                live_chart(picture.update_layout(width=None), key=f"{lab.key}.compare.{name}", fill=present)
        else:
            column.markdown(f"**Run {name}**")
            pixel_image(column, picture, caption=f"{name}: {shown_generator(config)} on the same fixed noise as the other")
    if present:  # on a projector the figures come first, as large as the window allows; the numbers below
        _both_numbers(lab, snap, b, session.steps_per_s)


def _both_numbers(lab: Lab, a: Any, b: Any, rate: float) -> None:
    for name, shot in (("A", a), ("B", b)):
        _numbers(lab, name, shot, rate)


def _numbers(lab: Lab, name: str, snap: Any, rate: float) -> None:
    """One run's readouts as a row of metrics after its name (the rate is the pair's)."""
    readouts = lab.readouts(snap, rate)
    columns = st.columns([0.35] + [1] * len(readouts), vertical_alignment="center")
    columns[0].markdown(f"**{name}**")
    show_readouts(columns[1:], readouts)


def compare_histories(snap: Any, session: LiveSession, per_row: int = 2) -> None:
    """The lab's history charts with run B overlaid (A solid, B dashed)."""
    lab, comparison = session.lab, session.comparison
    coach_box(snap, session)  # run A's readings
    b = comparison.latest
    charts = lab.history_figures(snap, session.config)
    if b is not None:
        mine = lab.history_figures(b, comparison.config)
        charts = {name: overlaid(chart, mine.get(name)) for name, chart in charts.items()}
    items = list(charts.items())
    for start in range(0, len(items), per_row):
        for column, (name, chart) in zip(st.columns(per_row), items[start:start + per_row]):
            with column:
                live_chart(chart, key=f"{lab.key}.{name}", toolbar=False)
