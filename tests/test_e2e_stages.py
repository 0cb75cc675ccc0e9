"""The 1-D lab's Figure 1 view in Chromium: after a short run it shows the paper's four panels."""

import pytest

from e2e_harness import CHART, assert_no_errors, chromium_page, press, require_chromium, run_until, screenshot, wait_for_app

require_chromium()

pytestmark = pytest.mark.e2e


def test_figure1_view_has_four_panels(app_server):
    with chromium_page(viewport=(1280, 720)) as page:
        page.goto(f"{app_server}/lab_1d?seed=5")
        wait_for_app(page)
        run_until(page, 30)
        press(page, "Pause")
        wait_for_app(page)
        page.get_by_text("Figure 1, stage by stage").click()
        chart = page.locator(CHART).filter(has=page.locator("svg text", has_text="the pair at the start"))
        chart.first.wait_for(timeout=20_000)
        for letter in "abcd":
            assert chart.first.locator("svg text", has_text=f"({letter})").count() >= 1, f"no panel ({letter})"
        chart.first.scroll_into_view_if_needed()
        assert chart.first.locator("g.xtick").count() > 0
        page.get_by_role("button", name="Make PNG and SVG for slides").wait_for()
        screenshot(page, "figure1-stages-1280")
        assert_no_errors(page)
