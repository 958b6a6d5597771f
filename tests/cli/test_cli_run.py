"""``workbench run``: experiments from a TOML file, resume and shards, as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import Workbench

pytestmark = pytest.mark.slow

PIPELINE = """
def answer(input):
    return str(input["n"] * 2)

def right(output, expected):
    return output == expected
"""

EXPERIMENT = """
[experiment]
name = "doubling"
dataset = "nums"
repeats = 2

[[functions]]
function = "pipeline:answer"
name = "doubler"

[[scorers]]
function = "pipeline:right"
"""


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    path = tmp_path / "experiment.toml"
    path.write_text(EXPERIMENT)
    ds = Workbench(tmp_path / "store").create_dataset("nums")
    ds.add_items(
        [{"item_id": f"n{i}", "input": {"n": i}, "expected_output": str(i * 2 if i != 3 else 0)} for i in range(8)]
    )
    return path


def test_an_experiment_runs_every_target_and_reports_json(tmp_path: Path, experiment: Path) -> None:
    out = cli(tmp_path / "store", "run", str(experiment), "--json", "--experiment-id", "e1")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["run_id"], r["target"], r["status"], r["done"]) for r in rows] == [
        ("e1--doubler", "doubler", "completed", 16)
    ]
    results = Workbench(tmp_path / "store").get_run("e1--doubler").results()
    assert len(results) == 16
    assert results["score_right"].sum() == 14  # item n3 is wrong on both repeats


def test_shards_of_one_experiment_fill_the_same_run(tmp_path: Path, experiment: Path) -> None:
    store = tmp_path / "store"
    first = cli(store, "run", str(experiment), "--experiment-id", "e2", "--shard", "0/2", "--json")
    assert json.loads(first.stdout)[0]["status"] == "running"  # half done: the other shard is missing
    second = cli(store, "run", str(experiment), "--experiment-id", "e2", "--shard", "1/2", "--json")
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)[0]["status"] == "completed"
    results = Workbench(store).get_run("e2--doubler").results()
    assert sorted(zip(results["item_id"], results["repeat"], strict=True)) == sorted(
        (f"n{i}", r) for i in range(8) for r in range(2)
    )


def test_resume_of_a_cancelled_run_finishes_it(tmp_path: Path, experiment: Path) -> None:
    store = tmp_path / "store"
    assert cli(store, "run", str(experiment), "--experiment-id", "e3").returncode == 0
    run_folder = store / "runs" / "e3--doubler"
    parts = sorted((run_folder / "results").glob("*.parquet"))
    for part in parts:  # as if the process had been killed before writing anything
        part.unlink()
    out = cli(store, "run", "--resume", "e3--doubler", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["done"] == 16
    assert len(Workbench(store).get_run("e3--doubler").results()) == 16


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run"], "error: give an experiment file"),
        (["run", "missing.toml"], "error: missing.toml: no such file"),
        (["run", "EXP", "--shard", "0/2"], "error: --shard needs --experiment-id"),
        (["run", "--resume", "nope"], "error: run 'nope' does not exist"),
    ],
)
def test_bad_run_commands_are_one_line_errors(tmp_path: Path, experiment: Path, args: list[str], message: str) -> None:
    out = cli(tmp_path / "store", *[str(experiment) if a == "EXP" else a for a in args])
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(message)


def test_an_experiment_file_error_names_the_key(tmp_path: Path, experiment: Path) -> None:
    experiment.write_text(EXPERIMENT.replace('function = "pipeline:answer"', 'function = "pipeline:nothing"'))
    out = cli(tmp_path / "store", "run", str(experiment))
    assert out.returncode == 2
    assert "functions[0].function: cannot import 'pipeline:nothing'" in out.stderr
    assert not (tmp_path / "store" / "runs").exists()
