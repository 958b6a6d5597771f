"""Two versions of a toy question-answering pipeline and two scorers (the demo's, and examples/experiment.toml's)."""

from __future__ import annotations

import re
from typing import Any

from workbench.targets import record_step

FACTS = {
    "capital of australia": "Canberra",
    "pride and prejudice": "Jane Austen",
    "chemical symbol for sodium": "Na",
    "currency is used in japan": "yen",
    "largest": "Pacific",
    "too many requests": "429",
}


def answer_v1(input: dict[str, Any]) -> str:  # noqa: A002 - the item's field
    """Look the question up in a small fact table."""
    text = str(input.get("question", "")).lower()
    for key, value in FACTS.items():
        if key in text:
            record_step("lookup", key=key)
            return value
    return "I don't know"


def answer_v2(input: dict[str, Any], context: Any = None) -> str:  # noqa: A002 - the item's field
    """v1, plus arithmetic, plus the context's first sentence when there is one."""
    question = str(input.get("question", ""))
    found = answer_v1(input)
    if found != "I don't know":
        return found
    match = re.search(r"(\d+)\s*([*+x-])\s*(\d+)", question)
    if match:
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        record_step("arithmetic", op=op)
        return str(a * b if op in "*x" else a + b if op == "+" else a - b)
    if isinstance(context, str) and context:
        record_step("context", chars=len(context))
        return context.split(". ")[0].rstrip(".")
    return found


def correct(output: Any, expected: Any) -> tuple[float, str]:
    """1 when the expected answer appears in the output (case-insensitive), with a reason."""
    got, want = str(output or "").lower(), str(expected or "").lower()
    if want and want in got:
        return 1.0, f"contains {expected!r}"
    return 0.0, f"expected {expected!r}, got {str(output)[:60]!r}"


def concise(output: Any) -> float:
    """1 for answers of at most 12 words, falling linearly to 0 at 40."""
    words = len(str(output or "").split())
    return 1.0 if words <= 12 else max(0.0, 1 - (words - 12) / 28)
