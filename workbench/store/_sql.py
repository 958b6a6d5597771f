"""One DuckDB connection with views over the whole store, for ad-hoc SQL."""

from __future__ import annotations

from collections.abc import Collection

import duckdb

from workbench.errors import CorruptFileError
from workbench.store._catalog import Catalog
from workbench.store._table import ITEM_FIELDS, QUIET, live_items_sql, sql_list, sql_literal

_JSON_COLS = ", ".join(f"{f}::JSON as {f}" for f in ITEM_FIELDS)
_EMPTY_ITEMS = (
    "select null::varchar as dataset, null::varchar as item_id, "
    + ", ".join(f"null::JSON as {f}" for f in ITEM_FIELDS)
    + ", null::bigint as version where false"
)
_EMPTY_LOG = _EMPTY_ITEMS.replace("null::bigint as version", "null::bigint as version, null::varchar as op")


def store_files(catalog: Catalog) -> dict[str, list[str]]:
    """Each dataset's item-log files at its latest version (local paths), by dataset name.

    A dataset whose Delta log cannot be read is left out (``catalog.list()`` warns of it).
    """
    out = {}
    for name in catalog.names():
        try:
            out[name] = catalog.open(name).files()
        except CorruptFileError:  # its Delta log: the dataset is left out (catalog.list() warns)
            continue
    return out


def store_connection(catalog: Catalog, skip: Collection[str] = ()) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the store's views.

    Views:
        ``datasets``: one row per dataset (name, description, version, items, created_at, updated_at).
        ``items``: the latest version of every dataset's items, with a ``dataset`` column;
        JSON fields are DuckDB ``JSON`` (``input->>'$.question'`` works).
        ``item_log``: every state of every item in every version (``version``, ``op``).

    Each dataset's files are handed to DuckDB as an explicit list (never a glob), less the
    files in ``skip`` (unreadable ones, see :func:`~workbench.store._unreadable.sql_skipping_unreadable`).
    """
    con = duckdb.connect(":memory:")
    con.execute(QUIET)
    listing = catalog.list()
    con.register("datasets_df", listing)
    con.sql("create view datasets as select * from datasets_df")
    items, log = [], []
    for name, all_files in store_files(catalog).items():
        files = [f for f in all_files if f not in skip]
        if not files:
            continue
        head = f"select {sql_literal(name)} as dataset, item_id, {_JSON_COLS}, version"
        items.append(f"{head} from ({live_items_sql(files)})")
        log.append(f"{head}, op from read_parquet({sql_list(files)})")
    con.sql("create view items as " + (" union all ".join(items) if items else _EMPTY_ITEMS))
    con.sql("create view item_log as " + (" union all ".join(log) if log else _EMPTY_LOG))
    return con
