"""1-D lab: Figure 1 of Goodfellow et al. (2014), trained live."""

import streamlit as st

from playground import text, ui
from playground.labs import LABS

lab = LABS["1d"]
session = ui.lab_session(lab)
config = ui.sidebar_config(lab, session)
ui.write_url(config)

ui.lab_title(lab, session, "1-D lab — Figure 1, live")
if not config.present:
    st.caption("p_data black dotted · p_g green solid · D(x) blue dashed (a critic's score or the MMD witness "
               "function where those train G) · below: the mapping x = G(z), and dotted the ideal G*(z)")
ui.show_notices(lab, session)
ui.lesson_panel(lab, session)
ui.controls(lab, session)
ui.timeline_bar(lab, session)


def draw(snap, session) -> None:
    ui.metric_row(lab, snap, session)
    if not session.config.present:
        st.caption(f"D steps {snap.d_steps:,} · G steps {snap.g_steps:,} · {text.settings_line(session.shown_config)}")
    figures = lab.frame_figures(snap, session.shown_config)

    def main() -> None:
        for name, chart in figures.items():
            ui.live_chart(ui.marked(chart, session), key=f"1d.{name}", fill=session.config.present)

    ui.with_overview(session, "1d", main)


def draw_history(snap, session) -> None:
    ui.coach_box(snap, session)
    ui.history_charts(lab, snap, session.shown_config, per_row=3, marker=session.marker)


ui.live_area(session, draw)
ui.slow_area(session, draw_history)
if not config.present:
    ui.figure1_view(lab, session)
ui.device_caption(session)
if not config.present:
    with st.expander("Algorithm 1 with the current settings" if session.marker is None
                     else f"Algorithm 1 with the settings of iteration {session.marker:,}"):
        st.code(text.algorithm1(session.shown_config, session.run.target.name), language=None)
