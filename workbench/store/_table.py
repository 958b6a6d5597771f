"""The item log of one dataset: an append-only Delta Lake table.

Every mutation appends one commit whose rows are the new states of the items it
touches (``op`` = ``add``, ``readd``, ``update`` or ``delete``). Dataset version N
is Delta version N, so an edit writes one small file whatever the dataset's size,
and reading version N is "the latest row of each item among version N's files".
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import duckdb
import orjson
import pyarrow as pa
from deltalake import (
    BloomFilterProperties,
    ColumnProperties,
    CommitProperties,
    DeltaTable,
    PostCommitHookProperties,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError

from workbench.errors import ConflictError, CorruptFileError, NotFoundError, ValidationError
from workbench.records import ITEM_FIELDS as ITEM_FIELDS  # noqa: PLC0414 - re-exported to the store's modules
from workbench.storage import LocalStorage

LOG_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("version", pa.int64()),
        ("op", pa.string()),
        ("position", pa.int64()),
        *[(f, pa.string()) for f in ITEM_FIELDS],
    ]
)
"""Columns of the item log. JSON fields are JSON text (NULL when absent)."""

_CONFIG: dict[str, str | None] = {
    # Every version must stay readable: never drop old commit files.
    "delta.enableExpiredLogCleanup": "false",
    "delta.logRetentionDuration": "interval 36500 days",
    "delta.deletedFileRetentionDuration": "interval 36500 days",
}
_META_KEY = "workbench"
_WRITER = WriterProperties(
    compression="SNAPPY",  # explicit: with WriterProperties the default would be UNCOMPRESSED
    max_row_group_size=65_536,
    column_properties={"item_id": ColumnProperties(bloom_filter_properties=BloomFilterProperties(True, 0.01))},
)
"""Row groups small enough for DuckDB to skip, and a bloom filter on ``item_id``, so looking one item
up in a million-item version reads one row group, not the whole file (docs/performance.md)."""
MAX_REBASES = 20


@dataclass(frozen=True)
class Commit:
    """What the latest commit says of the dataset after it."""

    version: int
    item_count: int
    next_position: int
    timestamp_ms: int | None = None


def sql_literal(text: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


_GLOB_ESCAPES = {"[": "[[]", "*": "[*]", "?": "[?]"}


def duckdb_path(path: str | Path) -> str:
    """``path`` as DuckDB's file readers take it literally, never as a glob.

    DuckDB expands ``*``, ``?`` and ``[...]`` in every path it is given (a file list's too):
    ``runs/a[1]/x.parquet`` would read ``runs/a1/x.parquet``. Each is written as a one-character
    class (``[[]``). A backslash escapes in a glob, and nothing escapes it back, so a path holding
    one and a glob character is refused.

    Raises:
        ValidationError: the path holds a backslash and a glob character.
    """
    text = str(path)
    if not any(ch in text for ch in _GLOB_ESCAPES):
        return text
    if "\\" in text:
        raise ValidationError(f"{text}: DuckDB cannot read a path holding both '\\' and '[', '*' or '?'")
    return "".join(_GLOB_ESCAPES.get(ch, ch) for ch in text)


def sql_path(path: str | Path) -> str:
    """A SQL literal naming one file, taken literally (see :func:`duckdb_path`)."""
    return sql_literal(duckdb_path(path))


def sql_list(paths: Iterable[str | Path]) -> str:
    """A DuckDB list literal of file paths, each taken literally (see :func:`duckdb_path`)."""
    return "[" + ", ".join(sql_path(p) for p in paths) + "]"


def sql_glob(folder: str | Path, pattern: str) -> str:
    """A SQL literal of the glob ``pattern`` under ``folder`` (the folder's own characters escaped)."""
    return sql_literal(duckdb_path(folder).rstrip("/") + "/" + pattern)


def local_files(dt: DeltaTable) -> list[str]:
    """The local paths of the Parquet files of ``dt``'s version.

    ``DeltaTable.file_uris()`` gives URL-encoded paths (a space as ``%20``, ``é`` as
    ``%C3%A9``); they are decoded here, so DuckDB and pyarrow open the real files.
    """
    out = []
    for uri in dt.file_uris():
        path = uri[len("file://") :] if uri.startswith("file://") else uri
        out.append(unquote(path))
    return out


def live_items_sql(files: list[str]) -> str:
    """SQL for the live items among ``files`` (one row each, the latest state).

    Only rows whose ``op`` is not ``add`` can supersede an earlier row, so the
    expensive part (grouping) runs over the edits alone, not over every item.
    """
    src = f"read_parquet({sql_list(files)})"
    return f"""
        with log as (select * from {src}),
        edits as (select item_id, max(version) as v from log where op <> 'add' group by item_id)
        select log.* from log left join edits using (item_id)
        where (edits.v is null or log.version = edits.v) and log.op <> 'delete'
    """


def latest_rows_sql(files: list[str], ids_table: str) -> str:
    """SQL for the latest row (deletions included) of each id in the registered ``ids_table``."""
    src = f"read_parquet({sql_list(files)})"
    return f"""
        select log.* from {src} as log semi join {ids_table} using (item_id)
        qualify row_number() over (partition by item_id order by version desc) = 1
    """


class ItemLog:
    """The Delta table holding one dataset's items, every version of them."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, path: Path) -> ItemLog:
        """Create an empty log (version 0) at ``path``."""
        DeltaTable.create(str(path), LOG_SCHEMA, mode="error", configuration=_CONFIG)
        return cls(path)

    def table(self, version: int | None = None) -> DeltaTable:
        """The Delta table at ``version`` (latest when ``None``)."""
        try:
            dt = DeltaTable(str(self.path))
        except TableNotFoundError as exc:
            raise NotFoundError(f"no item table at {self.path}") from exc
        except DeltaError as exc:
            raise self._corrupt(exc) from exc
        if version is not None:
            latest = dt.version()
            if not 0 <= version <= latest:
                raise NotFoundError(f"version {version} does not exist (versions are 0 to {latest})")
            if version != latest:
                dt.load_as_version(version)
        return dt

    def _corrupt(self, exc: Exception) -> CorruptFileError:
        """The error for a Delta log delta-rs cannot read, naming the commit file at fault when one is."""
        log = self.path / "_delta_log"
        for path in sorted(log.glob("*.json"), reverse=True):
            try:
                for line in path.read_bytes().splitlines():
                    if line.strip():
                        orjson.loads(line)
            except (OSError, orjson.JSONDecodeError) as bad:
                return CorruptFileError(f"{path}: cannot be read: not valid JSON ({bad})")
        reason = " ".join(str(exc).split())
        return CorruptFileError(f"{log}: the Delta log cannot be read: {reason}")

    def files(self, version: int | None = None) -> list[str]:
        """The local paths of the Parquet files that make up ``version``."""
        return local_files(self.table(version))

    def last_commit(self, dt: DeltaTable) -> Commit:
        """Item count and next position recorded by the commit ``dt`` is at."""
        version = dt.version()
        if version == 0:
            return Commit(0, 0, 0)
        entry = self.commit_entry(version)
        info = commit_info(entry)
        return Commit(version, int(info["item_count"]), int(info["next_position"]), int(entry["timestamp"]))

    def commit_entry(self, version: int) -> dict[str, Any]:
        """The ``commitInfo`` of ``version``, read from its commit file in ``_delta_log``.

        Read here rather than with ``DeltaTable.history()``, which returns nothing when the
        table's path holds ``#`` or ``?`` (delta-rs 1.6 lists the log through a URL).
        Commit files are never removed (see ``_CONFIG``), so every version has one.
        """
        name = f"_delta_log/{version:020d}.json"
        path = self.path / name
        try:
            for line in LocalStorage(self.path).read_bytes(name).splitlines():
                if b'"commitInfo"' in line:
                    action = orjson.loads(line)
                    if "commitInfo" in action:
                        info: dict[str, Any] = action["commitInfo"]
                        return info
        except NotFoundError as exc:
            raise NotFoundError(f"{path}: the commit of version {version} is missing") from exc
        except orjson.JSONDecodeError as exc:
            raise CorruptFileError(f"{path}: cannot be read: not valid JSON ({exc})") from exc
        raise CorruptFileError(f"{path}: cannot be read: no commitInfo action")

    def history(self) -> list[dict[str, Any]]:
        """Every commit, oldest first: version, timestamp and the workbench's own record."""
        out = []
        for version in range(self.table().version() + 1):
            entry = self.commit_entry(version)
            out.append({"version": version, "timestamp": entry.get("timestamp"), **commit_info(entry)})
        return out

    def commit(
        self,
        build: Callable[[DeltaTable, Commit], tuple[Any, dict[str, Any]]],
        *,
        expected_version: int | None = None,
        lock: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> int:
        """Append one commit built by ``build`` and return its version.

        ``build(table, last_commit)`` reads the current state, validates, and returns
        the rows to append (Arrow table or stream, in ``LOG_SCHEMA``) and the commit's
        record (``operation``, ``message``, counts, ``item_count``, ``next_position``).
        When another writer commits first, ``build`` runs again on the new state
        (a re-base), so nothing it validated can be stale; a ``ConflictError`` comes
        when ``expected_version`` is no longer current or re-bases keep failing.
        ``lock`` serialises writers that share a file system (and orders commits with
        schema changes); the optimistic re-base still guards stores without locks.
        """
        for attempt in range(MAX_REBASES):
            with lock():
                version = self._try_commit(build, expected_version)
            if version is not None:
                return version
            time.sleep(random.uniform(0.001, 0.01) * (attempt + 1))
        raise ConflictError(f"{self.path.parent.name}: gave up after {MAX_REBASES} concurrent writes won first")

    def _try_commit(
        self, build: Callable[[DeltaTable, Commit], tuple[Any, dict[str, Any]]], expected_version: int | None
    ) -> int | None:
        """One attempt: the new version, or ``None`` when another writer committed first."""
        dt = self.table()
        base = dt.version()
        if expected_version is not None and base != expected_version:
            raise ConflictError(
                f"{self.path.parent.name}: expected version {expected_version}, "
                f"but version {base} is current (another writer changed the dataset)"
            )
        rows, record = build(dt, self.last_commit(dt))
        try:
            write_deltalake(
                dt,
                rows,
                mode="append",
                writer_properties=_WRITER,
                commit_properties=CommitProperties(
                    custom_metadata={_META_KEY: orjson.dumps(record).decode()},
                    max_commit_retries=0,
                ),
                post_commithook_properties=PostCommitHookProperties(create_checkpoint=True, cleanup_expired_logs=False),
            )
        except CommitFailedError:
            return None
        return base + 1


def commit_info(entry: dict[str, Any]) -> dict[str, Any]:
    """The workbench's record inside a Delta commit entry (empty for foreign commits)."""
    raw = entry.get(_META_KEY)
    if not raw:
        return {}
    info: dict[str, Any] = orjson.loads(raw)
    return info


_shared: tuple[int, duckdb.DuckDBPyConnection] | None = None
_bounded: dict[str, tuple[int, duckdb.DuckDBPyConnection]] = {}
_shared_lock = threading.Lock()


def connect(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for one query or a few: a cursor on one of the process's in-memory databases.

    Opening a database costs 11-30 ms; a cursor on a shared one costs microseconds, and
    each cursor has its own registrations and temporary views (one per thread is safe).
    With ``memory_limit`` (e.g. ``"256MB"``) it is a cursor on a database of its own for that
    limit, whose big sorts spill to a temporary folder instead of holding the whole dataset in
    memory (a run's plan). The limit is the database's: cursors used at the same time share it
    (they spill sooner), which keeps a run's start from paying for a new database each time.
    """
    global _shared  # noqa: PLW0603 - one database per process, recreated after a fork
    pid = os.getpid()
    with _shared_lock:
        if memory_limit:
            bounded = _bounded.get(memory_limit)
            if bounded is None or bounded[0] != pid:
                config: dict[str, str | bool | int | float | list[str]] = {
                    "memory_limit": memory_limit,
                    "temp_directory": _spill_folder(),
                }
                bounded = _bounded[memory_limit] = (pid, duckdb.connect(":memory:", config=config))
            return bounded[1].cursor()
        if _shared is None or _shared[0] != pid:
            _shared = (pid, duckdb.connect(":memory:"))
        return _shared[1].cursor()


QUIET = "set enable_progress_bar = false"
"""No progress bar: a DuckDB connection draws one on stdout for a query slower than 2 s, breaking ``--json``."""


def _spill_folder() -> str:
    folder = Path(tempfile.gettempdir()) / "workbench-duckdb"
    folder.mkdir(exist_ok=True)
    return str(folder)
