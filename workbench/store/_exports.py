"""Exporting a version's items to CSV, JSON Lines or Parquet."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pyarrow as pa

from workbench.errors import ValidationError
from workbench.storage import TEMP_SUFFIX
from workbench.store._table import ITEM_FIELDS, LOG_SCHEMA, connect, live_items_sql

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def export_items(files: list[str], path: Path, fmt: str | None) -> Path:
    """Write the live items among ``files`` to ``path`` (replaced atomically) and return it."""
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "jsonl", "parquet"):
        raise ValidationError(f"{path.name}: cannot tell the format; use .csv, .jsonl or .parquet or pass format=")
    con = connect()
    if files:
        source = f"({live_items_sql(files)})"
    else:
        con.register(
            "empty_log", pa.table({n: pa.array([], t) for n, t in zip(LOG_SCHEMA.names, LOG_SCHEMA.types, strict=True)})
        )
        source = "empty_log"
    if fmt == "jsonl":
        cols = ", ".join(["item_id", *(f"{f}::JSON as {f}" for f in ITEM_FIELDS)])
        options = "FORMAT json"
    else:
        cols = ", ".join(["item_id", *ITEM_FIELDS])
        options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    quoted = str(tmp).replace("'", "''")
    try:
        con.sql(f"copy (select {cols} from {source} order by position) to '{quoted}' ({options})")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
