"""Screenshots of every lab as a class sees it: at a projector's 1280 × 720 and at 1440 × 1000, in
normal and in presentation mode, each from a link that pre-trains a little (so the figures show a
GAN at work). Writes artifacts/screenshots/<lab>-<mode>-<width>x<height>.png; open them and look.

    python3 scripts/screenshots.py [--lab 1d|2d|mnist|all] [--url http://127.0.0.1:8501]
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", choices=[*LINKS, "all"], default="all")
    parser.add_argument("--url", help="a running app (default: start one)")
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


if __name__ == "__main__":
    main()
