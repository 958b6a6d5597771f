"""Which units (item x repeat) a run, or one shard of it, still has to do."""

from __future__ import annotations

from pathlib import Path

from workbench.runs._results import has_parts, parts_glob
from workbench.store._table import live_items_sql, sql_literal, sql_path

SELECTION_FILE = "items.parquet"


def units_sql(
    files: list[str], folder: Path, *, selection: bool, repeats: int, shard: tuple[int, int], pending_only: bool
) -> str:
    """SQL for the units of ``shard`` (i, n), in dataset order, optionally only those without a result.

    Shard i of n takes the items whose ordinal (position among the run's items at the
    pinned version) is i modulo n: deterministic on every machine, disjoint, and
    together the whole run.
    """
    i, n = shard
    chosen = f"semi join read_parquet({sql_path(folder / SELECTION_FILE)}) using (item_id)" if selection else ""
    sql = f"""
        with items as (select * from ({live_items_sql(files)}) {chosen}),
        numbered as (
            select item_id, input, expected_output, context, metadata, output,
                   row_number() over (order by position) - 1 as ordinal
            from items),
        units as (
            select numbered.*, r.range::INTEGER as repeat
            from numbered cross join range({int(repeats)}) as r
            where ordinal % {int(n)} = {int(i)})
    """
    if pending_only and has_parts(folder):
        sql += f"""
            , finished as (select distinct item_id, repeat from read_parquet({sql_literal(parts_glob(folder))}))
            select * from units anti join finished using (item_id, repeat) order by ordinal, repeat
        """
    else:
        sql += " select * from units order by ordinal, repeat"
    return sql


def latest_rows_sql(folder: Path) -> str:
    """Each unit's latest result row (a unit is written once; this guards against a doubled shard)."""
    return f"""select * from read_parquet({sql_literal(parts_glob(folder))}, union_by_name = true)
               qualify row_number() over (partition by item_id, repeat order by finished_at desc) = 1"""
