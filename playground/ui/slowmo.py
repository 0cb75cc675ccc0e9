"""The model overview beside a lab's main figure, and a slow-motion step's marks on it."""

from __future__ import annotations

import functools
from typing import Any, Callable

import streamlit as st

from ..figures.common import style_of
from ..figures.overview import mark_step, overview
from ..live import LiveSession
from .chart import live_chart

# px: the compact overview atop a side column (2-D, MNIST), level with the main figure; presentation
# mode's larger fonts need a little more, and 330 still ends above a 720 px window's bottom
SIDE_HEIGHT, SIDE_HEIGHT_PRESENTING = 300, 330


def with_overview(session: LiveSession, key: str, draw_main: Callable[[], None]) -> None:
    """``draw_main`` beside the model overview (GAN Lab's graph of z → G → G(z) → D ← x and the
    losses, the network the last step updated highlighted). In presentation mode the main figure
    takes the whole width unless slow motion is on, when the overview is the point."""
    config = session.config
    if config.present and session.speed != "slow":
        draw_main()
        return
    main, side = st.columns([3, 1])
    with main:
        draw_main()
    with side:
        overview_chart(session, key)


def side_overview(session: LiveSession, key: str) -> None:
    """The overview atop the column beside the main figure (the 2-D and MNIST labs); in
    presentation mode only in slow motion, where it is the point."""
    if session.config.present and session.speed != "slow":
        return
    overview_chart(session, key, height=SIDE_HEIGHT_PRESENTING if session.config.present else SIDE_HEIGHT)


def overview_chart(session: LiveSession, key: str, height: int = 420) -> None:
    """The model overview of the present (of nothing in particular while scrubbed back)."""
    view = session.step_view if session.viewing is None else None
    hyper = session.run.trainer.hyper
    running, style = session.running and session.viewing is None, style_of(session.config)
    figure = (overview(view, running, hyper.method, hyper.k, style, height) if view is not None
              else _still_overview(running, hyper.method, hyper.k, style, height))
    live_chart(figure, key=f"{key}.overview", toolbar=False)


@functools.lru_cache(maxsize=64)
def _still_overview(running: bool, method: str, k: int, style, height: int):
    """The overview with no step to show is the same every frame at full speed: built once."""
    return overview(None, running, method, k, style, height)


def marked(figure: Any, session: LiveSession, arrows: bool = True) -> Any:
    """The main figure with the last slow or single step's minibatch marked (only for the present)."""
    if session.viewing is not None or session.step_view is None:
        return figure
    return mark_step(figure, session.step_view, arrows=arrows, style=style_of(session.config))
