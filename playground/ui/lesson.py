"""A lesson on a lab page: the step the class is at, its Start, Back and Next, and the question
with its answer behind a click; choosing a shipped lesson, uploading one, and ``?lesson=KEY``.

The lesson in progress lives in the browser session (one at a time, kept across page switches),
so a lesson chosen on one lab's page opens on its own lab's page; it also rides with its lab's run
(``LiveSession.lesson``), so a reload that resumes the run resumes the lesson at its step. The
runner is ``playground.lessons``; this module only draws it.
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
_SYNCED = "gp:lesson:synced:"  # + lab key: this page's run and the browser session agree on the lesson
_PAGES = {"1d": "app_pages/lab_1d.py", "2d": "app_pages/lab_2d.py", "mnist": "app_pages/lab_mnist.py"}


@st.cache_resource
def shipped_lessons() -> dict[str, lessons.Lesson]:
    """The shipped lessons, read once per process (they are files of this package)."""
    return lessons.shipped()


def lab_title(lab: Lab, session: LiveSession, title: str) -> None:
    """The page's title; in presentation mode, while this lab's lesson is open, the lesson's bar in
    its place: one row about as tall as the title (6 px more), so the main figure stays on the
    projector's screen whatever the step's question says."""
    _keep_with_run(lab, session)
    _from_link(lab)
    progress = _here(lab)
    with st.container():  # one container whatever it holds (see lesson_panel)
        if progress is not None and _presenting(session):
            _lesson_bar(lab, session, progress)
        else:
            st.title(title)


def lesson_panel(lab: Lab, session: LiveSession) -> None:
    """The lesson box of a lab page: the lesson in progress if it is this lab's (in presentation
    mode it is the bar in the title's place, see ``lab_title``), else a folded 'Lessons' chooser
    (left out in presentation mode)."""
    _keep_with_run(lab, session)
    _from_link(lab)
    progress = st.session_state.get(_PROGRESS)
    # One container whatever it holds: the elements after it keep their places in the page, so
    # Streamlit updates them instead of mounting them anew (the presentation switch's script
    # remembers whether the sidebar was folded; remounted, it forgot when the list came back).
    with st.container():
        if _presenting(session):  # a projector shows the figure, not the list; messages float
            _toast_message()
        elif progress is not None and progress.lesson.lab == lab.key:
            _lesson_box(lab, session, progress)
        else:
            _chooser(lab, session, progress)


def _keep_with_run(lab: Lab, session: LiveSession) -> None:
    """Keep this lab's lesson on its run (``LiveSession.lesson``), which a reload parks and resumes:
    the first time a browser session draws the page of a resumed run, the run's lesson (its step,
    and how each step that ran ended) comes back instead of restarting at step 1 from the link."""
    progress = st.session_state.get(_PROGRESS)
    if not st.session_state.get(_SYNCED + lab.key):
        st.session_state[_SYNCED + lab.key] = True
        if progress is None and session.lesson is not None:
            st.session_state[_PROGRESS] = session.lesson
            if st.query_params.get(LESSON) == session.lesson.lesson.key:  # the link is read: it named this lesson
                st.session_state[_LINK_READ] = session.lesson.lesson.key
            return
    session.lesson = progress if progress is not None and progress.lesson.lab == lab.key else None


def _presenting(session: LiveSession) -> bool:
    return bool(getattr(session.config, "present", False))


def _here(lab: Lab) -> lessons.Progress | None:
    """The lesson in progress if it is this lab's."""
    progress = st.session_state.get(_PROGRESS)
    return progress if progress is not None and progress.lesson.lab == lab.key else None


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


def _toast_message() -> None:
    """The message as a toast, once: in presentation mode a box would push the figure down."""
    kind, text = st.session_state.get(_MESSAGE) or (None, None)
    if kind:
        st.toast(text, icon={"error": ":material/error:", "warning": ":material/warning:"}.get(kind,
                                                                                             ":material/info:"))
        st.session_state[_MESSAGE] = None


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
    step = progress.step
    with st.container(border=True, key=widget_key(lab, "lesson:box")):
        _show_message()
        st.markdown(f"{_heading(progress)}  \n{plain(step.watch)} *({plain(_rule(progress))})*")
        cols = st.columns([1, 1.4, 1, 1])
        running = _buttons(lab, session, progress, cols, compact=False)
        if progress.ended():
            _question(progress)
        elif running:
            st.caption("Training this step; it pauses by itself when its rule is met.")


def _lesson_bar(lab: Lab, session: LiveSession, progress: lessons.Progress) -> None:
    """The lesson in presentation mode: one row, heading and buttons. The heading stays on one line
    (its full text, what to watch and the rule in its tooltip); an ended step's outcome, question
    and answer open from a Question button over the page instead of pushing the figure down."""
    step = progress.step
    with st.container(key=widget_key(lab, "lesson:bar")):
        ended = progress.ended()
        head, *cols = st.columns([4.2, 1.3, 1, 1.3, 1, 1] if ended else [4.2, 1, 1.3, 1, 1],
                                 vertical_alignment="center")
        mark = _mark(progress) + " " if ended else ""
        head.markdown(f"{mark}**{progress.where()}** · {plain(step.title)}", wrap=False,
                      help=plain(f"{progress.lesson.title} — {step.title}. {step.watch} ({_rule(progress)})"))
        if ended:
            with cols.pop(0).popover("Question", icon=":material/help:", type="primary", width="stretch",
                                     key=widget_key(lab, "lesson:question")):
                _question(progress)
        _buttons(lab, session, progress, cols, compact=True)


def _heading(progress: lessons.Progress) -> str:
    return f"**{plain(progress.lesson.title)}** · {progress.where()} — {plain(progress.step.title)}"


def _rule(progress: lessons.Progress) -> str:
    start = "from new networks" if progress.step.fresh or progress.index == 0 else "from where training is"
    return f"Trains {progress.step.rule(progress.lesson.lab)}, {start}."


def _mark(progress: lessons.Progress) -> str:
    return ":material/check_circle:" if progress.watch().outcome == "reached" else ":material/warning:"


def _buttons(lab: Lab, session: LiveSession, progress: lessons.Progress, cols: list, compact: bool) -> bool:
    """Back, Start (or train again), Next and End in ``cols``; returns whether the step is training."""
    watch = progress.watch()
    running = watch is not None and watch.outcome is None and session.running
    again = "Start again" if compact else "Train this step again"
    cols[0].button("Back", icon=":material/arrow_back:", key=widget_key(lab, "lesson:back"), width="stretch",
                   disabled=progress.index == 0, on_click=progress.move, args=(-1,))
    cols[1].button(again if watch is not None else "Start this step", type="primary",
                   icon=":material/play_arrow:", key=widget_key(lab, "lesson:start"), width="stretch",
                   disabled=running, on_click=_start, args=(lab, session, progress),
                   help=plain(f"{progress.step.watch} ({_rule(progress)})") if compact else None)
    cols[2].button("Next", icon=":material/arrow_forward:", key=widget_key(lab, "lesson:next"), width="stretch",
                   disabled=progress.index == len(progress.lesson.steps) - 1, on_click=progress.move, args=(1,))
    cols[3].button("End" if compact else "End lesson", icon=":material/close:",
                   key=widget_key(lab, "lesson:end"), width="stretch", on_click=_end)
    return running


def _question(progress: lessons.Progress) -> None:
    """How the step ended, its question, and the answer behind a click."""
    st.markdown(f"{_mark(progress)} {plain(progress.watch().message())}  \n"
                f"**Question:** {plain(progress.step.question)}")
    with st.expander("Answer"):
        st.markdown(plain(progress.step.answer))


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
