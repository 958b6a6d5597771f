"""Importing CSV and JSON Lines files into a dataset as one new version.

A file is read once, streamed: each row is checked and encoded, valid rows go
to a staging Parquet file outside the store, and invalid rows are reported with
their line in the file (the header is line 1; a quoted field's embedded
newlines count). Only when the whole file has been checked is the staging file
committed, streamed, into the dataset as one version.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

from workbench.errors import FieldError, ImportValidationError, RowError, ValidationError
from workbench.store._exports import EXPORT_COLUMNS, JSON_COLUMNS_KEY, cell_value
from workbench.store._items import ITEM_KEYS, encode_new_item
from workbench.store._json import decode_column
from workbench.store._table import ITEM_FIELDS, Commit, connect, latest_rows_sql

if TYPE_CHECKING:
    from workbench.store._dataset import Dataset

BATCH_ROWS = 50_000
STAGED_SCHEMA = pa.schema([("_line", pa.int64()), ("item_id", pa.string()), *[(f, pa.string()) for f in ITEM_FIELDS]])
FieldSpec = str | list[str]


@dataclass
class ImportReport:
    """What an import did.

    Attributes:
        dataset: the dataset's name.
        version: the version the import created (``None`` when nothing was imported).
        rows: data rows read from the file.
        imported: items written.
        skipped: invalid rows left out (only with ``on_invalid="skip"``).
        ignored_columns: columns of the file no field was mapped from.
    """

    dataset: str
    version: int | None
    rows: int
    imported: int
    skipped: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return {
            "dataset": self.dataset,
            "version": self.version,
            "rows": self.rows,
            "imported": self.imported,
            "skipped": [e.__dict__ for e in self.skipped],
            "ignored_columns": self.ignored_columns,
        }

    def __str__(self) -> str:
        head = f"{self.imported} of {self.rows} rows imported into {self.dataset!r}"
        head += f" as version {self.version}" if self.version is not None else " (no new version)"
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


def _lines(fh: Any, path: Path, encoding: str, counter: list[int]) -> Iterator[str]:
    """Decoded lines of a binary file, counting them, with a clear error on bad bytes."""
    first = True
    for raw in fh:
        counter[0] += 1
        try:
            text: str = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{path.name}: line {counter[0]} is not valid {encoding} "
                f"(byte 0x{raw[exc.start]:02x} at position {exc.start + 1}); "
                f"save the file as UTF-8 or pass the file's encoding"
            ) from None
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        yield text


def _text_lines(fh: Any, path: Path, encoding: str, counter: list[int]) -> Iterator[str]:
    """Lines of a file in an encoding where a newline is not one byte (UTF-16, UTF-32)."""
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    try:
        for line in text:
            counter[0] += 1
            yield line.removeprefix("\ufeff") if counter[0] == 1 else line
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path.name}: near line {counter[0] + 1}: not valid {encoding} ({exc.reason}); "
            "save the file as UTF-8 or pass the file's encoding"
        ) from None


def _byte_lines_work(encoding: str) -> bool:
    """Whether splitting the bytes at newline bytes splits the text at its newlines."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValidationError(f"unknown encoding {encoding!r}") from None
    return "\n".encode(name) == b"\n" and not name.startswith(("utf-16", "utf-32"))


def _decoded_lines(fh: Any, path: Path, encoding: str, counter: list[int]) -> Iterator[str]:
    if _byte_lines_work(encoding):
        return _lines(fh, path, encoding, counter)
    return _text_lines(fh, path, encoding, counter)


def _csv_records(
    path: Path, encoding: str, delimiter: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | RowError]]]:
    """The header and an iterator of (start line, record or ragged-row error)."""
    csv.field_size_limit(sys.maxsize)
    fh = open(path, "rb")  # noqa: SIM115 - closed by the generator
    counter = [0]
    reader = csv.reader(_decoded_lines(fh, path, encoding, counter), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise ValidationError(f"{path.name}: the file is empty (no header line)") from None
    except csv.Error as exc:
        fh.close()
        raise ValidationError(f"{path.name}: line 1: the header is not valid CSV ({exc})") from None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        fh.close()
        raise ValidationError(f"{path.name}: line 1: column {dupes[0]!r} appears twice in the header")
    width = len(header)

    def records() -> Iterator[tuple[int, dict[str, str] | RowError]]:
        with fh:
            while True:
                start = counter[0] + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield start, RowError(start, None, None, f"is not valid CSV ({exc})")
                    continue
                if not row or (len(row) == 1 and not row[0].strip() and width > 1):
                    continue  # a blank line
                if len(row) != width:
                    reason = f"has {len(row)} fields but the header has {width}"
                    yield start, RowError(start, None, None, reason)
                    continue
                yield start, dict(zip(header, row, strict=True))

    return header, records()


def _jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    with open(path, "rb") as fh:
        counter = [0]
        for text in _lines(fh, path, "utf-8", counter):
            line = counter[0]
            if not text.strip():
                continue
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                yield line, RowError(line, None, None, f"is not valid JSON ({exc.msg} at character {exc.pos + 1})")
                continue
            if not isinstance(value, dict):
                yield line, RowError(line, None, None, f"is a JSON {type(value).__name__}, not an object")
                continue
            yield line, value


def _parquet_records(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | RowError]]]:
    """The columns and an iterator of (row number, record) of a Parquet file, values as Python values.

    Columns the file's metadata lists under ``workbench.json_columns`` (a Parquet export of the
    workbench) hold JSON text and are decoded; every other column is read as it is typed.
    """
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise ValidationError(f"{path.name}: not a readable Parquet file ({' '.join(str(exc).split())})") from None
    meta = parquet.schema_arrow.metadata or {}
    listed = meta.get(JSON_COLUMNS_KEY.encode(), b"").decode()
    json_columns = {c for c in listed.split(",") if c}
    columns = list(parquet.schema_arrow.names)

    def records() -> Iterator[tuple[int, dict[str, Any] | RowError]]:
        row = 0
        with parquet:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                values = {
                    name: decode_column(batch.column(name)).tolist() if name in json_columns and name != "item_id"
                    else batch.column(name).to_pylist()
                    for name in batch.schema.names
                }  # fmt: skip
                for k in range(batch.num_rows):
                    row += 1
                    yield row, {name: column[k] for name, column in values.items()}

    return columns, records()


def _check_mapping(
    mapping: Mapping[str, FieldSpec] | None, columns: list[str] | None, path: Path
) -> dict[str, FieldSpec]:
    if mapping is None:
        if columns is None:  # JSONL: keys named like the fields
            return {k: k for k in ITEM_KEYS}
        mapped: dict[str, FieldSpec] = {k: k for k in ITEM_KEYS if k in columns}
        if "input" not in mapped:
            raise ValidationError(f"{path.name}: no column maps to input; pass mapping={{'input': COLUMN}}")
        return mapped
    out: dict[str, FieldSpec] = {}
    for target, spec in mapping.items():
        if target not in ITEM_KEYS:
            raise ValidationError(f"mapping: unknown field {target!r} (fields are {', '.join(ITEM_KEYS)})")
        specs = [spec] if isinstance(spec, str) else list(spec)
        if not specs or not all(isinstance(s, str) and s for s in specs):
            raise ValidationError(f"mapping: field {target!r} needs a column name or a list of them")
        if target == "item_id" and len(specs) != 1:
            raise ValidationError("mapping: item_id takes one column")
        if columns is not None:
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


def import_file(
    dataset: Dataset,
    path: Path,
    *,
    kind: Literal["csv", "jsonl", "parquet"],
    mapping: Mapping[str, FieldSpec] | None = None,
    json_columns: Iterable[str] = (),
    number_columns: Iterable[str] = (),
    infer_types: bool = False,
    on_invalid: Literal["abort", "skip"] = "abort",
    encoding: str = "utf-8",
    delimiter: str = ",",
    message: str | None = None,
) -> ImportReport:
    """Import ``path`` into ``dataset`` as one new version (see :meth:`Dataset.import_csv`)."""
    if on_invalid not in ("abort", "skip"):
        raise ValidationError(f"on_invalid must be 'abort' or 'skip', not {on_invalid!r}")
    json_columns, number_columns = list(json_columns), list(number_columns)
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    encoding = "utf-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig") else encoding
    records: Iterator[tuple[int, Mapping[str, Any] | RowError]]
    if kind == "csv":
        header, records = _csv_records(path, encoding, delimiter)
        fields = _check_mapping(mapping, header, path)
        for col in [*json_columns, *number_columns]:
            if col not in header:
                raise ValidationError(f"{path.name}: column {col!r} is not in the header")
    elif kind == "parquet":
        columns, records = _parquet_records(path)
        fields = _check_mapping(mapping, columns, path)
        header = None
    else:
        header = None
        records = _jsonl_records(path)
        fields = _check_mapping(mapping, None, path)
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
    id_column = fields.get("item_id")
    staging = Path(tempfile.mkdtemp(prefix="workbench-import-"))
    try:
        staged, errors, rows = _stage(records, converter, validators, staging / "rows.parquet")
        repeated = _repeated_ids(staging / "rows.parquet", str(id_column)) if id_column is not None and staged else []
        errors = sorted(errors + repeated, key=lambda e: e.line)
        staged -= len(repeated)
        if errors and on_invalid == "abort":
            raise ImportValidationError(errors, rows)
        ignored = [c for c in (header or []) if c not in used]
        if rows == 0:
            raise ValidationError(f"{path.name}: the file has no data rows")
        if staged == 0:
            return ImportReport(dataset.name, None, rows, 0, errors, ignored)
        version, imported, late = _commit_staged(
            dataset, staging / "rows.parquet", [e.line for e in repeated], id_column, on_invalid, rows, errors,
            message, schemas,
        )  # fmt: skip
        return ImportReport(dataset.name, version, rows, imported, sorted(errors + late, key=lambda e: e.line), ignored)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage(
    records: Iterator[tuple[int, Mapping[str, Any] | RowError]],
    converter: _Converter,
    validators: Any,
    out: Path,
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


def _repeated_ids(staged_file: Path, id_column: str) -> list[RowError]:
    """Rows whose item_id an earlier row of the file already has (found in DuckDB, not in memory)."""
    con = connect(memory_limit="256MB")
    found = con.execute(
        f"""select _line, item_id, first from (
                select _line, item_id, min(_line) over (partition by item_id) as first
                from read_parquet({_sql_path(staged_file)})
            ) where _line <> first order by _line"""
    ).fetchall()
    return [
        RowError(line, id_column, "item_id", f"item_id {item_id!r} repeats line {first}")
        for line, item_id, first in found
    ]


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _column_of(mapping: Mapping[str, FieldSpec], field: str | None) -> str | None:
    spec = mapping.get(field or "")
    if spec is None:
        return None
    return spec if isinstance(spec, str) else ",".join(spec)


def _commit_staged(
    dataset: Dataset,
    staged_file: Path,
    excluded_lines: list[int],
    id_column: FieldSpec | None,
    on_invalid: str,
    rows: int,
    errors: list[RowError],
    message: str | None,
    schemas: tuple[Any, Any],
) -> tuple[int | None, int, list[RowError]]:
    """Commit the staged rows as one version; ids already live in the dataset are row errors."""
    from workbench.store._dataset import _record

    result: dict[str, Any] = {}
    staged_sql = f"read_parquet({_sql_path(staged_file)})"

    def build(dt: DeltaTable, last: Commit) -> tuple[Any, dict[str, Any]]:
        if dataset._schemas() != schemas:  # noqa: SLF001
            raise ValidationError(
                f"the schemas of {dataset.name!r} changed while the file was being checked; "
                "nothing was imported: import it again"
            )
        con = connect(memory_limit="256MB")  # the file may be larger than memory: spill, do not hold it
        result["con"] = con  # keeps the stream's connection open until the commit is done
        files = list(dt.file_uris())
        con.register("excluded", pa.table({"_line": pa.array(excluded_lines, pa.int64())}))
        con.sql(f"create temp view staged as select * from {staged_sql} anti join excluded using (_line)")
        if files and id_column is not None:
            con.sql(f"create temp table prior as {latest_rows_sql(files, 'staged')}")
        else:
            con.sql("create temp table prior (item_id varchar, op varchar)")
        live = con.execute(
            "select s._line, s.item_id from staged s join prior p using (item_id) where p.op <> 'delete' order by 1"
        ).fetchall()
        late = [
            RowError(line, str(id_column), "item_id", f"item_id {i!r} already exists in version {dt.version()}")
            for line, i in live
        ]
        if late and on_invalid == "abort":
            raise ImportValidationError(sorted(errors + late, key=lambda e: e.line), rows)
        count = con.execute(
            "select count(*) from staged where item_id not in (select item_id from prior where op <> 'delete')"
        ).fetchall()
        n = int(count[0][0])
        result["late"], result["imported"] = late, n
        if n == 0:
            raise _NothingToCommit
        fields = ", ".join(f"s.{f}" for f in ITEM_FIELDS)
        stream = con.sql(
            f"""select s.item_id, {dt.version() + 1}::BIGINT as version,
                   case when p.item_id is null then 'add' else 'readd' end as op,
                   ({last.next_position} + row_number() over (order by s._line) - 1)::BIGINT as position,
                   {fields}
            from staged s left join prior p using (item_id)
            where p.item_id is null or p.op = 'delete'
            order by s._line"""
        ).arrow()
        record = _record("import", message, last, added=n, next_position=last.next_position + n)
        return stream, record

    try:
        version = dataset._commit(build)  # noqa: SLF001 - the same package
    except _NothingToCommit:
        return None, 0, list(result["late"])
    finally:
        result.pop("con", None)
    return version, int(result["imported"]), list(result["late"])


class _NothingToCommit(Exception):
    pass
