"""A run's life seen from the caller: returns at once, progresses, writes as it goes, finishes."""

from __future__ import annotations

import time

import pytest

from tests._cells import number
from tests.runs._support import ids, make_dataset, part_files, run_folders, wait_until
from workbench import NotFoundError, Workbench


def slow(x: int) -> int:
    time.sleep(0.2)
    return x * 2


def quick(x: int) -> int:
    return x * 2


def test_run_returns_at_once_while_the_work_goes_on(wb: Workbench) -> None:
    make_dataset(wb, 20)
    t0 = time.monotonic()
    run = wb.run("d", slow, concurrency=2)
    elapsed = time.monotonic() - t0
    status = run.status
    run.cancel()
    assert elapsed < 0.5
    assert status == "running"


def test_wait_completes_the_run_with_counts_in_the_manifest(wb: Workbench) -> None:
    make_dataset(wb, 20)
    run = wb.run("d", slow, concurrency=2)
    assert run.wait() is run
    assert run.done()
    assert run.status == "completed"
    manifest = wb.get_run(run.id).manifest
    assert manifest.status == "completed"
    assert manifest.counts() == {"total": 20, "done": 20, "errors": 0, "scorer_errors": 0}
    assert set(run.results()["item_id"]) == ids(20)


def test_progress_advances_during_the_run_and_ends_at_the_total(wb: Workbench) -> None:
    make_dataset(wb, 20)
    run = wb.run("d", slow, concurrency=2)
    seen: list[dict[str, object]] = []

    def midway() -> bool:
        p = run.progress
        if not run.done() and 0 < p["done"] < p["total"]:
            seen.append(p)
            return True
        return run.done()

    wait_until(midway, timeout=10)
    run.wait()
    assert seen, "progress never showed a part of the work done before the run ended"
    mid = seen[0]
    assert mid["total"] == 20
    assert mid["status"] == "running"
    assert 0 < number(mid["fraction"]) < 1
    assert run.progress == {
        "total": 20,
        "done": 20,
        "errors": 0,
        "scorer_errors": 0,
        "fraction": 1.0,
        "status": "completed",
    }


def test_run_sync_blocks_until_the_run_is_finished(wb: Workbench) -> None:
    make_dataset(wb, 5)
    t0 = time.monotonic()
    run = wb.run_sync("d", slow, concurrency=1)
    elapsed = time.monotonic() - t0
    assert elapsed >= 5 * 0.2
    assert run.done()
    assert run.status == "completed"
    assert len(run.results()) == 5


def test_results_are_written_in_batches_while_the_run_goes(wb: Workbench) -> None:
    make_dataset(wb, 30)
    run = wb.run("d", slow, concurrency=2)  # ~3 s of work
    seen_rows = 0

    def rows_on_disk() -> bool:
        nonlocal seen_rows
        if run.done():
            return True
        if part_files(run.folder):
            seen_rows = len(run.results())
        return seen_rows > 0

    wait_until(rows_on_disk, timeout=10)
    still_running = not run.done() and run.status == "running"
    run.cancel()
    assert seen_rows > 0, "no result part was written before the run ended"
    assert still_running
    assert seen_rows < 30


def test_runs_lists_every_run_with_status_and_counts(wb: Workbench) -> None:
    make_dataset(wb, 4)

    def fails_on_one(x: int) -> int:
        if x == 1:
            raise ValueError("no")
        return x

    first = wb.run_sync("d", quick)
    second = wb.run_sync("d", fails_on_one)
    table = wb.runs().set_index("run_id")
    assert set(table.index) == {first.id, second.id}
    assert table.loc[first.id, "status"] == "completed"
    assert table.loc[second.id, "status"] == "completed"
    assert (table.loc[first.id, "total"], table.loc[first.id, "done"], table.loc[first.id, "errors"]) == (4, 4, 0)
    assert (table.loc[second.id, "total"], table.loc[second.id, "done"], table.loc[second.id, "errors"]) == (4, 4, 1)
    assert table.loc[second.id, "dataset"] == "d"


def test_runs_of_an_empty_store_is_an_empty_table(wb: Workbench) -> None:
    table = wb.runs()
    assert table.empty
    assert {"run_id", "status", "total", "done", "errors"} <= set(table.columns)


def test_get_run_of_a_missing_run_raises_not_found(wb: Workbench) -> None:
    make_dataset(wb, 1)
    wb.run_sync("d", quick)
    with pytest.raises(NotFoundError, match="nope"):
        wb.get_run("nope")
    assert len(run_folders(wb)) == 1
