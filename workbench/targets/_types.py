"""What a target is given (an :class:`Item`) and what it gives back (a :class:`TargetResult`).

``ToolCall`` lives with the stored records (:mod:`workbench.records`) and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.providers._usage import Usage
from workbench.records._result import ToolCall
from workbench.store._json import decode

__all__ = ["Item", "PartialResultError", "TargetResult", "ToolCall"]


@dataclass(frozen=True)
class Item:
    """One test case as a target sees it: decoded JSON fields."""

    item_id: str
    input: Any
    expected_output: Any = None
    context: Any = None
    metadata: Any = None
    output: Any = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Item:
        """An item from a stored row (``item_id`` plus JSON text fields)."""
        return cls(
            item_id=row["item_id"],
            input=decode(row["input"]),
            expected_output=decode(row["expected_output"]),
            context=decode(row["context"]),
            metadata=decode(row["metadata"]),
            output=decode(row["output"]),
        )

    def fields(self) -> dict[str, Any]:
        """The item as a dict (for templates and scorers)."""
        return {
            "item_id": self.item_id,
            "input": self.input,
            "expected_output": self.expected_output,
            "context": self.context,
            "metadata": self.metadata,
            "output": self.output,
        }


@dataclass
class TargetResult:
    """What a target produced for one item."""

    output: Any = None
    usage: Usage = field(default_factory=Usage)
    cost: float | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    model: str | None = None
    cache_hit: bool = False
    ai_generated: bool = False
    attempts: int = 1
    latency_s: float | None = None
    """Seconds the target took (set by the runner before scoring, for latency budgets)."""


class PartialResultError(Exception):
    """A target that failed part-way, keeping what it did (tool calls, tokens, cost) for the record."""

    def __init__(self, kind: str, message: str, result: TargetResult) -> None:
        self.kind = kind
        self.result = result
        super().__init__(message)
