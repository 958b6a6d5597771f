"""One item's or one scorer's failure is recorded in its row and never stops the run."""

from __future__ import annotations

import asyncio
import functools
import math
import os
import sys
import threading
import time
from typing import Any

import pytest

from tests._cells import missing, number, row, text
from tests.runs._support import ids, make_dataset, wait_until
from workbench import Workbench, targets


def fails_on_three(x: int) -> int:
    if x == 3:
        raise RuntimeError("item three is broken")
    return x * 2


def half(output: int) -> float:
    return 0.5


def test_an_item_that_raises_is_recorded_and_the_run_goes_on(wb: Workbench) -> None:
    make_dataset(wb, 6)
    run = wb.run_sync("d", fails_on_three, concurrency=1)
    df = run.results().set_index("item_id")
    assert run.status == "completed"
    assert set(df.index) == ids(6)
    assert df.loc["i03", "error_kind"] == "exception"
    assert "RuntimeError" in text(df.loc["i03", "error"])
    assert "item three is broken" in text(df.loc["i03", "error"])
    assert missing(df.loc["i03", "output"])
    assert df.drop(index="i03")["error"].isna().all()
    assert run.manifest.counts()["errors"] == 1


def test_a_failed_item_is_not_scored(wb: Workbench) -> None:
    make_dataset(wb, 6)
    run = wb.run_sync("d", fails_on_three, scorers=[half])
    df = run.results().set_index("item_id")
    assert math.isnan(number(df.loc["i03", "score_half"]))
    assert (df.drop(index="i03")["score_half"] == 0.5).all()


def test_a_scorer_that_raises_is_a_scorer_error_not_a_zero(wb: Workbench) -> None:
    make_dataset(wb, 4)

    def picky(output: int) -> float:
        if output == 2:
            raise ValueError("cannot judge two")
        return 1.0

    run = wb.run_sync("d", fails_on_three, scorers=[picky, half])
    assert run.status == "completed"
    scores = run.scores().set_index(["item_id", "scorer"])
    bad = row(scores.loc[("i01", "picky")])
    assert missing(bad["score"])
    assert "ValueError" in text(bad["error"])
    assert "cannot judge two" in text(bad["error"])
    assert scores.loc[("i01", "half"), "score"] == 0.5
    assert scores.loc[("i02", "picky"), "score"] == 1.0
    df = run.results().set_index("item_id")
    assert math.isnan(number(df.loc["i01", "score_picky"]))
    assert df.loc["i01", "scorer_errors"] == 1
    assert run.manifest.counts()["scorer_errors"] == 1


@pytest.mark.parametrize("garbage", [7, "x", -0.5, float("nan"), None, [1]], ids=repr)
def test_a_scorer_returning_garbage_is_a_scorer_error_not_a_zero(wb: Workbench, garbage: Any) -> None:
    make_dataset(wb, 3)

    def weird(output: int) -> Any:
        return garbage

    run = wb.run_sync("d", fails_on_three, scorers=[weird])
    assert run.status == "completed"
    scores = run.scores()
    assert len(scores) == 3
    assert scores["score"].isna().all()
    assert scores["error"].notna().all()
    assert all(repr(garbage) in e for e in scores["error"])
    assert run.manifest.counts()["scorer_errors"] == 3
    assert (run.results()["scorer_errors"] == 1).all()


def test_an_item_over_the_timeout_is_a_timeout_error_and_the_run_goes_on(wb: Workbench) -> None:
    make_dataset(wb, 4)

    async def stuck_on_two(x: int) -> int:
        await asyncio.sleep(2.0 if x == 2 else 0.01)
        return x

    t0 = time.monotonic()
    run = wb.run_sync("d", stuck_on_two, timeout=0.2, concurrency=2)
    elapsed = time.monotonic() - t0
    df = run.results().set_index("item_id")
    assert run.status == "completed"
    assert df.loc["i02", "error_kind"] == "timeout"
    assert missing(df.loc["i02", "output"])
    assert df.drop(index="i02")["error"].isna().all()
    assert set(df.index) == ids(4)
    assert elapsed < 1.8


def test_a_sync_item_over_the_timeout_is_a_timeout_error(wb: Workbench) -> None:
    make_dataset(wb, 3)

    ended: list[int] = []

    def stuck_on_one(x: int) -> int:
        time.sleep(1.0 if x == 1 else 0.01)
        ended.append(x)
        return x

    run = wb.run_sync("d", stuck_on_one, timeout=0.2)
    wait_until(lambda: len(ended) == 3, timeout=5)  # the stuck thread, before the next test
    df = run.results().set_index("item_id")
    assert df.loc["i01", "error_kind"] == "timeout"
    assert df.drop(index="i01")["error"].isna().all()


def test_no_finished_unit_is_lost_when_hung_sync_targets_fill_the_thread_pool(wb: Workbench) -> None:
    """Sync targets that hang past the timeout keep their worker threads; every unit must still be saved.

    With ``concurrency`` equal to the default thread pool's size, the first wave of
    hung calls occupies every thread; the next wave times out as well. A run that
    reports every unit done must have every unit's row on disk.
    """
    pool = min(32, (os.cpu_count() or 1) + 4)  # asyncio's default executor size
    make_dataset(wb, 2 * pool)

    calls = {"started": 0, "ended": 0}

    def hangs(x: int) -> int:
        calls["started"] += 1
        time.sleep(2.0)
        calls["ended"] += 1
        return x

    try:
        run = wb.run("d", hangs, timeout=0.6, concurrency=pool).wait()  # every item errors: a failed run
    finally:  # leave the shared thread pool free for the next tests
        wait_until(lambda: calls["ended"] == calls["started"], timeout=5)
    assert run.manifest.counts()["done"] == 2 * pool
    df = run.results()
    assert set(df["item_id"]) == ids(2 * pool)
    assert (df["error_kind"] == "timeout").all()


def test_hung_sync_targets_do_not_hold_the_run_past_the_timeout(wb: Workbench) -> None:
    """Every item times out at 0.3 s; the run must end then, not when the hung calls return."""
    pool = min(32, (os.cpu_count() or 1) + 4)  # asyncio's default executor size
    make_dataset(wb, pool)
    calls = {"started": 0, "ended": 0}

    def hangs(x: int) -> int:
        calls["started"] += 1
        time.sleep(3.0)
        calls["ended"] += 1
        return x

    run = wb.run("d", hangs, timeout=0.3, concurrency=pool)
    try:
        finished_in_time = wait_until(run.done, timeout=2.0)
    finally:  # leave the shared thread pool free for the next tests
        wait_until(lambda: calls["ended"] == calls["started"], timeout=6)
        run.wait()
    assert finished_in_time, "the run waited for hung calls long after every item had timed out"
    assert (run.results()["error_kind"] == "timeout").all()


class Custom(BaseException):
    """A BaseException of the user's own (not an Exception)."""


def _sync_exit(x: int) -> int:
    if x == 2:
        sys.exit(3)
    return x


async def _async_raise(x: int, exc: BaseException) -> int:
    if x == 2:
        raise exc
    return x


@pytest.mark.parametrize(
    ("target", "name"),
    [
        (_sync_exit, "SystemExit: 3"),
        (functools.partial(_async_raise, exc=SystemExit()), "SystemExit"),
        (functools.partial(_async_raise, exc=KeyboardInterrupt()), "KeyboardInterrupt"),
        (functools.partial(_async_raise, exc=GeneratorExit()), "GeneratorExit"),
        (functools.partial(_async_raise, exc=Custom("boom")), "Custom: boom"),
        (functools.partial(_async_raise, exc=asyncio.CancelledError()), "CancelledError"),
    ],
    ids=["sys.exit-in-thread", "SystemExit", "KeyboardInterrupt", "GeneratorExit", "custom", "own-CancelledError"],
)
def test_a_base_exception_of_one_item_is_that_items_error(wb: Workbench, target: Any, name: str) -> None:
    """Issue 12.6: ``sys.exit()`` in a target killed the run's loop; wait() never returned, status stayed running."""
    make_dataset(wb, 5)
    run = wb.run("d", targets.function(target, name="t"), concurrency=2).wait(timeout=30)
    assert run.done(), "run.wait() did not return"
    assert run.status == "completed"
    df = run.results().set_index("item_id")
    assert set(df.index) == ids(5)
    assert df.loc["i02", "error_kind"] == "exception"
    assert df.loc["i02", "error"] == name
    assert df.drop(index="i02")["error"].isna().all()
    again = wb.run_sync("d", fails_on_three)  # the process stays usable
    assert again.status == "completed"
    assert len(again.results()) == 5


def test_a_scorer_that_calls_sys_exit_is_a_scorer_error(wb: Workbench) -> None:
    make_dataset(wb, 3)

    def quits(output: int) -> float:
        sys.exit("no")

    run = wb.run("d", fails_on_three, scorers=[quits]).wait(timeout=30)
    assert run.status == "completed"
    scores = run.scores()
    assert scores["score"].isna().all()
    assert (scores["error"] == "SystemExit: no").all()


def test_cancelling_a_run_still_cancels_it(wb: Workbench) -> None:
    make_dataset(wb, 20)
    started = threading.Event()

    async def slow(x: int) -> int:
        started.set()
        await asyncio.sleep(10)
        return x

    run = wb.run("d", slow, concurrency=2)
    assert started.wait(10)
    run.cancel()
    run.wait(timeout=30)
    assert run.status == "cancelled"
    assert len(run.results()) < 20
