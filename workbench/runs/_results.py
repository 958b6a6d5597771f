"""Results of a run: append-only Parquet part files written in batches while it runs.

Each part holds finished units (one item x one repeat) with their scores nested,
so a unit's result and its scores land together or not at all. A part is
written through the storage layer's ``open_atomic`` (a temporary name no glob
matches, fsynced, then renamed into place; nothing is left behind on an error).
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

from workbench.secrets import redact_obj
from workbench.storage import CorruptFileError, LocalStorage
from workbench.store._table import duckdb_path

RESULTS_DIR = "results"
SCORE_TYPE = pa.struct(
    [
        ("scorer", pa.string()),
        ("score", pa.float64()),
        ("reason", pa.string()),
        ("details", pa.string()),
        ("error", pa.string()),
    ]
)
RESULT_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("repeat", pa.int32()),
        ("shard", pa.string()),
        ("input", pa.string()),
        ("output", pa.string()),
        ("error", pa.string()),
        ("error_kind", pa.string()),
        ("latency_s", pa.float64()),
        ("tokens_in", pa.int64()),
        ("tokens_out", pa.int64()),
        ("tokens_cached", pa.int64()),
        ("cost", pa.float64()),
        ("tool_calls", pa.string()),
        ("steps", pa.string()),
        ("model", pa.string()),
        ("cache_hit", pa.bool_()),
        ("ai_generated", pa.bool_()),
        ("attempts", pa.int32()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("scores", pa.list_(SCORE_TYPE)),
    ]
)
"""One row per finished unit. JSON values (input, output, tool_calls, steps, details) are JSON text."""


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
    """Buffers finished units and writes them as a part every ``max_rows`` or ``max_seconds``."""

    def __init__(self, run_folder: Path, shard: str, *, max_rows: int = 1000, max_seconds: float = 1.0) -> None:
        self.folder = run_folder / RESULTS_DIR
        self.storage = LocalStorage(run_folder)
        self.shard = shard
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self._rows: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._seq = 0
        self._tag = uuid.uuid4().hex[:8]
        self.written = 0

    def add(self, row: dict[str, Any]) -> bool:
        """Buffer one unit's row; returns True when the buffer is due to be flushed."""
        self._rows.append(row)
        return len(self._rows) >= self.max_rows or time.monotonic() - self._last_flush >= self.max_seconds

    @property
    def pending(self) -> int:
        """Rows buffered but not yet written."""
        return len(self._rows)

    def take(self) -> list[dict[str, Any]]:
        """Remove and return the buffered rows (to be written by :meth:`write`)."""
        rows, self._rows = self._rows, []
        self._last_flush = time.monotonic()
        return rows

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Write ``rows`` as one part file, atomically.

        Raises:
            StorageError: the part could not be written (a full disk...): the message
                names the file and the cause, and no partial or temporary file is left.
        """
        if not rows:
            return
        rows = redact_obj(rows)  # no secret on disk, whatever field it is in
        table = pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)
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
