"""The model overview beside a lab's main figure, and a slow-motion step's marks on it."""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from ..figures.common import style_of
from ..figures.overview import mark_step, overview
from ..live import LiveSession
from .chart import live_chart


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


def overview_chart(session: LiveSession, key: str, height: int = 420) -> None:
    """The model overview of the present (of nothing in particular while scrubbed back)."""
    view = session.step_view if session.viewing is None else None
    hyper = session.run.trainer.hyper
    live_chart(overview(view, running=session.running and session.viewing is None, method=hyper.method, k=hyper.k,
                        style=style_of(session.config), height=height),
               key=f"{key}.overview", toolbar=False)


def marked(figure: Any, session: LiveSession, arrows: bool = True) -> Any:
    """The main figure with the last slow or single step's minibatch marked (only for the present)."""
    if session.viewing is not None or session.step_view is None:
        return figure
    return mark_step(figure, session.step_view, arrows=arrows, style=style_of(session.config))
