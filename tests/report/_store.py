"""A small store for the report tests: two versions of a support bot, a third run later, a judge run.

The targets and scorers are module-level functions so the runs' manifests can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench import Workbench, targets
from workbench.scorers import scorer

ANSWERS = {
    "s01": ("Where is order A-1?", "Shipped"),
    "s02": ("Where is order A-2?", "Delivered"),
    "s03": ("Where is order A-3?", "In transit"),
    "s04": ("Can I return shoes?", "Yes, within 30 days"),
    "s05": ("Do you ship to Canada?", "Yes"),
    "s06": ("What is 6 * 7?", "42"),
    "s07": ("What is 12 + 30?", "42"),
    "s08": ("Capital of France?", "Paris"),
    "s09": ("Capital of Japan?", "Tokyo"),
    "s10": ("How do I reset my password?", "Use the reset link"),
    "s11": ("Is there a student discount?", "No"),
    "s12": ("What are your opening hours?", "9 to 5"),
}
XSS = "<script>alert('x')</script>"
"""An output that must appear escaped in every report."""


def bot_v1(input: dict[str, Any], item_id: str) -> str:  # noqa: A002 - the item's field
    """Knows the first half of the answers, and the opening hours."""
    n = int(item_id[1:])
    return ANSWERS[item_id][1] if n <= 6 or item_id == "s12" else "I don't know"


def bot_v2(input: dict[str, Any], item_id: str) -> str:  # noqa: A002 - the item's field
    """Knows more, but forgets s02 and answers s12 with markup."""
    if item_id == "s02":
        return "I don't know"
    if item_id == "s12":
        return XSS
    return ANSWERS[item_id][1]


def correct(output: Any, expected: Any) -> tuple[float, str]:
    """1 when the expected answer is in the output."""
    ok = str(expected).lower() in str(output).lower()
    return (1.0 if ok else 0.0), ("contains the answer" if ok else f"expected {expected!r}")


def brief(output: Any) -> float:
    """1 for answers of at most four words."""
    return 1.0 if len(str(output).split()) <= 4 else 0.5


def length_judge(output: Any) -> tuple[float, str]:
    """A stand-in judge: passes answers longer than two characters."""
    return (1.0 if len(str(output)) > 2 else 0.0), "long enough" if len(str(output)) > 2 else "too short"


@dataclass(frozen=True)
class FixtureStore:
    """The store and the ids of its runs."""

    root: Path
    v1: str
    v2: str
    v3: str
    judge: str
    labelled: str


def build_store(root: Path) -> FixtureStore:
    """Create the datasets and runs (a few seconds: function targets only)."""
    wb = Workbench(root)
    ds = wb.create_dataset("support", description="Support questions")
    ds.add_items(
        [{"item_id": k, "input": {"question": q}, "expected_output": a} for k, (q, a) in ANSWERS.items()],
        message="first cases",
    )
    scorers = [scorer(correct), scorer(brief)]
    options: dict[str, Any] = {"scorers": scorers, "progress": False, "cache": False}
    v1 = wb.run_sync(ds, targets.function(bot_v1, name="bot-v1"), **options)
    v2 = wb.run_sync(ds, targets.function(bot_v2, name="bot-v2"), **options)
    ds.add_items([{"item_id": "s13", "input": {"question": "Gift cards?"}, "expected_output": "Yes"}])
    v3 = wb.run_sync(ds, targets.function(bot_v2, name="bot-v2"), **options)
    for run in (v1, v2, v3):
        run.auto_label()

    cases = wb.create_dataset("judge-cases", description="Outputs with a human verdict")
    verdicts = [("Paris", "pass"), ("no", "fail"), ("Tokyo", "pass"), ("ok", "pass"), ("42", "pass"), ("x", "fail")]
    cases.add_items(
        [
            {"item_id": f"j{i}", "input": {"question": "q"}, "output": out, "expected_output": human}
            for i, (out, human) in enumerate(verdicts)
        ]
    )
    judge = wb.run_sync(cases, targets.scorer(scorer(length_judge)), progress=False, cache=False)

    labelled = wb.run_sync(
        ds, targets.function(bot_v1, name="bot-v1"), scorers=[scorer(length_judge, name="judge_length")],
        progress=False, cache=False,
    )  # fmt: skip
    for item_id in ("s01", "s02", "s07", "s08"):
        labelled.label(item_id, "success" if int(item_id[1:]) <= 6 else "failure_logic_bug", author="tester")
    return FixtureStore(root, v1.id, v2.id, v3.id, judge.id, labelled.id)
