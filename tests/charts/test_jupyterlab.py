"""In a real JupyterLab 4 in Chromium, charts draw with no setup, show tooltips, and the page asks no other host.

A chart as a cell's last value and one passed to ``display()``, in a notebook that never
calls ``use_offline()``: both become live vega views (the ``JupyterChart`` widget), a
hover shows vega's tooltip, and every request the page makes goes to 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
TOKEN = "charts-test-token"
CELLS = [
    "import pandas as pd\nfrom IPython.display import display\nfrom workbench import charts\n"
    "hist = pd.DataFrame({'bin_low': [0.0, 0.5, 1.0], 'bin_high': [0.5, 1.0, 1.5], 'count': [4, 9, 2]})",
    "charts.latency_hist(hist, percentiles={'p50': 0.6}, title='Last value')",
    "display(charts.latency_hist(hist, percentiles={'p50': 0.6}, title='Displayed'))",
]
DRAWN = ".jp-OutputArea-output .vega-embed svg, .jp-OutputArea-output .vega-embed canvas"


def _host(url: str) -> str:
    """The host a request goes to ("" for data: URLs); a blob: URL belongs to the page's own origin."""
    if url.startswith("data:"):
        return ""
    return urlsplit(url.removeprefix("blob:")).hostname or ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {"name": "eval-workbench", "display_name": "Eval Workbench", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]  # type: ignore[no-untyped-call]
    nbformat.write(nb, str(folder / "charts.ipynb"))  # type: ignore[no-untyped-call]
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
        "--expose-app-in-browser",
        f"--ServerApp.root_dir={folder}",
        "--LabApp.news_url=",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_CONFIG_DIR": str(folder / ".jupyter")}
    env.pop("WORKBENCH_CHARTS", None)
    log = (folder / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/lab/tree/charts.ipynb?token={TOKEN}"
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_charts_draw_live_with_tooltips_and_no_other_host(lab: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    hosts: set[str] = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: hosts.add(_host(r.url)))
            page.goto(lab)
            page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=120_000)
            page.wait_for_function(
                "window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
                timeout=120_000,
            )
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(f"document.querySelectorAll({DRAWN!r}).length >= 2", timeout=180_000)
            text = page.inner_text(".jp-Notebook")
            assert "Error loading script" not in text
            assert "Error displaying widget" not in text
            assert "Last value" in text
            assert "Displayed" in text
            marks = page.query_selector_all(".jp-OutputArea-output .vega-embed svg .mark-rect path")
            assert marks
            marks[0].hover(force=True)
            page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
            assert "Results" in page.inner_text("#vg-tooltip-element")
            page.screenshot(path=str(tmp_path / "jupyterlab-charts.png"))
        finally:
            browser.close()
    others = hosts - {"127.0.0.1", ""}
    assert not others, f"the page asked other hosts: {sorted(others)}"
