"""MNIST lab: digits emerging live from a fixed batch of noise, on the GPU when there is one."""

import math

import streamlit as st

from playground import text, ui
from playground.labs import LABS
from playground.labs.mnist import cached_mnist, mnist_loaded

lab = LABS["mnist"]
session = ui.lab_session(lab)


def download_with_progress(values: dict) -> None:
    """Switching the download on fetches MNIST here, with a progress bar, before the run is rebuilt."""
    if values.get("download") and not mnist_loaded(True):
        bar = st.progress(0.0, text="Looking for MNIST…")
        cached_mnist(True, progress=lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0),
                                                                            text=ui.plain(message)))
        bar.empty()


config = ui.sidebar_config(lab, session, after={"download": download_with_progress})
ui.write_url(config)

st.title("MNIST lab — digits emerging live")
run = session.run
st.caption(f"Data: {ui.plain(run.data.description)} · the grid is G on the same fixed noise vectors every frame, "
           "so the same “pen” is seen improving")
for notice in run.notices:
    st.info(ui.plain(notice))
ui.show_notices(lab, session)
ui.controls(lab, session)


def draw(snap, session) -> None:
    stats = snap.metrics
    row = st.columns(8)
    row[0].metric("Iteration", f"{snap.iteration:,}", help=f"{snap.d_steps:,} D steps, {snap.g_steps:,} G steps")
    row[1].metric("Images/s", f"{session.steps_per_s * snap.batch:,.0f}",
                  help="Generated digits per second that G is trained on (iterations/s × m).")
    row[2].metric("D(real)", ui.number(stats['d_real']))
    row[3].metric("D(fake)", ui.number(stats['d_fake']))
    row[4].metric("Classifier IS", "—" if math.isnan(stats["classifier_is"]) else f"{stats['classifier_is']:.2f}",
                  help=f"Inception Score from a small offline digit classifier (1 … 10); real digits score "
                       f"{stats['real_is']:.2f}. Updated every few seconds on 500 generated digits.")
    row[5].metric("Fréchet", "—" if math.isnan(stats["classifier_fid"]) else f"{stats['classifier_fid']:.1f}",
                  help="Fréchet distance between the classifier's features of generated and real digits "
                       "(lower is better; 0 for real data).")
    row[6].metric("Label KL", "—" if math.isnan(stats["label_kl"]) else f"{stats['label_kl']:.3f}",
                  help="KL divergence of the predicted-digit histogram from uniform: 0 when all ten digits "
                       "appear equally often, log 10 ≈ 2.30 when G writes only one (mode collapse).")
    ui.objective_metric(row[7], stats, session.config)
    st.caption(text.settings_line(session.config))
    generated, real, scores = st.columns([4, 4, 3])
    rows_note = " · one row per digit 0–9" if snap.one_row_per_digit else ""
    ui.pixel_image(generated, snap.grid, caption=f"Generated: G(z) on fixed noise{rows_note}")
    ui.pixel_image(real, snap.real_grid, caption="Real digits")
    with scores:
        for name, chart in lab.frame_figures(snap, session.config).items():
            ui.live_chart(chart, key=f"mnist.{name}")


def draw_history(snap, session) -> None:
    ui.history_charts(lab, snap, session.config, per_row=2)


ui.live_area(session, draw)
ui.slow_area(session, draw_history)
left, right, _ = st.columns([2, 2, 4])
left.download_button("Download the grid (PNG)", data=lambda: session.run.grid_png(), file_name="gan-digits.png",
                     mime="image/png", icon=":material/download:", on_click="ignore", key="mnist.download_grid")
right.download_button("Download G's weights (.pt)", data=lambda: session.run.generator_state(),
                      file_name=f"generator-{config.model}.pt", mime="application/octet-stream",
                      icon=":material/download:", on_click="ignore", key="mnist.download_weights")
ui.device_caption(session)
with st.expander("Algorithm 1 with the current settings"):
    st.code(text.algorithm1(config, run.data.description), language=None)
