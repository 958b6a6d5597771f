"""``Monitor``: scoring sampled live traffic off the request path.

``record()`` takes microseconds and never blocks: it samples, and puts the record
on a bounded queue (a full queue drops it and counts the drop). A worker thread
scores the records and writes them, in batches, into a live run under
``<root>/runs`` that every analysis can read like any other run. A scored record
becomes a :class:`~workbench.records.Result` written by the run engine's writer.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from time import perf_counter
from typing import Any

from workbench.errors import ValidationError
from workbench.project import HasProject, Project, as_project
from workbench.records import TargetResult
from workbench.records._result import Result
from workbench.records._score import Score
from workbench.runs._manifest import RunManifest, ShardState, now_iso, update_manifest, write_manifest
from workbench.runs._results import ResultWriter, unit_result, utc_now
from workbench.runs._run import Run
from workbench.runs._runner import new_run_id
from workbench.runs._status import mark_active, mark_inactive, process_started
from workbench.scorers._base import Scorer, as_scorer
from workbench.store._items import new_item_id

_STOP = object()


class Monitor:
    """Scores a sample of live ``(input, output)`` pairs in the background.

    Args:
        project: the store the live run is written to (a ``Workbench`` or its ``Project``).
        scorers: scorers (or plain functions) applied to each sampled record.
        sample_rate: the fraction of records scored (0..1).
        name: the live run's target name.
        max_queue: records waiting at most; more are dropped (and counted), never blocking.
        batch_rows: records per written part; parts are also written every ``flush_seconds``.
        seed: seed of the sampler (for reproducible tests).

    Examples:
        >>> monitor = Monitor(wb, [exact], sample_rate=0.1)  # doctest: +SKIP
        >>> monitor.record(question, answer, {"user": "u1"})  # in the request handler  # doctest: +SKIP
        >>> monitor.close()  # or at interpreter exit  # doctest: +SKIP
    """

    def __init__(
        self,
        project: Project | HasProject,
        scorers: Sequence[Scorer | Callable[..., Any]],
        *,
        sample_rate: float = 0.1,
        name: str = "monitor",
        max_queue: int = 10_000,
        batch_rows: int = 500,
        flush_seconds: float = 1.0,
        seed: int | None = None,
    ) -> None:
        if not 0.0 <= sample_rate <= 1.0:
            raise ValidationError(f"sample_rate must be between 0 and 1, got {sample_rate!r}")
        self.scorers = [as_scorer(s) for s in scorers]
        self.sample_rate = sample_rate
        self._random = random.Random(seed)
        self._count_lock = threading.Lock()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_queue)
        self.recorded = self.sampled = self.dropped = self.scored = self.errors = 0
        manifest = RunManifest(
            id=new_run_id(name),
            dataset=None,
            dataset_version=None,
            selection="live",
            item_count=0,
            repeats=1,
            target={"kind": "monitor", "name": name, "sample_rate": sample_rate},
            scorers=[s.spec().to_dict() for s in self.scorers],
            settings={"max_queue": max_queue, "batch_rows": batch_rows},
            shards={
                "0/1": ShardState(status="running", started_at=now_iso(), pid_started=process_started(os.getpid()))
            },
        )
        store = as_project(project)
        self.folder = store.runs_dir / manifest.id
        mark_active(self.folder, "0/1")
        write_manifest(self.folder, manifest)
        self.run = Run(self.folder, taxonomy=store.taxonomy)
        self._writer = ResultWriter(self.folder, "0/1", max_rows=batch_rows, max_seconds=flush_seconds)
        self._flush_seconds = flush_seconds
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name=f"workbench-monitor-{name}", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    # -- the request path -------------------------------------------------------
    def record(self, input: Any, output: Any, metadata: Any = None, **fields: Any) -> bool:  # noqa: A002
        """Offer one ``(input, output)`` pair; returns whether it was queued for scoring.

        Never blocks and never raises on a full queue (the record is dropped and counted).
        ``fields`` may hold ``expected``, ``context`` and ``item_id``.
        """
        with self._count_lock:  # record() may be called from many request threads
            self.recorded += 1
            if self._closed or self._random.random() >= self.sample_rate:
                return False
            self.sampled += 1
        try:
            self._queue.put_nowait((input, output, metadata, fields, perf_counter(), utc_now()))
        except queue.Full:
            with self._count_lock:
                self.dropped += 1
            return False
        return True

    @property
    def stats(self) -> dict[str, int]:
        """Records offered, sampled, dropped, scored, and scorer errors."""
        return {
            "recorded": self.recorded,
            "sampled": self.sampled,
            "dropped": self.dropped,
            "scored": self.scored,
            "scorer_errors": self.errors,
        }

    # -- the worker ---------------------------------------------------------------
    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            while True:
                try:
                    entry = self._queue.get(timeout=self._flush_seconds)
                except queue.Empty:
                    self._write()
                    continue
                if entry is _STOP:
                    break
                result = loop.run_until_complete(self._score(*entry))
                if self._writer.add(result):
                    self._write()
        finally:
            self._write()
            loop.close()

    async def _score(
        self,
        input: Any,  # noqa: A002 - the scorer argument name
        output: Any,
        metadata: Any,
        fields: dict[str, Any],
        t0: float,
        started: datetime,
    ) -> Result:
        scores: list[tuple[str, Score]] = []
        result = TargetResult(output=output, ai_generated=True)
        for scorer in self.scorers:
            verdict = await scorer.ascore(
                input=input, output=output, expected=fields.get("expected"), context=fields.get("context"),
                metadata=metadata, item_id=fields.get("item_id"), result=result,
            )  # fmt: skip
            if verdict.error is not None:
                self.errors += 1
            scores.append((scorer.name, verdict))
        self.scored += 1
        return unit_result(
            result,
            item_id=str(fields.get("item_id") or new_item_id()),
            repeat=0,
            shard="0/1",
            started_at=started,
            latency_s=perf_counter() - t0,
            scores=scores,
            input=input,
            steps={"metadata": metadata} if metadata is not None else None,
        )

    def _write(self, status: str = "running") -> None:
        rows = self._writer.take()
        if rows:
            self._writer.write(rows)
        done, errors = self._writer.written, self.errors

        def change(m: RunManifest) -> None:
            state = m.shards["0/1"]
            state.done = state.total = done
            state.scorer_errors = errors
            m.item_count = done
            if status != "running":
                state.status = "completed"
                state.finished_at = now_iso()

        if rows or status != "running":
            update_manifest(self.folder, change)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued record is scored and written."""
        deadline = perf_counter() + timeout
        while not self._queue.empty() and perf_counter() < deadline:
            time.sleep(0.01)
        time.sleep(min(self._flush_seconds, 0.05) + 0.01)

    def close(self, timeout: float = 30.0) -> None:
        """Score and write what is queued, mark the live run completed, stop the worker."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        self._queue.put(_STOP)
        self._thread.join(timeout)
        try:
            self._write(status="completed")
        finally:
            mark_inactive(self.folder, "0/1")

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
