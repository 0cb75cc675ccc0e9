"""Slow motion in Chromium: the model overview highlights D's steps, then G's, one a second, and
the toy labs mark the step's minibatch (and in 2-D G's push) on the main figure."""

import time

import pytest

from e2e_harness import CHART, assert_no_errors, chromium_page, press, require_chromium, screenshot, wait_for_app

require_chromium()

pytestmark = pytest.mark.e2e


def overview_says(page, text: str, timeout_ms: float = 20_000) -> None:
    page.locator(f"{CHART} svg text", has_text=text).first.wait_for(timeout=timeout_ms)


def test_slow_motion_highlights_d_then_g(app_server):
    with chromium_page(viewport=(1440, 1000)) as page:
        page.goto(f"{app_server}/lab_1d?speed=slow&k=2&seed=5")
        wait_for_app(page)
        overview_says(page, "Step D, Step G or slow motion")
        press(page, "Run")
        overview_says(page, "D step 1 of 2 of iteration 1")
        overview_says(page, "updating weights")
        assert page.locator(f"{CHART} svg text", has_text="this step's real x").count() >= 1  # the marks' legend
        screenshot(page, "slowmo-1d-d-step")
        start = time.monotonic()
        overview_says(page, "D step 2 of 2 of iteration 1")
        overview_says(page, "G step 1 of 1 of iteration 1")
        assert time.monotonic() - start > 1.0, "slow motion went faster than one step a second"
        screenshot(page, "slowmo-1d-g-step")
        press(page, "Pause")
        assert_no_errors(page)


def test_slow_motion_in_2d_marks_the_push_of_a_g_step(app_server):
    with chromium_page(viewport=(1280, 720)) as page:
        page.goto(f"{app_server}/lab_2d?speed=slow&seed=2")
        wait_for_app(page)
        press(page, "Run")
        overview_says(page, "G step 1 of 1 of iteration 1", timeout_ms=30_000)
        page.locator(f"{CHART} svg text", has_text="this G step's push").first.wait_for(timeout=5_000)
        press(page, "Pause")
        screenshot(page, "slowmo-2d-g-step")
        assert_no_errors(page)
