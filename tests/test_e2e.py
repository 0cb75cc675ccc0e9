"""End to end in the system Chromium: Home → 1-D lab → Run; the chart redraws, nothing errors."""

import re
import subprocess
import sys
import time

import pytest

from e2e_harness import (CHART, assert_no_errors, chromium_browser, chromium_page, cpu_percent_over, iteration,
                         press, require_chromium, run_until, screenshot, streamlit_server_process, wait_for_app,
                         wait_until)

require_chromium()

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(app_server):
    return app_server


@pytest.fixture(scope="module")
def server_process():
    """A server of its own, for a test that measures the server's CPU."""
    with streamlit_server_process() as srv:
        yield srv


def p_g_path(page) -> str:
    """The SVG path of the p_g curve in Figure 1 (changes whenever the chart redraws)."""
    return page.locator(CHART).first.locator("g.trace.scatter path.js-line").nth(1).get_attribute("d")


def test_home_to_lab_run_and_redraw(server):
    with chromium_page() as page:
        page.goto(server)
        wait_for_app(page)
        assert page.get_by_text("generative adversarial network").count() >= 1
        screenshot(page, "home")

        page.get_by_role("link", name=re.compile("1-D lab")).first.click()
        wait_for_app(page)
        page.locator(f"{CHART} g.trace").first.wait_for()
        assert iteration(page) == 0
        before = p_g_path(page)

        run_until(page, 500)  # Plotly can draw a frame just after the counter shows it: wait for it
        assert wait_until(lambda: p_g_path(page) != before, 20), "Figure 1 did not redraw"
        later = p_g_path(page)
        assert wait_until(lambda: p_g_path(page) != later, 20), "Figure 1 stopped redrawing while running"
        assert_no_errors(page)
        screenshot(page, "lab1d-running")

        pause(page)  # the page has redrawn after the pause
        time.sleep(0.5)
        paused = iteration(page)
        time.sleep(1.0)
        assert iteration(page) == paused
        assert_no_errors(page)


def set_visibility(page, state: str) -> None:
    """Make the page report ``state`` ('hidden' or 'visible') as a backgrounded tab would."""
    page.evaluate("(state) => { Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});"
                  " document.dispatchEvent(new Event('visibilitychange')); }", state)


def test_a_hidden_tab_draws_nothing_and_carries_on_when_shown(server):
    """While the tab is hidden the server sends it nothing (no frames, no history charts) and the
    session does not train; shown again, the page redraws and training continues."""
    received = []
    with chromium_page() as page:
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(time.monotonic())))
        page.goto(f"{server}/lab_1d")
        wait_for_app(page)
        running_at = run_until(page, 200)
        set_visibility(page, "hidden")
        time.sleep(2.0)  # the page reruns without its live areas
        # no live chart (a collapsed expander's still figure, such as Figure 1's stages, is no frame)
        live_charts = page.evaluate(f"Array.from(document.querySelectorAll('{CHART}'))"
                                    ".filter(el => !el.closest(\"[data-testid='stExpander']\")).length")
        assert live_charts == 0
        quiet_from = time.monotonic()
        time.sleep(3.0)
        assert not [t for t in received if t > quiet_from], "a hidden tab was still sent frames"

        set_visibility(page, "visible")
        page.locator(CHART).first.wait_for(timeout=30_000)
        hidden_at = iteration(page)
        assert hidden_at >= running_at
        assert wait_until(lambda: iteration(page) > hidden_at, 30), "training did not carry on once shown again"
        assert_no_errors(page)
        pause(page)


def test_shared_link_reproduces_settings_and_pretrains(server):
    with chromium_page() as page:
        page.goto(f"{server}/lab_1d?target=bimodal&k=2&steps=300&nonsense=1")
        wait_for_app(page)
        page.locator(f"{CHART} g.trace").first.wait_for()
        assert iteration(page) == 300
        assert page.get_by_text("Unknown setting 'nonsense' ignored.").count() == 1
        assert "target=bimodal" in page.url and "k=2" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "lab1d-link")


def test_a_reload_resumes_the_run_and_another_browser_starts_fresh(server):
    """A teacher's link (hidden and locked controls), Run, reload: the page offers the run back,
    and resuming it gives the same run (same iteration or later, the lock kept). A second browser
    opening the same link gets a fresh run and no offer."""
    link = f"{server}/lab_1d?preset=oscillation&hide=optimizer,lr_g&lock=k"
    with chromium_browser() as browser:
        page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        page.goto(link)
        wait_for_app(page)
        page.locator(f"{CHART} g.trace").first.wait_for()
        screenshot(page, "lab1d-teacher-link")
        page.set_viewport_size({"width": 1280, "height": 720})
        screenshot(page, "lab1d-teacher-link-1280x720")
        before = run_until(page, 300)

        page.reload()
        wait_for_app(page)
        resume = page.get_by_role("button", name=re.compile(r"Resume your run \(iteration [\d,]+, just now\)"))
        resume.wait_for()
        screenshot(page, "lab1d-resume-offer-1280x720")
        page.set_viewport_size({"width": 1440, "height": 1000})
        screenshot(page, "lab1d-resume-offer")
        resume.click()
        page.locator(f"{CHART} g.trace").first.wait_for()
        assert wait_until(lambda: iteration(page) >= before, 15), f"resumed at {iteration(page)}, had {before}"
        press(page, "Pause")  # it was still running; pausing leaves the cores to the second browser
        assert page.get_by_text("Fixed by your teacher").count() == 1
        assert "lock=k" in page.url and "preset" not in page.url and "momentum=0.99" in page.url
        assert_no_errors(page)

        other = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        other.goto(link)
        wait_for_app(other)
        other.locator(f"{CHART} g.trace").first.wait_for()
        assert other.get_by_role("button", name=re.compile("Resume your run")).count() == 0
        assert iteration(other) == 0


def test_closing_the_tab_stops_a_links_pretraining(server_process):
    """A link asking for 50,000 iterations shows its progress, and closing its tab ends the training
    at once (Streamlit stops the script at the next progress update), well before the time budget
    would have: no work outlives the session."""
    idle = cpu_percent_over(server_process.pid, 1.0)
    threshold = max(15.0, idle + 10.0)
    with chromium_page((1280, 720)) as page:
        page.goto(f"{server_process.url}/lab_2d?steps=50000&seed=5")
        page.locator("[data-testid='stProgress']").wait_for(timeout=30_000)
        assert "Pre-training from the link" in page.locator("[data-testid='stProgress']").inner_text(timeout=5_000)
        training = cpu_percent_over(server_process.pid, 0.6)
        page.close()
    after = cpu_percent_over(server_process.pid, 2.0)  # pre-training alone would go on for ~3 more seconds
    assert training > threshold, f"pre-training used only {training:.0f}% of a core: the check would prove nothing"
    assert after < threshold, f"the server kept working after the tab closed: {after:.0f}% (idle {idle:.0f}%)"


def heatmap_image(page) -> str:
    """The 2-D lab's D(x) map as Plotly drew it (a data-URL image that changes on each redraw)."""
    return page.locator(CHART).first.locator("g.im image").first.get_attribute("href")


def test_lab2d_runs_and_redraws_the_heatmap(server):
    with chromium_page() as page:
        page.goto(f"{server}/lab_2d?width=32")
        wait_for_app(page)
        page.locator(f"{CHART} g.im image").first.wait_for()
        assert iteration(page) == 0
        before = heatmap_image(page)

        run_until(page, 300)
        # The counter (a Streamlit metric) can show a frame before Plotly has drawn that frame's
        # heatmap, so wait for the redraw rather than expect it at the same instant.
        assert wait_until(lambda: heatmap_image(page) != before, 20), "the D(x) heatmap did not redraw"
        later = heatmap_image(page)
        assert wait_until(lambda: heatmap_image(page) != later, 20), "the heatmap stopped redrawing while running"
        assert page.get_by_text("Modes").count() >= 1
        assert_no_errors(page)
        screenshot(page, "lab2d-running")
        pause(page)


def pause(page) -> None:
    """Press Pause once and wait for Run (and for it to stay: a click delivered twice must not
    start training again)."""
    press(page, "Pause", timeout_ms=45_000)
    time.sleep(1.0)
    assert page.get_by_role("button", name="Run").count() == 1, "Pause did not hold"


def test_pause_holds_under_load(server):
    """Run then Pause, 15 times, with another process holding a core. Under load Streamlit can
    deliver one Pause click twice (with a live-frame rerun and with the full rerun); when the
    button toggled, the second delivery restarted training, in about 1 of 3 pauses here."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with chromium_page() as page:
            page.goto(f"{server}/lab_2d?width=32")
            wait_for_app(page)
            page.locator(f"{CHART} g.im image").first.wait_for()
            for _ in range(15):
                press(page, "Run")
                time.sleep(1.5)  # live frames are rerunning now
                pause(page)
            stopped_at = iteration(page)
            time.sleep(1.0)
            assert iteration(page) == stopped_at, "training went on after Pause"
            assert_no_errors(page)
    finally:
        burner.kill()
        burner.wait()


def grid_src(page) -> str:
    """The URL of the generated-digits image (a new media file whenever the grid is redrawn)."""
    return page.locator("[data-testid='stImage'] img").first.get_attribute("src")


def test_mnist_lab_trains_and_the_grid_changes(server):
    with chromium_page() as page:
        page.goto(f"{server}/lab_mnist?batch=32")
        wait_for_app(page)
        page.locator("[data-testid='stImage'] img").first.wait_for()
        before = grid_src(page)
        run_until(page, 50, timeout_s=90)
        assert grid_src(page) != before, "the digit grid was not redrawn"
        assert page.get_by_text("Fréchet").count() >= 1
        assert_no_errors(page)
        screenshot(page, "labmnist-running")
        pause(page)
