"""A generated report in a real browser, offline: every chart is drawn (non-blank, with a size).

Chromium (Debian's ``/usr/bin/chromium``) is driven by Playwright for Python; any request
that is not a local file or inline data is refused, so a chart that needed a CDN would
stay empty. Screenshots are kept in the test's folder and copied to ``test-artifacts/report-screens/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests._browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.report._png import distinct_colours

SCREENS = ARTIFACTS / "report-screens"

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.mark.parametrize("name", ["compare_runs", "trends"])
def test_the_report_charts_render_offline_in_chromium(name: str, reports: dict[str, Any], tmp_path: Path) -> None:
    html = reports[name]
    assert isinstance(html, Path), f"{name} failed: {html}"
    network: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def only_local(route: Any) -> None:
                url = route.request.url
                if url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    network.append(url)
                    route.abort()

            page.route("**/*", only_local)
            page.goto(html.as_uri(), wait_until="load")
            page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
            charts = page.locator(".jp-RenderedSVG img, .jp-RenderedImage img")
            count = charts.count()
            assert count >= (4 if name == "compare_runs" else 2)
            for i in range(count):
                chart = charts.nth(i)
                chart.scroll_into_view_if_needed()
                complete, width, height = chart.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
                assert complete, f"chart {i} did not load"
                assert min(width, height) > 0, f"chart {i} has no pixels"
                box = chart.bounding_box()
                assert box is not None
                assert min(box["width"], box["height"]) > 50, f"chart {i} has no size: {box}"
                shot = chart.screenshot(path=str(tmp_path / f"{name}-chart-{i}.png"))
                assert distinct_colours(shot) > 10, f"chart {i} is blank"
        finally:
            browser.close()
    assert network == [], f"the report tried to fetch {network}"
    SCREENS.mkdir(parents=True, exist_ok=True)
    for shot in tmp_path.glob("*.png"):
        shutil.copy(shot, SCREENS / shot.name)
