"""One registry: every target and scorer says what it is (``spec()``) and is built again from it by ``build``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from workbench import ValidationError, Workbench, scorers, targets
from workbench.scorers import Scorer, build_scorer
from workbench.specs import REGISTRY, Spec, build, scorer_spec_from_table, scorer_spec_to_table
from workbench.targets import Target, Tool, build_target


def double(x: int) -> int:
    """Double a number.

    Args:
        x: the number.
    """
    return 2 * x


def same(output: Any, expected: Any) -> bool:
    return bool(output == expected)


def first_letter(output: str) -> str:
    return output[:1]


class Shouty(Scorer):
    """A subclass made with no arguments."""

    name = "shouty"

    async def evaluate(self, **arguments: Any) -> scorers.Score:
        return scorers.Score(1.0 if str(arguments["output"]).isupper() else 0.0)


TARGETS = [
    pytest.param(targets.function(double, name="doubler", threaded=False), id="function"),
    pytest.param(targets.model("openai:sim-1", prompt="answer@2", system="Be brief.", temperature=0), id="model"),
    pytest.param(targets.agent("openai:sim-1", tools=[double], max_steps=3, base_url="http://h/v1"), id="agent"),
    pytest.param(targets.scorer(scorers.rubric("Kind?", model="openai:j", pass_mark=0.5)), id="scorer-judge"),
    pytest.param(targets.scorer(scorers.contains("x"), name="has_x"), id="scorer-builtin"),
    pytest.param(targets.scorer(scorers.scorer(same)), id="scorer-function"),
]


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_kind_is_built_again_from_its_spec(target: Target) -> None:
    spec = target.spec()
    again = build_target(Spec.from_dict(spec.to_dict()))
    assert type(again) is type(target)
    assert again.spec() == spec
    assert again.name == target.name


SCORERS = [
    *(pytest.param(factory, id=kind) for kind, factory in [
        ("exact_match", lambda: scorers.exact_match(punctuation=True)),
        ("regex", lambda: scorers.regex(r"\d+", full=True, name="digits")),
        ("latency_budget", lambda: scorers.latency_budget(2.5)),
        ("judge_correctness", lambda: scorers.judge_correctness(model="openai:j", output="score")),
        ("faithfulness", lambda: scorers.faithfulness(model="openai:j", base_url="http://h/v1")),
        ("answer_relevancy", lambda: scorers.answer_relevancy(model="openai:j", direction="higher")),
        ("llm_judge", lambda: scorers.llm_judge("Rate {{ output }}", model="openai:j", output="pass_fail")),
        ("function", lambda: scorers.scorer(same, name="eq", direction="lower", pass_mark=0.2)),
        ("pipeline", lambda: Scorer("p", preprocess=first_letter, score=same, pass_mark=1)),
        ("pipeline-judge", lambda: Scorer("pj", score=scorers.Judge("{{ output }}", model="openai:j"))),
        ("class", Shouty),
    ]),
]  # fmt: skip


@pytest.mark.parametrize("make", SCORERS)
def test_every_scorer_kind_is_built_again_from_its_spec(make: Any) -> None:
    scorer = make()
    spec = scorer.spec()
    assert {"direction", "pass_mark"} <= set(spec.args)
    again = build_scorer(Spec.from_dict(spec.to_dict()))
    assert type(again) is type(scorer)
    assert again.spec() == spec


def test_the_registry_lists_target_kinds_built_ins_and_judges() -> None:
    assert REGISTRY.kinds("target") == ["agent", "function", "model", "scorer"]
    assert "contains" in REGISTRY.kinds("scorer", "builtin")
    assert REGISTRY.kinds("scorer", "judge") == [
        "answer_relevancy",
        "faithfulness",
        "judge_correctness",
        "llm_judge",
        "rubric",
    ]


@pytest.mark.parametrize(
    ("spec", "role", "message"),
    [
        (Spec("containz", "c"), "scorer", r"unknown scorer kind 'containz' \(valid: answer_relevancy, class, "),
        (Spec("contains", "c", {"substr": "x"}), "scorer", r"contains has no parameter 'substr' \(valid: substring,"),
        (Spec("rubric", "r", {"model": "openai:j"}), "scorer", r"scorer 'r': rubric needs 'criteria'"),
        (Spec("contains", "c", {"direction": "up"}), "scorer", r"direction must be 'higher' or 'lower', not 'up'"),
        (Spec("contains", "c", {"pass_mark": 2}), "scorer", r"pass_mark must be a number in 0..1"),
        (Spec("contains", "c", {"match": "fuzzy"}), "scorer", r"match must be 'word' or 'substring', not 'fuzzy'"),
        (Spec("function", "f", {"function": None}), "scorer", r"scorer 'f' \(function\): no import path"),
        (Spec("function", "f", {"function": "nowhere:f"}), "target", r"No module named 'nowhere'"),
        (Spec("model", "m", {"model": "gpt-4"}), "target", r"target 'm' \(model\): .*'gpt-4'"),
        (Spec("function", "t"), "target", r"target 't': function needs 'function'"),
    ],
)
def test_bad_specs_are_one_line_errors_with_the_valid_choices(spec: Spec, role: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        build(spec, role)
    assert "\n" not in str(caught.value)


def test_a_built_in_factory_imported_as_a_function_says_how_to_declare_it() -> None:
    with pytest.raises(ValidationError, match='exact_match is a built-in scorer: write builtin = "exact_match"'):
        build_scorer(Spec("function", "x", {"function": "workbench.scorers:exact_match"}))


def test_an_imported_scorer_object_keeps_its_kind_and_takes_the_marks() -> None:
    made = build_scorer(Spec("function", "strict", {"function": f"{__name__}:STRICT", "pass_mark": 0.5}))
    assert made is not STRICT
    assert (made.name, made.pass_mark, made.spec().kind) == ("strict", 0.5, "exact_match")
    assert STRICT.pass_mark == 1.0


STRICT = scorers.exact_match(normalize=False)


def test_contains_takes_its_match_option_from_a_table() -> None:
    word = build_scorer(scorer_spec_from_table({"builtin": "contains", "substring": "no"}))
    loose = build_scorer(scorer_spec_from_table({"builtin": "contains", "substring": "no", "match": "substring"}))
    assert (word.spec()["match"], loose.spec()["match"]) == ("word", "substring")
    assert asyncio.run(word.ascore(output="I don't know")).score == 0.0
    assert asyncio.run(loose.ascore(output="I don't know")).score == 1.0
    with pytest.raises(
        ValidationError, match=r"^x: contains has no parameter 'matching' \(valid: substring, normalize, all, match,"
    ):
        scorer_spec_from_table({"builtin": "contains", "matching": "substring"}, "x")


def test_the_short_form_of_scorers() -> None:
    spec = scorer_spec_from_table({"builtin": "contains", "substring": "x", "pass_mark": 1})
    assert spec == Spec("contains", "contains", {"substring": "x", "pass_mark": 1})
    judge = scorer_spec_from_table({"judge": "rubric", "model": "openai:j", "criteria": "Kind?", "name": "kind"})
    assert (judge.kind, judge.name) == ("rubric", "kind")
    assert scorer_spec_from_table(scorer_spec_to_table(judge)) == judge
    fn = scorer_spec_from_table({"function": f"{__name__}:same", "direction": "lower"})
    assert fn == Spec("function", "same", {"function": f"{__name__}:same", "direction": "lower"})
    assert scorer_spec_from_table(scorer_spec_to_table(fn)) == fn


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"builtin": "containz"}, r"x\.builtin: unknown builtin scorer 'containz' \(valid: completeness, contains,"),
        ({"judge": "contains"}, r"x\.judge: unknown judge scorer 'contains' \(valid: answer_relevancy,"),
        ({"builtin": "contains", "judge": "rubric"}, r"x: needs exactly one of builtin ="),
        ({"name": "lonely"}, r"x: needs one of builtin = \"NAME\", judge = \"NAME\" or function ="),
        ({"builtin": "regex"}, r"x: regex needs 'pattern'"),
        ({"function": "nowhere:f"}, r"x\.function: cannot import 'nowhere:f'"),
    ],
)
def test_bad_short_forms_name_the_table_and_the_valid_choices(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        scorer_spec_from_table(table, "x")


def test_the_ui_registry_takes_specs_and_short_forms(wb: Workbench) -> None:
    entry = wb.register({"judge": "rubric", "model": "openai:j", "criteria": "Kind?", "name": "kind"})
    assert (entry.name, entry.role, entry.kind) == ("kind", "scorer", "rubric")
    wb.register({"builtin": "contains", "substring": "x"})
    described = dict(zip(wb.registered()["name"], wb.registered()["description"], strict=True))
    assert described == {"kind": "rubric judge on openai:j", "contains": "built-in contains"}
    target = wb.register(targets.scorer(scorers.contains("x")).spec())
    assert (target.role, target.kind) == ("target", "scorer")
    with pytest.raises(ValidationError, match="say kind='target' or kind='scorer'"):
        wb.register(Spec("function", "f", {"function": f"{__name__}:double"}))
    fn = wb.register(Spec("function", "f", {"function": f"{__name__}:double"}), kind="target")
    assert isinstance(fn.obj, Target)


def test_tools_are_found_again_by_import_path() -> None:
    agent = targets.agent("openai:sim-1", tools=[Tool.from_function(double, name="twice")])
    again = build_target(agent.spec())
    assert list(again.tools) == ["twice"]  # type: ignore[attr-defined]


DECLARED = targets.model("openai:sim-1", prompt="answer@1")


def test_a_target_object_found_by_import_path_is_used_as_it_is() -> None:
    made = build_target(Spec("function", "mine", {"function": f"{__name__}:DECLARED"}))
    assert (made.kind, made.name, DECLARED.name) == ("model", "mine", "openai:sim-1/answer@1")
    assert made.spec().args["prompt"] == "answer@1"
