"""Every use of Streamlit's internals, in one place.

Streamlit has no public API for three things the pages need:

- serving Plotly.js from the installed plotly package: a v1 component is declared only for the
  URL under which Streamlit serves a local folder (``/component/<name>/<file>``); its static file
  serving cannot serve JavaScript as JavaScript, and a v2 component's assets must be packaged;
- knowing, while a frame trains, whether the user changed something (a full rerun is waiting) or
  the browser asked for the next frame: read from the script thread's ``ScriptRequests``;
- knowing whether a page (a Streamlit session) is still connected, so that a run whose page went
  is kept for a reload (``playground.parking``): the script run context's session id, and
  ``Runtime.is_active_session`` (documented thread-safe, on the internal Runtime object).

If one of them no longer looks as expected (a Streamlit upgrade within the pinned range), one
warning is logged and the page falls back to public behaviour: ``st.plotly_chart`` redrawn from
scratch, frames that train for their plain time budget (a slider change then waits up to a
frame), and pages counted as connected (a reload then starts afresh, as it did before). ``tests/test_streamlit_contract.py`` exercises the real objects and fails loudly instead.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Callable

import plotly

log = logging.getLogger(__name__)

PLOTLY_FILES = Path(plotly.__file__).parent / "package_data"  # holds plotly.min.js
Check = Callable[[], bool]
# Without the request state: never interrupt a frame's training, and treat the next frame as asked for.
NO_CHECKS: tuple[Check, Check] = (lambda: False, lambda: True)

_warned: set[str] = set()


def _warn_once(what: str, err: BaseException, fallback: str) -> None:
    if what not in _warned:
        _warned.add(what)
        log.warning("Streamlit internals changed: %s failed (%s: %s); falling back to %s. "
                    "Run tests/test_streamlit_contract.py.", what, type(err).__name__, err, fallback)


# --- Plotly.js served by the Streamlit server ---------------------------------------------------

@functools.cache  # once it works; a failure is retried (and warned about once)
def _plotly_files_url() -> str:
    from unittest.mock import NonCallableMock

    from streamlit import runtime
    from streamlit.components import v1 as components_v1

    files = components_v1.declare_component("plotlyjs", path=str(PLOTLY_FILES))
    registry = runtime.get_instance().component_registry
    if not isinstance(registry, NonCallableMock):  # AppTest runs pages on a mock runtime that serves nothing
        served = registry.get_component_path(files.name)
        if served is None or Path(served) != PLOTLY_FILES:
            raise LookupError(f"component {files.name!r} is registered for {served!r}")
    return f"/component/{files.name}/plotly.min.js"


def plotly_js_url() -> str | None:
    """Where this server serves plotly.min.js, or None when that cannot be arranged."""
    try:
        return _plotly_files_url()
    except Exception as err:  # noqa: BLE001
        _warn_once("serving plotly.js as a v1 component", err, "st.plotly_chart")
        return None


# --- pending script requests --------------------------------------------------------------------

def script_request_checks() -> tuple[Check, Check]:
    """Two checks for the training loop of a running script: has the user changed something outside
    the live area (a full rerun is waiting), and has the browser asked for the next frame?

    A slider change requests a full rerun, which Streamlit starts only when the running script
    next calls it, i.e. after this frame's training (up to ~150 ms later): ending the training
    early cuts that wait to one ~10 ms chunk. The browser asks for the next frame on a timer
    (``run_every``); until it does, the frame may go on training (see ``LiveSession.tick``).
    """
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx()
    except Exception as err:  # noqa: BLE001
        _warn_once("finding the script run context", err, "the plain frame budget")
        return NO_CHECKS
    if ctx is None:  # not inside a script run: nothing can be pending
        return NO_CHECKS
    try:
        return request_checks(ctx.script_requests)
    except Exception as err:  # noqa: BLE001
        _warn_once("reading the script requests", err, "the plain frame budget")
        return NO_CHECKS


def request_checks(requests: Any) -> tuple[Check, Check]:
    """(full rerun pending, any rerun pending) on a ScriptRequests object; raises if it does not have
    the state this reads. A STOP, or a RERUN for no fragment, is a full rerun; a fragment's rerun
    (the next live frame) is not."""
    from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

    state, data = requests._state, requests._rerun_data
    if not isinstance(state, ScriptRequestType) or not hasattr(data, "fragment_id") \
            or not hasattr(data, "fragment_id_queue"):
        raise TypeError(f"unexpected request state {state!r} / {type(data).__name__}")

    def full_rerun_pending() -> bool:
        try:
            state, data = requests._state, requests._rerun_data
            return state == ScriptRequestType.STOP or (
                state == ScriptRequestType.RERUN and data.fragment_id is None and not data.fragment_id_queue)
        except Exception as err:  # noqa: BLE001
            _warn_once("reading the script requests", err, "the plain frame budget")
            return False

    def any_rerun_pending() -> bool:
        try:
            return requests._state != ScriptRequestType.CONTINUE
        except Exception as err:  # noqa: BLE001
            _warn_once("reading the script requests", err, "the plain frame budget")
            return True

    return full_rerun_pending, any_rerun_pending


# --- which page is this, and is a page still connected ---------------------------------------

def session_id() -> str | None:
    """The id of the Streamlit session (the page) running this script; None outside a script run."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        return None if ctx is None else str(ctx.session_id)
    except Exception as err:  # noqa: BLE001
        _warn_once("reading the session id", err, "no resume after a reload")
        return None


def session_is_connected(session_id: str) -> bool:
    """Whether the page with this session id is connected (a reload or a closed tab disconnects it
    at once). True when it cannot be told: a run is then never offered to another page."""
    from unittest.mock import NonCallableMock

    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return True
        runtime = Runtime.instance()
        if isinstance(runtime, NonCallableMock):  # AppTest's mock runtime: its one page is connected
            return True
        active = runtime.is_active_session(session_id)
        if not isinstance(active, bool):
            raise TypeError(f"is_active_session returned {type(active).__name__}")
        return active
    except Exception as err:  # noqa: BLE001
        _warn_once("asking whether a session is active", err, "treating every page as connected")
        return True
