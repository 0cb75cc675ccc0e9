"""1-D lab: Figure 1 of Goodfellow et al. (2014), trained live."""

import streamlit as st

from playground import text, ui
from playground.labs import LABS

lab = LABS["1d"]
session = ui.lab_session(lab)
config = ui.sidebar_config(lab, session)
ui.write_url(config)

st.title("1-D lab — Figure 1, live")
st.caption("p_data black dotted · p_g green solid · D(x) blue dashed (a critic's score or the MMD witness "
           "function where those train G) · below: the mapping x = G(z), and dotted the ideal G*(z)")
ui.show_notices(lab, session)
ui.controls(lab, session)


def draw(snap, session) -> None:
    stats = snap.metrics
    row = st.columns(8)
    row[0].metric("Iteration", f"{snap.iteration:,}", help=f"{snap.d_steps:,} D steps, {snap.g_steps:,} G steps")
    row[1].metric("Steps/s", f"{session.steps_per_s:,.0f}")
    row[2].metric("D(real)", ui.number(stats['d_real']))
    row[3].metric("D(fake)", ui.number(stats['d_fake']))
    row[4].metric("W1", f"{stats['w1']:.3f}")
    row[5].metric("JS (nats)", f"{stats['js']:.3f}")
    row[6].metric("MMD²", ui.number(stats['mmd2']), help="Maximum mean discrepancy between 256 generated "
                  "and 256 data samples, with the kernel MMD training uses; about 0 when p_g = p_data.")
    ui.objective_metric(row[7], stats, session.config)
    st.caption(f"D steps {snap.d_steps:,} · G steps {snap.g_steps:,} · {text.settings_line(session.config)}")
    for name, chart in lab.frame_figures(snap, session.config).items():
        ui.live_chart(chart, key=f"1d.{name}")


def draw_history(snap, session) -> None:
    ui.history_charts(lab, snap, session.config, per_row=3)


ui.live_area(session, draw)
ui.slow_area(session, draw_history)
ui.device_caption(session)
with st.expander("Algorithm 1 with the current settings"):
    st.code(text.algorithm1(config, session.run.target.name), language=None)
