"""Browser benchmark: what a viewer of a live lab actually gets, measured in Chromium.

For each lab page: start the app, open the page, press Run, watch for WATCH seconds and report
  - frames/s actually drawn (changes of the main chart's SVG, sampled every animation frame),
  - steps/s the page reports (iteration counter over wall time),
  - headless steps/s of the same trainer in this process, and live / headless,
  - the time from a slider change to the first frame that reflects it,
  - the time from server start to the first drawn chart.

    python scripts/browser_bench.py [--lab 1d] [--seconds 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e_harness import CHART, chromium_page, iteration, streamlit_server, wait_for_app  # noqa: E402

PAGES = {"1d": "lab_1d", "2d": "lab_2d", "mnist": "lab_mnist"}

# Count redraws on every animation frame: the first Plotly chart's first curves (SVG paths), its
# image (the 2-D lab's D(x) map), or the first st.image (the MNIST lab's digit grid).
FRAME_COUNTER_JS = """
() => {
  window.__frames = 0; window.__frameTimes = [];
  let last = null;
  const tick = () => {
    const chart = document.querySelector("CHART");
    const image = (chart && chart.querySelector("g.im image, g.hm image")) || document.querySelector("[data-testid='stImage'] img");
    const paths = chart ? Array.from(chart.querySelectorAll("g.trace path.js-line")).slice(0, 3)
                          .map(p => p.getAttribute("d")).join("|") + (image ? (image.getAttribute("href") || image.getAttribute("src")) : "") : null;
    if (paths && paths !== last) { window.__frames += 1; window.__frameTimes.push(performance.now()); last = paths; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def headless_rate(lab_key: str, seconds: float = 5.0) -> float:
    import torch

    from playground.bench import rate
    from playground.labs import LABS

    torch.set_num_threads(1)
    lab = LABS[lab_key]
    run = lab.make_run(lab.config_cls())
    return rate(run.trainer.step_iteration, seconds)


def measure(lab_key: str, watch_s: float) -> dict:
    start = time.perf_counter()
    with streamlit_server() as url, chromium_page() as page:
        healthy_s = time.perf_counter() - start
        page.goto(f"{url}/{PAGES[lab_key]}")
        wait_for_app(page)
        page.locator(f"{CHART} g.trace").first.wait_for(state="attached")
        first_chart_s = time.perf_counter() - start - healthy_s

        page.evaluate(FRAME_COUNTER_JS.replace("CHART", CHART))
        page.get_by_role("button", name="Run").click()
        time.sleep(2.0)  # let the first frames settle
        i0, f0, t0 = iteration(page), page.evaluate("window.__frames"), time.perf_counter()
        time.sleep(watch_s)
        i1, f1, t1 = iteration(page), page.evaluate("window.__frames"), time.perf_counter()
        live_steps = (i1 - i0) / (t1 - t0)
        frames = (f1 - f0) / (t1 - t0)

        slider_ms = slider_latency_ms(page)
        page.get_by_role("button", name="Pause").click()
    headless = headless_rate(lab_key)
    return {
        "lab": lab_key, "watch_s": watch_s,
        "frames_per_s": round(frames, 2), "live_steps_per_s": round(live_steps, 1),
        "headless_steps_per_s": round(headless, 1), "live_over_headless": round(live_steps / headless, 3),
        "slider_to_frame_ms": statistics.median(slider_ms), "slider_to_frame_ms_each": slider_ms, "server_healthy_s": round(healthy_s, 2),
        "first_chart_after_healthy_s": round(first_chart_s, 2),
    }


def slider_latency_ms(page, presses: int = 5) -> list[float]:
    """Press the k slider's arrow keys while running (right, left, right, …); for each press, the
    time until a frame says it trained with the new k (each frame's caption names the settings
    it was drawn with)."""
    slider = page.locator("input[type='range'][aria-label='k — D steps per G step']")
    times = []
    for press in range(presses):
        before = int(slider.get_attribute("value"))
        key, after = ("ArrowRight", before + 1) if press % 2 == 0 else ("ArrowLeft", before - 1)
        slider.focus()
        t0 = time.perf_counter()
        page.keyboard.press(key)
        page.get_by_text(f"k = {after} ·").first.wait_for(timeout=10_000)
        times.append(round((time.perf_counter() - t0) * 1000, 0))
        time.sleep(0.7)  # let the frames settle again
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", choices=sorted(PAGES) + ["all"], default="all")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [measure(key, args.seconds) for key in (sorted(PAGES) if args.lab == "all" else [args.lab])]
    if args.json:
        print(json.dumps(results))
    else:
        for result in results:
            for name, value in result.items():
                print(f"{name:>28}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
