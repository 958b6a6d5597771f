"""Committing an import's staged rows as one version: append, upsert or sync.

The staged rows (a Parquet file outside the store, one row per valid line of the file)
are joined in DuckDB with the latest state of their ids, under the dataset's lock and
re-built on every re-base, so nothing decided here is stale:

- a staged id with no live item is an ``add`` (``readd`` for a deleted one);
- in ``append`` mode a live id is a row error ("already exists");
- in ``upsert``/``sync`` a live id is an ``update`` when one of the *mapped* fields differs
  (fields the file does not map keep their values), else it is left alone;
- in ``sync`` every live item whose id is not staged is a ``delete``.

"Differs" compares JSON values, not their text: ``{"a": 1, "b": 2}`` equals
``{"b": 2, "a": 1}``, while ``1`` and ``1.0`` and ``true`` stay distinct. Text equality
decides most rows in SQL; only the rows whose text differs are decoded to be sure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
from deltalake import DeltaTable

from workbench.errors import ImportValidationError, RowError, ValidationError
from workbench.store._table import (
    ITEM_FIELDS,
    LOG_SCHEMA,
    Commit,
    connect,
    latest_rows_sql,
    live_items_sql,
    local_files,
    sql_path,
)

if TYPE_CHECKING:
    from workbench.store._dataset import Dataset
    from workbench.store._mapping import FieldSpec


@dataclass(frozen=True)
class MergeCounts:
    """How many items an import adds, updates, leaves unchanged and deletes."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def any(self) -> bool:
        """Whether the import changes anything."""
        return bool(self.added or self.updated or self.deleted)


class _NothingToCommit(Exception):
    pass


def commit_staged(
    dataset: Dataset,
    staged_file: Path,
    excluded_lines: list[int],
    *,
    mode: str,
    id_column: FieldSpec | None,
    mapped: list[str],
    on_invalid: str,
    rows: int,
    errors: list[RowError],
    message: str | None,
    schemas: tuple[Any, Any],
    dry_run: bool = False,
) -> tuple[int | None, MergeCounts, list[RowError]]:
    """Commit the staged rows as one version: (the version or ``None``, counts, ids refused late)."""
    from workbench.store._dataset import _record

    result: dict[str, Any] = {}

    def build(dt: DeltaTable, last: Commit) -> tuple[Any, dict[str, Any]]:
        if dataset._schemas() != schemas:  # noqa: SLF001 - the same package
            raise ValidationError(
                f"the schemas of {dataset.name!r} changed while the file was being checked; "
                "nothing was imported: import it again"
            )
        con = connect(memory_limit="256MB")  # the file may be larger than memory: spill, do not hold it
        result["con"] = con  # keeps the stream's connection open until the commit is done
        files = local_files(dt)
        con.register("excluded", pa.table({"_line": pa.array(excluded_lines, pa.int64())}))
        staged_sql = f"read_parquet({sql_path(staged_file)})"
        con.sql(f"create temp view staged as select * from {staged_sql} anti join excluded using (_line)")
        con.register("empty_log", _empty_log())
        if files and id_column is not None:  # generated ids are new: no need to look them up
            con.sql(f"create temp table prior as {latest_rows_sql(files, 'staged')}")
        else:
            con.sql("create temp table prior as select * from empty_log")
        con.sql(
            "create temp view matched as select s.* from staged s join prior p using (item_id) where p.op <> 'delete'"
        )
        late: list[RowError] = []
        if mode == "append":
            live = con.execute("select _line, item_id from matched order by 1").fetchall()
            late = [
                RowError(line, str(id_column), "item_id", f"item_id {i!r} already exists in version {dt.version()}")
                for line, i in live
            ]
            if late and on_invalid == "abort":
                raise ImportValidationError(sorted(errors + late, key=lambda e: e.line), rows)
            updates = _empty_log()
            unchanged = 0
        else:
            updates = _updates(con, mapped, dt.version() + 1)
            matched = int(con.execute("select count(*) from matched").fetchall()[0][0])
            unchanged = matched - updates.num_rows
        con.register("updates", updates)
        new = "from staged s left join prior p using (item_id) where p.item_id is null or p.op = 'delete'"
        added = int(con.execute(f"select count(*) {new}").fetchall()[0][0])
        deleted = 0
        if mode == "sync" and files:
            live_sql = live_items_sql(files)
            con.sql(
                f"create temp table gone as select item_id, position from ({live_sql}) anti join staged using (item_id)"
            )
            deleted = int(con.execute("select count(*) from gone").fetchall()[0][0])
        else:
            con.sql("create temp table gone (item_id varchar, position bigint)")
        counts = MergeCounts(added, updates.num_rows, unchanged, deleted)
        result["late"], result["counts"] = late, counts
        if not counts.any or dry_run:
            raise _NothingToCommit
        version = dt.version() + 1
        fields = ", ".join(f"s.{f}" for f in ITEM_FIELDS)
        nulls = ", ".join(f"null::varchar as {f}" for f in ITEM_FIELDS)
        stream = con.sql(
            f"""select s.item_id, {version}::BIGINT as version,
                   case when p.item_id is null then 'add' else 'readd' end as op,
                   ({last.next_position} + row_number() over (order by s._line) - 1)::BIGINT as position,
                   {fields}
            {new}
            union all
            select * from updates
            union all
            select item_id, {version}::BIGINT, 'delete', position, {nulls} from gone"""
        ).arrow()
        record = _record(
            "import", message, last, added=added, updated=counts.updated, deleted=deleted,
            next_position=last.next_position + added,
        )  # fmt: skip
        return stream, record

    try:
        if dry_run:
            dt = dataset._log.table()  # noqa: SLF001
            build(dt, dataset._log.last_commit(dt))  # noqa: SLF001 - always raises _NothingToCommit
            version = None
        else:
            version = dataset._commit(build)  # noqa: SLF001 - the same package
    except _NothingToCommit:
        version = None
    finally:
        result.pop("con", None)
    return version, result["counts"], list(result["late"])


def _empty_log() -> pa.Table:
    return pa.table({n: pa.array([], t) for n, t in zip(LOG_SCHEMA.names, LOG_SCHEMA.types, strict=True)})


def _updates(con: Any, mapped: list[str], version: int) -> pa.Table:
    """The log rows of the matched items whose mapped fields differ (as JSON values) from their latest state."""
    if not mapped:
        return _empty_log()
    differs = " or ".join(f"s.{f} is distinct from p.{f}" for f in mapped)
    kept = ", ".join(f"{'s' if f in mapped else 'p'}.{f} as {f}" for f in ITEM_FIELDS)
    old = ", ".join(f"p.{f} as old_{f}" for f in mapped)
    candidates = con.sql(
        f"""select s.item_id, p.position, {kept}, {old}
            from staged s join prior p using (item_id)
            where p.op <> 'delete' and ({differs}) order by s._line"""
    ).to_arrow_table()
    keep = [any(_canonical(row[f]) != _canonical(row[f"old_{f}"]) for f in mapped) for row in candidates.to_pylist()]
    chosen = candidates.filter(pa.array(keep, pa.bool_())) if candidates.num_rows else candidates
    n = chosen.num_rows
    return pa.table(
        {
            "item_id": chosen.column("item_id"),
            "version": pa.array([version] * n, pa.int64()),
            "op": pa.array(["update"] * n, pa.string()),
            "position": chosen.column("position").cast(pa.int64()),
            **{f: chosen.column(f).cast(pa.string()) for f in ITEM_FIELDS},
        },
        schema=LOG_SCHEMA,
    )


def _canonical(text: str | None) -> bytes | None:
    """JSON text in one spelling per value: keys sorted (so key order alone is no change)."""
    if text is None:
        return None
    return orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
