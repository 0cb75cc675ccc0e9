"""1-D lab: Figure 1 of Goodfellow et al. (2014), trained live."""

import streamlit as st

from playground import text, ui
from playground.labs import LABS

lab = LABS["1d"]
session = ui.lab_session(lab)
config = ui.sidebar_config(lab, session)
ui.write_url(config)

st.title("1-D lab — Figure 1, live")
st.caption("p_data black dotted · p_g green solid · D(x) blue dashed · below: the mapping x = G(z)")
ui.show_notices(lab, session)
ui.controls(lab, session)
ui.timeline_bar(lab, session)


def draw(snap, session) -> None:
    stats = snap.metrics
    row = st.columns(9)
    row[0].metric("Iteration", f"{snap.iteration:,}")
    row[1].metric("D steps", f"{snap.d_steps:,}")
    row[2].metric("G steps", f"{snap.g_steps:,}")
    row[3].metric("Steps/s", f"{session.steps_per_s:,.0f}")
    row[4].metric("D(real)", f"{stats['d_real']:.3f}")
    row[5].metric("D(fake)", f"{stats['d_fake']:.3f}")
    row[6].metric("W1", f"{stats['w1']:.3f}")
    row[7].metric("JS (nats)", f"{stats['js']:.3f}")
    ui.value_metric(row[8], stats['value'])
    st.caption(text.settings_line(session.shown_config))
    for name, chart in lab.frame_figures(snap, session.shown_config).items():
        ui.live_chart(chart, key=f"1d.{name}")


def draw_history(snap, session) -> None:
    ui.history_charts(lab, snap, session.shown_config, marker=session.marker)


ui.live_area(session, draw)
ui.slow_area(session, draw_history)
ui.device_caption(session)
with st.expander("Algorithm 1 with the current settings" if session.marker is None
                 else f"Algorithm 1 with the settings of iteration {session.marker:,}"):
    st.code(text.algorithm1(session.shown_config, session.run.target.name), language=None)
