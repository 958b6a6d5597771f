"""Executing a run (or one shard of it) on an asyncio loop.

A producer streams the pending units from DuckDB in batches into a bounded queue;
``concurrency`` workers take units, call the target (with a per-item timeout),
score the output, and hand the row to the :class:`ResultWriter`, which writes a
part every batch or second. A unit's failure is recorded in its row and the run
goes on; an authentication error stops the run (every call would fail).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from workbench.providers._context import CallContext, unit_calls
from workbench.providers._errors import ProviderError
from workbench.records import Item, PartialResultError, TargetResult
from workbench.records._result import Result
from workbench.runs._manifest import FINISHED, RunManifest, ShardState, Status, now_iso, read_manifest, update_manifest
from workbench.runs._plan import latest_rows_sql, units_sql
from workbench.runs._results import ResultWriter, has_parts, reading_parts, unit_result, utc_now
from workbench.runs._status import mark_active, mark_inactive, process_started
from workbench.scorers._base import Score, Scorer
from workbench.storage import StorageError
from workbench.store._table import connect
from workbench.targets._base import Target

log = logging.getLogger("workbench.runs")
BATCH = 2000
PLAN_MEMORY = "256MB"
"""DuckDB's memory for a run's plan: above it the sort spills to disk, so RSS stays flat with size."""
ProgressFn = Callable[[int, int, int], None]


@dataclass
class Job:
    """One process's share of a run: where, what, how."""

    folder: Path
    manifest: RunManifest
    files: list[str]
    target: Target
    scorers: list[Scorer]
    ctx: CallContext
    shard: tuple[int, int] = (0, 1)
    concurrency: int = 16
    timeout: float | None = 60.0
    progress: ProgressFn | None = None
    on_complete: Callable[[Path], None] | None = None
    """Called with the run's folder once the run is completed (the facade caches its figures)."""
    stopped_as: Status = "cancelled"
    """The status a cancellation records: ``interrupted`` when it is Ctrl-C (see ``Run.wait``)."""

    @property
    def shard_key(self) -> str:
        """``"i/n"``."""
        return f"{self.shard[0]}/{self.shard[1]}"


def _cancelled(exc: BaseException) -> bool:
    """Whether ``exc`` is this task being cancelled (a real ``cancel()``), not a target's own ``CancelledError``."""
    if not isinstance(exc, asyncio.CancelledError):
        return False
    task = asyncio.current_task()
    return task is None or task.cancelling() > 0


def _next_batch(reader: Any) -> Any:
    """The reader's next batch, or ``None`` at the end (StopIteration cannot cross threads)."""
    try:
        return reader.read_next_batch()
    except StopIteration:
        return None


class Engine:
    """Runs a :class:`Job` to completion, cancellation or failure."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.writer = ResultWriter(job.folder, job.shard_key)
        self.total = 0
        self.done = 0
        self.errors = 0
        self.scorer_errors = 0
        self._write_lock = asyncio.Lock()
        self._in_flight: set[asyncio.Future[None]] = set()
        # The engine's own I/O never waits behind the target's threads (which may hang).
        self._io = ThreadPoolExecutor(max_workers=2, thread_name_prefix="workbench-io")
        self._last_report = 0.0
        self._fatal: BaseException | None = None
        self._selection = job.manifest.selection == "item_ids"

    # -- bookkeeping -------------------------------------------------------------
    def _set_state(self, status: Status, *, error: str | None = None, start: bool = False) -> None:
        key = self.job.shard_key

        def change(m: RunManifest) -> None:
            state = m.shards.get(key) or ShardState()
            state.status = status
            state.total, state.done, state.errors = self.total, self.done, self.errors
            state.scorer_errors = self.scorer_errors
            if start:
                state.started_at, state.finished_at, state.error = now_iso(), None, None
                state.host, state.pid = socket.gethostname(), os.getpid()
                state.pid_started = process_started(state.pid)
            if status in FINISHED:
                state.finished_at = now_iso()
            if error:
                state.error = error
            m.shards[key] = state

        self.job.manifest = update_manifest(self.job.folder, change)

    def _report(self) -> None:
        self._last_report = perf_counter()
        if self.job.progress is not None:
            self.job.progress(self.done, self.errors, self.total)

    def _persist(self, rows: list[tuple[Any, ...]], status: Status = "running", error: str | None = None) -> None:
        """Write a part and the manifest's counts (on the engine's own I/O thread)."""
        self.writer.write(rows)
        self._set_state(status, error=error)

    async def _io_call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._io, functools.partial(fn, *args))

    async def _flush(self) -> None:
        """Write the buffered rows; a cancelled caller never loses them (the write is shielded)."""
        async with self._write_lock:
            rows = self.writer.take()
            if not rows:
                return
            written = self.writer.written
            future = asyncio.get_running_loop().run_in_executor(self._io, self._persist, rows)
            self._in_flight.add(future)
            future.add_done_callback(self._in_flight.discard)
            try:
                await asyncio.shield(future)
            except StorageError:
                if self.writer.written == written:  # the part was not written: its units are pending again
                    self.done -= len(rows)
                    self.errors -= Result.errors_in(rows)
                raise
        self._report()

    # -- the work -----------------------------------------------------------------
    def _count(self) -> tuple[int, int, int, int]:
        """Units of the shard, units still to do, and the errors and scorer errors already on disk."""
        job = self.job
        if not has_parts(job.folder):  # nothing done yet: the manifest's item count says it, no query needed
            i, n = job.shard
            items = job.manifest.item_count // n + (1 if i < job.manifest.item_count % n else 0)
            return items * job.manifest.repeats, items * job.manifest.repeats, 0, 0
        con = connect(memory_limit=PLAN_MEMORY)
        counts = []
        for pending_only in (False, True):
            sql = units_sql(
                job.files, job.folder, selection=self._selection, repeats=job.manifest.repeats, shard=job.shard,
                pending_only=pending_only,
            )  # fmt: skip
            counts.append(int(con.execute(f"select count(*) from ({sql})").fetchall()[0][0]))
        units = units_sql(
            job.files, job.folder, selection=self._selection, repeats=job.manifest.repeats, shard=job.shard,
            pending_only=False,
        )  # fmt: skip
        row = con.execute(
            f"""select count(*) filter (where error is not null),
                       coalesce(sum(len(list_filter(scores, lambda s: s.error is not null))), 0)
                from ({latest_rows_sql(job.folder)}) semi join ({units}) using (item_id, repeat)"""
        ).fetchall()[0]
        errors, scorer_errors = int(row[0]), int(row[1])
        return counts[0], counts[1], errors, scorer_errors

    def _counted(self) -> tuple[int, int, int, int]:
        with reading_parts(self.job.folder):  # a damaged part: an error naming it, before any work
            return self._count()

    async def _produce(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        job = self.job
        con = connect(memory_limit=PLAN_MEMORY)
        sql = units_sql(
            job.files, job.folder, selection=self._selection, repeats=job.manifest.repeats, shard=job.shard,
            pending_only=True,
        )  # fmt: skip
        reader = await self._io_call(lambda: con.sql(sql).to_arrow_reader(BATCH))
        try:
            while (batch := await self._io_call(_next_batch, reader)) is not None:
                for unit in batch.to_pylist():
                    await queue.put(unit)
        finally:
            con.close()
            task = asyncio.current_task()
            if task is None or not task.cancelling():  # cancelled: the workers are gone, nobody reads
                for _ in range(job.concurrency):
                    await queue.put(None)

    async def _work(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        while (unit := await queue.get()) is not None:
            result = await self._process(unit)
            self.done += 1
            if result.error is not None:
                self.errors += 1
            if self.writer.add(result):
                await self._flush()
            elif perf_counter() - self._last_report > 0.2:
                self._report()
            if self._fatal is not None:
                if isinstance(self._fatal, StorageError):
                    raise self._fatal
                return

    async def _process(self, unit: dict[str, Any]) -> Result:
        job = self.job
        item = Item.from_row(unit)
        started = utc_now()
        result: TargetResult | None = None
        partial: TargetResult | None = None
        error = kind = None
        with unit_calls(unit["repeat"]) as calls:
            t0 = perf_counter()  # after the unit left the queue: only the target's own time counts
            try:
                if job.timeout:
                    async with asyncio.timeout(job.timeout):
                        result = await job.target(item, job.ctx)
                else:
                    result = await job.target(item, job.ctx)
            except TimeoutError:
                kind, error = "timeout", f"no result within the {job.timeout}s item timeout"
            except PartialResultError as exc:
                kind, error, partial = exc.kind, str(exc), exc.result
                if exc.kind == "auth":
                    self._fatal = exc
            except ProviderError as exc:
                kind, error = exc.kind, str(exc)
                if exc.kind == "auth":
                    self._fatal = exc
            except Exception as exc:  # the target's own failure: recorded, the run goes on
                kind, error = "exception", f"{type(exc).__name__}: {exc}"
            except BaseException as exc:  # sys.exit(), KeyboardInterrupt... raised by the target: this item's error
                if _cancelled(exc):
                    raise
                kind, error = "exception", f"{type(exc).__name__}: {exc}".rstrip(": ")
            # the request's time: without waiting for a concurrency slot or a client's start-up
            latency = max(perf_counter() - t0 - calls.waited_s, 0.0)
        attempts = calls.sent if calls.used else 1  # a plain function is one attempt; a model call counts what was sent
        if result is not None:
            result.latency_s = latency
        scores: list[tuple[str, Score]] = []
        if result is not None:
            with unit_calls(unit["repeat"]):  # a judge's calls: per repeat in the cache, not the item's attempts
                for scorer in job.scorers:
                    score = await self._score(scorer, item, result)
                    if score.error is not None:
                        self.scorer_errors += 1
                    scores.append((scorer.name, score))
        return unit_result(
            result or partial or TargetResult(attempts=attempts),
            item_id=item.item_id,
            repeat=unit["repeat"],
            shard=job.shard_key,
            started_at=started,
            latency_s=latency,
            scores=scores,
            keep_output=result is not None,
            error=error,
            error_kind=kind,
        )

    async def _score(self, scorer: Scorer, item: Item, result: TargetResult) -> Score:
        """One scorer's verdict; a ``BaseException`` it raises (``sys.exit()``...) is its error, not the run's end."""
        try:
            return await scorer.ascore(
                input=item.input,
                output=result.output,
                expected=item.expected_output,
                context=item.context,
                metadata=item.metadata,
                item_id=item.item_id,
                result=result,
                ctx=self.job.ctx,
            )
        except Exception as exc:
            return Score(None, error=f"{type(exc).__name__}: {exc}")
        except BaseException as exc:
            if _cancelled(exc):
                raise
            return Score(None, error=f"{type(exc).__name__}: {exc}".rstrip(": "))

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.writer.max_seconds)
            if self.writer.pending:
                try:
                    await self._flush()
                except StorageError as exc:  # the workers see it and stop; the run fails with it
                    self._fatal = exc
                    return

    def _cache_stats(self) -> None:
        """Hand the completed run to ``on_complete`` (the facade caches its figures: summaries stay fast)."""
        folder = self.job.folder
        if self.job.on_complete is None:
            return
        try:
            if read_manifest(folder).status == "completed":
                self.job.on_complete(folder)
        except Exception:  # a cache is an optimisation: never fail a finished run over it
            log.warning("could not cache the figures of run %s", folder.name, exc_info=True)

    async def _finish(self, status: Status, error: str | None) -> tuple[Status, str | None]:
        """Write the last rows and the final status; a storage failure here fails the run, still recorded."""
        async with self._write_lock:
            rows = self.writer.take()
            try:
                await self._io_call(self.writer.write, rows)
            except Exception as exc:  # a full disk (StorageError names the file), or a bug: never left "running"
                log.error("run %s: %s", self.job.manifest.id, exc)
                status = "failed"
                error = error or (str(exc) if isinstance(exc, StorageError) else f"{type(exc).__name__}: {exc}")
                self.done -= len(rows)  # not written: they are pending again
                self.errors -= Result.errors_in(rows)
            try:
                await self._io_call(functools.partial(self._set_state, status, error=error))
            except Exception as exc:  # the manifest keeps "running"; listings show the run interrupted
                log.error("run %s: could not record its status %s: %s", self.job.manifest.id, status, exc)
        return status, error

    async def execute(self) -> Status:
        """Do every pending unit of the job's shard; return the final status."""
        job = self.job
        total, pending, self.errors, self.scorer_errors = await self._io_call(self._counted)
        self.total, self.done = total, total - pending
        mark_active(job.folder, job.shard_key)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=job.concurrency * 4)
        producer = asyncio.create_task(self._produce(queue))  # its query runs while the status is written
        try:
            await self._io_call(functools.partial(self._set_state, "running", start=True))
        except BaseException:
            producer.cancel()
            await asyncio.gather(producer, return_exceptions=True)
            mark_inactive(job.folder, job.shard_key)
            raise
        self._report()
        tasks = [producer]
        tasks += [asyncio.create_task(self._work(queue)) for _ in range(job.concurrency)]
        ticker = asyncio.create_task(self._tick())
        status: Status = "completed"
        error: str | None = None
        try:
            await asyncio.gather(*tasks)
            if self._fatal is not None:
                status, error = "failed", str(self._fatal)
        except asyncio.CancelledError:
            status = job.stopped_as
        except StorageError as exc:  # a full disk...: the message names the file and the cause
            log.error("run %s failed: %s", job.manifest.id, exc)
            status, error = "failed", str(exc)
        except Exception as exc:
            log.exception("run %s failed", job.manifest.id)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            ticker.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, ticker, return_exceptions=True)
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)
            status, error = await self._finish(status, error)
            if status == "completed":
                await self._io_call(self._cache_stats)
            mark_inactive(job.folder, job.shard_key)
            self._report()
            self._io.shutdown(wait=False)
            await job.ctx.aclose()  # on this loop, now: never left to the garbage collector (issue 12.5)
            job.ctx.close()
        log.info("run %s shard %s %s: %d/%d done", job.manifest.id, job.shard_key, status, self.done, self.total)
        return status
