"""Cancelling a run keeps what is finished; resuming does exactly what is missing."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from tests.runs._support import ids, make_dataset, raw_units, wait_until
from workbench import ValidationError, Workbench, WorkbenchError

N = 30


class Slow:
    """An async target (0.1 s per item) that logs every item it finishes."""

    def __init__(self, fail: str | None = None) -> None:
        self.finished: list[str] = []
        self.fail = fail

        async def slow(item_id: str, input: int) -> int:  # noqa: A002 - the field's name
            if item_id == self.fail:
                self.finished.append(item_id)
                raise ValueError("bad item")
            await asyncio.sleep(0.1)
            self.finished.append(item_id)
            return input * 2

        self.fn = slow


def fine(output: int) -> bool:
    return output % 4 == 0


def start_and_cancel(wb: Workbench, target: Slow, after: int = 6) -> str:
    run = wb.run("d", target.fn, scorers=[fine], concurrency=2)  # ~1.5 s of work
    assert wait_until(lambda: len(target.finished) >= after, timeout=10)
    run.cancel()
    assert run.status == "cancelled"
    return run.id


def test_cancel_stops_the_run_and_keeps_the_finished_units(wb: Workbench) -> None:
    make_dataset(wb, N)
    target = Slow()
    run = wb.run("d", target.fn, scorers=[fine], concurrency=2)
    assert wait_until(lambda: len(target.finished) >= 6, timeout=10)
    run.cancel()
    finished_at_cancel = set(target.finished)
    assert run.status == "cancelled"
    assert wb.get_run(run.id).status == "cancelled"
    assert run.done()
    kept = run.results()
    assert set(kept["item_id"]) == finished_at_cancel
    assert 6 <= len(kept) < N
    assert run.manifest.counts()["done"] == len(kept)


def test_a_cancelled_run_does_no_more_work(wb: Workbench) -> None:
    make_dataset(wb, N)
    target = Slow()
    run_id = start_and_cancel(wb, target)
    count = len(target.finished)
    wait_until(lambda: False, timeout=0.4)
    assert len(target.finished) == count
    assert len(wb.get_run(run_id).results()) == count


def test_resume_after_cancel_runs_exactly_the_missing_units(wb: Workbench) -> None:
    make_dataset(wb, N)
    first = Slow()
    run_id = start_and_cancel(wb, first)
    done_before = set(wb.get_run(run_id).results()["item_id"])
    second = Slow()
    run = wb.resume(run_id, target=second.fn, scorers=[fine]).wait()
    assert run.status == "completed"
    df = run.results()
    assert Counter(zip(df["item_id"], df["repeat"], strict=True)) == Counter((i, 0) for i in ids(N))
    assert Counter(raw_units(run.folder)) == Counter((i, 0) for i in ids(N))
    assert set(second.finished) == ids(N) - done_before
    assert len(second.finished) == len(set(second.finished))
    assert (df["score_fine"] == df["output"].mod(4).eq(0).astype(float)).all()


def test_manifest_counts_after_resume_cover_the_whole_run(wb: Workbench) -> None:
    make_dataset(wb, N)

    def picky(output: int) -> float:
        return 7.0 if output == 2 else 1.0  # a scorer error on i01

    first = Slow(fail="i00")
    run = wb.run("d", first.fn, scorers=[picky], concurrency=2)
    assert wait_until(lambda: len(first.finished) >= 6, timeout=10)
    run.cancel()
    assert {"i00", "i01"} <= set(run.results()["item_id"])
    resumed = wb.resume(run.id, target=Slow(fail="i00").fn, scorers=[picky]).wait()
    df = resumed.results()
    assert (df["error"].notna().sum(), df["scorer_errors"].sum()) == (1, 1)
    assert resumed.manifest.counts() == {"total": N, "done": N, "errors": 1, "scorer_errors": 1}


def test_resume_of_a_completed_run_runs_nothing(wb: Workbench) -> None:
    make_dataset(wb, 5)
    first = Slow()
    run = wb.run_sync("d", first.fn, scorers=[fine])
    second = Slow()
    again = wb.resume(run.id, target=second.fn, scorers=[fine]).wait()
    assert again.status == "completed"
    assert second.finished == []
    assert len(raw_units(run.folder)) == 5


def test_resume_refuses_a_different_target(wb: Workbench) -> None:
    make_dataset(wb, 5)
    run = wb.run("d", Slow().fn, scorers=[fine], concurrency=1)
    run.cancel()

    def other(x: int) -> int:
        return x

    with pytest.raises(ValidationError, match="other"):
        wb.resume(run.id, target=other, scorers=[fine])


def test_resume_of_a_run_still_running_does_no_unit_twice(wb: Workbench) -> None:
    make_dataset(wb, 20)
    first, second = Slow(), Slow()
    run = wb.run("d", first.fn, scorers=[fine], concurrency=2)  # ~1 s of work
    assert wait_until(lambda: len(first.finished) >= 2, timeout=10)
    try:
        again = wb.resume(run.id, target=second.fn, scorers=[fine])
    except WorkbenchError:  # refusing is fine too
        again = None
    run.wait()
    if again is not None:
        again.wait()
    assert set(first.finished).isdisjoint(second.finished), "units were sent twice"
    assert Counter(raw_units(run.folder)) == Counter((i, 0) for i in ids(20))
