"""``scorer`` targets: run a scorer as the thing evaluated (judge alignment).

Each item holds what was judged (``input`` and ``output``) and, in
``expected_output``, the human verdict; the target's output is the scorer's verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.errors import ScorerError
from workbench.providers._context import CallContext
from workbench.scorers._base import Scorer, as_scorer
from workbench.specs import Spec
from workbench.targets._base import Target
from workbench.targets._types import Item, TargetResult


class ScorerTarget(Target):
    """Runs ``scorer`` on ``item.input`` / ``item.output``; its output is ``{"score", "reason"}``."""

    kind = "scorer"

    def __init__(self, scorer: Scorer | Callable[..., Any], *, name: str | None = None) -> None:
        self.scorer = as_scorer(scorer)
        self.name = name or self.scorer.name

    def spec(self) -> Spec:
        """Kind ``scorer`` and the scorer's own spec (in its dict form)."""
        return Spec(self.kind, self.name, {"scorer": self.scorer.spec().to_dict()})

    def check(self, item: Item) -> str | None:
        """An item for a scorer target needs the output that was judged."""
        return None if item.output is not None else "has no output to judge"

    async def run(self, item: Item, ctx: CallContext) -> TargetResult:
        """Score the item's output; a scorer error becomes the unit's error."""
        score = await self.scorer.ascore(
            input=item.input,
            output=item.output,
            expected=None,
            context=item.context,
            metadata=item.metadata,
            item_id=item.item_id,
        )
        if score.error is not None:
            raise ScorerError(f"scorer {self.scorer.name} failed: {score.error}")
        details = score.details
        usage = details.get("usage") if isinstance(details, dict) else None
        result = TargetResult(output={"score": score.score, "reason": score.reason})
        result.ai_generated = bool(details.get("judge_model")) if isinstance(details, dict) else False
        if isinstance(usage, dict):
            result.usage.input_tokens = int(usage.get("input_tokens", 0))
            result.usage.output_tokens = int(usage.get("output_tokens", 0))
        return result


def scorer(scorer: Scorer | Callable[..., Any], *, name: str | None = None) -> ScorerTarget:
    """A target that runs a scorer on each item's ``input``/``output`` (judge alignment)."""
    return ScorerTarget(scorer, name=name)
