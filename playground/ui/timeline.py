"""The timeline bar under a lab's buttons: while paused, a slider through the kept moments of the
run (every chart, metric and the Algorithm 1 box then show that moment), Continue from here, and
the animation of the timeline (GIF, and MP4 where imageio-ffmpeg is installed) to download.

The slider mirrors the session: its value is re-seeded from the moment shown on every run, so a
stale value (from before a Run, or a thinned timeline) never outlives one rerun, and every
position it sends is checked by ``LiveSession.scrub`` (a bad one gets a message, nothing changes).
"""

from __future__ import annotations

import collections

import streamlit as st

from .. import animation
from ..labs import Lab
from ..live import LiveSession
from .notices import plain
from .session import widget_key


def timeline_bar(lab: Lab, session: LiveSession) -> None:
    """The slider, Continue from here and the animation, while paused with at least two moments."""
    message_key = widget_key(lab, "timeline:message")
    if session.rewind_note:
        st.info(session.rewind_note, icon=":material/history:")
    if st.session_state.get(message_key):
        st.warning(plain(st.session_state.pop(message_key)))
    if not session.can_scrub():
        return
    timeline, key = session.timeline, widget_key(lab, "timeline")
    count = len(timeline)
    labels = _labels(timeline)
    st.session_state[key] = session.viewing_index()

    def scrub() -> None:
        problem = session.scrub(st.session_state.get(key))
        if problem:
            st.session_state[message_key] = problem

    last = timeline.moment_at(-1).iteration
    title = ("Timeline: drag to look back" if session.viewing is None
             else f"Timeline: iteration {session.viewing.iteration:,} of {last:,}")
    slider, button, movie = st.columns([4, 2, 2], vertical_alignment="bottom")
    slider.select_slider(title, options=range(count), key=key, on_change=scrub,
                         format_func=lambda i: labels[i] if isinstance(i, int) and 0 <= i < count else str(i),
                         help=_retention_help(lab, session))
    button.button("Continue from here", icon=":material/fast_rewind:", key=widget_key(lab, "continue"),
                  width="stretch", disabled=session.viewing is None, on_click=session.continue_from_here,
                  help="Training goes back to this moment (or the nearest earlier one whose training state was "
                       "kept) and the iterations after it are dropped. Change settings in the sidebar first to "
                       "try something else from here.")
    made = animation_button(lab, session, movie)
    if session.viewing is not None:
        keyframe = timeline.keyframe_for(session.viewing)
        start = 0 if keyframe is None else keyframe.iteration
        st.caption(f"The charts, numbers and Algorithm 1 show iteration {session.viewing.iteration:,}. "
                   f"**Continue from here** trains on from iteration {start:,} and drops the {last - start:,} "
                   f"after it; **Run** goes back to {last:,}.")
    if made:
        animation_downloads(lab, made)


def _labels(timeline) -> list[str]:
    """"iteration N" per moment; moments at the same iteration (Step D pressed) add their D steps."""
    counts = collections.Counter(m.iteration for m in timeline.moments)
    repeated = {it for it, n in counts.items() if n > 1}
    return [f"iteration {m.iteration:,}" + (f" · D step {m.d_steps:,}" if m.iteration in repeated else "")
            for m in timeline.moments]


def _retention_help(lab: Lab, session: LiveSession) -> str:
    r, t = lab.retention, session.timeline
    keyframes = ("the networks' and optimizers' state with every snapshot (thinned the same way)"
                 if r.keyframe_spacing == 0 else
                 f"the networks' and optimizers' state every {r.keyframe_spacing:,} iterations, a few at most")
    return (f"Kept: every frame of the last {t.moments.recent}, fewer further back; and {keyframes}. "
            f"Now {len(t):,} moments and {len(t.keyframes):,} training states, "
            f"{t.nbytes / 2**20:.1f} MB of this session's {r.cap_bytes / 2**20:.0f} MB.")


def animation_button(lab: Lab, session: LiveSession, where) -> dict | None:
    """The button that makes the timeline's animation (a progress bar below while it works);
    returns what was made (or why not) for this lab, kept until the next one."""
    key = widget_key(lab, "animation")
    formats = [s for s in animation.FORMATS if animation.format_problem(s) is None]
    problem = animation.picture_problem(lab.picture(session.latest, session.config)) if session.latest else None
    names = " and ".join(s[1:].upper() for s in formats)
    if where.button("Animation", icon=":material/movie:", key=f"{key}:make", disabled=problem is not None,
                    width="stretch",
                    help=(f"Not available on this server: {problem}." if problem else
                          f"Make a {names} of the main figure at up to {animation.DEFAULT_FRAMES} moments of the "
                          f"timeline, evenly spaced, each stamped with its iteration; at most "
                          f"{animation.MAX_WIDTH} × {animation.MAX_HEIGHT} pixels a frame. Charts take about a "
                          "third of a second per frame.")):
        st.session_state[key] = _make(session, formats, st.empty())
    if problem:
        st.caption(plain(f"Animations are not available on this server: {problem}."))
    return st.session_state.get(key)


def animation_downloads(lab: Lab, made: dict) -> None:
    """The animation just made, to download (or why it could not be made)."""
    if made.get("error"):
        st.error(plain(made["error"]))
        return
    columns = st.columns([4, 2, 2], vertical_alignment="center")
    columns[0].caption(f"Animation: {made['frames']} frames, iterations {made['first']:,} to {made['last']:,}.")
    for column, (suffix, data) in zip(columns[1:], made["files"].items()):
        column.download_button(f"{suffix[1:].upper()} ({len(data) / 1024:,.0f} KB)", data=data, width="stretch",
                               mime=animation.FORMATS[suffix], on_click="ignore", icon=":material/download:",
                               file_name=f"gan-playground-{lab.key}-timeline{suffix}",
                               key=f"{widget_key(lab, 'animation')}:download{suffix}")


def _make(session: LiveSession, formats: list[str], where) -> dict:
    bar = where.progress(0.0, text="Drawing the animation's frames…")
    try:
        pictures = session.animation_pictures(animation.DEFAULT_FRAMES)
        files = animation.make_animation(pictures, formats, progress=lambda done, total: bar.progress(
            done / total, text=f"Drawing frame {done} of {total}…"))
        return {"files": files, "frames": len(pictures), "first": pictures[0][0], "last": pictures[-1][0]}
    except animation.AnimationError as err:
        return {"error": f"No animation: {err}."}
    finally:
        bar.empty()
