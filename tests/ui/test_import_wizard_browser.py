"""The import wizard in a real browser with a file Excel wrote (UTF-8 with a byte order mark).

Chromium (``/usr/bin/chromium``) driven by Playwright against ``workbench ui`` served by Voila
from a subprocess, on a temporary store. Screenshots go to ``test-artifacts/import-wizard/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.ui._server import START_SECONDS, serve_ui
from workbench import Workbench

SCREENS = ARTIFACTS / "import-wizard"
STEP_MS = 60_000
BOM = b"\xef\xbb\xbf"
EXCEL = BOM + b"ID,Question,Ground Truth,notes\r\nq1,What is 2+2?,4,easy\r\nq2,Capital of France?,Paris,geo\r\n"

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``workbench ui`` on a store holding one empty dataset, ``qa``: (URL, store root)."""
    root = tmp_path / "store"
    Workbench(root).create_dataset("qa")
    with serve_ui(root) as server:
        yield server.url, root


def test_an_excel_file_shows_clean_columns_the_guessed_mapping_and_imports_with_a_mode(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = served
    screens = tmp_path / "screens"
    screens.mkdir()
    first, edited = tmp_path / "excel.csv", tmp_path / "edited.csv"
    first.write_bytes(EXCEL)
    edited.write_bytes(BOM + b"ID,Question,Ground Truth,notes\r\nq2,Capital of France?,Paris (France),geo\r\n")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.set_default_timeout(STEP_MS)
            expect = playwright_api.expect

            def shot(name: str) -> None:
                page.screenshot(path=str(screens / f"{name}.png"), full_page=True)

            def upload(path: Path) -> None:
                with page.expect_file_chooser() as chooser:
                    page.locator(".wb-import-upload").click()
                chooser.value.set_files(str(path))

            def selected(css: str) -> list[str]:
                texts: list[str] = page.locator(f"{css} select").evaluate(
                    "s => Array.from(s.selectedOptions).map(o => o.textContent)"
                )
                return [t.replace("\xa0", " ") for t in texts]  # ipywidgets shows spaces as no-break spaces

            page.goto(url, timeout=START_SECONDS * 1000)
            page.wait_for_selector(".wb-dataset-select", timeout=START_SECONDS * 1000)
            expect(page.locator(".wb-dataset-select select")).to_have_value("qa")
            page.get_by_role("tab", name="Import CSV").click()

            # 1. an Excel file: clean column names, the guessed mapping preselected
            upload(first)
            expect(page.locator(".wb-import-file")).to_contain_text(
                "file excel.csv: 4 columns; mapping guessed: ID -> item_id, Question -> input, "
                "Ground Truth -> expected_output"
            )
            headers = page.locator(".wb-import-preview th").all_text_contents()
            assert [h.strip() for h in headers][:4] == ["ID", "Question", "Ground Truth", "notes"]
            assert not any("\ufeff" in h for h in headers)
            assert selected(".wb-import-map-item-id") == ["ID"]
            assert selected(".wb-import-map-input") == ["Question"]
            assert selected(".wb-import-map-expected") == ["Ground Truth"]
            shot("01-guessed")

            # 2. validate (a dry run) and import in the default mode
            page.locator(".wb-import-validate").click()
            expect(page.locator(".wb-import-report")).to_contain_text(
                "all 2 rows are valid; importing into 'qa' (append) would give 2 added"
            )
            page.locator(".wb-import-run").click()
            expect(page.locator(".wb-import-report")).to_contain_text(
                "2 of 2 rows imported into 'qa' as version 1: 2 added"
            )
            shot("02-imported")

            # 3. the edited sheet, synced: one update, one deletion, one version
            upload(edited)
            expect(page.locator(".wb-import-file")).to_contain_text("file edited.csv: 4 columns")
            page.locator(".wb-import-mode select").select_option(label="sync: upsert, and delete items not in the file")
            page.locator(".wb-import-validate").click()
            expect(page.locator(".wb-import-report")).to_contain_text(
                "would give 0 added, 1 updated, 0 unchanged, 1 deleted"
            )
            page.locator(".wb-import-run").click()
            expect(page.locator(".wb-import-report")).to_contain_text(
                "1 of 1 rows imported into 'qa' as version 2: 0 added, 1 updated, 0 unchanged, 1 deleted"
            )
            expect(page.locator(".wb-datasets-status")).to_contain_text("as version 2")  # the panel follows
            shot("03-synced")
        finally:
            browser.close()
            SCREENS.mkdir(parents=True, exist_ok=True)
            for png in screens.glob("*.png"):
                shutil.copy(png, SCREENS / png.name)
    ds = Workbench(root).dataset("qa")
    assert ds.version == 2
    assert ds.items()[["item_id", "expected_output"]].values.tolist() == [["q2", "Paris (France)"]]
