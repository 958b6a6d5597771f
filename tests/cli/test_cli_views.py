"""``workbench runs-summary``, ``matrix``, ``trends`` and ``failures`` on a temp store.

Most calls go through the command's entry point in this process (a fresh interpreter
costs seconds of imports); one test runs the real ``python -m workbench`` process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.analysis._multi_runs import doubler, exact, make_dataset, tenth, tripler
from workbench import Workbench
from workbench.cli import main
from workbench.runs._manifest import RunManifest, update_manifest


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Outcome]:
    """``workbench --root ROOT ARGS...`` through :func:`workbench.cli.main`, in this process."""

    def call(root: Path, *args: str) -> Outcome:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["workbench", "--root", str(root), *args])
        code: int | str | None = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return Outcome(int(code or 0), captured.out, captured.err)

    return call


def process(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Two runs of dataset ``d`` (tripler, then doubler) with the scorers exact and tenth; one run of ``other``."""
    wb = Workbench(tmp_path / "store")
    make_dataset(wb)
    make_dataset(wb, 2, name="other")
    wb.run_sync("d", tripler, scorers=[exact, tenth]).auto_label()
    wb.run_sync("d", doubler, scorers=[exact, tenth])
    wb.run_sync("other", tripler)
    return wb.root


def test_runs_summary_and_matrix_as_json_and_tables(store: Path, cli: Callable[..., Outcome]) -> None:
    out = cli(store, "runs-summary", "--dataset", "d", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["target"] for r in rows] == ["doubler", "tripler"]
    assert rows[0]["score_tenth"] == pytest.approx(0.2)
    assert rows[0]["units"] == 4
    out = cli(store, "matrix", "-d", "d", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {(r["target"], r["scorer"]) for r in rows} == {
        ("doubler", "exact"), ("doubler", "tenth"), ("tripler", "exact"), ("tripler", "tenth"),
    }  # fmt: skip
    table = cli(store, "matrix")
    assert table.returncode == 0, table.stderr
    assert "doubler" in table.stdout
    assert "ci_low" in table.stdout
    assert "0.2" in table.stdout


def test_trends_as_a_table_of_runs_and_as_long_json(store: Path, cli: Callable[..., Outcome]) -> None:
    out = cli(store, "trends", "d", "--json", "--scorer", "exact")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["value"] for r in rows if r["metric"] == "exact"] == [0.25, 1.0]
    table = cli(store, "trends", "d", "--target", "doubler")
    assert table.returncode == 0, table.stderr
    assert "tenth" in table.stdout
    assert "success_rate" in table.stdout
    assert "tripler" not in table.stdout


def test_failures_lists_labels_and_items(store: Path, cli: Callable[..., Outcome]) -> None:
    out = cli(store, "failures", "--dataset", "d", "--top", "2", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    # i1 fails in both runs; i0, i2 and i3 once each (ties: by id)
    assert [r["item_id"] for r in data["items"]] == ["i1", "i0"]
    assert {r["label"] for r in data["by_target"] if r["target"] == "tripler"} == {
        "partial_success", "failure_logic_bug",
    }  # fmt: skip
    table = cli(store, "failures")
    assert table.returncode == 0, table.stderr
    assert "labels per target" in table.stdout
    assert "most failing items" in table.stdout


def test_bad_input_is_one_line_and_exit_2(store: Path, cli: Callable[..., Outcome]) -> None:
    for args, needle in (
        (("trends", "d", "--scorer", "judge"), "judge"),
        (("matrix", "--run", "no-such-run"), "no-such-run"),
        (("failures", "--top", "0"), "top"),
    ):
        out = cli(store, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert out.stderr.startswith("error: ")
        assert needle in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_the_real_command_exits_2_on_an_unknown_dataset(store: Path) -> None:
    out = process(store, "trends", "nothing")
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("error: ")
    assert "nothing" in out.stderr


def test_runs_summary_table_keeps_the_main_columns(store: Path, cli: Callable[..., Outcome]) -> None:
    out = cli(store, "runs-summary")
    assert out.returncode == 0, out.stderr
    for column in ("run_id", "success_rate", "score_exact", "score_tenth"):
        assert column in out.stdout
    assert "tokens_in" not in out.stdout  # in --json only


def test_matrix_names_a_newer_failed_run_and_runs_show_partial_runs_and_cache_hits(
    tmp_path: Path, cli: Callable[..., Outcome]
) -> None:
    wb = Workbench(tmp_path / "store")
    make_dataset(wb)
    done = wb.run_sync("d", tripler, scorers=[exact])
    broken = wb.run_sync("d", tripler, scorers=[exact], shard="0/2")

    def fail(m: RunManifest) -> None:
        for shard in m.shards.values():
            shard.status = "failed"

    update_manifest(broken.folder, fail)
    out = cli(wb.root, "matrix")
    assert out.returncode == 0
    [row] = json.loads(cli(wb.root, "matrix", "--json").stdout)
    assert (row["run_id"], row["status"], row["partial"]) == (done.id, "completed", False)
    assert f"note: tripler: newest run {broken.id} is failed (2 of 4 units), not shown" in " ".join(out.stdout.split())
    rows = json.loads(cli(wb.root, "runs-summary", "--json").stdout)
    assert {r["run_id"]: (r["status"], r["partial"]) for r in rows} == {
        done.id: ("completed", False), broken.id: ("failed", True),
    }  # fmt: skip
    assert all(r["cache_hit_share"] == 0.0 for r in rows)
    listed = json.loads(cli(wb.root, "runs", "--json").stdout)
    assert [r["cache_hit_share"] for r in listed] == [0.0, 0.0]
