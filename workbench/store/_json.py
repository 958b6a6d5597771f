"""JSON values as stored: text in Parquet, Python objects at the edges."""

from __future__ import annotations

from typing import Any

import orjson

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
