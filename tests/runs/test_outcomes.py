"""How a run ends: every item errored is ``failed`` (with the first error), some errors is ``completed``,
Ctrl-C while waiting is ``interrupted`` and resumable (issue 13, points 3 and 4)."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import pytest

from tests.runs._support import make_dataset, part_files, wait_until
from workbench import RunFailedError, Workbench, WorkbenchError, targets
from workbench.runs import RunFailedError as RunsRunFailedError


def always_fails(x: int) -> int:
    raise ValueError(f"no answer for {x}")


def fails_on_odd(x: int) -> int:
    if x % 2:
        raise ValueError(f"odd {x}")
    return x


def slow_double(x: int) -> int:
    time.sleep(0.05)
    return x * 2


def test_a_run_whose_every_item_errored_is_failed_with_its_first_error(wb: Workbench) -> None:
    make_dataset(wb, 3)
    run = wb.run("d", always_fails, concurrency=1, run_id="f1").wait()
    assert run.status == "failed"
    assert run.manifest.status == "failed"
    assert run.first_error == "item i00: ValueError: no answer for 0"
    assert run.failure == "all 3 items errored; first error (item i00): ValueError: no answer for 0"
    assert wb.runs().set_index("run_id").loc["f1", "status"] == "failed"
    stored = (wb.runs_dir / "f1" / "manifest.json").read_text()
    assert '"status": "failed"' in stored  # what SQL over the store and other processes read


def test_run_sync_raises_run_failed_error_naming_the_first_error(wb: Workbench) -> None:
    make_dataset(wb, 3)
    with pytest.raises(RunFailedError) as info:
        wb.run_sync("d", always_fails, concurrency=1, run_id="f2")
    assert str(info.value) == (
        "run f2 failed: all 3 items errored; first error (item i00): ValueError: no answer for 0"
    )
    assert isinstance(info.value, WorkbenchError)
    assert RunsRunFailedError is RunFailedError
    assert info.value.run.id == "f2"
    assert info.value.run.status == "failed"


def test_a_run_with_some_errors_is_completed_and_counts_them(wb: Workbench) -> None:
    make_dataset(wb, 4)
    run = wb.run_sync("d", fails_on_odd, concurrency=1)  # does not raise
    assert run.status == "completed"
    assert run.progress["errors"] == 2
    assert run.first_error == "item i01: ValueError: odd 1"
    assert run.failure is None
    assert run.raise_for_status() is run


def test_a_run_without_errors_has_no_first_error(wb: Workbench) -> None:
    make_dataset(wb, 2)
    run = wb.run_sync("d", slow_double)
    assert (run.status, run.first_error, run.failure) == ("completed", None, None)


def test_the_leaderboard_treats_a_failed_run_like_other_unfinished_ones(wb: Workbench) -> None:
    make_dataset(wb, 3)

    def score(output: Any, expected: Any) -> bool:
        return bool(output == expected)

    good = wb.run_sync("d", targets.function(slow_double, name="pipe"), scorers=[score])
    wb.run("d", targets.function(always_fails, name="pipe"), scorers=[score], run_id="bad").wait()
    wb.run("d", targets.function(always_fails, name="broken"), scorers=[score], run_id="lone").wait()
    table = wb.matrix(dataset="d").set_index("target")
    assert table.loc["pipe", "run_id"] == good.id  # the newer failed run is not the target's result
    assert "newest run bad is failed" in str(table.loc["pipe", "note"])
    assert (table.loc["broken", "status"], table.loc["broken", "run_id"]) == ("failed", "lone")
    assert "no completed run" in str(table.loc["broken", "note"])
    assert set(wb.runs_summary(dataset="d").set_index("run_id")["status"]) == {"completed", "failed"}


def _interrupt_main_after(condition: Any) -> threading.Thread:
    """Send SIGINT to the main thread (as Ctrl-C does) once ``condition()`` holds."""
    main = threading.main_thread().ident
    assert main is not None

    def fire() -> None:
        wait_until(condition, timeout=30)
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=fire, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_during_run_sync_leaves_the_run_interrupted_and_resumable(wb: Workbench) -> None:
    n = 40
    make_dataset(wb, n)
    folder = wb.runs_dir / "k1"
    firing = _interrupt_main_after(lambda: bool(part_files(folder)))
    with pytest.raises(KeyboardInterrupt):
        wb.run_sync("d", slow_double, concurrency=1, run_id="k1")
    firing.join(5)
    run = wb.get_run("k1")
    assert run.manifest.shards["0/1"].status == "interrupted"  # stored, not inferred from a dead process
    assert run.status == "interrupted"
    done = run.manifest.counts()["done"]
    assert 0 < done < n
    assert len(run.results()) == done  # every counted unit is on disk
    listed = wb.runs().set_index("run_id").loc["k1"]
    assert listed["status"] == "interrupted"
    assert "workbench run --resume k1" in listed["note"]
    resumed = wb.resume("k1").wait()
    assert resumed.status == "completed"
    assert len(resumed.results()) == n


def test_ctrl_c_during_wait_stops_the_run_as_interrupted(wb: Workbench) -> None:
    make_dataset(wb, 40)
    run = wb.run("d", slow_double, concurrency=1, run_id="k2")
    firing = _interrupt_main_after(lambda: run.progress["done"] >= 3)
    with pytest.raises(KeyboardInterrupt):
        run.wait()
    firing.join(5)
    assert run.done()
    assert run.status == "interrupted"
    done = run.manifest.counts()["done"]
    time.sleep(0.3)
    assert run.manifest.counts()["done"] == done  # it does no more work


def test_cancel_still_records_cancelled(wb: Workbench) -> None:
    make_dataset(wb, 40)
    run = wb.run("d", slow_double, concurrency=1)
    assert wait_until(lambda: run.progress["done"] >= 2)
    run.cancel()
    assert run.done()
    assert run.status == "cancelled"
