"""Importing CSV, JSON Lines and Parquet files into a dataset as one new version.

A file is read once, streamed: each row is checked and encoded, valid rows go
to a staging Parquet file outside the store, and invalid rows are reported with
their line in the file (the header is line 1; a quoted field's embedded
newlines count). Only when the whole file has been checked is the staging file
committed, streamed, into the dataset as one version (:mod:`workbench.store._merge`).

Three modes say what the file is to the dataset:

- ``append`` (the default): new items; an id the dataset already has is a row error.
- ``upsert``: the file's rows are the latest word on their items: new ids are added,
  items whose mapped fields differ are updated, the others are left as they are.
- ``sync``: upsert, and the items whose ids are not in the file are deleted.

In ``upsert`` and ``sync`` every row needs an ``item_id`` (nothing else can match it to an
item): a row without one is a row error, and a file with no id column is refused at once.
Whatever the mode, an import that changes nothing makes no version.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.errors import FieldError, ImportValidationError, RowError, ValidationError
from workbench.store._exports import EXPORT_COLUMNS, cell_value
from workbench.store._items import ITEM_KEYS, encode_new_item
from workbench.store._mapping import FieldSpec, describe_mapping, guess_mapping
from workbench.store._merge import MergeCounts, commit_staged
from workbench.store._readers import (
    BATCH_ROWS,
    Records,
    csv_records,
    jsonl_keys,
    jsonl_records,
    normal_encoding,
    parquet_records,
)
from workbench.store._table import ITEM_FIELDS, connect, sql_path

if TYPE_CHECKING:
    from workbench.store._dataset import Dataset

STAGED_SCHEMA = pa.schema([("_line", pa.int64()), ("item_id", pa.string()), *[(f, pa.string()) for f in ITEM_FIELDS]])
ImportMode = Literal["append", "upsert", "sync"]
MODES: tuple[str, ...] = ("append", "upsert", "sync")


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run=True``, would do).

    Attributes:
        dataset: the dataset's name.
        version: the version the import created (``None`` when it made none: nothing
            changed, every row was skipped, or a dry run).
        rows: data rows read from the file.
        imported: items written (``added + updated``).
        skipped: invalid rows left out (only with ``on_invalid="skip"``).
        ignored_columns: columns of the file no field was mapped from.
        mode: ``append``, ``upsert`` or ``sync``.
        added: items new to the dataset (a deleted item's id imported again counts here).
        updated: items whose mapped fields changed.
        unchanged: rows whose item already had exactly these values.
        deleted: items removed because their id is not in the file (``sync`` only).
        mapping: the mapping used (field -> column), guessed when none was given.
        dry_run: nothing was written; the counts say what the import would do.
    """

    dataset: str
    version: int | None
    rows: int
    imported: int
    skipped: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    mode: str = "append"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    mapping: dict[str, FieldSpec] = field(default_factory=dict)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return {
            "dataset": self.dataset,
            "version": self.version,
            "mode": self.mode,
            "rows": self.rows,
            "imported": self.imported,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "mapping": self.mapping,
            "skipped": [e.__dict__ for e in self.skipped],
            "ignored_columns": self.ignored_columns,
            "dry_run": self.dry_run,
        }

    @property
    def changes(self) -> str:
        """The counts in words: ``2 added, 1 updated, 3 unchanged, 0 deleted`` (``deleted`` in sync mode only)."""
        parts = [f"{self.added} added"]
        if self.mode != "append":
            parts += [f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.mode == "sync":
            parts.append(f"{self.deleted} deleted")
        return ", ".join(parts)

    def __str__(self) -> str:
        if self.dry_run:
            head = f"dry run ({self.mode}) of {self.rows} rows into {self.dataset!r}: would be {self.changes}"
        else:
            head = f"{self.imported} of {self.rows} rows imported into {self.dataset!r}"
            head += f" as version {self.version}" if self.version is not None else " (no new version)"
            head += f": {self.changes}"
        lines = [head] + [f"  skipped {e}" for e in self.skipped]
        return "\n".join(lines)


class _Converter:
    """Turns one record (column -> text or JSON value) into an item mapping."""

    def __init__(
        self,
        mapping: Mapping[str, FieldSpec],
        *,
        json_columns: set[str],
        number_columns: set[str],
        infer_types: bool,
        raw_values: bool,
        json_cells: bool = False,
    ) -> None:
        self.mapping = mapping
        id_spec = mapping.get("item_id")
        self.id_column = id_spec if isinstance(id_spec, str) else None
        self.json_columns = json_columns
        self.number_columns = number_columns
        self.infer_types = infer_types
        self.raw_values = raw_values  # JSONL values are JSON already
        self.json_cells = json_cells  # a CSV export of the workbench: see _exports.cell_value

    def value(self, column: str, cell: Any) -> Any:
        if self.raw_values:
            return cell
        if cell == "":
            return None
        if column == self.id_column:
            return cell  # ids are text as written: "007" stays "007"
        if self.json_cells and column not in self.number_columns and column not in self.json_columns:
            return cell_value(cell)
        if column in self.json_columns:
            try:
                return orjson.loads(cell)
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"is not valid JSON ({exc.msg} at character {exc.pos + 1})") from exc
        if column in self.number_columns:
            return _number(cell)
        if self.infer_types:
            return _guess(cell)
        return cell

    def item(self, record: Mapping[str, Any], line: int) -> dict[str, Any]:
        item: dict[str, Any] = {}
        for target, spec in self.mapping.items():
            columns = [spec] if isinstance(spec, str) else spec
            values = {}
            for column in columns:
                try:
                    values[column] = self.value(column, record.get(column))
                except ValueError as exc:
                    raise _RowProblem(RowError(line, column, target, str(exc))) from exc
            item[target] = values[columns[0]] if isinstance(spec, str) else values
        return item


class _RowProblem(Exception):
    def __init__(self, error: RowError) -> None:
        self.error = error


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT_RANGE = (-(2**63), 2**64 - 1)  # what JSON libraries (and orjson) store exactly


def _number(cell: str) -> int | float:
    """A number written the usual way (``42``, ``-3.5``, ``1e3``); nothing Python-only like ``1_000``."""
    text = cell.strip()
    if _INT.fullmatch(text):
        value = int(text)
        if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            raise ValueError(f"is an integer too large to store exactly: {cell!r}")
        return value
    if not _FLOAT.fullmatch(text):
        raise ValueError(f"is not a number: {cell!r}")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"is not a finite number: {cell!r}")
    return number


def _guess(cell: str) -> Any:
    try:
        return _number(cell)
    except ValueError:
        pass
    if cell in ("true", "false"):
        return cell == "true"
    if cell[:1] in "{[":
        try:
            return orjson.loads(cell)
        except orjson.JSONDecodeError:
            return cell
    return cell


def _check_mapping(mapping: Mapping[str, FieldSpec] | None, columns: list[str], path: Path) -> dict[str, FieldSpec]:
    if mapping is None:
        if not columns:  # a JSON Lines file with no object: its lines are the errors to report
            return {k: k for k in ITEM_KEYS}
        guessed = guess_mapping(columns)
        if "input" not in guessed:
            raise ValidationError(
                f"{path.name}: no column to use as input (looked for input, question, prompt or query; "
                f"columns are {', '.join(columns) or 'none'}); pass mapping={{'input': COLUMN}}"
            )
        return guessed
    out: dict[str, FieldSpec] = {}
    for target, spec in mapping.items():
        if target not in ITEM_KEYS:
            raise ValidationError(f"mapping: unknown field {target!r} (fields are {', '.join(ITEM_KEYS)})")
        specs = [spec] if isinstance(spec, str) else list(spec)
        if not specs or not all(isinstance(s, str) and s for s in specs):
            raise ValidationError(f"mapping: field {target!r} needs a column name or a list of them")
        if target == "item_id" and len(specs) != 1:
            raise ValidationError("mapping: item_id takes one column")
        for s in specs:
            if s not in columns:
                raise ValidationError(
                    f"{path.name}: column {s!r} (mapped to {target}) is not in the header; "
                    f"columns are {', '.join(columns)}"
                )
        out[target] = spec if isinstance(spec, str) else specs
    if "input" not in out:
        raise ValidationError("mapping: no column maps to input")
    return out


def _check_options(mode: str, on_invalid: str) -> None:
    if on_invalid not in ("abort", "skip"):
        raise ValidationError(f"on_invalid must be 'abort' or 'skip', not {on_invalid!r}")
    if mode not in MODES:
        raise ValidationError(f"mode must be 'append', 'upsert' or 'sync', not {mode!r}")
    if mode == "sync" and on_invalid == "skip":
        raise ValidationError(
            "mode 'sync' deletes the items whose ids are not in the file, so a skipped row would delete its item; "
            "use on_invalid='abort' (the default) with sync"
        )


def import_file(
    dataset: Dataset,
    path: Path,
    *,
    kind: Literal["csv", "jsonl", "parquet"],
    mapping: Mapping[str, FieldSpec] | None = None,
    mode: ImportMode = "append",
    json_columns: Iterable[str] = (),
    number_columns: Iterable[str] = (),
    infer_types: bool = False,
    on_invalid: Literal["abort", "skip"] = "abort",
    encoding: str = "utf-8",
    delimiter: str = ",",
    message: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import ``path`` into ``dataset`` as one new version (see :meth:`Dataset.import_csv`)."""
    _check_options(mode, on_invalid)
    json_columns, number_columns = list(json_columns), list(number_columns)
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    encoding = normal_encoding(encoding)
    records: Records
    header: list[str] | None = None
    if kind == "csv":
        header, records = csv_records(path, encoding, delimiter)
        columns = header
    elif kind == "parquet":
        columns, records = parquet_records(path)
    else:
        columns = jsonl_keys(path) if mapping is None else [str(c) for c in _mapped_columns(mapping)]
        records = jsonl_records(path)
    try:
        fields = _check_mapping(mapping, columns, path)
        for col in [*json_columns, *number_columns]:
            if header is not None and col not in header:
                raise ValidationError(f"{path.name}: column {col!r} is not in the header")
        id_column = fields.get("item_id")
        if mode != "append" and id_column is None:
            raise ValidationError(
                f"{path.name}: mode {mode!r} matches rows to items by item_id, but no column maps to item_id "
                f"(mapping: {describe_mapping(fields)}); pass mapping={{'item_id': COLUMN, ...}}"
            )
    except BaseException:
        records.close()
        raise
    used = {c for spec in fields.values() for c in ([spec] if isinstance(spec, str) else spec)}
    converter = _Converter(
        fields,
        json_columns=set(json_columns),
        number_columns=set(number_columns),
        infer_types=infer_types,
        raw_values=kind != "csv",
        json_cells=kind == "csv" and mapping is None and tuple(header or ()) == EXPORT_COLUMNS,
    )
    validators = dataset._validators()  # noqa: SLF001 - the same package
    schemas = dataset._schemas()  # noqa: SLF001
    staging = Path(tempfile.mkdtemp(prefix="workbench-import-"))
    staged_file = staging / "rows.parquet"
    ignored = [c for c in (header or columns) if c not in used] if kind != "jsonl" else []

    def report(version: int | None, errors: list[RowError], counts: MergeCounts | None = None) -> ImportReport:
        counts = counts or MergeCounts()
        return ImportReport(
            dataset.name, version, rows, counts.added + counts.updated, sorted(errors, key=lambda e: e.line),
            ignored, mode, counts.added, counts.updated, counts.unchanged, counts.deleted, fields, dry_run,
        )  # fmt: skip

    try:
        staged, errors, rows = _stage(records, converter, validators, staged_file, needs_id=mode != "append")
        repeated = _repeated_ids(staged_file, str(id_column)) if id_column is not None and staged else []
        errors = sorted(errors + repeated, key=lambda e: e.line)
        staged -= len(repeated)
        if errors and on_invalid == "abort":
            raise ImportValidationError(errors, rows)
        if rows == 0:
            raise ValidationError(f"{path.name}: the file has no data rows")
        if staged == 0:
            return report(None, errors)
        version, counts, late = commit_staged(
            dataset, staged_file, [e.line for e in repeated], mode=mode, id_column=id_column,
            mapped=[f for f in ITEM_FIELDS if f in fields], on_invalid=on_invalid, rows=rows, errors=errors,
            message=message, schemas=schemas, dry_run=dry_run,
        )  # fmt: skip
        return report(version, errors + late, counts)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _mapped_columns(mapping: Mapping[str, FieldSpec]) -> list[Any]:
    return [c for spec in mapping.values() for c in ([spec] if isinstance(spec, str) else spec)]


def _stage(
    records: Iterator[tuple[int, Mapping[str, Any] | RowError]],
    converter: _Converter,
    validators: Any,
    out: Path,
    *,
    needs_id: bool,
) -> tuple[int, list[RowError], int]:
    """Check every record, writing the valid ones to ``out``; return counts and errors."""
    errors: list[RowError] = []
    rows = staged = 0
    batch: dict[str, list[Any]] = {name: [] for name in STAGED_SCHEMA.names}
    with pq.ParquetWriter(out, STAGED_SCHEMA) as writer:
        for line, record in records:
            rows += 1
            if isinstance(record, RowError):
                errors.append(record)
                continue
            try:
                item = converter.item(record, line)
                if needs_id and _no_id(item.get("item_id")):
                    column = _column_of(converter.mapping, "item_id")
                    reason = "has no item_id, and upsert and sync match rows to items by id: give every row one"
                    errors.append(RowError(line, column, "item_id", reason))
                    continue
                encoded = encode_new_item(item, index=rows - 1, validators=validators)
            except _RowProblem as problem:
                errors.append(problem.error)
                continue
            except FieldError as exc:
                column = _column_of(converter.mapping, exc.field)
                errors.append(RowError(line, column, exc.field, exc.reason))
                continue
            staged += 1
            batch["_line"].append(line)
            for name in ("item_id", *ITEM_FIELDS):
                batch[name].append(encoded[name])
            if len(batch["_line"]) >= BATCH_ROWS:
                writer.write_table(pa.table(batch, schema=STAGED_SCHEMA))
                batch = {name: [] for name in STAGED_SCHEMA.names}
        if batch["_line"]:
            writer.write_table(pa.table(batch, schema=STAGED_SCHEMA))
    return staged, errors, rows


def _no_id(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _repeated_ids(staged_file: Path, id_column: str) -> list[RowError]:
    """Rows whose item_id an earlier row of the file already has (found in DuckDB, not in memory)."""
    con = connect(memory_limit="256MB")
    found = con.execute(
        f"""select _line, item_id, first from (
                select _line, item_id, min(_line) over (partition by item_id) as first
                from read_parquet({sql_path(staged_file)})
            ) where _line <> first order by _line"""
    ).fetchall()
    return [
        RowError(line, id_column, "item_id", f"item_id {item_id!r} repeats line {first}")
        for line, item_id, first in found
    ]


def _column_of(mapping: Mapping[str, FieldSpec], field: str | None) -> str | None:
    spec = mapping.get(field or "")
    if spec is None:
        return None
    return spec if isinstance(spec, str) else ",".join(spec)
