"""One real browser against ``workbench ui``: create a dataset, import a CSV, run three items, label one.

Chromium (Debian's ``/usr/bin/chromium``) is driven by Playwright for Python; the app is
served by Voila on 127.0.0.1 from a subprocess, on a temporary store. Screenshots of
each step are kept in the test's folder and copied to ``test-artifacts/ui-screens/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests._browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.ui._server import START_SECONDS, serve_ui
from workbench import Workbench

if TYPE_CHECKING:
    from playwright.sync_api import Dialog

SCREENS = ARTIFACTS / "ui-screens"
STEP_MS = 60_000

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``workbench ui`` on a fresh store: (URL, store root); stopped afterwards."""
    root = tmp_path / "store"
    args = ("--target", "workbench.demo.pipelines:answer_v1", "--scorer", "workbench.demo.pipelines:correct")
    with serve_ui(root, *args) as server:
        yield server.url, root


def test_create_import_run_three_and_label_in_a_browser(served: tuple[str, Path], tmp_path: Path) -> None:
    url, root = served
    screens = tmp_path / "screens"
    screens.mkdir()
    csv = tmp_path / "qa.csv"
    csv.write_text(
        "id,question,answer\n"
        "q1,What is the capital of Australia?,Canberra\n"
        "q2,Who wrote Pride and Prejudice?,Jane Austen\n"
        "q3,What is the chemical symbol for sodium?,Na\n"
        "q4,Which currency is used in Japan?,yen\n"
        "q5,What is the tallest mountain?,Everest\n"
        "q6,<script>alert(1)</script>,<img src=x onerror=alert(2)>\n",
        encoding="utf-8",
    )
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.set_default_timeout(STEP_MS)
            dialogs: list[str] = []

            def dismiss(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", dismiss)
            expect = playwright_api.expect

            def shot(name: str) -> None:
                page.screenshot(path=str(screens / f"{name}.png"), full_page=True)

            # 1. the app loads, with its four tabs
            page.goto(url, timeout=START_SECONDS * 1000)
            page.wait_for_selector(".wb-dataset-select", timeout=START_SECONDS * 1000)
            for title in ("Datasets", "Run", "Results", "Compare"):
                expect(page.get_by_role("tab", name=title, exact=True)).to_be_visible()
            shot("01-loaded")

            # 2. create a dataset
            page.locator(".wb-dataset-new-name input").fill("qa")
            page.locator(".wb-dataset-new-name input").press("Enter")
            page.locator(".wb-dataset-create").click()
            expect(page.locator(".wb-datasets-status")).to_contain_text("dataset 'qa' created")
            expect(page.locator(".wb-dataset-select select")).to_have_value("qa")
            shot("02-created")

            # 3. import a CSV: upload, preview, map input as an object, validate, import
            page.get_by_role("tab", name="Import CSV").click()
            with page.expect_file_chooser() as chooser:
                page.locator(".wb-import-upload").click()
            chooser.value.set_files(str(csv))
            expect(page.locator(".wb-import-file")).to_contain_text("file qa.csv: 3 columns")
            expect(page.locator(".wb-import-preview")).to_contain_text("What is the capital of Australia?")
            page.locator(".wb-import-input-object input").check()
            page.locator(".wb-import-validate").click()
            expect(page.locator(".wb-import-report")).to_contain_text("all 6 rows are valid")
            shot("03-validated")
            page.locator(".wb-import-run").click()
            expect(page.locator(".wb-import-report")).to_contain_text("6 of 6 rows imported into 'qa' as version 1")
            shot("04-imported")
            page.get_by_role("tab", name="Items").click()
            expect(page.locator(".wb-items .wb-table-page")).to_contain_text("6 rows")
            expect(page.locator(".wb-items")).to_contain_text("<script>alert(1)</script>")  # shown as text
            expect(page.locator(".wb-items")).to_contain_text("<img src=x onerror=alert(2)>")
            shot("05-items")
            page.get_by_role("tab", name="Versions & diff").click()
            page.locator(".wb-diff-show").click()
            expect(page.locator(".wb-diff-summary")).to_contain_text("v0 \u2192 v1: 6 added, 0 removed, 0 changed")
            shot("05b-diff")

            # 4. the Run tab: pick the scorer, tick three items, run them
            page.get_by_role("tab", name="Run", exact=True).click()
            run_panel = page.locator(".wb-run-panel")
            expect(run_panel.locator(".wb-run-dataset select")).to_have_value("qa")
            run_panel.locator(".wb-run-scorers select").select_option(label="correct")
            boxes = run_panel.locator(".wb-run-items .wb-item-checkbox input:visible")
            expect(boxes).to_have_count(6)
            for i in range(3):
                boxes.nth(i).check()
            expect(run_panel.locator(".wb-run-items .wb-table-selected")).to_contain_text("3 of 6 selected")
            shot("06-selected")
            run_panel.locator(".wb-run-selected").click()

            # 5. the Results tab opens on the new run; reload until its three results are in
            results = page.locator(".wb-results-panel")
            expect(results).to_be_visible()
            for _ in range(60):
                if "3 of 3 results shown" in (results.locator(".wb-results-summary").text_content() or ""):
                    break
                results.locator(".wb-results-refresh").click()
                page.wait_for_timeout(500)
            expect(results.locator(".wb-results-summary")).to_contain_text("3 of 3 results shown")
            expect(results.locator(".wb-results-table")).to_contain_text("Canberra")
            shot("07-results")

            # 6. label one result with a note
            results.locator(".wb-results-table .wb-row-open").first.click()
            expect(results.locator(".wb-results-detail")).to_contain_text("Canberra")
            labels = results.locator(".wb-label-select")
            expect(labels.get_by_role("button")).to_have_count(8)  # one button per label of the taxonomy
            labels.get_by_role("button", name="success", exact=True).click()
            results.locator(".wb-label-note input").fill("checked by hand")
            results.locator(".wb-label-note input").press("Enter")
            results.locator(".wb-label-save").click()
            expect(results.locator(".wb-label-message")).to_contain_text("Labelled")
            expect(results.locator(".wb-results-table")).to_contain_text("success")
            shot("08-labelled")

            # 7. deleting a dataset asks first
            page.get_by_role("tab", name="Datasets", exact=True).click()
            page.locator(".wb-dataset-new-name input").fill("scratch")
            page.locator(".wb-dataset-new-name input").press("Enter")
            page.locator(".wb-dataset-create").click()
            expect(page.locator(".wb-datasets-status")).to_contain_text("dataset 'scratch' created")
            page.get_by_role("tab", name="Manage").click()
            page.locator(".wb-dataset-delete").click()
            expect(page.locator(".wb-dataset-delete-box")).to_contain_text("Delete scratch")
            shot("09-confirm-delete")
            page.locator(".wb-dataset-delete-confirm").click()
            expect(page.locator(".wb-datasets-status")).to_contain_text("dataset 'scratch' deleted")
            expect(page.locator(".wb-dataset-select select")).to_have_value("qa")
            shot("10-deleted")
            assert dialogs == []  # no script ran
        finally:
            browser.close()
            SCREENS.mkdir(parents=True, exist_ok=True)
            for png in screens.glob("*.png"):
                shutil.copy(png, SCREENS / png.name)

    wb = Workbench(root)
    assert list(wb.datasets()["name"]) == ["qa"]
    assert list(wb.dataset("qa").items()["item_id"]) == ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert wb.dataset("qa").item("q6")["input"] == {"question": "<script>alert(1)</script>"}
    runs = wb.runs()
    assert len(runs) == 1
    run = wb.get_run(runs["run_id"].iloc[0])
    results_frame = run.results()
    assert sorted(results_frame["item_id"]) == ["q1", "q2", "q3"]
    labels = run.labels()
    human = labels[labels["source"] == "human"]
    assert list(human["label"]) == ["success"]
    assert list(human["note"]) == ["checked by hand"]
    assert human["item_id"].iloc[0] in {"q1", "q2", "q3"}
