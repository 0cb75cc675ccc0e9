"""Presentation mode and keyboard shortcuts: what a lab page adds for a teacher at a projector.

Presentation mode is the lab's ``present`` setting (a view setting, so ``present=1`` in a link opens
a page that way). Its toggle sits beside the Run button rather than in the sidebar, because the
sidebar is folded away while it is on. The page then drops its captions and the Algorithm 1 box
(the pages check ``config.present``), the figures use larger text and lines
(``figures.common.style_of``), and the main figure fills the window (``chart.live_chart(fill=…)``).

One small component runs in the page itself (``isolate_styles=False``: no iframe, no shadow root):

- its CSS sizes the metric row to its boxes (every value fits however wide a box is: the value's
  font follows the box's width through container query units) and, while the page body has the
  ``gp-present`` class, tightens the page for a projector;
- its JavaScript sets that class, folds the sidebar away when presentation mode is switched on
  (and back when it is switched off) by pressing Streamlit's own sidebar button, and turns keys into
  clicks on the lab's buttons: the same buttons a mouse presses, so Run/Pause still does what the
  button showed. Keys never act while the focus is in a text field, a select box, an editable
  table or anything contenteditable.

The sidebar is folded by pressing its button rather than by ``st.set_page_config``: Streamlit keeps
a user's own opening or closing of the sidebar in the browser's storage, and that choice then
overrides the page config for good (measured: once the sidebar had been opened by hand, switching
presentation mode on again left it open).

The names used here are Streamlit's frontend, not its API (``data-testid`` values, the ``st-key-``
class of a keyed element, the sidebar button's ``aria-controls``); ``tests/test_e2e_projector.py``
fails when one of them changes (cut-off metrics, a sidebar left open, keys that press nothing).
"""

from __future__ import annotations

import re

import streamlit as st
import streamlit.components.v2 as components_v2

from .. import config as cfg
from ..labs import Lab
from ..live import LiveSession
from .session import widget_key

PRESENT = "present"  # the config field
SHORTCUTS = {"run": " ", "step_iteration": "s", "step_d": "d", "step_g": "g", "reset": "r"}  # button -> key
KEY_NAMES = {" ": "space"}

_PAGE_CSS = """
/* The metric row: a value's font follows its box's width, so five characters always fit. */
.stMain [data-testid="stMetric"] { container-type: inline-size; }
.stMain [data-testid="stMetricValue"] { font-size: clamp(1rem, 30cqw, 2.25rem); }
.stMain [data-testid="stMetricLabel"] p { font-size: min(0.875rem, 17cqw); }
/* Presentation mode: less padding, a smaller title, the metric values a little larger. */
body.gp-present .stMain [data-testid="stMainBlockContainer"] {
  padding-top: 3.25rem; padding-bottom: 1rem; padding-left: 2rem; padding-right: 2rem; }
body.gp-present .stMain h1 { font-size: 1.75rem; padding: 0.25rem 0 0 0; }
/* A lesson's bar in the title's place (ui/lesson.py): its buttons no taller than the title. */
body.gp-present .stMain [class*="-lesson-bar"] button { min-height: 1.75rem; padding-top: 0; padding-bottom: 0; }
body.gp-present .stMain [data-testid="stMetricValue"] { font-size: clamp(1rem, 32cqw, 2.75rem); }
body.gp-present .stMain [data-testid="stMetricLabel"] p { font-size: min(1rem, 15cqw); }
/* Images (the MNIST grids) end above the window's bottom, their caption included. */
body.gp-present .stMain [data-testid="stImage"] img {
  max-height: calc(100vh - var(--gp-images-top, 18rem) - 3rem); object-fit: contain; object-position: center top; }
"""

_PAGE_JS = """
const TYPING = 'textarea, select, [contenteditable]:not([contenteditable="false"]), [role="grid"], [role="textbox"]';
const NOT_TYPED = ["checkbox", "radio", "range", "button", "submit", "reset", "color", "file"];

function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.closest(TYPING)) return true;
  const input = target.closest("input");
  return input !== null && !NOT_TYPED.includes(input.type);
}

function onKey(state, event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing
      || event.repeat || typing(event.target)) return;
  const selector = state.buttons[event.key];
  const button = selector && document.querySelector(selector + " button");
  if (!button) return;
  event.preventDefault();  // no page scroll on space, and a focused button is not pressed twice
  if (!button.disabled) button.click();
}

function measureImages() {
  // Where the first image starts with the page scrolled to the top (the CSS above reads it).
  const img = document.querySelector('.stMain [data-testid="stImage"] img');
  if (!img) return;
  const scroller = img.closest('[data-testid="stMain"]');
  const top = img.getBoundingClientRect().top + (scroller ? scroller.scrollTop : window.scrollY);
  document.body.style.setProperty("--gp-images-top", Math.round(top) + "px");
}

function showSidebar(open) {
  const toggle = document.querySelector('button[aria-controls="stSidebar"]');
  if (toggle && (toggle.getAttribute("aria-expanded") === "true") !== open) toggle.click();
}

export default function (component) {
  const state = (window.__gpPage ||= { buttons: {}, present: null, onKey: null, observer: null, mounted: new Set() });
  const { data, parentElement } = component;
  const { buttons, present } = data;
  state.mounted.add(parentElement);
  state.buttons = buttons;
  document.body.classList.toggle("gp-present", present);
  if (present !== state.present) {  // switched, or a page opened in presentation mode
    if (present || state.present !== null) showSidebar(!present);
    state.present = present;
  }
  if (!state.onKey) {
    state.onKey = (event) => onKey(state, event);
    window.addEventListener("keydown", state.onKey, true);
  }
  const main = document.querySelector('.stMain [data-testid="stMainBlockContainer"]');
  if (!state.observer && main && window.ResizeObserver) {  // notices come and go, the window resizes
    state.observer = new ResizeObserver(measureImages);
    state.observer.observe(main);
  }
  measureImages();
  return () => {  // the page is left: no shortcuts and no presentation styles on other pages
    state.mounted.delete(parentElement);
    if (state.mounted.size) return;  // remounted (the page's layout changed): the new one carries on
    window.removeEventListener("keydown", state.onKey, true);
    if (state.observer) state.observer.disconnect();
    document.body.classList.remove("gp-present");
    Object.assign(state, { onKey: null, observer: null, present: null });
  };
}
"""

_page = components_v2.component("gan_playground.page", css=_PAGE_CSS, js=_PAGE_JS, isolate_styles=False)


def key_class(key: str) -> str:
    """The CSS class Streamlit gives an element with ``key`` (documented: "st-key-" and the key;
    characters outside [A-Za-z0-9_-] become "-")."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def shortcut_help(button: str) -> str | None:
    """'Key: space' for a button with a shortcut."""
    key = SHORTCUTS.get(button)
    return None if key is None else f"Key: {KEY_NAMES.get(key, key)}"


def shortcuts_text() -> str:
    """Every shortcut in one line, for the presentation toggle's tooltip."""
    return (f"Keys: {KEY_NAMES[SHORTCUTS['run']]} Run/Pause · {SHORTCUTS['step_iteration']} Step iteration · "
            f"{SHORTCUTS['step_d']} Step D · {SHORTCUTS['step_g']} Step G · {SHORTCUTS['reset']} Reset "
            "(not while typing in a field).")


def presenting(config) -> bool:
    """Whether the page is in presentation mode."""
    return bool(getattr(config, PRESENT, False))


def presentation_controls(lab: Lab, session: LiveSession) -> None:
    """The presentation toggle (when the lab has the setting) and the page component: the metric
    row's CSS, presentation mode's page styles and sidebar, and the keyboard shortcuts."""
    if PRESENT in cfg.specs(lab.config_cls):
        spec = cfg.specs(lab.config_cls)[PRESENT]
        st.toggle(spec.label, key=widget_key(lab, PRESENT), help=f"{spec.help} {shortcuts_text()}")
    buttons = {key: "." + key_class(widget_key(lab, button)) for button, key in SHORTCUTS.items()}
    _page(key=widget_key(lab, "page"), data={"buttons": buttons, "present": presenting(session.config)},
          height=0)
