"""The Streamlit internals the app relies on (all of them in ``playground/ui/internals.py``) still
behave as the app expects: these tests fail loudly when an upgrade changes one, where the page
itself would only fall back quietly (slider changes waiting out whole frames; charts remounted).

Streamlit has no public replacement for any of them: static file serving sends JavaScript as text
(docs: "Static file serving"), a v2 component's asset files must be packaged, and there is no
public way to see a pending rerun from a running script, nor to ask whether a page (a session) is
still connected.
"""

import logging
import os

import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests
from streamlit.testing.v1 import AppTest

from e2e_harness import CHART, chromium_page, find_chromium, wait_for_app
from playground.ui import internals


def checks_on(requests: ScriptRequests) -> tuple[bool, bool]:
    full_rerun_pending, any_rerun_pending = internals.request_checks(requests)
    return full_rerun_pending(), any_rerun_pending()


def test_the_checks_read_the_real_script_requests():
    """On Streamlit's own ScriptRequests: nothing pending; the live fragment's timer (a fragment
    rerun) asks for the next frame but is no user change; a widget change (a full rerun), also when
    it arrives on top of a fragment rerun, and a stop are both."""
    assert checks_on(ScriptRequests()) == (False, False)
    fragment = ScriptRequests()
    assert fragment.request_rerun(RerunData(fragment_id="live-frame"))
    assert checks_on(fragment) == (False, True)
    assert fragment.request_rerun(RerunData(query_string="k=3"))
    assert checks_on(fragment) == (True, True)
    widget = ScriptRequests()
    assert widget.request_rerun(RerunData(query_string="k=3"))
    assert checks_on(widget) == (True, True)
    stop = ScriptRequests()
    stop.request_stop()
    assert checks_on(stop) == (True, True)


def _report_live_checks():
    import streamlit as st

    from playground.ui import internals

    st.write(f"live checks: {internals.script_request_checks() is not internals.NO_CHECKS}")


def test_a_running_script_can_read_its_requests():
    """Inside a script run the context carries ScriptRequests the checks can read (no fallback)."""
    at = AppTest.from_function(_report_live_checks).run()
    assert not at.exception and at.markdown[0].value == "live checks: True"


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(internals, "_warned", set())
    internals._plotly_files_url.cache_clear()
    yield
    internals._plotly_files_url.cache_clear()


def test_a_changed_request_state_warns_once_and_falls_back(fresh_warnings, monkeypatch, caplog):
    """Requests without the state the checks read: one warning, then the plain frame budget."""
    from streamlit.runtime.scriptrunner_utils import script_run_context

    class Changed:
        script_requests = object()

    monkeypatch.setattr(script_run_context, "get_script_run_ctx", lambda: Changed())
    with caplog.at_level(logging.WARNING, logger=internals.__name__):
        assert internals.script_request_checks() is internals.NO_CHECKS
        assert internals.script_request_checks() is internals.NO_CHECKS
    assert len(caplog.records) == 1 and "Streamlit internals changed" in caplog.text


def _draw_a_live_chart():
    import plotly.graph_objects as go

    from playground import ui

    ui.live_chart(go.Figure(data=[go.Scatter(y=[1, 3, 2])], layout={"height": 200}), key="contract")


def test_without_the_plotly_component_charts_fall_back_to_plotly_chart(fresh_warnings, monkeypatch, caplog):
    """When the v1 component cannot be declared, the chart is drawn by st.plotly_chart (one warning);
    when it can, by the live chart component."""
    from streamlit.components import v1 as components_v1

    at = AppTest.from_function(_draw_a_live_chart).run()
    assert len(at.get("bidi_component")) == 1 and not at.get("plotly_chart")
    internals._plotly_files_url.cache_clear()

    def declare_component(*args, **kwargs):
        raise TypeError("declare_component() changed")

    monkeypatch.setattr(components_v1, "declare_component", declare_component)
    with caplog.at_level(logging.WARNING, logger=internals.__name__):
        at = AppTest.from_function(_draw_a_live_chart).run()
        at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1 and not at.get("bidi_component")
    assert len(caplog.records) == 1 and "serving plotly.js" in caplog.text


def test_page_liveness_reads_the_runtime_and_falls_back_to_connected(fresh_warnings, monkeypatch, caplog):
    """session_is_connected asks Runtime.is_active_session (a real server's answer is checked end to
    end by the reload test in test_e2e.py); if that is gone or answers something else, one warning
    and every page counts as connected (a reload then starts afresh, as before)."""
    from streamlit.runtime import Runtime

    class FakeRuntime:
        def __init__(self, answer):
            self.answer = answer

        def is_active_session(self, session_id):
            return self.answer(session_id)

    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: runtime))
    runtime = FakeRuntime(lambda sid: sid == "open")
    assert internals.session_is_connected("open") and not internals.session_is_connected("gone")
    runtime = FakeRuntime(lambda sid: None)
    with caplog.at_level(logging.WARNING, logger=internals.__name__):
        assert internals.session_is_connected("gone") and internals.session_is_connected("gone")
    assert len(caplog.records) == 1 and "is_active_session returned NoneType" in caplog.text
    assert callable(getattr(Runtime, "is_active_session", None))


@pytest.mark.e2e
def test_the_server_serves_plotly_js_at_the_component_url(app_server):
    """In a real server the URL the live charts load Plotly.js from answers with plotly.js itself,
    and the chart is drawn with it."""
    if find_chromium() is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI is set but no Chromium was found")
        pytest.skip("no Chromium found")
    with chromium_page() as page:
        page.goto(f"{app_server}/lab_1d")
        wait_for_app(page)
        page.locator(f"{CHART} .main-svg").first.wait_for()
        src = page.evaluate("() => document.querySelector('script[src*=\"plotly\"]').src")
        assert "/component/playground.ui.internals.plotlyjs/plotly.min.js" in src
        response = page.request.get(src)
        assert response.status == 200 and "javascript" in response.headers["content-type"]
        assert b"plotly.js v" in response.body()[:2000]
        assert page.evaluate("() => typeof window.Plotly.react") == "function"
