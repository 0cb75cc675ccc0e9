"""2-D lab: D's landscape over the plane, p_g beside p_data, and mode collapse, trained live."""

import streamlit as st

from playground import text, ui
from playground.labs import LABS
from playground.targets.points import parse_points_csv

lab = LABS["2d"]
session = ui.lab_session(lab)


def upload_points(values: dict) -> None:
    if values.get("target") == "custom" and values.get("custom_source") == "csv":
        ui.points_upload(lab, session, parse_points_csv)


config = ui.sidebar_config(lab, session, after={"custom_source": upload_points})
ui.write_url(config)

ui.lab_title(lab, session, "2-D lab — the discriminator's landscape")
if not config.present:
    st.caption("Background: D(x), blue = “real”, red = “fake”, white = ½ (a critic's score, or the MMD witness "
               "function, on a scale of its own) · dotted contours: p_data · black dots: real samples · green dots: "
               "G(z) · arrows: where G's update pushes its samples")
ui.show_notices(lab, session)
ui.lesson_panel(lab, session)
if config.target == "custom" and config.custom_source == "csv":
    if not session.run.using_points:
        st.info("No points uploaded or drawn yet: training on the mixture table until there are.")
    ui.drawing_panel(lab, session)
ui.controls(lab, session)
ui.timeline_bar(lab, session)


def draw(snap, session) -> None:
    ui.metric_row(lab, snap, session)
    present = session.config.present
    if not present:
        st.caption(f"D steps {snap.d_steps:,} · G steps {snap.g_steps:,} · {text.settings_line(session.shown_config)}")
    figures = lab.frame_figures(snap, session.shown_config)
    left, right = st.columns([1, 1] if present else [3, 2])
    with left:
        ui.live_chart(ui.marked(figures["landscape"], session, arrows=session.shown_config.show_arrows),
                      key="2d.landscape", fill=present)
    with right:
        ui.side_overview(session, "2d")
        ui.live_chart(figures["densities"], key="2d.densities", fill=present, toolbar=False)


def draw_history(snap, session) -> None:
    ui.coach_box(snap, session)
    ui.history_charts(lab, snap, session.shown_config, per_row=2, marker=session.marker)


ui.live_area(session, draw)
ui.slow_area(session, draw_history)
ui.device_caption(session)
if not config.present:
    with st.expander("Algorithm 1 with the current settings" if session.marker is None
                     else f"Algorithm 1 with the settings of iteration {session.marker:,}"):
        st.code(text.algorithm1(session.shown_config, session.run.target.name), language=None)
