"""What a target is given (an :class:`Item`) and what it gives back (a :class:`TargetResult`).

``Item`` lives in :mod:`workbench.records` (it owns its Arrow schema and row conversion); it is
re-exported here for ``workbench.targets.Item``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.providers._usage import Usage
from workbench.records import Item as Item  # noqa: PLC0414 - re-exported: workbench.targets.Item


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


class PartialResultError(Exception):
    """A target that failed part-way, keeping what it did (tool calls, tokens, cost) for the record."""

    def __init__(self, kind: str, message: str, result: TargetResult) -> None:
        self.kind = kind
        self.result = result
        super().__init__(message)
