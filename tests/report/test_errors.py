"""What a user sees when a report cannot be made: the failing cell, the missing parameter, the kernel."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.report._html import read_page
from tests.report._store import FixtureStore
from tests.report.conftest import DOTENV_KEY, FAKE_KEY, write_notebook
from workbench import NotFoundError, ValidationError, Workbench
from workbench.report import KernelNotFoundError, ReportError


@pytest.mark.slow
def test_a_failing_cell_is_named_with_its_index_first_line_and_exception(reports: dict[str, Any]) -> None:
    error = reports["failing_cell"]
    assert isinstance(error, ReportError)
    assert (error.cell_index, error.ename) == (3, "KeyError")  # markdown, parameters, x = 1, then this one
    assert error.first_line == "values = {'a': 1}"
    assert "'missing'" in error.evalue
    assert "failed in cell 4 (index 3: \"values = {'a': 1}\"): KeyError: 'missing'" in str(error)
    assert error.executed is not None
    executed = nbformat.read(str(error.executed), as_version=4)  # type: ignore[no-untyped-call]  # kept, with the traceback, for a look
    assert any(o.get("ename") == "KeyError" for c in executed.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_a_cell_over_the_time_limit_is_named_too(reports: dict[str, Any]) -> None:
    error = reports["timeout"]
    assert isinstance(error, ReportError)
    assert (error.cell_index, error.first_line, error.ename) == (3, "time.sleep(120)", "CellTimeoutError")
    assert "after 2 seconds" in error.evalue


@pytest.mark.slow
def test_a_missing_required_parameter_fails_in_the_first_cell_after_the_parameters(reports: dict[str, Any]) -> None:
    error = reports["missing_parameter"]
    assert isinstance(error, ReportError)
    assert error.ename == "ValidationError"
    assert error.cell_index == 2
    assert "compare_runs needs the parameter candidate" in error.evalue
    assert "-p candidate=..." in error.evalue


@pytest.mark.slow
def test_api_keys_in_the_environment_never_reach_a_report(reports: dict[str, Any]) -> None:
    out = reports["leaky"]
    assert isinstance(out, Path), f"the notebook failed: {out}"
    html = out.read_text()
    assert FAKE_KEY not in html
    assert "[redacted]" in html


def _decoded_svgs(html: str) -> list[str]:
    prefix = "data:image/svg+xml;base64,"
    sources = [s for s in read_page(html).image_sources if s.startswith(prefix)]
    return [base64.b64decode(s[len(prefix) :]).decode("utf-8") for s in sources]


@pytest.mark.slow
def test_an_api_key_in_a_failing_cell_never_reaches_the_error_or_the_kept_notebook(reports: dict[str, Any]) -> None:
    error = reports["leaky_error"]
    assert isinstance(error, ReportError), f"the notebook did not fail: {error}"
    assert error.ename == "AssertionError"
    for text in (str(error), error.evalue, error.first_line, error.ename):
        assert FAKE_KEY not in text
    assert "bad key [redacted]" in error.evalue
    assert "[redacted]" in error.first_line  # the cell's source holds the key too
    assert error.executed is not None
    kept = error.executed.read_text(encoding="utf-8")  # with the traceback
    assert FAKE_KEY not in kept
    assert "[redacted]" in kept
    assert not error.executed.with_suffix(".html").exists()


@pytest.mark.slow
def test_an_api_key_in_a_failing_cell_never_reaches_the_command_line(reports: dict[str, Any]) -> None:
    done = reports["cli_leaky_error"]
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 1, done.stderr
    assert FAKE_KEY not in done.stdout
    assert FAKE_KEY not in done.stderr
    shown = json.loads(done.stdout)
    assert "bad key [redacted]" in shown["error"]
    assert "bad key [redacted]" in done.stderr


@pytest.mark.slow
def test_api_keys_in_the_store_dotenv_never_reach_a_report_nor_its_charts(reports: dict[str, Any]) -> None:
    out = reports["dotenv_leaky"]
    assert isinstance(out, Path), f"the notebook failed: {out}"
    html = out.read_text()
    assert DOTENV_KEY not in html
    assert "[redacted]" in html
    svgs = _decoded_svgs(html)
    assert svgs, "the chart is not in the report"
    assert all(DOTENV_KEY not in svg for svg in svgs)
    assert any("key [redacted]" in svg for svg in svgs)


def test_an_unknown_parameter_is_refused_before_any_kernel_starts(store: FixtureStore, tmp_path: Path) -> None:
    wb = Workbench(store.root)
    with pytest.raises(ValidationError, match=r"no parameter 'basline'; it takes root, baseline, candidate"):
        wb.report("compare_runs", {"basline": "x"}, tmp_path / "out.html")
    assert not (tmp_path / "out.html").exists()


def test_an_unknown_notebook_lists_the_packaged_ones(store: FixtureStore, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"no report called 'compare'.*compare_runs, explore, failure_modes"):
        Workbench(store.root).report("compare", {}, tmp_path / "out.html")
    with pytest.raises(NotFoundError, match="does not exist"):
        Workbench(store.root).report(tmp_path / "nope.ipynb")


def test_a_missing_kernel_says_how_to_register_it(store: FixtureStore, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "nb.ipynb", "x = 1")
    with pytest.raises(KernelNotFoundError, match="python -m ipykernel install --sys-prefix --name no-such-kernel"):
        Workbench(store.root).report(notebook, {}, tmp_path / "out.html", kernel="no-such-kernel")


def test_a_store_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="store folder"):
        Workbench(tmp_path / "absent").report("explore")
