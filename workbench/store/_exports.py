"""Exporting a version's items to CSV, JSON Lines or Parquet, in a form each imports back exactly.

- **JSON Lines**: one object per item, each field a nested JSON value.
- **Parquet**: ``item_id`` and each field as JSON text; the file's key-value metadata
  ``workbench.json_columns`` lists those columns, so :func:`import_parquet` decodes them.
- **CSV**: text as text, anything else as JSON, an absent field as an empty cell. A text
  that would read as JSON (``1e3``, ``true``, ``{"a": 1}``, the empty text) is written as a
  JSON string (``"1e3"``), so that every cell of the export reads back with one rule
  (:func:`cell_value`): a cell that parses as JSON is that JSON value, any other is text.
  The import applies that rule when the header is exactly the export's (``item_id``
  and the five fields, in order); see ``docs/architecture.md``.
"""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from workbench.errors import ValidationError
from workbench.storage import TEMP_SUFFIX
from workbench.store._json import decode_column
from workbench.store._table import ITEM_FIELDS, LOG_SCHEMA, connect, live_items_sql, sql_literal

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
EXPORT_COLUMNS = ("item_id", *ITEM_FIELDS)
"""The columns of every export, in order (a CSV with exactly this header is read as an export)."""
JSON_COLUMNS_KEY = "workbench.json_columns"
"""Parquet key-value metadata: the comma-separated columns that hold JSON text."""
_JSON_START = frozenset('-0123456789"tfn{[')


def csv_cell(value: Any) -> str:
    """How the CSV export writes one field's value (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value == "":
            return '""'  # an empty cell is an absent field
        if value[0] not in _JSON_START and not value[0].isspace():
            return value  # cannot parse as JSON: written as it is
        try:
            orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
        return orjson.dumps(value).decode()
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def cell_value(cell: str) -> Any:
    """The value of a cell of a CSV export: ``None`` when empty, the JSON value when it parses, else the text."""
    if cell == "":
        return None
    if cell[0] not in _JSON_START and not cell[0].isspace():
        return cell
    try:
        return orjson.loads(cell)
    except orjson.JSONDecodeError:
        return cell


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    try:
        if fmt == "csv":
            reader = con.sql(f"select {', '.join(EXPORT_COLUMNS)} from {source} order by position").to_arrow_reader()
            _write_csv(reader, tmp)
        else:
            if fmt == "jsonl":
                cols = ", ".join(["item_id", *(f"{f}::JSON as {f}" for f in ITEM_FIELDS)])
                options = "FORMAT json"
            else:
                cols = ", ".join(EXPORT_COLUMNS)
                meta = sql_literal(",".join(ITEM_FIELDS))
                options = f"FORMAT parquet, KV_METADATA {{{sql_literal(JSON_COLUMNS_KEY)}: {meta}}}"
            target = sql_literal(str(tmp))
            con.sql(f"copy (select {cols} from {source} order by position) to {target} ({options})")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _write_csv(reader: pa.RecordBatchReader, out: Path) -> None:
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXPORT_COLUMNS)
        for batch in reader:
            ids = batch.column("item_id").to_pylist()
            fields = [[csv_cell(v) for v in decode_column(batch.column(f))] for f in ITEM_FIELDS]
            writer.writerows(zip(ids, *fields, strict=True))
