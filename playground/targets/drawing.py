"""Points drawn on the plane (the 2-D lab's "Draw your own data"): what a click, a lasso stroke or
a box adds, as pure functions of the gesture's coordinates. The drawn points then become data the
way an uploaded CSV's do (checked by points.check_points, capped at points.MAX_POINTS).

A single point is not much of a distribution, so each gesture adds a little cloud: a click a spray
around where it landed, a stroke points all along its path, a box points filling it.
"""

from __future__ import annotations

import numpy as np

from .points import MAX_POINTS

CANVAS = (-4.0, 4.0)  # the drawing square, in data units, both axes
GRID = 41  # the canvas's clickable points per side (every 0.2)
SPRAY_POINTS, SPRAY_STD = 25, 0.12  # a click
STROKE_SPACING, STROKE_STD = 0.04, 0.04  # a lasso stroke: one point per this much path, jittered
BOX_DENSITY = 60.0  # a box: points per unit of area (at most MAX_GESTURE)
MAX_GESTURE = 5_000  # the most points one gesture adds


def canvas_grid() -> np.ndarray:
    """(GRID², 2) evenly spaced points over the canvas: the targets a click lands on."""
    ticks = np.linspace(*CANVAS, GRID)
    return np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)


def _inside(points: np.ndarray) -> np.ndarray:
    return np.clip(points, *CANVAS)


def spray(x: float, y: float, rng: np.random.Generator) -> np.ndarray:
    """A small Gaussian cloud around a clicked point."""
    return _inside(np.array([[x, y]]) + rng.normal(0, SPRAY_STD, size=(SPRAY_POINTS, 2)))


def stroke(xs, ys, rng: np.random.Generator) -> np.ndarray:
    """Points spread evenly along a drawn path (a lasso's outline), slightly jittered."""
    path = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    path = path[np.isfinite(path).all(axis=1)]
    if len(path) < 2:
        return np.empty((0, 2))
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    n = int(min(max(along[-1] / STROKE_SPACING, 2), MAX_GESTURE))
    at = np.linspace(0, along[-1], n)
    points = np.column_stack([np.interp(at, along, path[:, 0]), np.interp(at, along, path[:, 1])])
    return _inside(points + rng.normal(0, STROKE_STD, size=points.shape))


def box(x_range, y_range, rng: np.random.Generator) -> np.ndarray:
    """Points filling a selected rectangle uniformly."""
    (x0, x1), (y0, y1) = sorted(map(float, x_range)), sorted(map(float, y_range))
    area = (x1 - x0) * (y1 - y0)
    if not np.isfinite(area) or area <= 0:
        return np.empty((0, 2))
    n = int(min(max(area * BOX_DENSITY, 1), MAX_GESTURE))
    return _inside(np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)]))


def from_selection(selection: dict, rng: np.random.Generator) -> np.ndarray:
    """The points a chart selection event adds (Streamlit's plotly selection state: clicked
    ``points`` with x and y, ``lasso`` paths, ``box`` ranges). A lasso or box also reports the grid
    points inside it, which are not clicks."""
    added = []
    lassos, boxes = selection.get("lasso") or [], selection.get("box") or []
    for lasso in lassos:
        added.append(stroke(lasso.get("x", []), lasso.get("y", []), rng))
    for rect in boxes:
        added.append(box(rect.get("x", [0, 0])[:2], rect.get("y", [0, 0])[:2], rng))
    if not lassos and not boxes:
        for point in selection.get("points") or []:
            x, y = point.get("x"), point.get("y")
            if isinstance(x, (int, float)) and isinstance(y, (int, float)):
                added.append(spray(float(x), float(y), rng))
    return np.concatenate(added) if added else np.empty((0, 2))


def add(drawn: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, bool]:
    """The drawing with the new points, and whether it had to stop at MAX_POINTS."""
    room = MAX_POINTS - len(drawn)
    return np.concatenate([drawn, new[:max(room, 0)]]), len(new) > room
