"""The demo's targets and scorers: two versions of a support pipeline, its order-lookup tool, two code scorers.

``answer_v1`` knows a small fact table. ``answer_v2`` adds an order-lookup tool call,
arithmetic and answers from the item's context — and, like many a second version,
trusts the context over the facts it knew, which costs it a few answers (the demo's
comparison shows them as regressions). ``examples/experiment.toml`` uses these too.
"""

from __future__ import annotations

import re
import time
from typing import Any

from workbench.targets import TargetResult, ToolCall, record_step

FACTS = {
    "capital of australia": "Canberra",
    "pride and prejudice": "Jane Austen",
    "chemical symbol for sodium": "Na",
    "currency is used in japan": "yen",
    "largest": "Pacific",
    "too many requests": "429",
}

ORDERS: dict[str, dict[str, str]] = {
    "A-1042": {"status": "shipped", "carrier": "DHL", "eta": "2026-03-04"},
    "B-2210": {"status": "delivered", "carrier": "UPS", "eta": "2026-02-20"},
    "B-7": {"status": "delivered", "carrier": "DHL", "eta": "2026-01-10"},
    "C-9": {"status": "in transit", "carrier": "FedEx", "eta": "2026-12-03"},
    "D-4471": {"status": "shipped", "carrier": "UPS", "eta": "2026-03-09"},
    "E-310": {"status": "processing", "carrier": "none yet", "eta": "unknown"},
    "F-88": {"status": "cancelled", "carrier": "none", "eta": "none"},
}
UNKNOWN = "Sorry, I can't answer that."
"""What the pipelines say when they do not know (auto-labelled as a refusal)."""
ORDER_ID = re.compile(r"\b[A-Z]-\d{1,6}\b")


def lookup_order(order_id: str) -> dict[str, str]:
    """Look up an order by its id: its status, carrier and estimated delivery date.

    Args:
        order_id: The order's id, e.g. A-1042.
    """
    found = ORDERS.get(order_id.strip().upper())
    if found is None:
        raise KeyError(f"order {order_id} not found")
    return {"order_id": order_id, **found}


def answer_v1(input: dict[str, Any]) -> str:  # noqa: A002 - the item's field
    """Look the question up in a small fact table."""
    text = str(input.get("question", "")).lower()
    for key, value in FACTS.items():
        if key in text:
            record_step("lookup", key=key)
            return value
    return UNKNOWN


def _order_answer(question: str) -> TargetResult | None:
    """Call ``lookup_order`` for the first order id in the question (v2 handles one order per question)."""
    match = ORDER_ID.search(question)
    if match is None:
        return None
    started = time.perf_counter()
    call = ToolCall(name="lookup_order", arguments={"order_id": match.group()}, step=0)
    try:
        order = lookup_order(match.group())
    except KeyError as exc:
        call.error = str(exc.args[0])
        text = f"Sorry, order {match.group()} was not found."
    else:
        call.result = order
        text = f"Order {match.group()} is {order['status']} (carrier {order['carrier']}, ETA {order['eta']})."
    call.latency_s = time.perf_counter() - started
    return TargetResult(output=text, tool_calls=[call])


def answer_v2(input: dict[str, Any], context: Any = None) -> str | TargetResult:  # noqa: A002 - the item's field
    """Orders through the lookup tool, then arithmetic, then the context's first sentence, then v1's facts."""
    question = str(input.get("question", ""))
    order = _order_answer(question)
    if order is not None:
        return order
    match = re.search(r"(\d+)\s*([*+x-])\s*(\d+)", question)
    if match:
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        record_step("arithmetic", op=op)
        return str(a * b if op in "*x" else a + b if op == "+" else a - b)
    if isinstance(context, str) and context:
        record_step("context", chars=len(context))
        return context.split(". ")[0].rstrip(".")
    return answer_v1(input)


def _answer_of(expected: Any) -> str:
    if isinstance(expected, dict):
        return str(expected.get("answer") or "")
    return str(expected or "")


def correct(output: Any, expected: Any) -> tuple[float, str]:
    """1 when the expected answer appears in the output (case-insensitive), with a reason.

    ``expected`` is the answer, or an object with an ``answer`` (and ``tool_calls``).
    """
    want = _answer_of(expected)
    got = str(output or "").lower()
    if want and want.lower() in got:
        return 1.0, f"contains {want!r}"
    return 0.0, f"expected {want!r}, got {str(output)[:60]!r}"


def concise(output: Any) -> float:
    """1 for answers of at most 12 words, falling linearly to 0 at 40."""
    words = len(str(output or "").split())
    return 1.0 if words <= 12 else max(0.0, 1 - (words - 12) / 28)
