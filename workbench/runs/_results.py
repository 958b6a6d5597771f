"""Results of a run: append-only Parquet part files written in batches while it runs.

Each part holds finished units (one item x one repeat) with their scores nested,
so a unit's result and its scores land together or not at all. A part is
written through the storage layer's ``open_atomic`` (a temporary name no glob
matches, fsynced, then renamed into place; nothing is left behind on an error).

The writer takes :class:`~workbench.records.Result` records (the run engine and the
live monitor both make them with :func:`unit_result`); the row format is the
record's (:data:`~workbench.records.RESULT_SCHEMA`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.records import TargetResult
from workbench.records._result import RESULT_SCHEMA, Result
from workbench.records._score import SCORE_TYPE, Score
from workbench.secrets import redact_obj
from workbench.storage import CorruptFileError, LocalStorage
from workbench.store._table import duckdb_path

__all__ = [
    "RESULTS_DIR",
    "RESULT_SCHEMA",
    "SCORE_TYPE",
    "ResultWriter",
    "has_parts",
    "parts_glob",
    "unit_result",
    "utc_now",
]
"""``RESULT_SCHEMA`` and ``SCORE_TYPE`` are the records' (re-exported for the SQL readers)."""

RESULTS_DIR = "results"


def parts_glob(run_folder: Path) -> str:
    """The glob of a run's result parts (never matches a temporary file; the folder's own ``[*?`` escaped)."""
    return duckdb_path(run_folder / RESULTS_DIR) + "/*.parquet"


def has_parts(run_folder: Path) -> bool:
    """Whether the run has written any result yet."""
    return bool(LocalStorage(run_folder).list(RESULTS_DIR, ".parquet"))


def unreadable_parts(run_folder: Path, folder: str = RESULTS_DIR) -> list[tuple[str, str]]:
    """The run's Parquet parts (under ``folder``) that cannot be read: (file, what is wrong)."""
    storage = LocalStorage(run_folder)
    bad = []
    for path in storage.list(folder, ".parquet"):
        try:
            pq.read_table(storage.local_path(path))
        except (OSError, pa.ArrowException, ValueError) as exc:
            reason = str(exc).split(": ", 1)[-1] if str(exc).startswith("Could not open") else str(exc)
            bad.append((storage.uri(path), " ".join(reason.split())))
    return bad


@contextmanager
def reading_parts(run_folder: Path, folder: str = RESULTS_DIR) -> Iterator[None]:
    """Turn DuckDB's failure to read a run's parts into a :class:`CorruptFileError` naming the file.

    Raises:
        CorruptFileError: a part is damaged (truncated, not Parquet): the message names
            it (and how many others are) and says what is wrong.
    """
    try:
        yield
    except duckdb.Error:
        bad = unreadable_parts(run_folder, folder)
        if not bad:
            raise
        path, reason = bad[0]
        more = f" (and {len(bad) - 1} more damaged parts)" if len(bad) > 1 else ""
        raise CorruptFileError(f"{path}: not a readable Parquet file ({reason}){more}") from None


class ResultWriter:
    """Buffers finished units (:class:`Result` records); writes a part every ``max_rows`` or ``max_seconds``."""

    def __init__(self, run_folder: Path, shard: str, *, max_rows: int = 1000, max_seconds: float = 1.0) -> None:
        self.folder = run_folder / RESULTS_DIR
        self.storage = LocalStorage(run_folder)
        self.shard = shard
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self._rows: list[tuple[Any, ...]] = []
        self._last_flush = time.monotonic()
        self._seq = 0
        self._tag = uuid.uuid4().hex[:8]
        self.written = 0

    def add(self, result: Result) -> bool:
        """Buffer one unit's result; returns True when the buffer is due to be flushed."""
        self._rows.append(result.to_values())  # encoded now: the record itself is not kept alive
        return len(self._rows) >= self.max_rows or time.monotonic() - self._last_flush >= self.max_seconds

    @property
    def pending(self) -> int:
        """Results buffered but not yet written."""
        return len(self._rows)

    def take(self) -> list[tuple[Any, ...]]:
        """Remove and return the buffered rows (``Result.to_values()``, to be written by :meth:`write`)."""
        rows, self._rows = self._rows, []
        self._last_flush = time.monotonic()
        return rows

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Write ``rows`` (from :meth:`take`) as one part file, atomically; the table is built a column at a time.

        Raises:
            StorageError: the part could not be written (a full disk...): the message
                names the file and the cause, and no partial or temporary file is left.
        """
        if not rows:
            return
        rows = redact_obj(rows)  # no secret on disk, whatever field it is in
        table = Result.values_table(rows)
        shard = self.shard.replace("/", "of")
        name = f"part-{shard}-{self._tag}-{self._seq:06d}.parquet"
        self._seq += 1
        with self.storage.open_atomic(f"{RESULTS_DIR}/{name}") as fh:
            pq.write_table(table, fh, compression="zstd")
        self.written += len(rows)

    def flush(self) -> None:
        """Write whatever is buffered."""
        self.write(self.take())


def utc_now() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def unit_result(
    target: TargetResult | None,
    *,
    item_id: str,
    repeat: int,
    shard: str,
    started_at: datetime,
    latency_s: float,
    scores: list[tuple[str, Score]],
    keep_output: bool = True,
    error: str | None = None,
    error_kind: str | None = None,
    input: object = None,  # noqa: A002 - the column's name
    steps: object = None,
) -> Result:
    """The :class:`Result` of one finished unit, stamped finished now.

    Args:
        target: what the target gave back (a partial result when it failed part-way), if anything.
        item_id: the item.
        repeat: the repeat.
        shard: ``"i/n"``.
        started_at: when the unit started.
        latency_s: seconds the target took.
        scores: each scorer's name and verdict.
        keep_output: False when the target failed (a partial result's output is not an answer).
        error: why the target failed.
        error_kind: the kind of failure.
        input: the input to keep with the result (live monitor runs only).
        steps: steps to keep instead of the target's (the monitor keeps the record's metadata).
    """
    r = target or TargetResult()
    usage = r.usage
    # positional, in the field order of Result: 21 keywords cost more than the rest of this function
    return Result(
        item_id,
        repeat,
        shard,
        input,
        r.output if target is not None and keep_output else None,
        error,
        error_kind,
        latency_s,
        usage.input_tokens,
        usage.output_tokens,
        usage.cached_tokens,
        r.cost,
        r.tool_calls,
        r.steps if steps is None else steps,
        r.model,
        r.cache_hit,
        r.ai_generated,
        r.attempts,
        started_at,
        utc_now(),
        scores,
    )
