"""MNIST lab: digits emerging live from a fixed batch of noise, on the GPU when there is one."""

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

ui.lab_title(lab, session, "MNIST lab — digits emerging live")
run = session.run
if not config.present:
    st.caption(f"Data: {ui.plain(run.data.description)} · the grid is G on the same fixed noise vectors every "
               "frame, so the same “pen” is seen improving")
for notice in run.notices:
    st.info(ui.plain(notice))
ui.show_notices(lab, session)
ui.lesson_panel(lab, session)
ui.controls(lab, session)
ui.compare_panel(lab, session)
ui.timeline_bar(lab, session)


def draw(snap, session) -> None:
    ui.metric_row(lab, snap, session)
    if not session.config.present:
        st.caption(text.settings_line(session.shown_config))
    generated, real, scores = st.columns([3, 3, 3] if session.config.present else [4, 4, 3])
    rows_note = (" · one row per digit 0–9" if snap.one_row_per_digit else
                 " · one row per code value c = 0–9 (G picks which digit each one writes)" if snap.one_row_per_code else "")
    ui.pixel_image(generated, snap.grid, caption=f"Generated: {text.shown_generator(session.shown_config)} "
                                                 f"on fixed noise{rows_note}")
    ui.pixel_image(real, snap.real_grid, caption="Real digits")
    with scores:
        ui.side_overview(session, "mnist")
        for name, chart in lab.frame_figures(snap, session.shown_config).items():
            ui.live_chart(chart, key=f"mnist.{name}")


def draw_history(snap, session) -> None:
    ui.coach_box(snap, session)
    ui.history_charts(lab, snap, session.shown_config, per_row=2, marker=session.marker)


ui.live_area(session, draw)
ui.slow_area(session, draw_history)
left, right, _ = st.columns([2, 2, 4])
left.download_button("Download the grid (PNG)", data=lambda: session.run.grid_png(), file_name="gan-digits.png",
                     mime="image/png", icon=":material/download:", on_click="ignore", key="mnist.download_grid")
right.download_button("Download G's weights (.pt)", data=lambda: session.run.generator_state(),
                      file_name=f"generator-{config.model}.pt", mime="application/octet-stream",
                      icon=":material/download:", on_click="ignore", key="mnist.download_weights")
ui.latent_space(lab, session)
ui.device_caption(session)
if not config.present:
    with st.expander("Algorithm 1 with the current settings" if session.marker is None
                     else f"Algorithm 1 with the settings of iteration {session.marker:,}"):
        st.code(text.algorithm1(session.shown_config, run.data.description), language=None)
