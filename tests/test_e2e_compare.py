"""Compare mode in Chromium: a link with run B shows two main figures side by side, the difference
in settings above them and both rows of numbers, none of them cut off, at 1280 × 720 and 1440 × 1000
(and in presentation mode)."""

import pytest

from e2e_harness import CHART, assert_no_errors, chromium_page, press, require_chromium, run_until, screenshot, wait_for_app
from test_e2e_projector import CUT_OFF_JS

require_chromium()

pytestmark = pytest.mark.e2e

LINK = "lab_1d?seed=5&compare=1&b.k=5"


def two_runs_shown(page) -> None:
    page.get_by_text("B: k = 5 (A: k = 1)").first.wait_for(timeout=20_000)
    for name in ("Run A", "Run B"):
        page.get_by_text(name, exact=True).first.wait_for(timeout=20_000)
    pair = page.locator("[data-testid='stHorizontalBlock']").filter(
        has=page.get_by_text("Run A", exact=True)).filter(has=page.get_by_text("Run B", exact=True)).last
    figures = pair.locator(CHART).filter(has=page.locator("svg text", has_text="D*(x) = p_data"))
    assert figures.count() == 2, f"{figures.count()} main figures"
    boxes = [figures.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] + 1, "the two figures are not side by side"
    assert page.locator("[data-testid='stMetricLabel']", has_text="W1").count() == 2
    cut = page.evaluate(CUT_OFF_JS)
    assert not cut, cut
    page.get_by_text("B: k = 5 (A: k = 1)").first.evaluate("el => el.scrollIntoView()")  # for the screenshot


def test_compare_shows_two_runs(app_server):
    with chromium_page(viewport=(1280, 720)) as page:
        page.goto(f"{app_server}/{LINK}")
        wait_for_app(page)
        run_until(page, 40)
        press(page, "Pause")
        wait_for_app(page)
        two_runs_shown(page)
        screenshot(page, "compare-1280")
        assert_no_errors(page)
        page.set_viewport_size({"width": 1440, "height": 1000})
        wait_for_app(page)
        two_runs_shown(page)
        screenshot(page, "compare-1440")
        page.get_by_text("Present", exact=True).click()
        page.wait_for_selector("body.gp-present", state="attached")
        wait_for_app(page)
        two_runs_shown(page)
        screenshot(page, "compare-present-1440")
        assert_no_errors(page)
