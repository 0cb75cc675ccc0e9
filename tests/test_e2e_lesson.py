"""A lesson in Chromium: a lesson link opens its first step, Start trains it until its rule holds
and the question appears with its answer behind a click; a bad uploaded file names its line and
changes nothing. Screenshots at 1280 × 720 (presentation mode) and 1440 × 1000 go to
artifacts/screenshots/."""

import pytest

from e2e_harness import chromium_browser, iteration, require_chromium, wait_for_app, wait_until
from e2e_harness import screenshot as save_screenshot

require_chromium()

pytestmark = pytest.mark.e2e

BAD_LESSON = b'title = "Broken"\nlab = "1d"\n\n[[steps]]\nwatch = "w"\nuntil = "d_real >> 1"\ncap = 10\n'


def test_a_lesson_link_step_question_answer_and_a_bad_upload(app_server, tmp_path):
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{app_server}/lab_1d?lesson=figure1")
        wait_for_app(page)
        box = page.locator(".st-key-1d-lesson-box")
        assert "Step 1 of 3" in box.inner_text()
        page.get_by_role("button", name="Start this step").click()
        page.get_by_text("Question:").wait_for(timeout=60_000)  # the step paused itself after its 100 iterations
        assert iteration(page) == 100 and "Trained 100 iterations" in box.inner_text()
        page.get_by_text("Answer", exact=True).click()
        page.get_by_text("Proposition 1").wait_for(timeout=10_000)
        save_screenshot(page, "lesson-1d-1440x1000")

        page.get_by_role("button", name="End lesson").click()
        page.get_by_text("Lessons").first.click()
        page.locator(".stMain [data-testid='stFileUploaderDropzoneInput']").set_input_files(
            files=[{"name": "broken.toml", "mimeType": "text/plain", "buffer": BAD_LESSON}])
        message = page.get_by_text("broken.toml: line 6: step 1")
        message.wait_for(timeout=30_000)
        assert "Nothing changed" in message.inner_text() and page.locator(".st-key-1d-lesson-box").count() == 0

        projector = browser.new_page(viewport={"width": 1280, "height": 720})
        projector.goto(f"{app_server}/lab_2d?lesson=ring_collapse&present=1")
        wait_for_app(projector)
        projector.get_by_role("button", name="Start this step").click()
        assert wait_until(lambda: iteration(projector) >= 200, 60)
        save_screenshot(projector, "lesson-2d-present-1280x720")
        projector.get_by_role("button", name="Pause").click()
