"""Screenshots of every lab as a class sees it: at a projector's 1280 × 720 and at 1440 × 1000, in
normal and in presentation mode, each from a link that pre-trains a little (so the figures show a
GAN at work). Writes artifacts/screenshots/<lab>-<mode>-<width>x<height>.png; open them and look.
``--lessons`` adds <lab>-lesson-present-<width>x<height>.png: a lesson in presentation mode with a
step ended and its question open (the figure must stay on screen).

    python3 scripts/screenshots.py [--lab 1d|2d|mnist|all] [--lessons] [--url http://127.0.0.1:8501]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e_harness import SCREENSHOTS, chromium_browser, streamlit_server, wait_for_app  # noqa: E402

LINKS = {"1d": "lab_1d?steps=800", "2d": "lab_2d?steps=1000&seed=5", "mnist": "lab_mnist?steps=150"}
SIZES = ((1280, 720), (1440, 1000))
SETTLE_S = 2.0  # the charts draw and refit after the page reports it is idle
# a lesson per lab and the step to end (a short one: the 2-D step trains 1,500 iterations, MNIST's 1)
LESSONS = {"1d": ("figure1", 0), "2d": ("ring_collapse", 0), "mnist": ("conditional_digits", 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", choices=[*LINKS, "all"], default="all")
    parser.add_argument("--url", help="a running app (default: start one)")
    parser.add_argument("--lessons", action="store_true", help="also a lesson's ended step in presentation mode")
    args = parser.parse_args(argv)
    labs = list(LINKS) if args.lab == "all" else [args.lab]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    server = contextlib.nullcontext(args.url) if args.url else streamlit_server()
    with server as url, chromium_browser() as browser:
        for lab in labs:
            for mode, extra in (("normal", ""), ("present", "&present=1")):
                for width, height in SIZES:
                    with browser.new_context(viewport={"width": width, "height": height}) as context:
                        page = context.new_page()
                        page.goto(f"{url}/{LINKS[lab]}{extra}")
                        wait_for_app(page)
                        time.sleep(SETTLE_S)
                        path = SCREENSHOTS / f"{lab}-{mode}-{width}x{height}.png"
                        page.screenshot(path=str(path), animations="disabled")
                        print(path.relative_to(ROOT))
            if args.lessons:
                for width, height in SIZES:
                    lesson_screenshot(browser, url, lab, width, height)


def lesson_screenshot(browser, url: str, lab: str, width: int, height: int) -> None:
    """The lab's lesson in presentation mode: a step run to its end, its Question opened."""
    lesson, step = LESSONS[lab]
    with browser.new_context(viewport={"width": width, "height": height}) as context:
        page = context.new_page()
        page.goto(f"{url}/lab_{lab}?lesson={lesson}&present=1")
        wait_for_app(page)
        for _ in range(step):
            page.get_by_role("button", name="Next").click()
            wait_for_app(page)
        page.get_by_role("button", name="Start this step").click()
        page.get_by_role("button", name="Question").click(timeout=180_000)  # there once the step has ended
        time.sleep(SETTLE_S)
        path = SCREENSHOTS / f"{lab}-lesson-present-{width}x{height}.png"
        page.screenshot(path=str(path), animations="disabled")
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
