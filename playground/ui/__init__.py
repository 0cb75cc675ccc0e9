"""The Streamlit side of the app, the only subpackage that imports Streamlit: what the pages call
(``from playground import ui``), one module per concern.

- ``session``: the browser session's LiveSession, URL settings and widget state;
- ``sidebar``: the sidebar generated from the lab's config; ``share``: share and save;
- ``notices``: messages at the top of a page; ``controls``: buttons and metric widgets;
- ``chart``: live Plotly charts, history charts, pixel images; ``frames``: the live fragments;
- ``internals``: every use of Streamlit's internals; ``serve``: ``python -m playground serve``.

The page helpers are imported on first use, not with the package: ``serve`` must run before
Streamlit is imported, or Streamlit reads its configuration before the command-line options.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "lab_session": "session", "write_url": "session",
    "sidebar_config": "sidebar", "points_upload": "sidebar",
    "plain": "notices", "show_notices": "notices",
    "controls": "controls", "value_metric": "controls", "device_caption": "controls",
    "objective_metric": "controls", "number": "controls",
    "live_chart": "chart", "history_charts": "chart", "pixel_image": "chart",
    "live_area": "frames", "slow_area": "frames",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .chart import history_charts, live_chart, pixel_image
    from .controls import controls, device_caption, number, objective_metric, value_metric
    from .frames import live_area, slow_area
    from .notices import plain, show_notices
    from .session import lab_session, write_url
    from .sidebar import points_upload, sidebar_config


def __getattr__(name: str) -> Any:
    """``ui.live_chart`` and the other page helpers, from their modules on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
