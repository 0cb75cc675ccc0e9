"""A lesson on a lab page: the step the class is at, its Start, Back and Next, and the question
with its answer behind a click; choosing a shipped lesson, uploading one, and ``?lesson=KEY``.

The lesson in progress lives in the browser session (one at a time, kept across page switches),
so a lesson chosen on one lab's page opens on its own lab's page. The runner is
``playground.lessons``; this module only draws it.
"""

from __future__ import annotations

import streamlit as st

from .. import lessons
from ..links import LESSON
from ..labs import LABS, Lab
from ..live import LiveSession
from .notices import plain
from .session import seed_widget_state, widget_key

_PROGRESS = "gp:lesson"  # st.session_state: the lessons.Progress of the lesson in progress
_MESSAGE = "gp:lesson:message"  # (kind, text) shown in the lesson box until the next action
_LINK_READ = "gp:lesson:link_read"  # the ?lesson= already acted on (a rerun must not restart the lesson)
_PAGES = {"1d": "app_pages/lab_1d.py", "2d": "app_pages/lab_2d.py", "mnist": "app_pages/lab_mnist.py"}


@st.cache_resource
def shipped_lessons() -> dict[str, lessons.Lesson]:
    """The shipped lessons, read once per process (they are files of this package)."""
    return lessons.shipped()


def lesson_panel(lab: Lab, session: LiveSession) -> None:
    """The lesson box of a lab page: the lesson in progress if it is this lab's, else a folded
    'Lessons' chooser (left out in presentation mode)."""
    _from_link(lab)
    progress = st.session_state.get(_PROGRESS)
    # One container whatever it holds: the elements after it keep their places in the page, so
    # Streamlit updates them instead of mounting them anew (the presentation switch's script
    # remembers whether the sidebar was folded; remounted, it forgot when the list came back).
    with st.container():
        if progress is not None and progress.lesson.lab == lab.key:
            _lesson_box(lab, session, progress)
        elif getattr(session.config, "present", False):  # a projector shows the figure, not the list
            _show_message()
        else:
            _chooser(lab, session, progress)


def _from_link(lab: Lab) -> None:
    """Open the lesson a link names (``?lesson=figure1``), once per address."""
    key = st.query_params.get(LESSON)
    if key is None or st.session_state.get(_LINK_READ) == key:
        return
    st.session_state[_LINK_READ] = key
    available = shipped_lessons()
    lesson = available.get(str(key).strip())
    if lesson is None:
        _say("warning", f"There is no lesson {str(key)[:40]!r}; the lessons are {', '.join(available)}.")
    else:
        _open(lesson)
        if lesson.lab != lab.key:
            _say("info", f"The lesson {lesson.title!r} is for the {LABS[lesson.lab].title}: open it there.")


def _open(lesson: lessons.Lesson) -> None:
    st.session_state[_PROGRESS] = lessons.Progress(lesson)
    st.session_state[_MESSAGE] = None
    if lesson.key in shipped_lessons():  # the address names it, so a reload or a copied link opens it
        st.query_params[LESSON] = st.session_state[_LINK_READ] = lesson.key
    elif LESSON in st.query_params:
        del st.query_params[LESSON]


def _say(kind: str, text: str) -> None:
    st.session_state[_MESSAGE] = (kind, plain(text))


def _show_message() -> None:
    kind, text = st.session_state.get(_MESSAGE) or (None, None)
    if kind:
        getattr(st, kind)(text)


def _chooser(lab: Lab, session: LiveSession, progress: lessons.Progress | None) -> None:
    """A folded box: this lab's shipped lessons, and an upload for a lesson file."""
    mine = {key: lesson for key, lesson in shipped_lessons().items() if lesson.lab == lab.key}
    with st.expander("Lessons", icon=":material/school:", expanded=bool(st.session_state.get(_MESSAGE))):
        _show_message()
        if progress is not None:
            st.info(plain(f"The lesson {progress.lesson.title!r} ({progress.where()}) is on the "
                          f"{LABS[progress.lesson.lab].title}."))
            st.page_link(_PAGES[progress.lesson.lab], label=f"Go to the {LABS[progress.lesson.lab].title}")
        if mine:
            choice = st.selectbox("A lesson for this lab", options=list(mine), format_func=lambda k: mine[k].title,
                                  key=widget_key(lab, "lesson:choice"))
            st.caption(plain(mine[choice].summary) + f" · link: `?lesson={choice}`")
            st.button("Open this lesson", key=widget_key(lab, "lesson:open"), on_click=_open, args=(mine[choice],))
        st.file_uploader("Or upload a lesson file (TOML or JSON)", type=["toml", "json"],
                         key=widget_key(lab, "lesson:upload"), on_change=_upload, args=(lab,),
                         help=f"At most {lessons.MAX_LESSON_BYTES // 1000} KB; the README describes the format.")


def _upload(lab: Lab) -> None:
    """on_change of the upload: open the lesson, or say which line is wrong (nothing changes)."""
    upload = st.session_state.get(widget_key(lab, "lesson:upload"))
    if upload is None:
        return
    if upload.size > lessons.MAX_LESSON_BYTES:
        _say("error", f"{upload.name}: a lesson file is at most {lessons.MAX_LESSON_BYTES // 1000} KB "
                      f"(got {upload.size:,} bytes). Nothing changed.")
        return
    try:
        lesson = lessons.parse_lesson(upload.getvalue(), key="uploaded", name=upload.name)
    except lessons.LessonError as err:
        _say("error", f"{upload.name}: {err}. Nothing changed.")
        return
    _open(lesson)
    if lesson.lab != lab.key:
        _say("info", f"The lesson {lesson.title!r} is for the {LABS[lesson.lab].title}: open it there.")


def _lesson_box(lab: Lab, session: LiveSession, progress: lessons.Progress) -> None:
    """The step shown: where the class is, what to watch, the stop rule, Start/Back/Next, and once
    the step has run, how it ended and its question with the answer behind a click."""
    lesson, step = progress.lesson, progress.step
    compact = bool(getattr(session.config, "present", False))  # a projector: the figure must stay on screen
    with st.container(border=True, key=widget_key(lab, "lesson:box")):
        _show_message()
        start = "from new networks" if step.fresh or progress.index == 0 else "from where training is"
        heading = f"**{plain(lesson.title)}** · {progress.where()} — {plain(step.title)}"
        rule = f"*(Trains {plain(step.rule(lesson.lab))}, {start}.)*"
        watch = progress.watch()
        running = watch is not None and watch.outcome is None and session.running
        if compact:  # one row: the heading and the buttons; what to watch in the Start button's tooltip
            head, *cols = st.columns([4, 1, 1.4, 1, 1], vertical_alignment="center")
            head.markdown(heading)
        else:
            st.markdown(f"{heading}  \n{plain(step.watch)} {rule}")
            cols = st.columns([1, 1.4, 1, 1])
        cols[0].button("Back", icon=":material/arrow_back:", key=widget_key(lab, "lesson:back"), width="stretch",
                       disabled=progress.index == 0, on_click=progress.move, args=(-1,))
        cols[1].button("Train this step again" if watch is not None else "Start this step", type="primary",
                       icon=":material/play_arrow:", key=widget_key(lab, "lesson:start"), width="stretch",
                       disabled=running, on_click=_start, args=(lab, session, progress),
                       help=plain(f"{step.watch} (Trains {step.rule(lesson.lab)}, {start}.)") if compact else None)
        cols[2].button("Next", icon=":material/arrow_forward:", key=widget_key(lab, "lesson:next"), width="stretch",
                       disabled=progress.index == len(lesson.steps) - 1, on_click=progress.move, args=(1,))
        cols[3].button("End lesson" if not compact else "End", icon=":material/close:",
                       key=widget_key(lab, "lesson:end"), width="stretch", on_click=_end)
        if progress.ended():
            mark = ":material/check_circle:" if watch.outcome == "reached" else ":material/warning:"
            st.markdown(f"{mark} {plain(watch.message())}  \n**Question:** {plain(step.question)}")
            with st.expander("Answer"):
                st.markdown(plain(step.answer))
        elif running and not compact:
            st.caption("Training this step; it pauses by itself when its rule is met.")


def _start(lab: Lab, session: LiveSession, progress: lessons.Progress) -> None:
    """on_click of Start: the step's settings into the session (and the sidebar), training on."""
    wanted = progress.lesson.step_config(progress.index, session.config)
    note = progress.start(session)
    kept = session.restrictions.overridden(wanted)  # a teacher's lock outranks the lesson's settings
    if kept:
        note = (f"{note} " if note else "") + (f"Kept what your teacher fixed: "
                                               f"{session.restrictions.describe_locked(lab.config_cls, kept)}.")
    seed_widget_state(lab, session.config, force=True)
    st.session_state[_MESSAGE] = ("info", plain(note)) if note else None


def _end() -> None:
    st.session_state[_PROGRESS] = None
    st.session_state[_MESSAGE] = None
    if LESSON in st.query_params:
        del st.query_params[LESSON]


def lesson_links() -> None:
    """The shipped lessons as links (the home page's list): each opens its lab with the lesson."""
    for key, lesson in shipped_lessons().items():
        st.markdown(f"- [{plain(lesson.title)}](lab_{lesson.lab}?{LESSON}={key}) ({LABS[lesson.lab].title}): "
                    f"{plain(lesson.summary)}")
