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

    slider, button = st.columns([5, 1], vertical_alignment="bottom")
    slider.select_slider("Timeline: look back through this run", options=range(count), key=key, on_change=scrub,
                         format_func=lambda i: labels[i] if isinstance(i, int) and 0 <= i < count else str(i),
                         help=_retention_help(lab, session))
    button.button("Continue from here", icon=":material/fast_rewind:", key=widget_key(lab, "continue"),
                  width="stretch", disabled=session.viewing is None, on_click=session.continue_from_here,
                  help="Training goes back to this moment (or the nearest earlier one whose training state was "
                       "kept) and the iterations after it are dropped. Change settings in the sidebar first to "
                       "try something else from here.")
    if session.viewing is not None:
        last, here = timeline.moment_at(-1).iteration, session.viewing.iteration
        keyframe = timeline.keyframe_for(session.viewing)
        start = 0 if keyframe is None else keyframe.iteration
        st.caption(f"Looking back at iteration {here:,} of {last:,}: the charts, numbers and Algorithm 1 show "
                   f"that moment. **Continue from here** trains on from iteration {start:,}, dropping the "
                   f"{last - start:,} iterations after it; **Run** goes back to iteration {last:,}.")
    animation_download(lab, session)


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


def animation_download(lab: Lab, session: LiveSession) -> None:
    """Make the timeline's animation (with a progress bar), then offer it for download."""
    key = widget_key(lab, "animation")
    formats = [s for s in animation.FORMATS if animation.format_problem(s) is None]
    problem = animation.picture_problem(lab.picture(session.latest, session.config)) if session.latest else None
    make, status, downloads = st.columns([2, 3, 3], vertical_alignment="center")
    names = ", ".join(s[1:].upper() for s in formats)
    if make.button(f"Make an animation ({names})", icon=":material/movie:", key=f"{key}:make",
                   disabled=problem is not None, width="stretch",
                   help=f"The main figure at up to {animation.DEFAULT_FRAMES} moments of the timeline, evenly "
                        f"spaced, each stamped with its iteration; at most {animation.MAX_WIDTH} × "
                        f"{animation.MAX_HEIGHT} pixels a frame. Charts take about a third of a second per frame."):
        st.session_state[key] = _make(session, formats, status)
    if problem:
        status.caption(plain(f"Animations are not available on this server: {problem}."))
    made = st.session_state.get(key)
    if made and made.get("error"):
        status.error(plain(made["error"]))
    elif made:
        status.caption(f"{made['frames']} frames, iterations {made['first']:,} to {made['last']:,}.")
        for suffix, data in made["files"].items():
            downloads.download_button(f"Download {suffix[1:].upper()} ({len(data) / 1024:,.0f} KB)", data=data,
                                      mime=animation.FORMATS[suffix], on_click="ignore", icon=":material/download:",
                                      file_name=f"gan-playground-{lab.key}-timeline{suffix}",
                                      key=f"{key}:download{suffix}")


def _make(session: LiveSession, formats: list[str], where) -> dict:
    bar = where.progress(0.0, text="Drawing frames…")
    try:
        pictures = session.animation_pictures(animation.DEFAULT_FRAMES)
        files = animation.make_animation(pictures, formats, progress=lambda done, total: bar.progress(
            done / total, text=f"Drawing frame {done} of {total}…"))
        return {"files": files, "frames": len(pictures), "first": pictures[0][0], "last": pictures[-1][0]}
    except animation.AnimationError as err:
        return {"error": f"No animation: {err}."}
    finally:
        bar.empty()
