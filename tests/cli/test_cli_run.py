"""``workbench run``: experiments from a TOML file, resume and shards, as real processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench import Workbench
from workbench.simulator import SimulatedLLMServer

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


FAILING_PIPELINE = PIPELINE.replace('return str(input["n"] * 2)', "raise ValueError(f\"cannot answer {input['n']}\")")


def test_a_run_whose_every_item_errored_fails_with_one_line(tmp_path: Path, experiment: Path) -> None:
    (tmp_path / "pipeline.py").write_text(FAILING_PIPELINE)
    experiment.write_text(EXPERIMENT.replace("repeats = 2", "repeats = 1\nconcurrency = 1"))
    out = cli(tmp_path / "store", "run", str(experiment), "--experiment-id", "e4", "--no-progress")
    assert out.returncode == 1
    assert "failed" in out.stdout  # the runs table shows the status
    assert out.stderr.splitlines() == [
        "failed: all 8 items errored; first error (item n0): ValueError: cannot answer 0"
    ]
    listed = cli(tmp_path / "store", "runs", "--json")
    assert [r["status"] for r in json.loads(listed.stdout)] == ["failed"]


SIM_EXPERIMENT = """
[experiment]
name = "slow"
dataset = "qs"
concurrency = 1
timeout = 30

[[models]]
model = "openai:sim-large"
base_url = "{url}"
name = "sim"
"""


def interrupted_cli(tmp_path: Path, server: SimulatedLLMServer, *flags: str) -> tuple[int, str, str]:
    """``workbench run`` against the simulator, sent SIGINT (Ctrl-C) after a few answers."""
    path = tmp_path / "slow.toml"
    path.write_text(SIM_EXPERIMENT.format(url=server.openai_base_url))
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"} | {"OPENAI_API_KEY": "sk-test"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "--root", str(tmp_path / "store"), "run", str(path), *flags],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(server.requests) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, f"the run ended before Ctrl-C: {proc.communicate()}"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def qs_store(tmp_path: Path) -> Workbench:
    wb = Workbench(tmp_path / "store")
    wb.create_dataset("qs").add_items([{"item_id": f"q{i:02d}", "input": f"What is {i} + 1?"} for i in range(19)])
    return wb


def test_ctrl_c_prints_one_line_exits_130_and_the_run_resumes(tmp_path: Path) -> None:
    wb = qs_store(tmp_path)
    with SimulatedLLMServer(latency=0.15) as server:
        code, out, err = interrupted_cli(tmp_path, server, "--experiment-id", "x", "--no-progress")
        assert code == 130, err
        assert out == ""
        line = re.fullmatch(r"interrupted: (\d+)/19 done; resume with: workbench run --resume x--sim\n", err)
        assert line is not None, err  # exactly one line, no traceback
        run = wb.get_run("x--sim")
        assert run.manifest.shards["0/1"].status == "interrupted"
        assert run.status == "interrupted"
        done = int(line.group(1))
        assert 3 <= done < 19
        assert run.manifest.counts()["done"] == done == len(run.results())

        resumed = cli(tmp_path / "store", "run", "--resume", "x--sim", "--json")
    assert resumed.returncode == 0, resumed.stderr
    rows = json.loads(resumed.stdout.splitlines()[-1])  # DuckDB may draw its own progress bar above (slow machine)
    assert [(r["status"], r["done"], r["errors"]) for r in rows] == [("completed", 19, 0)]
    assert sorted(wb.get_run("x--sim").results()["item_id"]) == [f"q{i:02d}" for i in range(19)]


def test_ctrl_c_with_the_progress_bar_ends_on_the_one_line(tmp_path: Path) -> None:
    qs_store(tmp_path)
    with SimulatedLLMServer(latency=0.15) as server:
        code, out, err = interrupted_cli(tmp_path, server, "--experiment-id", "y")
    assert code == 130
    assert out == ""
    assert "Traceback" not in err
    assert "Aborted" not in err
    assert re.fullmatch(r"interrupted: \d+/19 done; resume with: workbench run --resume y--sim", err.splitlines()[-1])
    assert Workbench(tmp_path / "store").get_run("y--sim").status == "interrupted"
