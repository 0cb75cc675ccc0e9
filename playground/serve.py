"""`python -m playground serve`: `streamlit run app.py`, warmed up before the first visitor.

Imports PyTorch and the labs and starts a warm-up thread first, then hands over to Streamlit's
own command line. Streamlit itself is imported only when the server starts (importing the page
helpers first would make Streamlit read its configuration before the command-line options).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import plotly.io as pio

from .labs import LABS

log = logging.getLogger(__name__)
APP = Path(__file__).resolve().parents[1] / "app.py"


def warm_up() -> None:
    """Build each lab's default run and draw one frame, so the first visitor of a fresh server
    does not wait for one-time work: kernel set-up, the MNIST subset (~2.5 s to parse) and the
    quality classifier. Runs in a background thread; a failure only costs the speed-up."""
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
    """Run the app with Streamlit's options (``--server.port 8080`` …) after starting the warm-up."""
    logging.basicConfig(level=logging.INFO)
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    from streamlit.web import cli as streamlit_cli

    return streamlit_cli.main(["run", str(APP), *streamlit_args], prog_name="streamlit", standalone_mode=False) or 0
