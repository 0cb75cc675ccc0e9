"""The timeline in Chromium: after training on, scrubbing back draws exactly the picture that was
on screen at that iteration (pixel-compared with a screenshot taken live), the histories mark
the moment, and Continue from here trains on from it."""

import io
import time

import numpy as np
import pytest
from PIL import Image

from e2e_harness import (CHART, SCREENSHOTS, assert_no_errors, chromium_page, iteration, press, require_chromium,
                         run_until, screenshot, wait_for_app, wait_until)

require_chromium()

pytestmark = pytest.mark.e2e


def main_chart(page) -> np.ndarray:
    """Figure 1 as the browser shows it (RGB pixels), the mouse away from it (no hover label)."""
    page.mouse.move(5, 5)
    time.sleep(0.5)  # Plotly.react has drawn the last frame
    png = page.locator(CHART).first.screenshot(animations="disabled")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def pixels_differing(a: np.ndarray, b: np.ndarray) -> float:
    """The share of pixels of ``a`` that no pixel of ``b`` within one row or column matches (to 48 of
    255 per channel). The chart may sit a fraction of a pixel higher or lower on the page (the rows
    above it change height with their text), which re-antialiases every edge; a different picture
    moves curves by many pixels."""
    pad = np.pad(b, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = a.shape[:2]
    best = np.full((h, w), np.inf)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            best = np.minimum(best, np.abs(a - pad[dy:dy + h, dx:dx + w]).max(axis=2))
    return float((best > 48).mean())


def pause(page) -> int:
    press(page, "Pause", timeout_ms=45_000)
    wait_for_app(page)
    return iteration(page)


def scrub_to(page, target: int, timeout_s: float = 40) -> bool:
    """Move the timeline's thumb with the arrow keys until the page shows iteration ``target``."""
    thumb = page.locator("[data-testid='stSlider']").filter(has_text="Timeline").locator("input[type='range']")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        shown = iteration(page)
        if shown == target:
            return True
        thumb.focus()
        thumb.press("ArrowLeft" if shown > target else "ArrowRight")
        wait_until(lambda: iteration(page) != shown, 5)
        wait_for_app(page)
    return False


def test_scrub_back_shows_the_live_picture_and_continue_trains_on_from_it(app_server):
    with chromium_page(viewport=(1440, 1000)) as page:
        page.goto(f"{app_server}/lab_1d?seed=11")
        wait_for_app(page)
        page.locator(f"{CHART} g.trace").first.wait_for()
        run_until(page, 200)
        paused_at = pause(page)
        live = main_chart(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        Image.fromarray(live.astype(np.uint8)).save(SCREENSHOTS / "timeline-live.png")

        run_until(page, paused_at + 300)
        end = pause(page)
        assert pixels_differing(main_chart(page), live) > 0.001, "the chart did not change while training on"

        assert scrub_to(page, paused_at), f"scrubbing back never showed iteration {paused_at} (shows {iteration(page)})"
        scrubbed = main_chart(page)
        Image.fromarray(scrubbed.astype(np.uint8)).save(SCREENSHOTS / "timeline-scrubbed.png")
        assert scrubbed.shape == live.shape
        differ = pixels_differing(scrubbed, live)
        assert differ < 0.001, f"{differ:.2%} of the pixels differ"
        assert page.get_by_text(f"Timeline: iteration {paused_at:,} of {end:,}").count() == 1
        page.locator(CHART).nth(1).scroll_into_view_if_needed()
        page.get_by_text(f"{paused_at:,}", exact=True).first.wait_for()  # the marker's label on the histories
        screenshot(page, "timeline-scrubbed")

        page.get_by_role("button", name="Continue from here").click()
        page.get_by_text(f"Continuing from iteration {paused_at:,}: the {end - paused_at:,} iterations after "
                         "it are dropped").wait_for()
        assert iteration(page) == paused_at
        run_until(page, paused_at + 50)
        pause(page)
        assert_no_errors(page)
        screenshot(page, "timeline-continued")
