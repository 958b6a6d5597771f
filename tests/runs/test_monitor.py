"""``Monitor``: sampled live traffic scored off the request path into a live run."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from workbench import Monitor, Workbench


def short(output: str) -> bool:
    return len(output) <= 3


def test_sampled_records_are_scored_into_a_live_run(wb: Workbench) -> None:
    monitor = Monitor(wb, [short], sample_rate=0.5, seed=7, flush_seconds=0.05)
    queued = [monitor.record(f"q{i}", "x" * (i % 6), {"user": i}) for i in range(400)]
    monitor.close()
    assert monitor.stats["recorded"] == 400
    assert monitor.stats["sampled"] == sum(queued) == monitor.stats["scored"]
    assert 150 < monitor.stats["sampled"] < 250  # about half
    results = monitor.run.results()
    assert len(results) == monitor.stats["scored"]
    assert monitor.run.status == "completed"
    assert monitor.run.manifest.selection == "live"
    by_input = dict(zip(results["input"], results["score_short"], strict=True))
    assert all(score == (1.0 if (int(q[1:]) % 6) <= 3 else 0.0) for q, score in by_input.items())
    assert wb.runs()["kind"].tolist() == ["monitor"]


def test_sample_rate_zero_and_one(wb: Workbench) -> None:
    none = Monitor(wb, [short], sample_rate=0.0, name="none")
    every = Monitor(wb, [short], sample_rate=1.0, name="every")
    for _ in range(50):
        none.record("q", "a")
        every.record("q", "a")
    none.close()
    every.close()
    assert none.stats["scored"] == 0
    assert every.stats["scored"] == 50


def test_a_full_queue_drops_and_counts_and_never_blocks(wb: Workbench) -> None:
    gate = threading.Event()

    def slow(output: str) -> bool:
        gate.wait(5)  # the worker is stuck on the first record
        return True

    monitor = Monitor(wb, [slow], sample_rate=1.0, max_queue=10)
    accepted = [monitor.record("q", "a") for _ in range(100)]  # returns at once although nothing is scored
    gate.set()
    monitor.close()
    assert monitor.stats["dropped"] == 100 - sum(accepted) > 0
    assert monitor.stats["scored"] == sum(accepted)
    assert len(monitor.run.results()) == sum(accepted)


def test_a_failing_scorer_is_counted_and_the_monitor_goes_on(wb: Workbench) -> None:
    def broken(output: str) -> float:
        raise ValueError("nope")

    monitor = Monitor(wb, [broken, short], sample_rate=1.0)
    for _ in range(5):
        monitor.record("q", "ok")
    monitor.close()
    scores = monitor.run.scores()
    assert scores.groupby("scorer")["error"].apply(lambda e: e.notna().sum()).to_dict() == {"broken": 5, "short": 0}
    assert monitor.stats["scorer_errors"] == 5


@pytest.mark.slow
def test_records_are_flushed_at_interpreter_exit(tmp_path: Path) -> None:
    code = f"""
from workbench import Monitor, Workbench
m = Monitor(Workbench({str(tmp_path)!r}), [lambda output: True], sample_rate=1.0, flush_seconds=60)
for i in range(30):
    m.record(i, i)
# no close(): the atexit hook must score and write what is queued
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env=env)
    runs = Workbench(tmp_path).runs()
    assert runs["status"].tolist() == ["completed"]
    assert len(Workbench(tmp_path).get_run(runs["run_id"][0]).results()) == 30
