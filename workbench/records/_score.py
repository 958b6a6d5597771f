"""``Score``: one scorer's verdict on one result, and its place in a stored result row."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa

from workbench.records._codec import from_json, to_json

SCORE_TYPE = pa.struct(
    [
        ("scorer", pa.string()),
        ("score", pa.float64()),
        ("reason", pa.string()),
        ("details", pa.string()),
        ("error", pa.string()),
    ]
)
"""A score as stored: one struct of a result row's ``scores`` list, ``details`` as JSON text."""


@dataclass(slots=True)
class Score:
    """One scorer's verdict on one result.

    Attributes:
        score: 0..1, or ``None`` when the scorer failed (see ``error``): a failure is never a silent 0.
        reason: why, in words.
        details: anything else worth keeping (each step's output, judge tokens...).
        error: what went wrong when the scorer could not score.

    Examples:
        >>> row = Score(1.0, "same text").to_row("exact")
        >>> row["scorer"], row["details"]
        ('exact', None)
        >>> Score.from_row(row)
        ('exact', Score(score=1.0, reason='same text', details={}, error=None))
    """

    score: float | None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    ARROW_TYPE: ClassVar[pa.StructType] = SCORE_TYPE
    """The stored form: :data:`SCORE_TYPE` (the scorer's name travels with its verdict)."""

    def to_row(self, scorer: str) -> dict[str, Any]:
        """The stored struct of this verdict by ``scorer`` (empty details as NULL, a NaN score as NULL)."""
        value = self.score
        return {
            "scorer": scorer,
            "score": value if value is None or math.isfinite(value) else None,
            "reason": self.reason,
            "details": to_json(self.details) if self.details else None,
            "error": self.error,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> tuple[str, Score]:
        """The scorer's name and its verdict from a stored struct (see :meth:`to_row`)."""
        details = from_json(row.get("details"))
        score = row.get("score")
        if isinstance(score, float) and math.isnan(score):
            score = None
        verdict = cls(
            score=None if score is None else float(score),
            reason=row.get("reason") or "",
            details=details if isinstance(details, dict) else ({} if details is None else {"value": details}),
            error=row.get("error"),
        )
        return str(row["scorer"]), verdict
