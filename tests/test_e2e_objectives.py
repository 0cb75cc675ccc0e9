"""In Chromium: each objective's views (and MMD's witness) as a class sees them, from a link that
pre-trains a little. The D view must say what it draws (a critic's score, least squares' D, the
witness) and the metric row must name the objective's number. Screenshots at 1440 × 1000 and
1280 × 720 go to artifacts/screenshots/objective-<lab>-<name>-<size>.png."""

import pytest

from e2e_harness import CHART, assert_no_errors, chromium_browser, require_chromium, wait_for_app, wait_until
from e2e_harness import screenshot as save_screenshot

require_chromium()

pytestmark = pytest.mark.e2e

SIZES = {"1440x1000": (1440, 1000), "1280x720": (1280, 720)}
# (lab, link settings, what the main figure's D view must say, what the metric row must show)
CASES = [
    ("1d", "objective=least-squares", "D(x), least squares", "D gap"),
    ("1d", "objective=hinge", "critic score D(x)", "D gap"),
    ("1d", "objective=wgan-gp&k=5", "critic score D(x)", "W₁ est."),
    ("1d", "method=mmd", "witness f(x)", "MMD"),
    ("2d", "objective=wgan-gp&k=5", "critic score (WGAN-GP)", "W₁ est."),
    ("2d", "method=mmd", "witness f(x)", "MMD"),
]


@pytest.mark.parametrize("lab, settings, d_view, metric", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_objective_draws_its_own_d_view(app_server, lab, settings, d_view, metric):
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{app_server}/lab_{lab}?{settings}&steps=200&width=32&batch=64")
        wait_for_app(page)
        figure = page.locator(CHART).filter(has=page.locator("svg text", has_text=d_view))
        assert wait_until(lambda: figure.count() > 0, 20), f"no figure says {d_view!r}"
        row = page.locator("[data-testid='stHorizontalBlock']").filter(has=page.locator("[data-testid='stMetric']"))
        assert metric in row.first.inner_text()
        assert_no_errors(page)
        page.mouse.move(5, 5)  # no tooltip over the picture
        name = settings.split("&")[0].replace("=", "-")
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(1000)  # the charts refit to the new width (Plotly's resize is debounced)
            figure.first.scroll_into_view_if_needed()  # the D view itself in the picture
            save_screenshot(page, f"objective-{lab}-{name}-{size}")
