"""The MNIST page's latent-space box (behind a switch): a walk between two fixed noise vectors (straight and
spherical), sliders for the first latent dimensions of one vector, and the memorisation check.

It is drawn by full reruns only (a control changed, Run pressed), never by the live frames, and
holds the training lock just while G draws a few dozen digits; the nearest-neighbour search of
the memorisation check runs outside it, and only when asked for (``playground.labs.latent``).
"""

from __future__ import annotations

import streamlit as st

from ..labs import Lab
from ..labs import latent
from ..live import LiveSession
from .chart import pixel_image
from .session import widget_key

SLIDER_DIMS = 4  # latent dimensions with a slider
CHECK_DIGITS = 6  # generated digits in the memorisation check
NEIGHBOURS = 3


SECTIONS = {"walk": "Latent walk", "sliders": "Move one vector", "check": "Memorisation check"}


def latent_space(lab: Lab, session: LiveSession) -> None:
    """A switch that opens the box (a keyed widget: it stays open through reruns, where an expander
    drawn after a link's progress bar was rebuilt closed), and one section at a time, so only the
    one shown draws."""
    if not st.toggle("The latent space: walks, sliders and the memorisation check", key=widget_key(lab, "latent:open"),
                     help="G on chosen noise vectors, computed when a control here changes, not every frame."):
        return
    with st.container(border=True):
        section = st.segmented_control("Show", list(SECTIONS), format_func=SECTIONS.get, default="walk",
                                       key=widget_key(lab, "latent:section"), label_visibility="collapsed")
        {"walk": _walk, "sliders": _sliders, "check": _memorisation}.get(section or "walk")(lab, session)


def _digit_box(container, lab: Lab, name: str, label: str, default: int) -> int:
    return int(container.selectbox(label, range(10), index=default, key=widget_key(lab, f"latent:{name}")))


def _walk(lab: Lab, session: LiveSession) -> None:
    run = session.run
    cols = st.columns(5 if run.class_kind else 3)
    last = latent.NOISE_VECTORS - 1
    first = int(cols[0].number_input("From noise vector", 0, last, 0, key=widget_key(lab, "latent:first"),
                                     help=f"One of the {latent.NOISE_VECTORS} fixed noise vectors behind the grid "
                                          "(the grid's cells, row by row)."))
    second = int(cols[1].number_input("To noise vector", 0, last, 1, key=widget_key(lab, "latent:second")))
    steps = cols[2].slider("Steps", 5, 12, 9, key=widget_key(lab, "latent:steps"))
    digits = None
    if run.class_kind:  # a digit asked for, or InfoGAN's code value
        digits = (_digit_box(cols[3], lab, "from_digit", f"From {run.class_kind}", 3),
                  _digit_box(cols[4], lab, "to_digit", f"To {run.class_kind}", 8))
    with session.lock:  # G draws 2 × steps digits: a few milliseconds of the trainer's time
        picture = latent.walk(run, first, second, steps, digits)
    what = f"{run.class_kind} {digits[0]} to {run.class_kind} {digits[1]}, " if digits else ""
    pixel_image(st.columns([3, 1])[0], picture, caption=f"From noise vector {first} to {second} ({what}iteration "
                                     f"{run.trainer.iterations:,}) · top: the straight line · bottom: the "
                                     "spherical arc, which keeps the noise's typical length")


def _sliders(lab: Lab, session: LiveSession) -> None:
    run = session.run
    left, right, _ = st.columns([3, 1, 1])
    index = int(left.number_input("Noise vector", 0, latent.NOISE_VECTORS - 1, 0, key=widget_key(lab, "latent:one")))
    digit = _digit_box(left, lab, "one_digit", run.class_kind.capitalize(), 7) if run.class_kind else 0
    z = run.grid_z[index].float().cpu()
    values = {}
    for dim in range(min(SLIDER_DIMS, len(z))):
        values[dim] = left.slider(f"z[{dim}]", -3.0, 3.0, float(max(min(z[dim], 3.0), -3.0)), 0.1,
                                  key=widget_key(lab, f"latent:z{dim}:{index}"))
    with session.lock:
        picture = latent.nudged(run, index, values, digit)
    pixel_image(right, picture, caption=f"G(z) with z[0…{len(values) - 1}] as set")


def _memorisation(lab: Lab, session: LiveSession) -> None:
    key = widget_key(lab, "latent:check")
    st.caption(f"Does G copy its training digits? For {CHECK_DIGITS} generated digits (first column), the "
               f"{NEIGHBOURS} nearest of the {len(session.run.data.labels):,} training digits by pixel distance.")
    if st.button("Find the nearest training digits", key=widget_key(lab, "latent:find"), icon=":material/search:"):
        run = session.run
        with session.lock:
            generated = latent.check_digits(run, CHECK_DIGITS)
            iteration = run.trainer.iterations
        picture, distances = latent.nearest_training(generated, run.data.images, NEIGHBOURS)
        st.session_state[key] = (iteration, picture, distances)
    if st.session_state.get(key) is not None:
        iteration, picture, distances = st.session_state[key]
        pixel_image(st.columns([1, 1])[0], picture, caption=f"Iteration {iteration:,} · each row: a generated digit, then its nearest "
                                         f"training digits (distances {distances.min():.1f} to {distances.max():.1f} "
                                         "on pixels scaled to 0…1; 0 would be a copy)")
