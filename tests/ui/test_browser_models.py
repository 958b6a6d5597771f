"""A real browser against ``workbench ui``: a model target with a base URL runs against the simulator; no CDN.

Debian's Chromium, driven by Playwright, opens the app served by Voila on 127.0.0.1. In the Run
panel it adds the model ``sim-large`` with the base URL of a :class:`SimulatedLLMServer`, runs every
item and follows the run to the Results panel (one coloured column per scorer, the run picked by
its name). Every request the page makes (documents, scripts, styles, fonts, XHR, websockets) is
recorded: none may go to a host other than 127.0.0.1.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests._browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.ui._server import START_SECONDS, serve_ui
from workbench import Workbench
from workbench.simulator import SimulatedLLMServer

SCREENS = ARTIFACTS / "ui-model-screens"
STEP_MS = 60_000
LOCAL_SCHEMES = ("data", "blob", "about")

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, needs_chromium]

ITEMS = [
    {"item_id": "add", "input": "What is 2 + 3?", "expected_output": "5"},
    {"item_id": "mul", "input": "What is 7 * 6?", "expected_output": "41"},  # a wrong expectation: a fail
    {"item_id": "sub", "input": "What is 10 - 4?", "expected_output": "6"},
]


def outside(urls: list[str]) -> list[str]:
    """The URLs whose host is not 127.0.0.1 (``data:``, ``blob:`` and ``about:`` URLs are local)."""
    found = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in LOCAL_SCHEMES and parts.hostname != "127.0.0.1":
            found.append(url)
    return found


@pytest.fixture
def simulator() -> Iterator[SimulatedLLMServer]:
    """A simulated LLM on 127.0.0.1 (the served app's kernel calls it)."""
    with SimulatedLLMServer(latency=0.05) as server:
        yield server


def test_a_model_with_a_base_url_runs_from_the_run_panel_and_nothing_comes_from_outside(
    tmp_path: Path, simulator: SimulatedLLMServer
) -> None:
    root = tmp_path / "store"
    Workbench(root).create_dataset("qa").add_items(ITEMS)
    screens = tmp_path / "screens"
    screens.mkdir()
    requested: list[str] = []
    with (
        serve_ui(root, "--scorer", "workbench.demo.pipelines:correct") as server,
        playwright_api.sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.set_default_timeout(STEP_MS)
            page.on("request", lambda request: requested.append(request.url))
            page.on("websocket", lambda socket: requested.append(socket.url))
            expect = playwright_api.expect

            def shot(name: str) -> None:
                page.screenshot(path=str(screens / f"{name}.png"), full_page=True)

            page.goto(server.url, timeout=START_SECONDS * 1000)
            page.wait_for_selector(".wb-dataset-select", timeout=START_SECONDS * 1000)
            shot("01-loaded")

            # the Run panel: a model target on the simulator's base URL, scored by `correct`
            page.get_by_role("tab", name="Run", exact=True).click()
            run_panel = page.locator(".wb-run-panel")
            expect(run_panel.locator(".wb-run-dataset select")).to_have_value("qa")
            run_panel.get_by_text("Model targets: models").click()
            run_panel.locator(".wb-run-models input").fill("sim-large")
            expect(run_panel.locator(".wb-run-provider select")).to_have_value("openai")
            run_panel.locator(".wb-run-base-url input").fill(simulator.openai_base_url)
            run_panel.locator(".wb-run-base-url input").press("Enter")
            run_panel.locator(".wb-run-add-models").click()
            expect(run_panel.locator(".wb-run-message")).to_contain_text("Added 1 model target(s): openai:sim-large")
            run_panel.locator(".wb-run-scorers select").select_option(label="correct")
            shot("02-model-added")
            run_panel.locator(".wb-run-all").click()

            # the Results tab opens on the run; it fills in as the run goes on
            results = page.locator(".wb-results-panel")
            expect(results).to_be_visible()
            expect(results.locator(".wb-results-summary")).to_contain_text(
                "3 of 3 results shown \u00b7 run completed", timeout=STEP_MS * 2
            )
            picker = results.locator(".wb-results-run select")
            expect(picker).to_contain_text("openai:sim-large \u00b7 qa@v1 \u00b7")
            expect(picker).to_contain_text("completed (3/3)")
            table = results.locator(".wb-results-table")
            expect(table).to_contain_text("correct")  # the scorer's column
            fail = table.locator(".wb-cell", has_text="\u2717 fail")
            expect(fail).to_have_count(1)
            expect(fail).to_have_css("color", "rgb(207, 34, 46)")
            expect(table.locator(".wb-cell", has_text="\u2713 pass").first).to_have_css("color", "rgb(26, 127, 55)")
            results.locator(".wb-results-status select").select_option(label="fail")
            expect(results.locator(".wb-results-summary")).to_contain_text("1 of 3 results shown")
            results.locator(".wb-run-picker-filter input").fill("nothing")
            expect(results.locator(".wb-run-picker-count")).to_contain_text("1 of 1 runs")
            shot("03-results")

            # back in the Run panel: the run's status
            page.get_by_role("tab", name="Run", exact=True).click()
            expect(run_panel.locator(".wb-run-status")).to_contain_text("3 of 3 done")
            expect(run_panel.locator(".wb-run-status")).to_contain_text("completed")
            expect(run_panel.locator(".wb-run-progress")).to_be_visible()
            shot("04-run-done")
        finally:
            browser.close()
            SCREENS.mkdir(parents=True, exist_ok=True)
            for png in screens.glob("*.png"):
                shutil.copy(png, SCREENS / png.name)

    assert requested, "no request was recorded"
    assert any("/api/kernels/" in url for url in requested)  # the recorder saw the kernel's websocket too
    assert outside(requested) == []
    wb = Workbench(root)
    [run_id] = list(wb.runs()["run_id"])
    run = wb.get_run(run_id)
    assert run.manifest.target["base_url"] == simulator.openai_base_url
    assert len(simulator.requests) == 3
    assert run.results()["error"].isna().all()


def test_outside_tells_local_urls_from_others() -> None:
    assert (
        outside(["http://127.0.0.1:8866/voila/static/x.js", "data:font/woff2;base64,AA", "blob:http://127.0.0.1/1"])
        == []
    )
    assert outside(["https://cdn.jsdelivr.net/npm/vega@6", "http://localhost:8866/", "ws://example.org/x"]) == [
        "https://cdn.jsdelivr.net/npm/vega@6",
        "http://localhost:8866/",
        "ws://example.org/x",
    ]
