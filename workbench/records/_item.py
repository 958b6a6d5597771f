"""An item: one test case of a dataset, as a target, a scorer and a user see it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson
import pyarrow as pa

from workbench.errors import NotFoundError

ITEM_FIELDS = ("input", "expected_output", "context", "metadata", "output")
"""The JSON fields of an item, in display order."""

ITEM_SCHEMA = pa.schema([("item_id", pa.string()), *[(f, pa.string()) for f in ITEM_FIELDS]])
"""An item as stored: its id and each field as JSON text (NULL when absent)."""


def _decode(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def _encode(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


_KEYS = ("item_id", *ITEM_FIELDS, "version")


@dataclass(frozen=True)
class Item(Mapping[str, Any]):
    """One test case: plain Python values (a JSON string is ``str``, an object ``dict``, absent ``None``).

    Read it by attribute (``item.input``) or as a read-only mapping (``item["input"]``,
    ``item.get("context")``, ``{**item}``, ``dict(item)``), so it goes wherever a dict of an
    item's fields went (``prompt.render(item)``). Its keys are ``item_id``, the fields and
    ``version``; a key of an object input is read through it: ``item["input"]["question"]``
    (asking the item itself for ``"question"`` raises an error that says so).

    Attributes:
        item_id: the item's id, unique in its dataset.
        input: what the target is given (required).
        expected_output: the reference answer, if any.
        context: retrieved passages or other context, if any.
        metadata: free-form facts about the item (source, difficulty...).
        output: a stored output (for scoring a fixed output), if any.
        version: the dataset version that last changed the item, when read from a dataset.
    """

    item_id: str
    input: Any
    expected_output: Any = None
    context: Any = None
    metadata: Any = None
    output: Any = None
    version: int | None = None

    SCHEMA: ClassVar[pa.Schema] = ITEM_SCHEMA

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Item:
        """An item from a stored row (``item_id``, JSON text fields, optionally ``version``)."""
        version = row.get("version")
        return cls(
            item_id=row["item_id"],
            input=_decode(row["input"]),
            expected_output=_decode(row.get("expected_output")),
            context=_decode(row.get("context")),
            metadata=_decode(row.get("metadata")),
            output=_decode(row.get("output")),
            version=None if version is None else int(version),
        )

    def to_row(self) -> dict[str, str | None]:
        """The stored form: ``item_id`` and each field as JSON text (``None`` when absent)."""
        return {"item_id": self.item_id, **{f: _encode(getattr(self, f)) for f in ITEM_FIELDS}}

    def __getitem__(self, key: str) -> Any:
        if key not in _KEYS:
            raise NotFoundError(f"item {self.item_id!r} has no key {key!r} (use {', '.join(_KEYS)}){self._hint(key)}")
        return getattr(self, key)

    def __getattr__(self, name: str) -> Any:
        # only reached for a missing attribute; never for dunders (copy and pickle probe those)
        if name.startswith("_"):
            raise AttributeError(name)
        hint = self._hint(name) if "input" in vars(self) else ""
        raise AttributeError(f"Item has no attribute {name!r} (it has {', '.join(_KEYS)}){hint}")

    def _hint(self, key: str) -> str:
        """Where a missing key is when it is one of an object input's (``item["input"]["question"]``)."""
        value = vars(self).get("input")
        if isinstance(value, Mapping) and key in value:
            return f"; the input has it: item['input'][{key!r}]"
        return ""

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    def fields(self) -> dict[str, Any]:
        """The item as a dict of ``item_id`` and its fields (for templates and scorers)."""
        return {"item_id": self.item_id, **{f: getattr(self, f) for f in ITEM_FIELDS}}
