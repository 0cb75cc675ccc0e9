"""In front of a class, in Chromium: at a projector's 1280 × 720 and at 1440 × 1000, in normal and in
presentation mode, no metric label or value is cut off, and in presentation mode the sidebar is
folded and the main figure and the metric row are entirely on screen; the keyboard shortcuts press
the lab's buttons and never act while typing. Screenshots go to artifacts/screenshots/."""

import os
import re
import time

import pytest

from e2e_harness import CHART, chromium_browser, find_chromium, iteration, wait_for_app, wait_until
from e2e_harness import screenshot as save_screenshot
from playground.labs.one_d import Config1D

if find_chromium() is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI is set but no Chromium was found: install Debian's chromium or set $CHROMIUM")
    pytest.skip("no Chromium found (install Debian's chromium or set $CHROMIUM)", allow_module_level=True)

pytestmark = pytest.mark.e2e

PROJECTOR, DESKTOP = (1280, 720), (1440, 1000)
# Links that pre-train a little, so every box holds a number of the full five characters (D(real)
# "0.503", V "-1.37"; the boxes in a row are equally wide).
LINKS = {"1d": "lab_1d?steps=200", "2d": "lab_2d?steps=200&seed=5", "mnist": "lab_mnist?steps=20&batch=32"}

# Every element of a metric (and the presentation toggle's label) whose text is wider than its box.
CUT_OFF_JS = """
() => [...document.querySelectorAll('.stMain [data-testid="stMetric"], .stMain [class*="-present"] label')]
  .flatMap((box) => {
    const name = (box.querySelector('[data-testid="stMetricLabel"]') || box).innerText.trim().split("\\n")[0];
    return [box, ...box.querySelectorAll("*")]
      .filter((el) => el.textContent.trim() && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${name}: "${el.textContent.trim()}" needs ${el.scrollWidth}px, has ${el.clientWidth}px`);
  })
"""
BOXES_JS = """
(selector) => [...document.querySelectorAll(selector)].map((el) => {
  const r = el.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
})
"""
SIDEBAR_OPEN_JS = """() => document.querySelector('button[aria-controls="stSidebar"]').getAttribute("aria-expanded")"""


def main_figure(lab: str) -> str:
    return ".stMain [data-testid='stImage'] img" if lab == "mnist" else f".stMain {CHART}"


def check_nothing_cut_off(page, where: str) -> None:
    assert page.locator("[data-testid='stMetric']").count() >= 8, where
    cut = page.evaluate(CUT_OFF_JS)
    assert not cut, f"{where}: {cut}"


def check_on_screen(page, lab: str, size, where: str) -> None:
    """The main figure and every metric lie within the window (the page scrolled to its top), and a
    main chart reaches down to the window's bottom (it fills the window)."""
    width, height = size
    for selector in (main_figure(lab), ".stMain [data-testid='stMetric']"):
        boxes = page.evaluate(BOXES_JS, selector)
        assert boxes, f"{where}: nothing matches {selector}"
        for box in boxes[:1] if selector == main_figure(lab) else boxes:
            assert box["top"] >= 0 and box["left"] >= 0, f"{where}: {selector} starts off screen: {box}"
            assert box["bottom"] <= height + 0.5 and box["right"] <= width + 0.5, f"{where}: {selector} {box}"
    if lab != "mnist":
        bottom = page.evaluate(BOXES_JS, main_figure(lab))[0]["bottom"]
        assert bottom >= height - 40, f"{where}: the main figure ends at {bottom:.0f} px, the window at {height}"


def check_overview_beside(page, lab: str, where: str) -> None:
    """The model overview starts level with the main figure, to its right (not below the fold under it)."""
    main = page.evaluate(BOXES_JS, main_figure(lab))[0]
    overview = page.evaluate(BOXES_JS, f".stMain .st-key-{lab}-overview {CHART}")
    assert overview, f"{where}: no model overview"
    assert abs(overview[0]["top"] - main["top"]) <= 40 and overview[0]["left"] >= main["right"], \
        f"{where}: the overview at {overview[0]}, the main figure at {main}"


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium


def resize(page, size) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    time.sleep(0.5)  # the charts refit on the resize event; the sidebar animates


@pytest.mark.parametrize("lab", list(LINKS))
def test_projector_layout_and_presentation_mode(app_server, browser, lab):
    """A link with present=1 opens the lab in presentation mode; the Present switch turns it off."""
    with browser.new_context(viewport={"width": PROJECTOR[0], "height": PROJECTOR[1]}) as context:
        page = context.new_page()
        page.goto(f"{app_server}/{LINKS[lab]}&present=1")
        wait_for_app(page)
        page.locator(main_figure(lab)).first.wait_for()
        page.wait_for_selector("body.gp-present", state="attached")
        assert wait_until(lambda: page.evaluate(SIDEBAR_OPEN_JS) == "false", 5), "the sidebar stayed open"
        time.sleep(0.5)  # the charts fit the window as the page settles
        for size in (PROJECTOR, DESKTOP):
            resize(page, size)
            check_nothing_cut_off(page, f"{lab} presenting {size}")
            check_on_screen(page, lab, size, f"{lab} presenting {size}")
            if size == PROJECTOR:
                save_screenshot(page, f"{lab}-present-{size[0]}x{size[1]}")

        page.get_by_text("Present", exact=True).click()  # the switch beside Run: back to normal
        page.wait_for_selector("body:not(.gp-present)", state="attached")
        wait_for_app(page)
        assert wait_until(lambda: page.evaluate(SIDEBAR_OPEN_JS) == "true", 5), "the sidebar stayed folded"
        for size in (DESKTOP, PROJECTOR):
            resize(page, size)
            check_nothing_cut_off(page, f"{lab} {size}")
            check_overview_beside(page, lab, f"{lab} {size}")
        assert "present" not in page.url


def test_a_lessons_ended_step_and_its_question_leave_the_figure_on_screen(app_server, browser):
    """In presentation mode a lesson's bar takes the title's row and an ended step's question opens
    over the page, so the main figure and the metric row stay on a projector's screen."""
    with browser.new_context(viewport={"width": PROJECTOR[0], "height": PROJECTOR[1]}) as context:
        page = context.new_page()
        page.goto(f"{app_server}/lab_1d?lesson=figure1&present=1")
        wait_for_app(page)
        page.wait_for_selector("body.gp-present", state="attached")
        page.get_by_role("button", name="Start this step").click()
        page.get_by_role("button", name="Question").click(timeout=60_000)  # there once the step has ended
        page.get_by_text("Where is D* above ½").wait_for(timeout=10_000)
        assert iteration(page) == 100
        wait_for_app(page)
        time.sleep(0.5)  # the chart refits to the room left
        check_nothing_cut_off(page, "1d lesson presenting")
        check_on_screen(page, "1d", PROJECTOR, "1d lesson presenting, its question shown")
        save_screenshot(page, "lesson-1d-present-question-1280x720")


def test_keyboard_shortcuts_press_the_buttons_but_not_while_typing(app_server, browser):
    with browser.new_context(viewport={"width": PROJECTOR[0], "height": PROJECTOR[1]}) as context:
        page = context.new_page()
        page.goto(f"{app_server}/lab_1d")
        wait_for_app(page)
        page.locator(CHART).first.wait_for()
        k = Config1D().k  # the 1-D lab's default

        def counters():  # the step counts are in the caption under the metric row (and the iteration's tooltip)
            caption = page.get_by_text(re.compile(r"^D steps [\d,]+ · G steps [\d,]+")).first.inner_text()
            d, g = re.match(r"D steps ([\d,]+) · G steps ([\d,]+)", caption).groups()
            return iteration(page), int(d.replace(",", "")), int(g.replace(",", ""))

        def after(key: str, expected) -> None:
            page.keyboard.press(key)
            assert wait_until(lambda: counters() == expected, 10), f"{key!r}: {counters()} != {expected}"

        after("d", (0, 1, 0))
        after("g", (1, 1, 1))  # a G step completes an iteration
        after("s", (2, 1 + k, 2))
        after("r", (0, 0, 0))

        preset = page.locator("[data-testid='stSidebar'] input[role='combobox']").first
        preset.click()
        page.keyboard.type("sdg r")  # typing in a field: a filter for the preset list, no steps, no Run
        time.sleep(1.5)
        page.keyboard.press("Escape")  # the open list hides the rest of the page from get_by_role
        assert counters() == (0, 0, 0) and page.get_by_role("button", name="Run").count() == 1

        page.get_by_text("Present", exact=True).click()  # the focus is now on the toggle (a checkbox)
        page.wait_for_selector("body.gp-present", state="attached")
        wait_for_app(page)
        page.keyboard.press(" ")  # Run, and presentation mode stays on
        page.get_by_role("button", name="Pause").wait_for(timeout=15_000)
        assert wait_until(lambda: iteration(page) > 0, 15)
        assert page.locator("body.gp-present").count() == 1
        page.keyboard.press(" ")
        page.get_by_role("button", name="Run").wait_for(timeout=30_000)
        stopped = iteration(page)
        time.sleep(1.0)
        assert iteration(page) == stopped
