"""What a target is given (an :class:`Item`) and what it gives back (a :class:`TargetResult`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import WorkbenchError
from workbench.providers._usage import Usage
from workbench.store._json import decode


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
class ToolCall:
    """One tool call made by an agent: what was asked, what came back, how long it took."""

    name: str
    arguments: Any
    step: int
    result: Any = None
    error: str | None = None
    latency_s: float = 0.0
    valid: bool = True
    """False when the arguments did not match the tool's schema (an incorrect call)."""
    call_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "name": self.name,
            "arguments": self.arguments,
            "step": self.step,
            "result": self.result,
            "error": self.error,
            "latency_s": self.latency_s,
            "valid": self.valid,
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


class PartialResultError(WorkbenchError):
    """A target that failed part-way, keeping what it did (tool calls, tokens, cost) for the record."""

    def __init__(self, kind: str, message: str, result: TargetResult) -> None:
        self.kind = kind
        self.result = result
        super().__init__(message)
