"""The buttons under a lab's title and the widgets that show numbers."""

from __future__ import annotations

import math

import streamlit as st

from ..device import describe
from ..labs import Lab
from ..live import LiveSession
from .session import widget_key


def controls(lab: Lab, session: LiveSession) -> None:
    """Run/Pause, Step D, Step G, Step iteration, Reset (callbacks run before the page redraws)."""
    cols = st.columns(5)
    label, icon = ("Pause", ":material/pause:") if session.running else ("Run", ":material/play_arrow:")
    # The button does what it showed, not a toggle: under load Streamlit can deliver one click
    # twice (once with a live-frame rerun, once with the full rerun), and a toggle undid the Pause.
    cols[0].button(label, icon=icon, key=widget_key(lab, "run"), type="primary", width="stretch",
                   on_click=session.set_running, args=(not session.running,),
                   disabled=session.diverged is not None)
    no_d = getattr(session.config, "method", "adversarial") == "mmd"  # direct training has no D to step
    for col, (what, text) in zip(cols[1:4], (("d", "Step D"), ("g", "Step G"), ("iteration", "Step iteration"))):
        col.button(text, key=widget_key(lab, f"step_{what}"), width="stretch", on_click=session.step, args=(what,),
                   disabled=session.running or session.diverged is not None or (what == "d" and no_d),
                   help="MMD training has no discriminator" if what == "d" and no_d else None)
    cols[4].button("Reset", icon=":material/restart_alt:", key=widget_key(lab, "reset"), width="stretch",
                   on_click=session.reset)


def value_metric(column, value: float) -> None:
    """V(D, G), with its distance from the optimum −log 4 underneath."""
    column.metric("V(D, G)", f"{value:.3f}", f"{value + math.log(4):+.3f}", delta_color="off", delta_arrow="off",
                  help="The value at the optimum is −log 4 ≈ −1.386; the small number underneath is V + log 4.")


GAP_HELP = {
    "least-squares": ("D gap", "Least squares: mean D on real minus on generated samples, 0 at the optimum, "
                               "where both are ½."),
    "wgan-gp": ("W₁ est.", "WGAN-GP: the critic's estimate of the Wasserstein-1 distance, E D(x) − E D(G(z)), in "
                           "the networks' units; it shrinks as p_g approaches p_data."),
    "hinge": ("D gap", "Hinge: mean critic score on real minus on generated samples; it shrinks as p_g approaches "
                       "p_data."),
}


def objective_metric(column, stats: dict, config) -> None:
    """The metric that says which objective runs: V(D, G) against −log 4 for binary cross-entropy,
    the critic's gap between real and generated scores for the others, and for MMD training that
    there is no discriminator."""
    if getattr(config, "method", "adversarial") == "mmd":
        column.metric("Training", "MMD", help="G minimises MMD² to the data directly: there is no "
                      "discriminator, so D(real), D(fake) and V do not apply. The curve in D's place is the MMD "
                      "witness function.")
    elif config.objective == "bce":
        value_metric(column, stats["value"])
    else:
        label, help_text = GAP_HELP[config.objective]
        column.metric(label, number(stats["d_real"] - stats["d_fake"], ".2f"), help=help_text)


def number(value: float, spec: str = ".3f") -> str:
    """A metric's value, or — where it does not apply (NaN)."""
    return f"{value:{spec}}" if math.isfinite(value) else "—"


def device_caption(session: LiveSession) -> None:
    """Which device the run trains on."""
    st.caption(f"Device: {describe(session.run.device)}")
