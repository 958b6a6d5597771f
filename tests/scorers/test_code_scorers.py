"""Built-in code scorers: table-driven cases for each, error cases and spec round trips."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from workbench.scorers import build_scorer
from workbench.scorers._base import Score, Scorer
from workbench.scorers._code import (
    BUILTINS,
    completeness,
    contains,
    cost_budget,
    exact_match,
    json_schema,
    keyword_coverage,
    latency_budget,
    numeric,
    regex,
    similarity,
    tool_calls,
    valid_json,
)
from workbench.specs import Spec
from workbench.targets._types import TargetResult, ToolCall

ERROR = None
"""Wanted score for a case that must be a scorer error."""

COMPOSED = "caf\u00e9"
DECOMPOSED = "cafe\u0301"
FULLWIDTH = "\uff46\uff55\uff4c\uff4c"


def check(result: Score, want: float | None) -> None:
    """``want`` None: a scorer error with a message; otherwise that score, in 0..1, with a reason."""
    if want is None:
        assert result.score is None, result
        assert result.error
    else:
        assert result.error is None, result
        assert result.score is not None
        assert 0.0 <= result.score <= 1.0
        assert result.score == pytest.approx(want), result
        assert result.reason


CASES: list[Any] = [
    # exact_match
    pytest.param(exact_match(), "Paris", "Paris", 1.0, id="exact-same"),
    pytest.param(exact_match(), "paris", "Paris", 1.0, id="exact-case-folded"),
    pytest.param(exact_match(case=False), "paris", "Paris", 0.0, id="exact-case-kept"),
    pytest.param(exact_match(), "  New \n York  ", "New York", 1.0, id="exact-whitespace"),
    pytest.param(exact_match(whitespace=False), "New  York", "New York", 0.0, id="exact-whitespace-kept"),
    pytest.param(exact_match(), "Paris.", "Paris", 0.0, id="exact-punctuation-kept-by-default"),
    pytest.param(exact_match(punctuation=True), "Paris!", "Paris", 1.0, id="exact-punctuation-removed"),
    pytest.param(exact_match(punctuation=True), "«Paris»", "Paris", 1.0, id="exact-unicode-punctuation"),
    pytest.param(exact_match(), FULLWIDTH, "full", 1.0, id="exact-nfkc-fullwidth"),
    pytest.param(exact_match(unicode=False), FULLWIDTH, "full", 0.0, id="exact-no-nfkc"),
    pytest.param(exact_match(), COMPOSED, DECOMPOSED, 1.0, id="exact-nfkc-composed"),
    pytest.param(exact_match(normalize=False), COMPOSED, DECOMPOSED, 0.0, id="exact-raw-composed"),
    pytest.param(exact_match(normalize=False), "Paris", "paris", 0.0, id="exact-raw-case"),
    pytest.param(exact_match(), {"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}, 1.0, id="exact-dict"),
    pytest.param(exact_match(), {"a": {"b": [1, {"c": 2}]}}, {"a": {"b": [1, {"c": 3}]}}, 0.0, id="exact-nested"),
    pytest.param(exact_match(), '{"b": 2, "a": 1}', {"a": 1, "b": 2}, 1.0, id="exact-json-string-vs-dict"),
    pytest.param(exact_match(), "3", 3, 1.0, id="exact-number-string"),
    pytest.param(exact_match(), "", "", 1.0, id="exact-empty-both"),
    pytest.param(exact_match(), "", "x", 0.0, id="exact-empty-output"),
    pytest.param(exact_match(), None, "x", ERROR, id="exact-none-output"),
    pytest.param(exact_match(), "x", None, ERROR, id="exact-none-expected"),
    # contains
    pytest.param(contains(), "The capital is Paris.", "paris", 1.0, id="contains-expected"),
    pytest.param(contains(), "The capital is Lyon.", "paris", 0.0, id="contains-absent"),
    pytest.param(contains(normalize=False), "The capital is Paris.", "paris", 0.0, id="contains-raw-case"),
    pytest.param(contains(), FULLWIDTH + "  house", "full house", 1.0, id="contains-nfkc-space"),
    pytest.param(contains(substring="ok"), "it is OK", None, 1.0, id="contains-substring"),
    pytest.param(contains(substring=["x", "ok"]), "it is ok", None, 1.0, id="contains-any"),
    pytest.param(contains(substring=["x", "ok"], all=True), "it is ok", None, 0.0, id="contains-all-missing"),
    pytest.param(contains(all=True), "red green blue", ["red", "blue"], 1.0, id="contains-all-expected-list"),
    pytest.param(contains(), {"answer": "Paris"}, "paris", 1.0, id="contains-dict-output"),
    pytest.param(contains(), "", "x", 0.0, id="contains-empty-output"),
    pytest.param(contains(), None, "x", ERROR, id="contains-none-output"),
    pytest.param(contains(), "x", None, ERROR, id="contains-nothing-to-find"),
    pytest.param(contains(), "x", [], ERROR, id="contains-empty-list"),
    # contains: whole words by default, substrings on request
    pytest.param(contains(), "I don't know", "No", 0.0, id="contains-word-not-inside-know"),
    pytest.param(contains(), "No, it is not.", "No", 1.0, id="contains-word-first"),
    pytest.param(contains(), "The answer is no", "No", 1.0, id="contains-word-last-any-case"),
    pytest.param(contains(), "The answer is 42", "4", 0.0, id="contains-word-not-inside-number"),
    pytest.param(contains(), "2+2=4.", 4, 1.0, id="contains-word-number-after-symbol"),
    pytest.param(contains(), "She moved to New\n  York.", "new york", 1.0, id="contains-phrase-any-space"),
    pytest.param(contains(), "see newyork", "new york", 0.0, id="contains-phrase-split"),
    pytest.param(contains(), "costs $5 today", "$5", 1.0, id="contains-word-symbol-edge"),
    pytest.param(contains(), "costs $50 today", "$5", 0.0, id="contains-word-symbol-edge-longer"),
    pytest.param(contains(), "written in C++.", "c++", 1.0, id="contains-word-ends-with-symbol"),
    pytest.param(contains(), "l'été est là", "été", 1.0, id="contains-word-unicode"),
    pytest.param(contains(substring=["x", "ok"]), "it is okay", None, 0.0, id="contains-word-list"),
    pytest.param(contains(match="substring"), "I don't know", "No", 1.0, id="contains-substring-inside-word"),
    pytest.param(contains(match="substring"), "refunded", "refund", 1.0, id="contains-substring-prefix"),
    pytest.param(contains(match="substring", normalize=False), "I don't know", "No", 0.0, id="contains-substr-case"),
    # regex
    pytest.param(regex(r"\d{3}-\d{4}"), "call 555-1234 now", None, 1.0, id="regex-search"),
    pytest.param(regex(r"\d{3}-\d{4}", full=True), "call 555-1234 now", None, 0.0, id="regex-full-fails"),
    pytest.param(regex(r"\d{3}-\d{4}", full=True), "555-1234", None, 1.0, id="regex-full"),
    pytest.param(regex("yes", flags=re.IGNORECASE), "YES", None, 1.0, id="regex-flags"),
    pytest.param(regex("yes"), "YES", None, 0.0, id="regex-no-flags"),
    pytest.param(regex("^$"), "", None, 1.0, id="regex-empty-output"),
    pytest.param(regex("x"), None, None, ERROR, id="regex-none-output"),
    # valid_json
    pytest.param(valid_json(), '{"a": [1, {"b": null}]}', None, 1.0, id="json-nested"),
    pytest.param(valid_json(), '{"a": 1,}', None, 0.0, id="json-trailing-comma"),
    pytest.param(valid_json(), {"a": 1}, None, 1.0, id="json-dict"),
    pytest.param(valid_json(), [1, 2], None, 1.0, id="json-list"),
    pytest.param(valid_json(), "", None, 0.0, id="json-empty"),
    pytest.param(valid_json(), 3, None, 0.0, id="json-not-text"),
    pytest.param(valid_json(), None, None, ERROR, id="json-none"),
    # numeric
    pytest.param(numeric(), "3.50", 3.5, 1.0, id="num-string"),
    pytest.param(numeric(), " 1e3 ", "1000", 1.0, id="num-exponent"),
    pytest.param(numeric(), "1,234", 1234, 1.0, id="num-thousands"),
    pytest.param(numeric(), "$12.5", "12.50", 1.0, id="num-currency"),
    pytest.param(numeric(), "€1,234.50", "$1234.5", 1.0, id="num-euro"),
    pytest.param(numeric(), "50%", 50, 1.0, id="num-percent"),
    pytest.param(numeric(), "-4", -4, 1.0, id="num-negative"),
    pytest.param(numeric(), "The answer is 42 apples.", 42, 1.0, id="num-first-in-text"),
    pytest.param(numeric(), "The answer is 41.", 42, 0.0, id="num-wrong"),
    pytest.param(numeric(tolerance=1), "41", 42, 1.0, id="num-abs-tolerance"),
    pytest.param(numeric(tolerance=0.01, relative=True), "101", 100, 1.0, id="num-rel-tolerance"),
    pytest.param(numeric(tolerance=0.01, relative=True), "102", 100, 0.0, id="num-rel-too-far"),
    pytest.param(numeric(), 0.1 + 0.2, 0.3, 1.0, id="num-float-slack"),
    pytest.param(numeric(), "no number here", 1, 0.0, id="num-none-in-output"),
    pytest.param(numeric(), "", 1, 0.0, id="num-empty-output"),
    pytest.param(numeric(), None, 1, ERROR, id="num-none-output"),
    pytest.param(numeric(), "1", "about one", ERROR, id="num-expected-not-number"),
    pytest.param(numeric(), "1", None, ERROR, id="num-expected-missing"),
    pytest.param(numeric(), "1", True, ERROR, id="num-expected-bool"),
    pytest.param(numeric(), "1", "nan", ERROR, id="num-expected-nan"),
    # similarity
    pytest.param(similarity(), "kitten", "kitten", 1.0, id="sim-ratio-same"),
    pytest.param(similarity(), "abcd", "abce", 0.75, id="sim-ratio-partial"),
    pytest.param(similarity(threshold=0.7), "abcd", "abce", 1.0, id="sim-threshold-pass"),
    pytest.param(similarity(threshold=0.8), "abcd", "abce", 0.0, id="sim-threshold-fail"),
    pytest.param(similarity(method="token_f1"), "The cat sat!", "the CAT sat", 1.0, id="sim-f1-normalised"),
    pytest.param(similarity(method="token_f1"), "a b", "a c", 0.5, id="sim-f1-half"),
    pytest.param(similarity(method="token_f1"), "", "", 1.0, id="sim-f1-both-empty"),
    pytest.param(similarity(method="token_f1"), "", "x", 0.0, id="sim-f1-empty-output"),
    pytest.param(similarity(), None, "x", ERROR, id="sim-none-output"),
    pytest.param(similarity(), "x", None, ERROR, id="sim-none-expected"),
    # keyword_coverage
    pytest.param(keyword_coverage(), "Cats and dogs", ["cat", "dogs"], 0.5, id="kw-word-boundary"),
    pytest.param(keyword_coverage(), "CATS, DOGS", ["cats", "dogs"], 1.0, id="kw-case-insensitive"),
    pytest.param(keyword_coverage(["c++", "rust"]), "I like C++ more", None, 0.5, id="kw-given-special-chars"),
    pytest.param(keyword_coverage(), FULLWIDTH + " stop", ["full"], 1.0, id="kw-nfkc"),
    pytest.param(keyword_coverage(), "", ["x"], 0.0, id="kw-empty-output"),
    pytest.param(keyword_coverage(), None, ["x"], ERROR, id="kw-none-output"),
    pytest.param(keyword_coverage(), "x", [1, 2], ERROR, id="kw-expected-not-strings"),
    pytest.param(keyword_coverage(), "x", None, ERROR, id="kw-no-keywords"),
    # completeness
    pytest.param(completeness(), "eggs, flour and MILK", ["eggs", "milk", "sugar"], 2 / 3, id="comp-partial"),
    pytest.param(completeness(["a b"]), "A   B", None, 1.0, id="comp-given-whitespace"),
    pytest.param(completeness(), ["x", "Y"], ["y", "x"], 1.0, id="comp-list-output"),
    pytest.param(completeness(), "", ["x"], 0.0, id="comp-empty-output"),
    pytest.param(completeness(), None, ["x"], ERROR, id="comp-none-output"),
    pytest.param(completeness(), "x", "x", ERROR, id="comp-expected-not-list"),
    pytest.param(completeness(), "x", [], ERROR, id="comp-expected-empty"),
]


@pytest.mark.parametrize(("scorer", "output", "expected", "want"), CASES)
def test_code_scorer(scorer: Scorer, output: Any, expected: Any, want: float | None) -> None:
    check(scorer.score(output=output, expected=expected), want)


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object", "properties": {"price": {"type": "number"}}}},
    },
    "required": ["name"],
}


@pytest.mark.parametrize(
    ("output", "want", "reason_part"),
    [
        pytest.param({"name": "a", "items": [{"price": 1}]}, 1.0, "", id="valid-dict"),
        pytest.param('{"name": "a", "items": [{"price": 2.5}]}', 1.0, "", id="valid-json-text"),
        pytest.param({"name": "a", "items": [{"price": "x"}]}, 0.0, "$.items[0].price", id="nested-error-path"),
        pytest.param({"items": []}, 0.0, "'name' is a required property", id="missing-required"),
        pytest.param("{not json", 0.0, "not valid JSON", id="not-json"),
        pytest.param("", 0.0, "not valid JSON", id="empty"),
        pytest.param(None, ERROR, "", id="none-output"),
    ],
)
def test_json_schema(output: Any, want: float | None, reason_part: str) -> None:
    result = json_schema(SCHEMA).score(output=output)
    check(result, want)
    assert reason_part in result.reason


def test_json_schema_rejects_bad_schema() -> None:
    with pytest.raises(Exception, match="is not valid"):
        json_schema({"type": "no-such-type"})


def call(name: str, arguments: Any = None, step: int = 0, valid: bool = True) -> ToolCall:
    return ToolCall(name=name, arguments=arguments or {}, step=step, valid=valid)


SEARCH = {"name": "search", "arguments": {"q": "paris"}}
WEATHER = {"name": "weather", "arguments": {"city": "Paris"}}


@pytest.mark.parametrize(
    ("scorer", "expected", "calls", "want", "detail", "count"),
    [
        pytest.param(
            tool_calls(),
            [SEARCH, WEATHER],
            [call("search", {"q": "paris", "limit": 3}), call("weather", {"city": "Paris"})],
            1.0,
            "missing",
            0,
            id="all-matched-extra-keys-ignored",
        ),
        pytest.param(
            tool_calls(), {"tool_calls": [SEARCH]}, [call("search", {"q": "paris"})], 1.0, "extra", 0, id="dict"
        ),
        pytest.param(
            tool_calls(), [SEARCH, WEATHER], [call("search", {"q": "paris"})], 2 / 3, "missing", 1, id="missing"
        ),
        pytest.param(
            tool_calls(), [SEARCH], [call("search", {"q": "paris"}), call("delete")], 2 / 3, "extra", 1, id="extra"
        ),
        pytest.param(
            tool_calls(), [SEARCH], [call("search", {"q": "lyon"})], 0.0, "incorrect_arguments", 1, id="wrong-args"
        ),
        pytest.param(
            tool_calls(check_arguments=False), [SEARCH], [call("search", {"q": "lyon"})], 1.0, "extra", 0, id="no-args"
        ),
        pytest.param(tool_calls(), ["search"], [call("search", {"q": "x"})], 1.0, "missing", 0, id="name-only"),
        pytest.param(
            tool_calls(), [SEARCH], [call("search", '{"q": "paris"}')], 1.0, "missing", 0, id="arguments-as-json-text"
        ),
        pytest.param(
            tool_calls(), [SEARCH], [call("search", {"q": "paris"}, valid=False)], 0.0, "invalid", 1, id="invalid-call"
        ),
        pytest.param(
            tool_calls(order=True),
            [SEARCH, WEATHER],
            [call("weather", {"city": "Paris"}, 0), call("search", {"q": "paris"}, 1)],
            0.5,
            "out_of_order",
            1,
            id="order-wrong",
        ),
        pytest.param(
            tool_calls(order=True),
            [SEARCH, WEATHER],
            [call("search", {"q": "paris"}, 0), call("noop", None, 1), call("weather", {"city": "Paris"}, 2)],
            0.8,
            "extra",
            1,
            id="order-subsequence",
        ),
        pytest.param(
            tool_calls(),
            [{"name": "search"}, SEARCH],
            [call("search", {"q": "paris"}), call("search", {"q": "lyon"})],
            1.0,
            "missing",
            0,
            id="best-matching",
        ),
        pytest.param(tool_calls(), [], [], 1.0, "extra", 0, id="none-expected-none-made"),
        pytest.param(tool_calls(), [], [call("search")], 0.0, "extra", 1, id="none-expected-one-made"),
        pytest.param(tool_calls(), "search", [], ERROR, "", 0, id="expected-not-list"),
        pytest.param(tool_calls(), [{"arguments": {}}], [], ERROR, "", 0, id="expected-without-name"),
        pytest.param(tool_calls(), None, [], ERROR, "", 0, id="expected-missing"),
    ],
)
def test_tool_calls(
    scorer: Scorer, expected: Any, calls: list[ToolCall], want: float | None, detail: str, count: int
) -> None:
    result = asyncio.run(scorer.ascore(expected=expected, result=TargetResult(output="done", tool_calls=calls)))
    check(result, want)
    if detail:
        assert len(result.details[detail]) == count, result.details


def test_tool_calls_needs_result() -> None:
    check(tool_calls().score(output="x", expected=[SEARCH]), ERROR)


class TimedResult(TargetResult):
    latency_s: float = 0.0


def timed(latency: float) -> TargetResult:
    result = TimedResult(output="x")
    result.latency_s = latency
    return result


@pytest.mark.parametrize(
    ("scorer", "result", "want"),
    [
        pytest.param(latency_budget(2.0), timed(1.5), 1.0, id="latency-within"),
        pytest.param(latency_budget(2.0), timed(4.0), 0.5, id="latency-over"),
        pytest.param(latency_budget(2.0), TargetResult(output="x"), ERROR, id="latency-not-recorded"),
        pytest.param(latency_budget(2.0), None, ERROR, id="latency-no-result"),
        pytest.param(cost_budget(0.01), TargetResult(cost=0.005), 1.0, id="cost-within"),
        pytest.param(cost_budget(0.01), TargetResult(cost=0.04), 0.25, id="cost-over"),
        pytest.param(cost_budget(0.0), TargetResult(cost=0.0), 1.0, id="cost-zero-budget-free"),
        pytest.param(cost_budget(0.01), TargetResult(cost=None), ERROR, id="cost-not-recorded"),
        pytest.param(cost_budget(0.01), None, ERROR, id="cost-no-result"),
    ],
)
def test_budgets(scorer: Scorer, result: TargetResult | None, want: float | None) -> None:
    check(asyncio.run(scorer.ascore(output="x", result=result)), want)


def test_budget_reason_names_both_numbers() -> None:
    result = asyncio.run(cost_budget(0.01).ascore(result=TargetResult(cost=0.04)))
    assert "0.04" in result.reason
    assert "0.01" in result.reason


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        pytest.param(similarity, {"method": "cosine"}, id="similarity-method"),
        pytest.param(similarity, {"threshold": 2}, id="similarity-threshold"),
        pytest.param(numeric, {"tolerance": -1}, id="numeric-tolerance"),
        pytest.param(latency_budget, {"seconds": 0}, id="latency-seconds"),
        pytest.param(cost_budget, {"usd": -1}, id="cost-usd"),
        pytest.param(keyword_coverage, {"keywords": []}, id="keywords-empty"),
        pytest.param(contains, {"substring": [1]}, id="contains-substring"),
        pytest.param(contains, {"match": "fuzzy"}, id="contains-match"),
        pytest.param(regex, {"pattern": "("}, id="regex-pattern"),
    ],
)
def test_bad_parameters_fail_early(factory: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises((ValueError, re.error)):
        factory(**kwargs)


@pytest.mark.parametrize(
    "scorer",
    [
        pytest.param(exact_match(punctuation=True, name="loose"), id="exact_match"),
        pytest.param(contains(substring=["a", "b"], all=True), id="contains"),
        pytest.param(contains("a", match="substring"), id="contains-substring"),
        pytest.param(regex(r"\d+", flags=re.IGNORECASE, full=True), id="regex"),
        pytest.param(valid_json(), id="valid_json"),
        pytest.param(json_schema(SCHEMA), id="json_schema"),
        pytest.param(numeric(tolerance=0.5, relative=True), id="numeric"),
        pytest.param(similarity("token_f1", 0.5), id="similarity"),
        pytest.param(keyword_coverage(["a"]), id="keyword_coverage"),
        pytest.param(completeness(["a", 1]), id="completeness"),
        pytest.param(tool_calls(order=True, check_arguments=False), id="tool_calls"),
        pytest.param(latency_budget(3), id="latency_budget"),
        pytest.param(cost_budget(0.5, name="cheap"), id="cost_budget"),
    ],
)
def test_spec_round_trip(scorer: Scorer) -> None:
    spec = scorer.spec()
    assert spec.kind in BUILTINS
    assert json.loads(json.dumps(spec.to_dict())) == spec.to_dict()
    rebuilt = build_scorer(Spec.from_dict(spec.to_dict()))
    assert type(rebuilt) is type(scorer)
    assert rebuilt.spec() == spec
    assert (rebuilt.direction, rebuilt.pass_mark) == (scorer.direction, scorer.pass_mark)


def test_contains_says_how_it_matched() -> None:
    word = asyncio.run(contains().ascore(output="I don't know", expected="No"))
    assert (word.score, word.details) == (0.0, {"found": [], "missing": ["No"], "match": "word"})
    assert word.reason == "output lacks any of the word(s): missing ['No']"
    loose = asyncio.run(contains(match="substring").ascore(output="I don't know", expected="No"))
    assert (loose.score, loose.details["match"], loose.reason) == (
        1.0,
        "substring",
        "output contains any of 1 string(s)",
    )
    with pytest.raises(ValueError, match="match must be 'word' or 'substring', not 'fuzzy'"):
        contains(match="fuzzy")  # type: ignore[arg-type]


def test_names() -> None:
    assert exact_match().name == "exact_match"
    assert exact_match(name="strict").name == "strict"
    assert set(BUILTINS) == {
        "exact_match",
        "contains",
        "regex",
        "valid_json",
        "json_schema",
        "numeric",
        "similarity",
        "keyword_coverage",
        "completeness",
        "tool_calls",
        "latency_budget",
        "cost_budget",
    }


def test_score_has_useful_details() -> None:
    result = completeness().score(output="eggs", expected=["eggs", "milk"])
    assert result.details["missing"] == ["milk"]
    result = similarity(threshold=0.5).score(output="abcd", expected="abce")
    assert result.details["similarity"] == pytest.approx(0.75)
