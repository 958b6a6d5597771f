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


def json_element_sql(column: str) -> str:
    """SQL turning a JSON text ``column`` into one element of a JSON array: its text (``null`` if NULL) and ``,``.

    The Arrow data buffer of such a column is then the body of a JSON array of every value,
    which :func:`decode_elements` decodes with one ``orjson.loads`` call.
    """
    return f"coalesce({column}, 'null') || ','"


def decode_elements(column: pa.ChunkedArray) -> pd.Series:
    """Decode a column made by :func:`json_element_sql` into a Series of Python values (``object``).

    The strings' bytes are laid end to end in Arrow's data buffers, so joining the buffers
    gives ``v1,v2,...,vn,``: wrapped in brackets (less the last comma) it is one JSON array,
    decoded by one ``orjson.loads`` call. That is about 15 times faster than a call per value
    on 1,000,000 items (docs/performance.md).
    """
    pieces: list[bytes | memoryview] = [b"["]
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:
            raise ValueError("decode_elements needs a column without NULLs (see json_element_sql)")
        offsets_buf, data_buf = chunk.buffers()[1], chunk.buffers()[2]
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buf, dtype=width)
        start, end = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
        pieces.append(memoryview(data_buf)[start:end])
    if len(pieces) > 1:
        pieces[-1] = pieces[-1][:-1]  # the last value's comma
    pieces.append(b"]")
    return pd.Series(orjson.loads(b"".join(pieces)), dtype=object)


def decode_column(column: pa.ChunkedArray | pa.Array) -> pd.Series:
    """Decode a column of JSON text (NULL for absent) into a Series of Python values (``object``)."""
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column], type=column.type)
    filled = pa.chunked_array(
        [pc.binary_join_element_wise(pc.fill_null(c, "null"), "", ",") for c in column.chunks], type=column.type
    )
    return decode_elements(filled)
