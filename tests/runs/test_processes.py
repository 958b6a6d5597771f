"""Runs across real processes: a SIGKILL mid-run then a resume in another process; shards in parallel.

Targets and scorers live in a helper module written to a temporary folder that is on
the children's ``PYTHONPATH``, so a resumed run can import them again from the manifest.
"""

from __future__ import annotations

import importlib
import os
import signal
import textwrap
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from tests.runs._support import (
    child_env,
    finish_child,
    ids,
    make_dataset,
    part_files,
    raw_units,
    start_child,
    wait_until,
)
from workbench import Workbench

KILL_HELPERS = """
import os
import time


def slow_double(item_id, input):
    with open(os.environ["CALL_LOG"], "a") as fh:
        fh.write(item_id + "\\n")
    time.sleep(0.1)
    return input * 2


def quarter(output):
    return output % 4 == 0
"""

START_RUN = """
import sys
from workbench import Workbench
import kill_helpers as h

run = Workbench(sys.argv[1]).run("d", h.slow_double, scorers=[h.quarter], run_id="k1", concurrency=2)
run.wait()
print("finished", flush=True)
"""

SHARD_HELPERS = """
import time


def triple(input):
    time.sleep(0.02)
    return {"n": input * 3}


def big(output):
    return output["n"] >= 30
"""

RUN_SHARD = """
import sys
import time
from pathlib import Path
from workbench import Workbench
import wb_shard_helpers as h

root, sync, i = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
(sync / f"ready-{i}").touch()
while not (sync / "go").exists():
    time.sleep(0.001)
run = Workbench(root).run("d", h.triple, scorers=[h.big], run_id="r1", shard=f"{i}/3", repeats=2, concurrency=2)
run.wait()
print(run.manifest.shards[f"{i}/3"].status, flush=True)
"""


def write_module(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(text))
    return folder


def logged(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


@pytest.mark.slow
def test_a_killed_run_resumes_without_its_target_and_without_loss_or_repeats(
    wb: Workbench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 40
    make_dataset(wb, n)
    mods = write_module(tmp_path / "mods", "kill_helpers", KILL_HELPERS)
    first_log, second_log = tmp_path / "calls-1.log", tmp_path / "calls-2.log"
    run_folder = wb.runs_dir / "k1"

    victim = start_child(START_RUN, [str(wb.root)], tmp_path, child_env(mods, CALL_LOG=str(first_log)))
    try:
        assert wait_until(lambda: bool(part_files(run_folder)) or victim.poll() is not None, timeout=60)
        assert victim.poll() is None, f"the run ended before it could be killed: {victim.communicate()}"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        victim.stdout.close()  # type: ignore[union-attr]
        victim.stderr.close()  # type: ignore[union-attr]
    assert victim.returncode == -signal.SIGKILL
    on_disk = {item_id for item_id, _ in raw_units(run_folder)}
    assert 0 < len(on_disk) < n

    # resumed here, in a process that never imported the target: rebuilt from the manifest
    monkeypatch.syspath_prepend(str(mods))
    monkeypatch.setenv("CALL_LOG", str(second_log))
    resumed = wb.resume("k1").wait()
    assert resumed.status == "completed"

    run = wb.get_run("k1")
    df = run.results()
    assert run.status == "completed"
    assert Counter(raw_units(run_folder)) == Counter((i, 0) for i in ids(n))
    assert dict(zip(df["item_id"], df["output"], strict=True)) == {f"i{k:02d}": 2 * k for k in range(n)}
    assert (df["score_quarter"] == [float(o % 4 == 0) for o in df["output"]]).all()
    resent = logged(second_log)
    assert set(resent).isdisjoint(on_disk), f"items already on disk were sent again: {set(resent) & on_disk}"
    assert set(resent) | on_disk == ids(n)
    assert run.manifest.counts()["done"] == n


@pytest.mark.slow
def test_three_shards_in_parallel_processes_equal_one_unsharded_run(
    wb: Workbench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 30
    make_dataset(wb, n)
    mods = write_module(tmp_path / "mods", "wb_shard_helpers", SHARD_HELPERS)
    sync = tmp_path / "sync"
    sync.mkdir()
    env = child_env(mods)
    children = [start_child(RUN_SHARD, [str(wb.root), str(sync), str(i)], tmp_path, env) for i in range(3)]
    try:
        assert wait_until(lambda: len(list(sync.glob("ready-*"))) == 3, timeout=60)
        (sync / "go").touch()
        statuses = [finish_child(c).split() for c in children]
    finally:
        for c in children:
            if c.poll() is None:
                c.kill()
                c.communicate()
    assert statuses == [["completed"]] * 3

    monkeypatch.syspath_prepend(str(mods))
    helpers = importlib.import_module("wb_shard_helpers")
    whole = wb.run_sync("d", helpers.triple, scorers=[helpers.big], repeats=2)

    sharded = wb.get_run("r1")
    assert sharded.status == "completed"
    assert sharded.manifest.counts() == {"total": 2 * n, "done": 2 * n, "errors": 0, "scorer_errors": 0}

    def rows(df: pd.DataFrame) -> set[tuple[str, int, int, float]]:
        return set(zip(df["item_id"], df["repeat"], [o["n"] for o in df["output"]], df["score_big"], strict=True))

    a, b = sharded.results(), whole.results()
    assert len(a) == len(b) == 2 * n
    assert rows(a) == rows(b)
    assert Counter(raw_units(sharded.folder)) == Counter((i, r) for i in ids(n) for r in range(2))
    per_item = a.groupby("item_id")["shard"].nunique()
    assert (per_item == 1).all(), "an item was done by two shards"
    assert a.groupby("shard")["item_id"].nunique().to_dict() == {"0/3": 10, "1/3": 10, "2/3": 10}


def shard_target(x: int) -> int:
    return x + 100


def test_a_sharded_run_is_completed_only_when_every_shard_is(wb: Workbench) -> None:
    make_dataset(wb, 9)
    seen = []
    for i in range(3):
        run = wb.run("d", shard_target, run_id="s1", shard=f"{i}/3").wait()
        assert run.manifest.shards[f"{i}/3"].status == "completed"
        seen.append(wb.get_run("s1").status)
    assert "completed" not in seen[:2]
    assert seen[2] == "completed"
    assert {r["run_id"]: r["status"] for r in wb.runs().to_dict("records")} == {"s1": "completed"}
    assert Counter(raw_units(wb.runs_dir / "s1")) == Counter((i, 0) for i in ids(9))
