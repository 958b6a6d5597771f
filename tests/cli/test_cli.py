"""The ``workbench`` command line, run as a real process on a temp store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import Workbench

pytestmark = pytest.mark.slow

CSV = (
    b"id,question,answer,source,difficulty\r\n"
    b"q1,What is 2+2?,4,math,1\r\n"
    b'q2,"Capital of France, please",Paris,geo,2\r\n'
)


def cli(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "qa.csv"
    path.write_bytes(CSV)
    return path


def test_create_import_list_show_and_versions(tmp_path: Path, csv_file: Path) -> None:
    root = tmp_path / "store"
    assert cli(root, "datasets", "create", "qa", "-d", "questions", "--metadata", '{"team": "x"}').returncode == 0
    out = cli(
        root, "import", "qa", str(csv_file), "--map", "item_id=id", "--map", "input=question",
        "--map", "expected_output=answer", "--map", "metadata=source,difficulty",
        "--number-col", "difficulty", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["version"], report["imported"], report["rows"]) == (1, 2, 2)
    listed = json.loads(cli(root, "datasets", "list", "--json").stdout)
    assert [(d["name"], d["version"], d["items"]) for d in listed] == [("qa", 1, 2)]
    shown = json.loads(cli(root, "datasets", "show", "qa", "--json").stdout)
    assert shown["metadata"] == {"team": "x"}
    assert shown["first_items"][1]["input"] == "Capital of France, please"
    assert Workbench(root).dataset("qa").item("q2").metadata == {"source": "geo", "difficulty": 2}
    table = cli(root, "versions", "qa")
    assert table.returncode == 0
    assert "import" in table.stdout


def test_history_and_diff(tmp_path: Path) -> None:
    root = tmp_path / "store"
    ds = Workbench(root).create_dataset("qa")
    ds.add_items([{"item_id": "a", "input": 1, "expected_output": "x"}, {"item_id": "b", "input": 2}])
    ds.update_item("a", expected_output="y")
    ds.delete_items(["b"])
    history = json.loads(cli(root, "history", "qa", "a", "--json").stdout)
    assert [(h["version"], h["op"], h["expected_output"]) for h in history] == [(1, "add", "x"), (2, "update", "y")]
    diff = json.loads(cli(root, "diff", "qa", "1", "3", "--json").stdout)
    assert {d["item_id"]: d["change"] for d in diff} == {"a": "changed", "b": "removed"}
    text = cli(root, "diff", "qa", "1", "3")
    assert "0 added, 1 removed, 1 changed" in text.stdout


def test_export_a_version(tmp_path: Path) -> None:
    root = tmp_path / "store"
    ds = Workbench(root).create_dataset("qa")
    ds.add_items([{"item_id": "a", "input": {"q": 1}}])
    ds.add_items([{"item_id": "b", "input": {"q": 2}}])
    out = tmp_path / "v1.jsonl"
    assert cli(root, "export", "qa", str(out), "--version", "1").returncode == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        {"item_id": "a", "input": {"q": 1}, "expected_output": None, "context": None, "metadata": None, "output": None}
    ]


def test_invalid_rows_exit_2_with_line_numbers_and_nothing_written(tmp_path: Path) -> None:
    root = tmp_path / "store"
    Workbench(root).create_dataset("qa")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"question,answer\nok,1\n,2\nx,3,extra\n")
    out = cli(root, "import", "qa", str(bad), "--map", "input=question", "--map", "expected_output=answer")
    assert out.returncode == 2
    assert "line 3" in out.stderr
    assert "line 4: has 3 fields but the header has 2" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("error: 2 of 3 rows are invalid")
    assert Workbench(root).dataset("qa").version == 0
    skipped = cli(root, "import", "qa", str(bad), "--map", "input=question", "--skip-invalid", "--json")
    assert skipped.returncode == 0
    report = json.loads(skipped.stdout)
    assert (report["imported"], [s["line"] for s in report["skipped"]]) == (1, [3, 4])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["datasets", "create", "a/../evil"], "error: dataset name 'a/../evil' contains '/'"),
        (["datasets", "show", "missing"], "error: dataset 'missing' does not exist"),
        (["import", "qa", "nofile.csv"], "error: nofile.csv: no such file"),
        (["datasets", "create", "x", "--metadata", "{bad"], "error: --metadata is not valid JSON"),
        (["diff", "qa", "0", "7"], "error: version 7 does not exist"),
        (["history", "qa", "nope"], "error: item 'nope' never existed"),
        (["sql", "select * from nowhere"], "error: SQL failed"),
        (["datasets", "delete", "qa"], "error: deleting 'qa' needs --yes"),
    ],
)
def test_bad_input_is_a_one_line_error_with_exit_code_2(tmp_path: Path, args: list[str], message: str) -> None:
    root = tmp_path / "store"
    Workbench(root).create_dataset("qa")
    out = cli(root, *args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(message)
    assert Workbench(root).datasets()["name"].tolist() == ["qa"]


def test_delete_with_yes(tmp_path: Path) -> None:
    root = tmp_path / "store"
    Workbench(root).create_dataset("qa")
    out = cli(root, "datasets", "delete", "qa", "--yes", "--json")
    assert json.loads(out.stdout) == {"deleted": "qa"}
    assert Workbench(root).datasets().empty


def test_sql_command_prints_json(tmp_path: Path) -> None:
    root = tmp_path / "store"
    Workbench(root).create_dataset("qa").add_items([{"input": {"q": "hi"}}])
    out = cli(root, "sql", "select input->>'$.q' as q from items", "--json")
    assert json.loads(out.stdout) == [{"q": "hi"}]


def test_root_comes_from_the_environment(tmp_path: Path) -> None:
    root = tmp_path / "env-store"
    Workbench(root).create_dataset("from-env")
    env = {**os.environ, "WORKBENCH_ROOT": str(root)}
    out = subprocess.run(
        [sys.executable, "-m", "workbench", "datasets", "list", "--json"],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
    assert [d["name"] for d in json.loads(out.stdout)] == ["from-env"]
