"""The dataset commands show values, not JSON literals (issue 11, point 1), run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench import Workbench
from workbench.cli import app


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A store under a folder with a space, holding one dataset with a name with a space."""
    root = tmp_path / "My Projects" / "evals"
    ds = Workbench(root).create_dataset("support tickets")
    ds.add_items(
        [
            {
                "item_id": "t1",
                "input": {"q": "How long is the refund window?"},
                "expected_output": "30 days\nor [red]more",
                "metadata": {"tier": 1},
            }
        ]
    )
    ds.update_item("t1", expected_output="31 days")
    return root


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_datasets_show_prints_text_without_quotes_and_objects_as_json(root: Path) -> None:
    out = run(root, "datasets", "show", "support tickets")
    assert "31 days" in out
    assert '"31 days"' not in out
    assert '{"q":"How long is the refund window?"}' in out
    shown = json.loads(run(root, "datasets", "show", "support tickets", "--json"))
    assert shown["first_items"][0]["expected_output"] == "31 days"
    assert shown["first_items"][0]["input"] == {"q": "How long is the refund window?"}


def test_item_prints_each_field_with_its_own_line_breaks_and_no_markup(root: Path) -> None:
    out = run(root, "item", "support tickets", "t1", "--version", "1")
    assert "expected_output:\n30 days\nor [red]more\n" in out
    assert 'input: {"q":"How long is the refund window?"}' in out
    assert "context" not in out  # absent fields are left out
    as_json = json.loads(run(root, "item", "support tickets", "t1", "--json"))
    assert as_json == {
        "item_id": "t1", "input": {"q": "How long is the refund window?"}, "expected_output": "31 days",
        "context": None, "metadata": {"tier": 1}, "output": None, "version": 2,
    }  # fmt: skip


def test_history_and_diff_tables_show_values_with_newlines_marked(root: Path) -> None:
    history = run(root, "history", "support tickets", "t1")
    assert "30 days⏎or [red]more" in history
    assert '"30 days' not in history
    diff = run(root, "diff", "support tickets", "1", "2")
    assert "expected_output: 30 days⏎or [red]more" in diff
    assert "expected_output: 31 days" in diff
    as_json = json.loads(run(root, "diff", "support tickets", "1", "2", "--json"))
    assert as_json[0]["before"] == {"expected_output": "30 days\nor [red]more"}


def test_a_csv_export_from_the_command_line_imports_back_unchanged(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out dir" / "tickets.csv"
    run(root, "export", "support tickets", str(out))
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith('t1,"{""q"":')
    run(root, "import", "copy", str(out), "--create")
    wb = Workbench(root)
    original = wb.dataset("support tickets").items().drop(columns=["version"])
    copied = wb.dataset("copy").items().drop(columns=["version"])
    assert copied.to_dict("records") == original.to_dict("records")


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_a_jsonl_or_parquet_export_from_the_command_line_imports_back_unchanged(
    root: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"tickets.{suffix}"
    run(root, "export", "support tickets", str(out))
    run(root, "import", "copy", str(out), "--create")
    wb = Workbench(root)
    original = wb.dataset("support tickets").items().drop(columns=["version"])
    assert wb.dataset("copy").items().drop(columns=["version"]).to_dict("records") == original.to_dict("records")
