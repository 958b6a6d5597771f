"""JSON text inside a stored row, Python values outside it.

Records keep their JSON-valued fields (an output, tool calls, steps, details) as JSON text
in Parquet so that DuckDB's JSON functions can query them; everywhere else they are
Python values. Writing never fails on an odd value: an object JSON cannot hold is written
as its ``str`` (a run must not lose a unit over an exotic output).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def to_json(value: Any) -> str | None:
    """JSON text of ``value`` (unknown objects as their ``str``); ``None`` stays ``None`` (SQL NULL)."""
    if value is None:
        return None
    return orjson.dumps(value, default=str, option=_OPTIONS).decode()


def from_json(text: str | bytes | None) -> Any:
    """The value of stored JSON text; ``None`` (SQL NULL) stays ``None``.

    Text that is not JSON (a row written by hand) is returned as it is.
    """
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text.decode() if isinstance(text, bytes) else text


def from_json_many(texts: Iterable[Any]) -> list[Any]:
    """:func:`from_json` of many values at once (a column of a result or score table).

    ``orjson.loads`` is mapped over the column in C (no Python frame per value); only when
    some value is not JSON is each decoded on its own, keeping such text as it is. A value
    that is not text (``None``, or the NaN pandas uses for a missing string) is ``None``.
    """
    values = [t if isinstance(t, str | bytes) else "null" for t in texts]
    with _no_gc():
        try:
            return list(map(orjson.loads, values))
        except orjson.JSONDecodeError:
            return [None if t == "null" else from_json(t) for t in values]


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: JSON makes no cycles, and a column of objects made
    with it running triggers a collection every few hundred containers (over half the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
