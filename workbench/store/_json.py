"""JSON values as stored: text in Parquet, Python objects at the edges."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import ValidationError

JsonValue = Any
"""Any value that JSON can hold: dict, list, str, int, float, bool or None."""


def encode(value: JsonValue, *, where: str) -> str | None:
    """Encode ``value`` as JSON text; ``None`` stays ``None`` (SQL NULL).

    Raises:
        ValidationError: ``value`` cannot be written as JSON; ``where`` names it.
    """
    if value is None:
        return None
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise ValidationError(f"{where}: not JSON-serialisable ({exc})") from exc


def decode(text: str | None) -> JsonValue:
    """Decode stored JSON text; ``None`` (SQL NULL) stays ``None``."""
    if text is None:
        return None
    return orjson.loads(text)


def value_columns_sql(column: str) -> str:
    """SQL for the two columns :func:`decode_values` turns into the values of JSON text ``column``.

    ``<column>__text``: the text of a JSON string, unescaped by DuckDB (vectorised; NULL otherwise).
    ``<column>__json``: any other JSON value as ``text,`` (NULL for a string or an absent value).
    """
    return (
        f"case when starts_with({column}, '\"') then {column}->>'$' end as {column}__text, "
        f"case when not starts_with({column}, '\"') then {json_element_sql(column)} end as {column}__json"
    )


def decode_values(table: pa.Table, column: str) -> np.ndarray:
    """The values of ``column`` from the two columns :func:`value_columns_sql` made (an ``object`` array).

    Strings come from Arrow's text directly (no JSON parsing in Python); the other values
    (objects, lists, numbers, booleans) are decoded by one ``orjson.loads`` call and put in place.
    """
    text, other = table.column(f"{column}__text"), table.column(f"{column}__json")
    n = len(text)
    if other.null_count == n:
        strings: np.ndarray = text.to_numpy(zero_copy_only=False)  # only strings (and absent values: None)
        return strings
    if text.null_count == n:
        return decode_elements(other)
    values: np.ndarray = text.to_numpy(zero_copy_only=False)
    present = np.flatnonzero(other.is_valid().to_numpy(zero_copy_only=False))
    values[present] = decode_elements(pa.chunked_array(pc.drop_null(other).chunks, type=other.type))
    return values


def json_element_sql(column: str) -> str:
    """SQL turning a JSON text ``column`` into one element of a JSON array: its text and ``,`` (NULL stays NULL).

    The Arrow data buffer of such a column is then the body of a JSON array of its values,
    which :func:`decode_elements` decodes with one ``orjson.loads`` call.
    """
    return f"{column} || ','"


def decode_elements(column: pa.ChunkedArray) -> np.ndarray:
    """Decode a column made by :func:`json_element_sql` into an ``object`` array of Python values.

    The strings' bytes are laid end to end in Arrow's data buffers, so joining the buffers
    gives ``v1,v2,...,vn,``: wrapped in brackets (less the last comma) it is one JSON array,
    decoded by one ``orjson.loads`` call instead of a call per value (docs/performance.md).
    A column with no value at all is not decoded.
    """
    n = len(column)
    if column.null_count == n:
        return np.full(n, None, dtype=object)
    pieces: list[bytes | memoryview] = [b"["]
    for given in column.chunks:
        if len(given) == 0:
            continue
        chunk = pc.fill_null(given, "null,") if given.null_count else given
        offsets_buf, data_buf = chunk.buffers()[1], chunk.buffers()[2]
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buf, dtype=width)
        start, end = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
        pieces.append(memoryview(data_buf)[start:end])
    pieces[-1] = pieces[-1][:-1]  # the last value's comma
    pieces.append(b"]")
    values = orjson.loads(b"".join(pieces))
    return np.fromiter(values, dtype=object, count=n)  # one element per value, lists and all


def decode_column(column: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Decode a column of JSON text (NULL for absent) into a Series of Python values (``object``)."""
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column], type=column.type)
    elements = pa.chunked_array([pc.binary_join_element_wise(c, "", ",") for c in column.chunks], type=column.type)
    return pd.Series(decode_elements(elements), dtype=object, copy=False)
