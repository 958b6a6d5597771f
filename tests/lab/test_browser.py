"""The starter notebook in a real JupyterLab, in a real browser, from the project's own command.

``workbench lab`` is started on an ephemeral port in a temporary copy of the notebooks with a
temporary store; Debian's Chromium (driven by Playwright) opens ``build_your_own.ipynb``, runs
all its cells from the Run menu, and the test checks that no cell failed, that the page asked
nothing of any host but 127.0.0.1, that each chart was drawn (an SVG or a canvas in its
output), and that the panels are there and a run launched from them completes. Screenshots
are kept in ``test-artifacts/lab-screens/``.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

from tests._browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.lab._lab import copy_notebooks, serve_lab
from workbench import Workbench

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

SCREENS = ARTIFACTS / "lab-screens"
NOTEBOOK = "build_your_own.ipynb"
RUN_ALL_MS = 300_000
STEP_MS = 60_000
CHART_CELLS = ("charts.scorer_bars(comparison)", 'charts.heatmap(wb.matrix(dataset=DATASET), "correctness")')

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, needs_chromium, pytest.mark.timeout(900)]


def code_cell(page: Page, source: str) -> Locator:
    """The notebook's code cell whose source holds ``source``."""
    return page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text=source))


def prompts(page: Page) -> list[str]:
    """Every code cell's prompt: ``[3]:`` once run, ``[*]:`` while running, ``[ ]:`` never run."""
    return [text.strip() for text in page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()]


def wait_until_all_ran(page: Page, cells: int) -> None:
    deadline = time.monotonic() + RUN_ALL_MS / 1000
    while time.monotonic() < deadline:
        shown = prompts(page)
        if len(shown) == cells and all(re.fullmatch(r"\[\d+\]:", p) for p in shown):
            return
        if page.locator('[data-mime-type="application/vnd.jupyter.error"]').count():
            return  # a cell failed: the cells after it are not run
        page.wait_for_timeout(1000)
    raise AssertionError(f"the cells did not all run: {prompts(page)}")


def test_the_starter_notebook_runs_in_jupyterlab_offline_with_charts_and_panels(tmp_path: Path) -> None:
    copy_notebooks(tmp_path)
    root = tmp_path / "store"
    screens = tmp_path / "screens"
    screens.mkdir()
    requests: list[str] = []
    with serve_lab(tmp_path, "--root", str(root)) as lab, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            page.set_default_timeout(STEP_MS)
            expect = playwright_api.expect

            def shot(name: str) -> None:
                page.screenshot(path=str(screens / f"{name}.png"), full_page=True)

            # 1. the notebook opens on the project's kernel, idle
            page.goto(f"{lab.base()}/lab/tree/{NOTEBOOK}?token={lab.token}", timeout=STEP_MS * 3)
            panel = page.locator(".jp-NotebookPanel")
            expect(panel).to_be_visible(timeout=STEP_MS * 3)
            expect(panel.locator(".jp-Toolbar-kernelName")).to_contain_text("Eval Workbench", timeout=STEP_MS * 2)
            expect(panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).to_have_count(
                1, timeout=STEP_MS * 2
            )
            cells = page.locator(".jp-CodeCell").count()
            assert cells >= 15
            shot("01-opened")

            # 2. Run > Run All Cells
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            wait_until_all_ran(page, cells)
            shot("02-ran")

            # 3. no failed cell
            errors = page.locator('[data-mime-type="application/vnd.jupyter.error"]')
            assert errors.count() == 0, errors.first.inner_text()
            assert all(re.fullmatch(r"\[\d+\]:", prompt) for prompt in prompts(page)), prompts(page)

            # 4. the run's progress bar and rich displays
            run_cell = code_cell(page, "run = wb.run(ds, model_target")
            expect(run_cell.locator(".wb-progress .widget-hprogress")).to_have_count(1)
            expect(run_cell.locator(".wb-progress")).to_contain_text("8 of 8 items")
            expect(run_cell.locator(".wb-repr-run")).to_contain_text("dataset")

            # 5. every chart drawn: an SVG or a canvas in its output (checked at the end, after the panels)
            undrawn = []
            for source in CHART_CELLS:
                cell = code_cell(page, source)
                cell.scroll_into_view_if_needed()
                drawn = cell.locator(".jp-OutputArea-output").locator("svg, canvas")
                try:
                    drawn.first.wait_for(state="attached", timeout=STEP_MS / 2)
                except playwright_api.TimeoutError:
                    undrawn.append(f"{source}: {cell.locator('.jp-OutputArea').inner_text()[:300]}")
            shot("03-charts")

            # 6. the panels, and a run launched from them completes
            ui_cell = code_cell(page, "wb.ui()")
            ui_cell.scroll_into_view_if_needed()
            for title in ("Datasets", "Run", "Results", "Compare"):
                expect(ui_cell.get_by_role("tab", name=title, exact=True)).to_be_visible()
            runs_before = len(Workbench(root).runs())
            ui_cell.get_by_role("tab", name="Run", exact=True).click()
            run_panel = ui_cell.locator(".wb-run-panel")
            expect(run_panel.locator(".wb-run-dataset select")).to_have_value("starter")
            run_panel.locator(".wb-run-targets select").select_option(label="first_sentence")
            run_panel.locator(".wb-run-scorers select").select_option(label="contains")
            run_panel.locator(".wb-run-all").click()
            expect(run_panel.locator(".wb-run-status")).to_contain_text("8 of 8 done", timeout=STEP_MS * 2)
            ui_cell.scroll_into_view_if_needed()
            shot("04-panel-run")
        finally:
            browser.close()
            SCREENS.mkdir(parents=True, exist_ok=True)
            for png in screens.glob("*.png"):
                shutil.copy(png, SCREENS / png.name)

    # 7. the panel's run is in the store, completed
    runs = Workbench(root).runs()
    assert len(runs) == runs_before + 1
    newest = runs.sort_values("run_id").iloc[-1]  # ids start with the time
    assert newest["status"] == "completed"
    assert newest["target"] == "first_sentence"

    # 8. the charts were drawn, and nothing but 127.0.0.1 was asked for
    assert not undrawn, undrawn
    hosts = {urlparse(url).hostname for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, sorted(url for url in requests if urlparse(url).hostname != "127.0.0.1")[:10]
