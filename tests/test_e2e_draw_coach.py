"""In Chromium: drawing your own data on the 2-D lab's plane (clicks and a dragged stroke), then
training on it; and the coach's box reading a run. Screenshots at 1440 × 1000 and 1280 × 720 go to
artifacts/screenshots/."""

import re

import pytest

from e2e_harness import chromium_browser, iteration, press, require_chromium, wait_for_app, wait_until
from e2e_harness import screenshot as save_screenshot

require_chromium()

pytestmark = pytest.mark.e2e

SIZES = {"1440x1000": (1440, 1000), "1280x720": (1280, 720)}


def drawn_count(page) -> int:
    text = page.get_by_text(re.compile(r"^[\d,]+ points drawn\.$")).first.inner_text()
    return int(text.split()[0].replace(",", ""))


def test_draw_points_then_train_on_them(app_server):
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{app_server}/lab_2d?target=custom&custom_source=csv&width=16&batch=64")
        wait_for_app(page)
        canvas = page.locator("[data-testid='stPlotlyChart'] .nsewdrag").first
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        wait_for_app(page)  # the live area below may still be settling; a click then can land mid-rerun
        for fx, fy in ((0.3, 0.3), (0.7, 0.3), (0.5, 0.75)):  # three clicks: three clouds
            before = drawn_count(page)
            for _ in range(3):  # a click that lands while the page reruns is lost, as it would be for a user
                page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
                if wait_until(lambda: drawn_count(page) > before, 10):
                    break
            assert drawn_count(page) > before, "clicks added no points"
        before = drawn_count(page)
        page.locator("[data-testid='stPlotlyChart'] [data-title='Lasso Select']").first.click()  # the toolbar's lasso
        page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.55 * box["height"])
        page.mouse.down()
        for step in range(1, 21):  # a stroke across the plane
            page.mouse.move(box["x"] + (0.2 + 0.03 * step) * box["width"], box["y"] + 0.55 * box["height"], steps=2)
        page.mouse.up()
        assert wait_until(lambda: drawn_count(page) > before + 50, 20), "the stroke added no points"
        count = drawn_count(page)
        page.get_by_role("button", name="Train on these points").click()
        sidebar = page.locator("[data-testid='stSidebar']")
        assert wait_until(lambda: sidebar.get_by_text(f"Using {count:,} points").count() > 0, 30)
        press(page, "Run")
        assert wait_until(lambda: iteration(page) > 0, 30)
        press(page, "Pause")
        wait_for_app(page)
        page.mouse.move(5, 5)  # no tooltip over the picture
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.locator("[data-testid='stPlotlyChart']").first.scroll_into_view_if_needed()
            save_screenshot(page, f"2d-drawn-data-{name}")
        assert page.locator("[data-testid='stException']").count() == 0


def test_the_coach_reads_a_stalled_run(app_server):
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{app_server}/lab_1d?preset=saturating&steps=800")  # stalled there (G escapes by ~3,000)
        wait_for_app(page)
        if iteration(page) < 800:  # pre-training gets at most 5 s: train on to where the run has stalled
            press(page, "Run")
            wait_until(lambda: iteration(page) >= 800, 40)
            press(page, "Pause")
            wait_for_app(page)
        coach = page.locator(".st-key-coach")
        assert wait_until(lambda: "G's gradient is vanishing" in coach.inner_text(), 10), coach.inner_text()
        assert "D is winning" in coach.inner_text() and "Evidence" in coach.inner_text()
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            coach.scroll_into_view_if_needed()
            save_screenshot(page, f"1d-coach-{name}")
