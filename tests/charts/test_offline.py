"""Charts show in a notebook executed headlessly (Papermill, the project's kernel) and in its HTML export.

This is the evidence behind ``use_offline()``'s choice of renderer: the executed notebook
holds the chart as ``image/svg+xml``, nbconvert inlines it as ``<svg>``, and nothing in
the page's body loads a script from anywhere.
"""

from __future__ import annotations

import copy
import re

import nbformat
import papermill
import pytest
from nbconvert import HTMLExporter

from workbench.report import notebook_to_html

pytestmark = pytest.mark.slow

KERNEL = "eval-workbench"

SETUP = """\
import pandas as pd
from workbench import charts
charts.use_offline()
hist = pd.DataFrame({"bin_low": [0.0, 0.5, 1.0], "bin_high": [0.5, 1.0, 1.5], "count": [4, 9, 2]})
"""
SVG_CHART = (
    'charts.latency_hist(hist, percentiles={"p50": 0.6, "p95": 1.2, "p99": 1.4}, title="Static <script>x</script>")'
)
HTML_CHART = """\
charts.use_offline("html")
charts.latency_hist(hist, percentiles={"p50": 0.6}, title="Interactive")
"""
LIVE_CHART = """\
charts.use_offline("live")
charts.latency_hist(hist, percentiles={"p50": 0.6}, title="Live")
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    folder = tmp_path_factory.mktemp("offline")
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = [
        nbformat.v4.new_code_cell(SETUP),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell(SVG_CHART),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell(HTML_CHART),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell(LIVE_CHART),  # type: ignore[no-untyped-call]
    ]
    source, out = folder / "charts.ipynb", folder / "charts.out.ipynb"
    nbformat.write(nb, source)  # type: ignore[no-untyped-call]
    papermill.execute_notebook(str(source), str(out), kernel_name=KERNEL, progress_bar=False, cwd=str(folder))
    return nbformat.read(out, as_version=4)  # type: ignore[no-any-return, no-untyped-call]


def _body(nb: nbformat.NotebookNode) -> str:
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)  # as JupyterLab saves it: no widget state unless asked
    page, _ = HTMLExporter(template_name="lab", exclude_input=True).from_notebook_node(nb)  # type: ignore[no-untyped-call]
    return str(page).split("<body", 1)[1]


def test_the_svg_renderer_leaves_an_svg_output_in_the_executed_notebook(executed: nbformat.NotebookNode) -> None:
    outputs = executed.cells[1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"]
    data = outputs[0].data
    assert set(data) == {"image/svg+xml", "text/plain"}
    assert "<script" not in data["image/svg+xml"]
    assert "Static &lt;script&gt;x&lt;/script&gt;" in data["image/svg+xml"]


def test_the_html_export_shows_the_charts_with_no_cdn(executed: nbformat.NotebookNode) -> None:
    body = _body(executed)
    assert body.count("<svg") >= 2  # the static chart, and the interactive one's fallback
    assert "https://cdn" not in body
    assert not re.search(r"<script[^>]*\bsrc=[\"']?https?://", body)
    assert "<script>x</script>" not in body


def test_the_interactive_renderer_inlines_vega_once(executed: nbformat.NotebookNode) -> None:
    html = executed.cells[2].outputs[0].data["text/html"]
    assert html.count("<script") == 2  # the inline bundle, then the embed call
    assert len(html) > 500_000
    assert '<div class="workbench-chart"' in html


def test_the_live_renderer_leaves_a_widget_view_and_its_svg(executed: nbformat.NotebookNode) -> None:
    data = executed.cells[3].outputs[0].data
    assert set(data) == {"application/vnd.jupyter.widget-view+json", "image/svg+xml", "text/plain"}
    assert data["text/plain"] == "<chart: Live>"


def test_exports_of_a_live_chart_show_its_svg_and_load_nothing(executed: nbformat.NotebookNode) -> None:
    report = notebook_to_html(copy.deepcopy(executed), title="t", notebook="charts.ipynb", params={}, secrets=[])
    for page in (_body(executed), report):
        assert page.count("<svg") + page.count("data:image/svg+xml") >= 3
        assert not re.search(r"<script[^>]*\bsrc=[\"']?https?://", page)
        assert "unpkg.com" not in page
        assert "https://cdn" not in page
    assert "application/vnd.jupyter.widget" not in report
