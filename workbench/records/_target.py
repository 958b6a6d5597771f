"""What a target gives back for one item (:class:`TargetResult`), and a failure that keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.errors import WorkbenchError
from workbench.records._result import ToolCall
from workbench.records._usage import Usage


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


__all__ = ["PartialResultError", "TargetResult"]
