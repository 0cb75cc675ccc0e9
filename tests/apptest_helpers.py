"""What the AppTest page tests share: open a lab page with query params, read its metrics and charts."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def open_lab(page: str, query: dict | None = None, timeout: float = 90) -> AppTest:
    """Run the app with ``query`` in the URL, switch to ``page`` and check nothing raised."""
    at = AppTest.from_file("../app.py", default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def figures(at: AppTest) -> list[dict]:
    """The Plotly figures on the page (each live chart component carries its figure as JSON; the
    page's own components (the visibility reporter, keyboard shortcuts and styles, the browser
    token) carry none)."""
    data = [json.loads(el.proto.json) for el in at.get("bidi_component")]
    return [json.loads(d["figure"]) for d in data if "figure" in d]


def shown(markdown: str) -> str:
    """Text as the reader sees it (user-supplied text is backslash-escaped before rendering)."""
    return markdown.replace("\\", "")


def run_until_diverged(at: AppTest, lab_key: str, session, reruns: int = 30) -> None:
    """Press Run, then rerun until ``session(at)`` has diverged (at most ``reruns`` times), and
    once more so the page shows the paused state."""
    at.button(key=f"{lab_key}.run").click().run()
    for _ in range(reruns):
        if session(at).diverged:
            break
        at.run()
    at.run()
