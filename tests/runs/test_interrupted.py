"""A run whose process died shows as ``interrupted`` and says how to resume (issue 12, defect 12)."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.runs._support import child_env, ids, make_dataset, part_files, raw_units, start_child, wait_until
from workbench import Workbench
from workbench.cli import main

HELPERS = """
import time


def slow_double(input):
    time.sleep(0.05)
    return input * 2
"""

START_RUN = """
import sys
from workbench import Workbench
import interrupt_helpers as h

Workbench(sys.argv[1]).run("d", h.slow_double, run_id="k1", concurrency=1).wait()
"""


def edit_shard(wb: Workbench, run_id: str, **fields: object) -> None:
    path = wb.runs_dir / run_id / "manifest.json"
    data = orjson.loads(path.read_bytes())
    data["shards"]["0/1"].update(fields)
    path.write_bytes(orjson.dumps(data))


def runs_command(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[dict[str, Any]]:
    monkeypatch.setattr(sys, "argv", ["workbench", "--root", str(wb.root), "runs", "--json"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code in (0, None)
    rows: list[dict[str, Any]] = orjson.loads(capsys.readouterr().out)
    return rows


@pytest.mark.slow
def test_a_sigkilled_run_is_interrupted_with_how_to_resume_then_resumes(
    wb: Workbench,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    n = 60
    make_dataset(wb, n)
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "interrupt_helpers.py").write_text(textwrap.dedent(HELPERS))
    folder = wb.runs_dir / "k1"
    child = start_child(START_RUN, [str(wb.root)], tmp_path, child_env(mods))
    try:
        assert wait_until(lambda: bool(part_files(folder)) or child.poll() is not None, timeout=60)
        assert child.poll() is None, f"the run ended before it could be killed: {child.communicate()}"
        assert wb.get_run("k1").status == "running"  # its process is alive on this host
        assert wb.runs().set_index("run_id").loc["k1", "status"] == "running"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()  # type: ignore[union-attr]
        child.stderr.close()  # type: ignore[union-attr]
    assert wb.get_run("k1").manifest.status == "running"  # what the manifest still says

    assert wb.get_run("k1").status == "interrupted"
    row = wb.runs().set_index("run_id").loc["k1"]
    assert row["status"] == "interrupted"
    assert "workbench run --resume k1" in row["note"]
    (listed,) = runs_command(wb, monkeypatch, capsys)
    assert (listed["status"], listed["note"]) == ("interrupted", row["note"])

    monkeypatch.syspath_prepend(str(mods))
    assert wb.resume("k1").wait().status == "completed"
    assert sorted(raw_units(folder)) == sorted((i, 0) for i in ids(n))
    row = wb.runs().set_index("run_id").loc["k1"]
    assert (row["status"], row["note"]) == ("completed", "")


def double(x: int) -> int:
    return x * 2


def test_a_shard_on_another_host_is_running_with_a_question_mark(wb: Workbench) -> None:
    make_dataset(wb, 2)
    wb.run_sync("d", double, run_id="r")
    edit_shard(wb, "r", status="running", host="some-other-host", pid=1)
    assert wb.get_run("r").status == "running?"
    assert wb.runs().set_index("run_id").loc["r", "note"] == ""


def test_a_reused_pid_does_not_keep_a_dead_run_running(wb: Workbench) -> None:
    make_dataset(wb, 2)
    wb.run_sync("d", double, run_id="r")
    edit_shard(wb, "r", status="running", pid=os.getppid(), pid_started=1)  # alive, but started at another time
    assert wb.get_run("r").status == "interrupted"


def test_a_shard_of_this_process_whose_engine_stopped_is_interrupted_and_resumable_here(wb: Workbench) -> None:
    make_dataset(wb, 3)
    wb.run_sync("d", double, run_id="r")
    edit_shard(wb, "r", status="running", pid=os.getpid(), done=1)
    assert wb.get_run("r").status == "interrupted"
    assert wb.resume("r").wait().status == "completed"  # not refused as "still running"
