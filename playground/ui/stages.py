"""The 1-D lab's Figure 1 view: the paper's four stages rebuilt from the current run, with PNG and
SVG downloads laid out like the paper."""

from __future__ import annotations

import streamlit as st

from ..animation import AnimationError, figure_problem, render_still
from ..figures.stages import PAPER_SIZE, stages_figure
from ..labs import Lab
from ..live import LiveSession
from ..stages import CONVERGED_D, CONVERGED_V
from .chart import live_chart
from .notices import plain

MIME = {"png": "image/png", "svg": "image/svg+xml"}

HOW = (f"Captured from this run: (a) before any step; (b) after the D steps before the first G step (at full "
       f"speed the first iteration's k; press Step D again and again to train D nearer D*, it is replaced each "
       f"time); (c) right after the first G step; (d) the first frame with D(real) and D(fake) within "
       f"{CONVERGED_D} of ½ and V within {CONVERGED_V} of −log 4. To build it by hand: Reset, Step D "
       "repeatedly, Step G, then Run. Updated whenever the page redraws (pause to see the newest).")


def figure1_view(lab: Lab, session: LiveSession) -> None:
    """An expander with the four stages (as far as the run has got) and the downloads."""
    if session.stages is None:
        return
    with st.expander("Figure 1, stage by stage (from this run)"):
        st.caption(HOW)
        stages = session.stages.stages()
        missing = [f"({letter})" for letter in session.stages.missing() if letter != "d" or not stages]
        if session.config.objective != "bce" or session.config.method != "adversarial":
            st.info("Figure 1's stages are the paper's binary cross-entropy GAN: with another objective or MMD "
                    "there is no D = ½ and no −log 4 to converge to, so (d) is never reached.")
        if not stages:
            st.info("Nothing captured yet: press Run, or Step D.")
            return
        if missing and len(stages) < 4:
            st.caption(f"Not captured yet: {', '.join(missing)} (Reset, then Step D before Step G, captures them).")
        config = session.config
        figure = stages_figure(stages, config.show_d_star, config.show_ideal)
        live_chart(figure, key=f"{lab.key}.stages")
        downloads(lab, figure, [stage.snapshot.iteration for stage in stages])


def downloads(lab: Lab, figure, iterations: list[int]) -> None:
    """A button that renders the figure as PNG and SVG (kaleido, a few seconds), then their
    downloads; or why it cannot be done."""
    key = f"{lab.key}.stages.files"
    problem = figure_problem()
    if problem:
        st.caption(plain(f"Downloads are not available on this server: {problem}."))
        return
    if st.button("Make PNG and SVG for slides", icon=":material/image:", key=f"{key}:make",
                 help=f"Four panels in a row, labelled (a) to (d) as in the paper, {PAPER_SIZE[0]} × "
                      f"{PAPER_SIZE[1]} pixels (the SVG scales)."):
        with st.spinner("Drawing Figure 1…"):
            try:
                st.session_state[key] = {"iterations": iterations,
                                         "files": {fmt: render_still(figure, fmt, *PAPER_SIZE) for fmt in ("png", "svg")}}
            except AnimationError as err:
                st.session_state[key] = {"error": f"No image: {err}."}
    made = st.session_state.get(key)
    if not made:
        return
    if made.get("error"):
        st.error(plain(made["error"]))
        return
    if made["iterations"] != iterations:
        st.caption("The stages have changed since these were made; make them again for the newest.")
    columns = st.columns([1, 1, 3])
    for column, (fmt, data) in zip(columns, made["files"].items()):
        column.download_button(f"{fmt.upper()} ({len(data) / 1024:,.0f} KB)", data=data,
                               file_name=f"figure1-stages.{fmt}", mime=MIME[fmt], icon=":material/download:",
                               on_click="ignore", key=f"{key}:download.{fmt}")
