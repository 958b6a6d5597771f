"""Every packaged notebook: committed clean, executed by Papermill on the fixture store, written as HTML."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.report._html import assert_report_page
from tests.report._store import XSS, FixtureStore
from workbench import Workbench
from workbench.reports import KERNEL_NAME, notebook_names, notebook_parameters, notebooks_dir

NOTEBOOKS = ("compare_runs", "explore", "failure_modes", "judge_alignment", "trends")


def test_the_packaged_notebooks_are_the_five_reports() -> None:
    assert tuple(notebook_names()) == NOTEBOOKS
    repo_link = Path(__file__).parents[2] / "notebooks"
    assert repo_link.resolve() == notebooks_dir().resolve()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebooks_have_no_outputs(name: str) -> None:
    nb = nbformat.read(str(notebooks_dir() / f"{name}.ipynb"), as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {index} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{name} cell {index} has an execution count"
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{name} needs exactly one cell tagged 'parameters'"
    assert "root" in notebook_parameters(notebooks_dir() / f"{name}.ipynb")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def _params(name: str, store: FixtureStore) -> dict[str, object]:
    return {
        "explore": {},
        "failure_modes": {"runs": [store.v1, store.v2, store.v3]},
        "judge_alignment": {"run": store.judge},
        "trends": {"dataset": "support"},
    }[name]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("explore", ["support", "judge-cases", "bot-v2"]),
        ("failure_modes", ["bot-v1", "bot-v2", "s12"]),
        ("judge_alignment", ["agreement", "disagreements", "j3"]),
        ("trends", ["bot-v1", "bot-v2", "Leaderboard"]),
    ],
)
def test_each_notebook_runs_into_an_html_report(name: str, expected: list[str], store: FixtureStore) -> None:
    out = Workbench(store.root).report(name, _params(name, store), store.root / "out" / f"{name}.html")
    html = out.read_text()
    page = assert_report_page(html)
    text = " ".join(page.text)
    for value in expected:
        assert value in text, f"{name}: {value!r} is not in the report"
    assert "Traceback" not in html


def test_the_comparison_report_shows_the_runs_the_changes_and_escaped_outputs(
    compare_report: Path, store: FixtureStore
) -> None:
    html = compare_report.read_text()
    page = assert_report_page(html)
    text = " ".join(page.text)
    assert store.v1 in text and store.v2 in text
    assert "Regressed (2)" in text  # s02 forgotten, s12 answered with markup
    assert "Improved (5)" in text  # s07..s11
    assert "No significant regression" in text or "Regression:" in text
    assert page.charts >= 4  # scores, item deltas, two latency histograms
    assert XSS not in html
    assert "&lt;script&gt;alert" in html  # the markup output, escaped


def test_the_judge_alignment_report_reads_human_labels_too(store: FixtureStore) -> None:
    out = Workbench(store.root).report("judge_alignment", {"run": store.labelled}, store.root / "out" / "labels.html")
    text = " ".join(assert_report_page(out.read_text()).text)
    assert "judge_length against human labels" in text
    assert "4 pairs" in text
