"""Reading a user's CSV, JSON Lines or Parquet file as records, each with the line (or row) it starts on.

The import (:mod:`workbench.store._imports`), the CLI and the import wizard all read files
through here, so they see the same column names: a UTF-8 byte order mark (what Excel writes
with "CSV UTF-8") is dropped, header names are stripped, a bad byte names its line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, Literal

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.errors import RowError, ValidationError
from workbench.store._exports import JSON_COLUMNS_KEY
from workbench.store._json import decode_column

BATCH_ROWS = 50_000
FileKind = Literal["csv", "jsonl", "parquet"]
Records = Generator[tuple[int, dict[str, Any] | RowError], None, None]
"""(line or row number, record or the row's error), closable: closing it closes the file."""


def decoded_byte_lines(fh: Any, path: Path, encoding: str, counter: list[int]) -> Iterator[str]:
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
    finally:
        with contextlib.suppress(ValueError):  # the caller closes the file: the wrapper must not own it
            text.detach()


def _byte_lines_work(encoding: str) -> bool:
    """Whether splitting the bytes at newline bytes splits the text at its newlines."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValidationError(f"unknown encoding {encoding!r}") from None
    return "\n".encode(name) == b"\n" and not name.startswith(("utf-16", "utf-32"))


def _decoded_lines(fh: Any, path: Path, encoding: str, counter: list[int]) -> Iterator[str]:
    if _byte_lines_work(encoding):
        return decoded_byte_lines(fh, path, encoding, counter)
    return _text_lines(fh, path, encoding, counter)


def csv_records(path: Path, encoding: str, delimiter: str) -> tuple[list[str], Records]:
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

    def records() -> Records:
        with fh:
            yield 0, RowError(0, None, None, "")  # primed: from here, closing the iterator closes the file
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

    return header, _primed(records())


def jsonl_records(path: Path) -> Records:
    with open(path, "rb") as fh:
        counter = [0]
        for text in decoded_byte_lines(fh, path, "utf-8", counter):
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


def parquet_records(path: Path) -> tuple[list[str], Records]:
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

    def records() -> Records:
        row = 0
        with parquet:
            yield 0, RowError(0, None, None, "")  # primed: see _primed
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                values = {
                    name: decode_column(batch.column(name)).tolist() if name in json_columns and name != "item_id"
                    else batch.column(name).to_pylist()
                    for name in batch.schema.names
                }  # fmt: skip
                for k in range(batch.num_rows):
                    row += 1
                    yield row, {name: column[k] for name, column in values.items()}

    return columns, _primed(records())


def _primed(records: Records) -> Records:
    """``records`` advanced past its first (placeholder) item, inside its ``with``: closing it now closes the file."""
    next(records)
    return records


def normal_encoding(encoding: str) -> str:
    """``encoding`` as the readers take it: every spelling of UTF-8 (``utf-8-sig`` too) is ``utf-8``, BOM or not."""
    return "utf-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig") else encoding


def kind_of(path: Path, given: str | None = None) -> FileKind:
    """The file's format: ``given``, else by extension (``.jsonl``/``.ndjson``, ``.parquet``, anything else CSV)."""
    kind = given or {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}.get(path.suffix.lower(), "csv")
    if kind not in ("csv", "jsonl", "parquet"):
        raise ValidationError(f"format {kind!r}: use csv, jsonl or parquet")
    return kind  # type: ignore[return-value]


def jsonl_keys(path: Path) -> list[str]:
    """The keys of a JSON Lines file's objects, in the order they first appear (lines that are not objects aside)."""
    keys: dict[str, None] = {}
    for _line, record in jsonl_records(path):
        if not isinstance(record, RowError):
            keys.update(dict.fromkeys(record))
    return list(keys)


def file_columns(
    path: str | Path, *, kind: str | None = None, encoding: str = "utf-8", delimiter: str = ","
) -> list[str]:
    """The column names of a file as the import reads them.

    A CSV's header (without a byte order mark, names stripped), a Parquet file's columns,
    or the keys of a JSON Lines file's objects in the order they first appear.

    Raises:
        ValidationError: the file is missing, empty or unreadable, naming it.
    """
    file = Path(path)
    if not file.is_file():
        raise ValidationError(f"{file}: no such file")
    found = kind_of(file, kind)
    if found == "jsonl":
        return jsonl_keys(file)
    if found == "parquet":
        columns, records = parquet_records(file)
        records.close()
        return columns
    header, rows = csv_records(file, normal_encoding(encoding), delimiter)
    rows.close()
    return header


def preview_csv(
    path: str | Path, *, rows: int = 10, encoding: str = "utf-8", delimiter: str = ","
) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``rows`` data rows of a CSV file, read the way the import reads it.

    Only those rows are read. A byte order mark is dropped and names are stripped, as in the
    import; a row the import would refuse (wrong number of fields, broken quoting) shows as its
    line number and the reason in the first cell.

    Raises:
        ValidationError: the file is missing, empty, or its header cannot be read, naming it.
    """
    file = Path(path)
    if not file.is_file():
        raise ValidationError(f"{file}: no such file")
    header, records = csv_records(file, normal_encoding(encoding), delimiter)
    body: list[list[str]] = []
    try:
        for line, record in records:
            if len(body) >= rows:
                break
            if isinstance(record, RowError):
                body.append([f"line {line}: {record.reason}", *[""] * (len(header) - 1)])
            else:
                body.append([record[h] for h in header])
    finally:
        records.close()
    return header, body
