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

st.title("2-D lab — the discriminator's landscape")
st.caption("Background: D(x), blue = “real”, red = “fake”, white = ½ (a critic's score, or the MMD witness "
           "function, on a scale of its own) · dotted contours: p_data · black dots: real samples · green dots: G(z) · "
           "arrows: where G's update pushes its samples")
ui.show_notices(lab, session)
if config.target == "custom" and config.custom_source == "csv" and not session.run.using_points:
    st.info("No CSV of points uploaded yet: training on the mixture table until one is.")
ui.controls(lab, session)


def draw(snap, session) -> None:
    stats = snap.metrics
    row = st.columns(9)
    row[0].metric("Iteration", f"{snap.iteration:,}", help=f"{snap.d_steps:,} D steps, {snap.g_steps:,} G steps")
    row[1].metric("Steps/s", f"{session.steps_per_s:,.0f}")
    row[2].metric("D(real)", ui.number(stats['d_real']))
    row[3].metric("D(fake)", ui.number(stats['d_fake']))
    if stats["modes_total"]:
        row[4].metric("Modes", f"{stats['modes_captured']} / {stats['modes_total']}",
                      help="Modes with at least one generated sample within 3 std of its centre (2,500 samples).")
        row[5].metric("High quality", f"{stats['high_quality']:.0%}",
                      help="Generated samples within 3 std of their nearest mode centre.")
    else:
        row[4].metric("Modes", "—", help="This target has no separate modes to count.")
        row[5].metric("High quality", "—")
    row[6].metric("JS (grid)", f"{stats['js']:.3f}", help="Jensen–Shannon divergence in nats between p_data and the "
                  "generated samples on a 30 × 30 grid (0 … log 2 ≈ 0.693).")
    row[7].metric("MMD²", ui.number(stats['mmd2']), help="Maximum mean discrepancy between 256 generated "
                  "and 256 data samples, with the kernel MMD training uses; about 0 when p_g = p_data.")
    ui.objective_metric(row[8], stats, session.config)
    st.caption(f"D steps {snap.d_steps:,} · G steps {snap.g_steps:,} · {text.settings_line(session.config)}")
    figures = lab.frame_figures(snap, session.config)
    left, right = st.columns([3, 2])
    with left:
        ui.live_chart(figures["landscape"], key="2d.landscape")
    with right:
        ui.live_chart(figures["densities"], key="2d.densities")


def draw_history(snap, session) -> None:
    ui.history_charts(lab, snap, session.config, per_row=2)


ui.live_area(session, draw)
ui.slow_area(session, draw_history)
ui.device_caption(session)
with st.expander("Algorithm 1 with the current settings"):
    st.code(text.algorithm1(config, session.run.target.name), language=None)
