"""Draw your own data: what each gesture adds, the cap, and the page's canvas training on the
drawing like an uploaded CSV (the same checks)."""

import numpy as np

import apptest_helpers as h
from playground.figures.drawing import canvas
from playground.targets import drawing
from playground.targets.points import MAX_POINTS


def rng():
    return np.random.default_rng(0)


def test_a_click_sprays_a_cloud_where_it_landed():
    added = drawing.from_selection({"points": [{"x": 1.0, "y": -2.0, "point_index": 3}], "box": [], "lasso": []}, rng())
    assert added.shape == (drawing.SPRAY_POINTS, 2)
    assert np.allclose(added.mean(axis=0), [1.0, -2.0], atol=0.1)


def test_a_stroke_puts_points_along_its_path_and_ignores_the_grid_points_inside():
    path = {"x": [-2.0, 2.0, 2.0], "y": [0.0, 0.0, 2.0]}  # 6 units long
    inside = [{"x": 0.0, "y": 0.2}] * 50  # the grid points a lasso encloses: not clicks
    added = drawing.from_selection({"points": inside, "lasso": [path], "box": []}, rng())
    assert abs(len(added) - 6 / drawing.STROKE_SPACING) <= 2
    distance_to_path = np.minimum(np.abs(added[:, 1]) + np.maximum(added[:, 0] - 2, 0),
                                  np.abs(added[:, 0] - 2) + np.maximum(-added[:, 1], 0))
    assert np.median(distance_to_path) < 3 * drawing.STROKE_STD


def test_a_box_fills_it_and_everything_stays_on_the_canvas():
    added = drawing.from_selection({"box": [{"x": [3.0, 9.0], "y": [-1.0, 1.0]}], "points": [], "lasso": []}, rng())
    assert len(added) > 50 and added[:, 0].max() <= drawing.CANVAS[1] and added[:, 1].min() >= -1.0


def test_the_drawing_stops_at_the_cap():
    full = np.zeros((MAX_POINTS - 10, 2))
    points, capped = drawing.add(full, np.ones((25, 2)))
    assert len(points) == MAX_POINTS and capped
    points, capped = drawing.add(np.empty((0, 2)), np.ones((25, 2)))
    assert len(points) == 25 and not capped


def test_the_canvas_draws_the_points_over_a_clickable_grid():
    fig = canvas(np.ones((7, 2)))
    grid, drawn = fig.data
    assert grid.hoverinfo != "skip" and len(grid.x) == drawing.GRID**2  # "skip" would swallow the clicks
    assert len(drawn.x) == 7 and fig.layout.dragmode == "pan"  # Streamlit ignores clicks in lasso mode


def test_the_page_trains_on_the_drawing_like_an_uploaded_csv():
    at = h.open_lab("app_pages/lab_2d.py", {"width": "16", "batch": "64", "target": "custom", "custom_source": "csv"})
    state = at.session_state["2d.drawing"]
    assert at.button(key="2d.drawing:train").disabled  # nothing drawn yet
    state["points"] = np.zeros((30, 2)) + [1.0, 2.0]  # all on one spot: refused as a CSV would be
    at.run()
    at.button(key="2d.drawing:train").click().run()
    assert any("single spot" in w.value and "previous data stays" in w.value for w in at.warning)
    assert not at.session_state["2d:session"].run.using_points
    state["points"] = drawing.from_selection({"lasso": [{"x": [-2, 2, 2], "y": [0, 0, 2]}]}, rng())
    at.run()
    at.button(key="2d.drawing:train").click().run()
    run = at.session_state["2d:session"].run
    assert run.using_points and len(at.session_state["2d:session"].data["points"]) == len(state["points"])
    assert not at.exception
