"""Every page of ``workbench ui`` starts a kernel: closing the tab, or losing the browser, must free it.

Chromium (Debian's) opens the app three times against a real ``workbench ui`` subprocess; the
kernels are counted as the server's child processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests._browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.ui._server import Served, serve_ui, wait_until

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, needs_chromium]

PAGES = 3
LOAD_MS = 180_000
FREED_SECONDS = 90
IDLE_SECONDS = 20  # long enough for a loaded machine's browser to connect to a page's fresh kernel


def _open_pages(browser: Any, served: Served) -> list[Any]:
    pages = []
    for _ in range(PAGES):
        page = browser.new_page()
        page.goto(served.url, timeout=LOAD_MS)
        page.wait_for_selector(".wb-app-tabs", timeout=LOAD_MS)  # the kernel ran the app and the widgets show
        pages.append(page)
    assert wait_until(lambda: len(served.kernels()) == PAGES, 30), f"{len(served.kernels())} kernels"
    return pages


def test_closing_the_tabs_shuts_their_kernels_down(tmp_path: Path) -> None:
    # No culling here: the page's own unload request (Voila's beacon, which needs the _xsrf cookie) must do it.
    with serve_ui(tmp_path / "store", "--kernel-idle-timeout", "0") as served, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for page in _open_pages(browser, served):
                # Leave the page, as closing a tab does in a real browser (Playwright's own close tears the
                # renderer down before the page's unload beacon leaves), then close the tab.
                page.goto("about:blank")
                page.close()
            assert wait_until(lambda: not served.kernels(), FREED_SECONDS), f"{len(served.kernels())} kernels left"
        finally:
            browser.close()


def test_kernels_of_a_browser_that_vanished_are_culled(tmp_path: Path) -> None:
    # Tabs closed without an unload event (a killed or crashed browser): the idle culler frees them.
    idle = str(IDLE_SECONDS)
    with serve_ui(tmp_path / "store", "--kernel-idle-timeout", idle) as served, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for page in _open_pages(browser, served):
                page.close(run_before_unload=False)
            assert wait_until(lambda: not served.kernels(), FREED_SECONDS), f"{len(served.kernels())} kernels left"
        finally:
            browser.close()
