"""The four-step scorer pipeline: plain function steps, data flow, errors, ctx."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.runs._support import make_dataset
from workbench import Workbench
from workbench.providers._context import CallContext
from workbench.scorers._base import FunctionScorer, Score, Scorer


def words(output: str) -> list[str]:
    return output.lower().split()


async def overlap(preprocessed: list[str], expected: str) -> dict[str, Any]:
    await asyncio.sleep(0)
    want = set(expected.lower().split())
    return {"hits": sorted(want & set(preprocessed)), "want": len(want)}


def share(analysis: dict[str, Any]) -> float:
    return len(analysis["hits"]) / int(analysis["want"])


def explain(analysis: dict[str, Any], score: float) -> str:
    return f"{len(analysis['hits'])} of {analysis['want']} words ({score:.2f})"


def test_a_pipeline_of_functions_passes_each_output_on_and_records_the_steps() -> None:
    s = Scorer("words", preprocess=words, analyze=overlap, score=share, reason=explain)
    got = s.score(output="The cat sat", expected="cat sat down now")
    assert got.error is None
    assert got.score == 0.5
    assert got.reason == "2 of 4 words (0.50)"
    assert got.details["steps"] == {
        "preprocess": ["the", "cat", "sat"],
        "analyze": {"hits": ["cat", "sat"], "want": 4},
        "score": 0.5,
        "reason": "2 of 4 words (0.50)",
    }
    assert s.spec().kind == "pipeline"
    assert set(s.spec().args["steps"]) == {"preprocess", "analyze", "score", "reason"}


def test_only_score_is_required_and_its_reason_is_kept() -> None:
    s = Scorer("exact", score=lambda output, expected: (output == expected, "compared"))
    got = s.score(output="a", expected="a")
    assert (got.score, got.reason, got.error) == (1.0, "compared", None)
    assert got.details["steps"] == {"score": [True, "compared"]}


def test_a_pipeline_needs_a_score_step_and_known_names() -> None:
    with pytest.raises(TypeError, match="score= step"):
        Scorer("x", preprocess=words)
    with pytest.raises(TypeError, match="unknown 'nope'"):
        Scorer("x", score=lambda nope: 1.0)
    with pytest.raises(TypeError, match="unknown 'analysis'"):
        Scorer("x", preprocess=lambda analysis: 1, score=share)


@pytest.mark.parametrize("failing", ["preprocess", "analyze", "score", "reason"])
def test_a_step_that_raises_is_an_error_naming_the_step_never_a_zero(failing: str) -> None:
    def boom(**_: Any) -> Any:
        raise ValueError("broken step")

    steps: dict[str, Any] = {"preprocess": words, "analyze": overlap, "score": share, "reason": explain}
    steps[failing] = boom
    got = Scorer("p", **steps).score(output="a b", expected="a c")
    assert got.score is None
    assert got.error == f"{failing}: ValueError: broken step"


def test_a_score_step_returning_garbage_is_an_error() -> None:
    got = Scorer("p", score=lambda output: 7).score(output="x")
    assert got.score is None
    assert got.error is not None
    assert got.error.startswith("score: ")
    assert "7" in got.error


def test_subclasses_overriding_evaluate_still_work() -> None:
    class Named(Scorer):
        name = "named"

        async def evaluate(self, *, input: Any, output: Any, **_: Any) -> Score:  # type: ignore[override]  # noqa: A002
            return Score(1.0 if output == input else 0.0, "same")

    class Strict(Scorer):
        async def evaluate(  # type: ignore[override]  # naming every argument: no ctx for it
            self,
            *,
            input: Any,  # noqa: A002
            output: Any,
            expected: Any,
            context: Any,
            metadata: Any,
            item_id: Any,
            result: Any,
        ) -> Score:
            return Score(0.25)

    assert Named().score(input=1, output=1).score == 1.0
    assert Strict().score(output=1).score == 0.25
    assert Scorer().score(output=1).error is not None


def test_function_scorers_get_ctx_only_when_they_name_it() -> None:
    seen: dict[str, Any] = {}

    def loose(**kwargs: Any) -> float:
        seen["loose"] = set(kwargs)
        return 1.0

    def wants(ctx: CallContext | None, output: int) -> float:
        seen["wants"] = ctx
        return 1.0

    assert FunctionScorer(loose).score(output=1).score == 1.0
    assert "ctx" not in seen["loose"]
    assert FunctionScorer(wants).score(output=1).score == 1.0
    assert "wants" in seen


def test_a_pipeline_step_sees_the_run_ctx_and_scores_in_a_run(wb: Workbench) -> None:
    make_dataset(wb, 3)
    seen: list[bool] = []

    def double(x: int) -> int:
        return x * 2

    def check(output: int, expected: int, ctx: CallContext | None) -> bool:
        seen.append(isinstance(ctx, CallContext))
        return output == expected

    s = Scorer("check", preprocess=lambda output: output, score=check)
    run = wb.run_sync("d", double, scorers=[s])
    df = run.results()
    assert (df["score_check"] == 1.0).all()
    assert seen == [True, True, True]
