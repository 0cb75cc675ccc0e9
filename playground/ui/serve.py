"""`python -m playground serve`: `streamlit run app.py`, warmed up before the first visitor.

Imports PyTorch and the labs and warms each lab up first, then hands over to Streamlit's own
command line. Streamlit itself is imported only when the server starts (importing the page
helpers first would make Streamlit read its configuration before the command-line options).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import plotly.io as pio

from ..labs import LABS

log = logging.getLogger(__name__)
APP = Path(__file__).resolve().parents[2] / "app.py"


def warm_up() -> None:
    """Build each lab's default run and draw one frame, so the first visitor of a fresh server
    does not wait for one-time work: kernel set-up, the MNIST subset (~2.5 s to parse) and the
    quality classifier. A failure is logged and only costs the speed-up."""
    start = time.perf_counter()
    try:
        for lab in LABS.values():
            run = lab.make_run(lab.config_cls())
            run.trainer.train_iterations(2)
            snap = run.snapshot()
            for figure in {**lab.frame_figures(snap, run.config), **lab.history_figures(snap, run.config)}.values():
                pio.to_json(figure, validate=False)
    except Exception:  # noqa: BLE001
        log.exception("warm-up failed (the app still works; its first page is just slower)")
        return
    log.info("warm-up done in %.1f s", time.perf_counter() - start)


def serve(streamlit_args: list[str]) -> int:
    """Run the app with Streamlit's options (``--server.port 8080`` …) after the warm-up.

    The warm-up runs before the server starts (1–2 s on an idle machine), so the server reports
    healthy only once the first page can be drawn at full speed. A bad option gets one line and
    exit code 2, as everywhere else in the command line.
    """
    import click
    from streamlit.web import cli as streamlit_cli

    logging.basicConfig(level=logging.INFO)
    warm_up()
    try:
        return streamlit_cli.main(["run", str(APP), *streamlit_args], prog_name="streamlit",
                                  standalone_mode=False) or 0
    except click.ClickException as err:
        print(f"python -m playground serve: error: {' '.join(err.format_message().split())}", file=sys.stderr)
        return 2
