"""A scorer knows its direction and pass mark; both go into the run's manifest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.runs._support import make_dataset
from workbench import ValidationError, Workbench, scorers
from workbench.scorers import Score, Scorer, scorer


def close(output: int, expected: int) -> float:
    return min(1.0, abs(output - expected) / 10)


class Plain(Scorer):
    """A subclass that sets neither: higher is better, no pass mark."""

    def __init__(self) -> None:
        self.name = "plain"

    async def evaluate(self, **arguments: Any) -> Score:
        return Score(1.0)


@pytest.mark.parametrize(
    ("made", "pass_mark"),
    [
        (scorers.exact_match(), 1.0),
        (scorers.contains("x"), 1.0),
        (scorers.regex("x"), 1.0),
        (scorers.valid_json(), 1.0),
        (scorers.json_schema({"type": "object"}), 1.0),
        (scorers.numeric(), 1.0),
        (scorers.similarity(), None),
        (scorers.similarity(threshold=0.8), 1.0),
        (scorers.keyword_coverage(["a"]), None),
        (scorers.completeness(["a"]), None),
        (scorers.tool_calls(), None),
        (scorers.latency_budget(2), 1.0),
        (scorers.cost_budget(0.01), 1.0),
        (scorers.judge_correctness(model="openai:j"), 1.0),
        (scorers.judge_correctness(model="openai:j", output="score"), None),
        (scorers.rubric("c", model="openai:j"), None),
        (scorer(close), None),
        (Plain(), None),
    ],
)
def test_built_ins_have_sensible_defaults(made: Scorer, pass_mark: float | None) -> None:
    assert (made.direction, made.pass_mark) == ("higher", pass_mark)
    assert (made.spec().args["direction"], made.spec().args["pass_mark"]) == ("higher", pass_mark)


def test_direction_and_pass_mark_are_set_on_any_scorer() -> None:
    assert (scorer(close, direction="lower", pass_mark=0.2).direction, scorer(close, pass_mark=1).pass_mark) == (
        "lower",
        1.0,
    )
    assert scorers.latency_budget(1, pass_mark=0.5).pass_mark == 0.5
    assert Scorer("p", score=close, direction="lower").direction == "lower"
    assert scorers.rubric("c", model="openai:j", pass_mark=0.75).spec().args["pass_mark"] == 0.75


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: scorer(close, direction="down"),  # type: ignore[arg-type]  # the mistake under test
            r"scorer close: direction must be 'higher' or 'lower', not 'down'",
        ),
        (lambda: scorers.contains("x", pass_mark=1.5), r"scorer contains: pass_mark must be a number in 0..1"),
        (lambda: scorers.exact_match(pass_mark=True), r"pass_mark must be a number in 0..1 or None, not True"),
    ],
)
def test_bad_marks_are_one_line_errors(make: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make()


def test_every_scorer_dict_of_the_manifest_carries_direction_and_pass_mark(wb: Workbench) -> None:
    make_dataset(wb, 3)
    chosen = [scorer(close, direction="lower", pass_mark=0.1), scorers.numeric(), Plain()]
    run = wb.run_sync("d", lambda x: x * 2, scorers=chosen, progress=False)
    stored = json.loads((run.folder / "manifest.json").read_text())["scorers"]
    assert [(s["name"], s["direction"], s["pass_mark"]) for s in stored] == [
        ("close", "lower", 0.1),
        ("numeric", "higher", 1.0),
        ("plain", "higher", None),
    ]
    assert run.manifest.spec.scorers[0].args["direction"] == "lower"
