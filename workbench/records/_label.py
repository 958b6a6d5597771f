"""``Label``: the qualitative outcome given to one unit (item x repeat) of a run."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal, cast

import pyarrow as pa

from workbench.errors import InvalidLabelError

OUTCOMES: tuple[str, ...] = (
    "success",
    "partial_success",
    "failure_hallucination",
    "failure_tool_error",
    "failure_logic_bug",
    "failure_refusal",
    "failure_format",
    "error_infra",
)
"""The built-in outcome taxonomy; a store adds its own labels to it (``wb.add_labels``)."""

_LABEL_NAME = re.compile(r"[a-z0-9_]{1,64}")


def check_label_name(label: object) -> str:
    """``label`` if it can be a label (``[a-z0-9_]``, 1-64 characters), else :class:`InvalidLabelError`."""
    if not isinstance(label, str) or not _LABEL_NAME.fullmatch(label):
        raise InvalidLabelError(
            f"label {label!r} is not valid: a label is 1-64 lowercase letters, digits and '_' (e.g. failure_format)"
        )
    return label


Source = Literal["auto", "human"]
"""Who gave a label: a rule (``auto``) or a person (``human``)."""

LABEL_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("repeat", pa.int32()),
        ("label", pa.string()),
        ("source", pa.string()),
        ("author", pa.string()),
        ("note", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
    ]
)
"""One row per label given (history kept). The run is the folder the part lies in, not a column."""

LABEL_COLUMNS: tuple[str, ...] = tuple(LABEL_SCHEMA.names)


@dataclass(frozen=True)
class Label:
    """One label given to one unit.

    Attributes:
        item_id: the labelled item.
        repeat: which repeat of it.
        label: the outcome (``success``, ``failure_refusal``... or a name of ``[a-z0-9_]``).
        source: ``auto`` (a rule) or ``human``.
        author: who gave it (a user name, or ``auto_label``).
        note: why, in words (``""`` when nothing was said).
        created_at: when (UTC).
        run_id: the run the unit belongs to (not stored in the row: it is the part's folder).
    """

    item_id: str
    repeat: int
    label: str
    source: Source
    author: str | None
    note: str
    created_at: datetime
    run_id: str | None = None

    SCHEMA: ClassVar[pa.Schema] = LABEL_SCHEMA
    """The stored form: :data:`LABEL_SCHEMA`."""

    def to_row(self) -> dict[str, Any]:
        """The stored row (without ``run_id``)."""
        return {
            "item_id": self.item_id,
            "repeat": int(self.repeat),
            "label": self.label,
            "source": self.source,
            "author": self.author,
            "note": self.note,
            "created_at": self.created_at,
        }

    def to_dict(self) -> dict[str, Any]:
        """The label as plain values, ``run_id`` first."""
        return {"run_id": self.run_id, **self.to_row()}

    @classmethod
    def from_row(cls, row: Mapping[str, Any], run_id: str | None = None) -> Label:
        """A label from a stored row; ``run_id`` names the run it was read from."""
        return cls(
            item_id=str(row["item_id"]),
            repeat=int(row.get("repeat") or 0),
            label=str(row["label"]),
            source=cast("Source", row.get("source")),
            author=row.get("author"),
            note=row.get("note") or "",
            created_at=row["created_at"],
            run_id=run_id if run_id is not None else row.get("run_id"),
        )

    @classmethod
    def to_table(cls, labels: Iterable[Label]) -> pa.Table:
        """The stored rows of ``labels`` as one Arrow table with :data:`LABEL_SCHEMA`."""
        return pa.Table.from_pylist([label.to_row() for label in labels], schema=LABEL_SCHEMA)
