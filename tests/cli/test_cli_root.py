"""``--root`` picks the store wherever it stands on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from workbench import Workbench
from workbench.cli import app
from workbench.cli._root import hoist_root


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"WORKBENCH_ROOT": None})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "line",
    [
        ["--root", "{root}", "datasets", "list", "--json"],
        ["datasets", "list", "--json", "--root", "{root}"],
        ["datasets", "list", "--root={root}", "--json"],
        ["datasets", "--root", "{root}", "list", "--json"],
        ["-v", "datasets", "list", "--root", "{root}", "--json"],
    ],
)
def test_root_before_or_after_the_subcommand(tmp_path: Path, line: list[str]) -> None:
    Workbench(tmp_path / "store").create_dataset("qa")
    code, output = invoke(*(token.format(root=tmp_path / "store") for token in line))
    assert code == 0, output
    assert [row["name"] for row in json.loads(output)] == ["qa"]


def test_root_after_import_writes_to_that_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cases.csv").write_text("question,answer\nWhat is 2 + 2?,4\n", encoding="utf-8")
    Workbench(tmp_path / "store").create_dataset("qa")
    code, output = invoke("import", "qa", "cases.csv", "--map", "input=question", "--root", str(tmp_path / "store"))
    assert code == 0, output
    assert len(Workbench(tmp_path / "store").dataset("qa").items()) == 1
    assert not (tmp_path / "datasets").exists()  # nothing went to the default store in the cwd


def test_only_root_options_move_and_nothing_after_double_dash() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    ctx = typer.Context(group)
    assert hoist_root(group, ctx, ["sql", "q", "--root", "s", "--json"]) == ["--root", "s", "sql", "q", "--json"]
    assert hoist_root(group, ctx, ["sql", "--", "--root", "s"]) == ["sql", "--", "--root", "s"]
    assert hoist_root(group, ctx, ["--root", "s", "sql", "q"]) == ["--root", "s", "sql", "q"]
    assert hoist_root(group, ctx, ["lab", "--root", "s"]) == ["lab", "--root", "s"]  # lab has its own --root
    assert hoist_root(group, ctx, ["run", "x.toml", "--root=s"]) == ["--root=s", "run", "x.toml"]
