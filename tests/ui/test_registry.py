"""``wb.register``: what the panels offer as targets and scorers."""

from __future__ import annotations

from typing import Any

import pytest

from workbench import ValidationError, Workbench, scorer, scorers, targets
from workbench.targets import FunctionTarget, ModelTarget, ScorerTarget


def double(x: int) -> int:
    return 2 * x


def same(output: Any, expected: Any) -> bool:
    return bool(output == expected)


def test_a_plain_function_becomes_a_function_target(wb: Workbench) -> None:
    entry = wb.register(double)
    assert (entry.name, entry.role, entry.kind) == ("double", "target", "function")
    target = wb.registry.target("double")
    assert isinstance(target, FunctionTarget)
    assert target.fn is double


def test_a_function_naming_output_or_expected_becomes_a_scorer(wb: Workbench) -> None:
    entry = wb.register(same)
    assert (entry.name, entry.role) == ("same", "scorer")
    assert wb.registry.scorer("same").score(output=4, expected=4).score == 1.0


def test_kind_overrides_the_guess(wb: Workbench) -> None:
    wb.register(lambda input: input, name="echo_scorer", kind="scorer")  # noqa: A006
    wb.register(same, name="same_target", kind="target")
    assert list(wb.registry.scorers()) == ["echo_scorer"]
    assert list(wb.registry.targets()) == ["same_target"]


def test_targets_and_scorers_of_every_kind_are_listed_by_kind(wb: Workbench) -> None:
    wb.register(targets.function(double, name="pipeline"))
    wb.register(targets.model("openai:sim-1", prompt="answer@1"))
    wb.register(targets.agent("openai:sim-1", tools=[double]), name="agent")
    wb.register(targets.scorer(same, name="judge_alignment"))
    wb.register(scorers.exact_match())
    wb.register(scorer(same), name="same")
    table = wb.registered()
    assert list(table.columns) == ["name", "role", "kind", "description"]
    rows = {(r.name, r.role, r.kind) for r in table.itertuples()}
    assert rows == {
        ("pipeline", "target", "function"),
        ("openai:sim-1/answer@1", "target", "model"),
        ("agent", "target", "agent"),
        ("judge_alignment", "target", "scorer"),
        ("exact_match", "scorer", scorers.exact_match().spec()["kind"]),
        ("same", "scorer", "function"),
    }
    described = dict(zip(table["name"], table["description"], strict=True))
    assert described["openai:sim-1/answer@1"] == "openai:sim-1 with prompt answer@1"
    assert described["pipeline"] == f"{__name__}:double"


def test_a_model_targets_description_names_its_base_url(wb: Workbench) -> None:
    [entry] = wb.registry.add_models(["openai:sim-large"], base_url="http://127.0.0.1:9/v1")
    described = dict(zip(wb.registered()["name"], wb.registered()["description"], strict=True))
    assert described[entry.name] == "openai:sim-large at http://127.0.0.1:9/v1"


def test_a_scorer_registered_as_target_is_a_scorer_target(wb: Workbench) -> None:
    entry = wb.register(scorer(same), name="align", kind="target")
    assert entry.role == "target"
    assert isinstance(entry.obj, ScorerTarget)


def test_registering_a_name_again_replaces_it(wb: Workbench) -> None:
    wb.register(double, name="t")
    wb.register(lambda x: x, name="t")
    assert len(wb.registry.targets()) == 1
    assert wb.registry.target("t").fn(3) == 3  # type: ignore[attr-defined]


def test_model_targets_for_every_model_and_prompt_version(wb: Workbench) -> None:
    entries = wb.registry.add_models(["openai:sim-1", "anthropic:sim-2"], prompts=["a@1", "a@2"])
    assert [e.name for e in entries] == [
        "openai:sim-1/a@1",
        "openai:sim-1/a@2",
        "anthropic:sim-2/a@1",
        "anthropic:sim-2/a@2",
    ]
    assert all(isinstance(e.obj, ModelTarget) for e in entries)


@pytest.mark.parametrize(
    ("obj", "kwargs", "message"),
    [
        (42, {}, r"cannot register 42 \(int\): pass a target"),
        ("openai:gpt", {}, r"cannot register 'openai:gpt' \(str\)"),
        (FunctionTarget, {}, r"cannot register .*FunctionTarget"),
        (lambda: 1, {"name": "nothing"}, r"cannot register nothing as a target: .*takes no argument"),
        (lambda output, wrong: 1, {"name": "bad"}, r"cannot register bad as a scorer: .*unknown parameter 'wrong'"),
        (double, {"name": " "}, r"name must be non-empty text"),
        (double, {"kind": "model"}, r"kind must be 'target' or 'scorer'"),
    ],
)
def test_bad_objects_are_refused_with_the_reason(wb: Workbench, obj: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        wb.register(obj, **kwargs)
    assert len(wb.registry) == 0


def test_bad_model_names_are_refused(wb: Workbench) -> None:
    with pytest.raises(ValidationError, match="model 'gpt-4'"):
        wb.registry.add_models(["gpt-4"])


def test_unknown_names_and_removal(wb: Workbench) -> None:
    wb.register(double)
    with pytest.raises(ValidationError, match="no scorer registered as 'double'"):
        wb.registry.scorer("double")
    wb.registry.remove("double")
    assert wb.registered().empty
    with pytest.raises(ValidationError, match="nothing registered as 'double'"):
        wb.registry.remove("double")


def test_the_registry_belongs_to_one_workbench(wb: Workbench) -> None:
    wb.register(double)
    assert Workbench(wb.root).registered().empty
