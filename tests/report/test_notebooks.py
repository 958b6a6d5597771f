"""Every packaged notebook: committed clean, executed by Papermill on the fixture store, written as HTML."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.report._html import assert_report_page
from tests.report._store import XSS, FixtureStore
from workbench.report import KERNEL_NAME, notebook_names, notebook_parameters, notebooks_dir

NOTEBOOKS = ("build_your_own", "compare_runs", "explore", "failure_modes", "judge_alignment", "trends")


def test_the_packaged_notebooks_are_the_starter_and_the_five_reports() -> None:
    assert tuple(notebook_names()) == NOTEBOOKS
    repo_link = Path(__file__).parents[2] / "notebooks"
    assert repo_link.resolve() == notebooks_dir().resolve()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebooks_have_no_outputs(name: str) -> None:
    nb = nbformat.read(str(notebooks_dir() / f"{name}.ipynb"), as_version=4)  # type: ignore[no-untyped-call]
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {index} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{name} cell {index} has an execution count"
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{name} needs exactly one cell tagged 'parameters'"
    assert "root" in notebook_parameters(notebooks_dir() / f"{name}.ipynb")
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.startswith("# ")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("explore", ["support", "judge-cases", "bot-v2", "Datasets", "SQL across the store"]),
        ("failure_modes", ["bot-v1", "bot-v2", "s13", "failure_logic_bug"]),
        ("judge_alignment", ["agreement", "disagreements", "j3", "length_judge"]),
        ("trends", ["bot-v1", "bot-v2", "Leaderboard", "Over time"]),
    ],
)
def test_each_notebook_runs_into_an_html_report(name: str, expected: list[str], reports: dict[str, Any]) -> None:
    out = reports[name]
    assert isinstance(out, Path), f"{name} failed: {out}"
    html = out.read_text()
    page = assert_report_page(html)
    text = " ".join(page.text)
    for value in expected:
        assert value in text, f"{name}: {value!r} is not in the report"
    assert "Traceback" not in html


@pytest.mark.slow
def test_the_comparison_report_shows_the_runs_the_changes_and_escaped_outputs(
    reports: dict[str, Any], store: FixtureStore
) -> None:
    out = reports["compare_runs"]
    assert isinstance(out, Path), f"compare_runs failed: {out}"
    html = out.read_text()
    page = assert_report_page(html)
    text = " ".join(page.text)
    assert store.v1 in text
    assert store.v2 in text
    assert "Regressed (2)" in text  # s02 forgotten by v2, s12 answered with markup
    assert "Improved (4)" in text  # s07..s10 (v1's "I don't know" already contains s11's "no")
    assert "No significant regression" in text
    assert "Settings: alpha 0.05." in text  # the default margins, pass marks and directions are not listed
    assert page.charts >= 4  # scores, item deltas, two latency histograms
    assert XSS not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html  # the markup output, escaped


@pytest.mark.slow
def test_the_comparison_report_shows_each_changed_items_input_and_expected_output(reports: dict[str, Any]) -> None:
    out = reports["compare_runs"]
    assert isinstance(out, Path), f"compare_runs failed: {out}"
    html = out.read_text()
    regressed = html.split("Regressed (2)", 1)[1].split("</table>", 1)[0]
    header = regressed.split("</thead>", 1)[0]
    for column in ("input", "expected_output", "baseline_output", "candidate_output"):
        assert f"<th>{column}</th>" in header
    assert '{"question":"Where is order A-2?"}' in regressed.replace("&quot;", '"')  # s02's input...
    assert "Delivered" in regressed  # ...and what it should have said
    assert "overflow-x:auto" in html  # wide tables scroll
    assert "white-space:pre-wrap" in html  # long cells wrap


@pytest.mark.slow
def test_the_comparison_report_takes_alpha_directions_and_margins(reports: dict[str, Any]) -> None:
    done = reports["cli_settings"]  # -p alpha=0.9 -p directions='{"correct": "lower"}' -p margins=...
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 0, done.stderr
    html_path = Path(done.stdout.split("wrote ", 1)[1].splitlines()[0])
    text = " ".join(assert_report_page(html_path.read_text()).text)
    # correct went up by 2/12 (p about 0.69): with lower is better and alpha 0.9, a regression beyond 0.1
    assert "Regression: correct got significantly worse (alpha 0.9)." in text
    assert "No significant regression" not in text
    assert "Settings: alpha 0.9; lower is better: correct; margins: correct 0.1." in text


@pytest.mark.slow
def test_the_judge_alignment_report_reads_human_labels_too(reports: dict[str, Any]) -> None:
    out = reports["judge_labels"]
    assert isinstance(out, Path), f"judge_alignment on labels failed: {out}"
    text = " ".join(assert_report_page(out.read_text()).text)
    assert "judge_length against human labels" in text
    assert "4 pairs" in text
