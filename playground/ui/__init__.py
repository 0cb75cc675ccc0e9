"""The Streamlit side of the app, the only subpackage that imports Streamlit: what the pages call
(``from playground import ui``), one module per concern.

- ``session``: the browser session's LiveSession, URL settings and widget state; ``resume``: runs
  kept after their page went, and the offer to resume one after a reload;
- ``sidebar``: the sidebar generated from the lab's config; ``share``: share and save;
- ``notices``: messages at the top of a page; ``controls``: buttons and the metric row;
- ``present``: presentation mode and keyboard shortcuts;
- ``chart``: live Plotly charts, history charts, pixel images; ``frames``: the live fragments;
- ``timeline``: the timeline slider, Continue from here and the animation download;
- ``coach``: the coach's readings of the run; ``states``: trained states (start from, save, load);
  ``drawing``: the 2-D lab's draw-your-own-data canvas;
- ``lesson``: a lesson's steps and questions on a lab page, choosing or uploading one;
- ``latent``: the MNIST page's latent walk, latent sliders and memorisation check;
- ``slowmo``: the model overview beside the main figure and a slow-motion step's marks;
- ``stages``: the 1-D lab's Figure 1 view (its four stages from the run) and its downloads;
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
    "controls": "controls", "metric_row": "controls", "device_caption": "controls",
    "presenting": "present",
    "live_chart": "chart", "history_charts": "chart", "pixel_image": "chart",
    "live_area": "frames", "slow_area": "frames",
    "timeline_bar": "timeline",
    "coach_box": "coach", "drawing_panel": "drawing",
    "lab_title": "lesson", "lesson_panel": "lesson", "lesson_links": "lesson",
    "latent_space": "latent",
    "with_overview": "slowmo", "overview_chart": "slowmo", "marked": "slowmo", "side_overview": "slowmo",
    "figure1_view": "stages",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .coach import coach_box
    from .drawing import drawing_panel
    from .chart import history_charts, live_chart, pixel_image
    from .controls import controls, device_caption, metric_row
    from .frames import live_area, slow_area
    from .notices import plain, show_notices
    from .present import presenting
    from .session import lab_session, write_url
    from .sidebar import points_upload, sidebar_config
    from .slowmo import marked, overview_chart, side_overview, with_overview
    from .stages import figure1_view
    from .timeline import timeline_bar
    from .latent import latent_space
    from .lesson import lab_title, lesson_links, lesson_panel


def __getattr__(name: str) -> Any:
    """``ui.live_chart`` and the other page helpers, from their modules on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
