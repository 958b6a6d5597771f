"""``workbench report``: exit 0 with the report written, 1 when a cell fails, 2 on bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.report._html import assert_report_page
from tests.report._store import FixtureStore
from tests.report.conftest import cli

pytestmark = pytest.mark.slow


def test_report_writes_the_html_and_keeps_the_notebook(reports: dict[str, Any]) -> None:
    done = reports["cli_ok"]
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 0, done.stderr
    html_path = Path(done.stdout.split("wrote ", 1)[1].splitlines()[0])
    assert html_path.name == "compare.html"
    assert_report_page(html_path.read_text())
    assert html_path.with_suffix(".ipynb").is_file()
    assert "executed notebook:" in done.stdout


def test_a_failing_cell_exits_1_naming_the_cell(reports: dict[str, Any]) -> None:
    done = reports["cli_failing"]
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 1
    assert "error: notebook failing.ipynb failed in cell 4 (index 3" in done.stderr
    assert "KeyError: 'missing'" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_input_exits_2(store: FixtureStore, tmp_path: Path) -> None:
    bad_param = cli(store.root, "report", "compare_runs", "-p", "baseline", "--out", str(tmp_path / "x.html"))
    assert bad_param.returncode == 2
    assert "write NAME=VALUE" in bad_param.stderr
    unknown = cli(store.root, "report", "nope")
    assert unknown.returncode == 2
    assert "no report called 'nope'" in unknown.stderr
