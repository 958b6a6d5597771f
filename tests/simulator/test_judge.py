"""The simulator plays an LLM judge: valid verdict JSON for every built-in judge, varying with the output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from workbench.scorers import Judge, Scorer, answer_relevancy, faithfulness, judge_correctness, llm_judge, rubric
from workbench.simulator import SimulatedLLMServer, TextReply, serve
from workbench.simulator._judge import sections, shape_in

openai = pytest.importorskip("openai")

ROW = {
    "input": "What is the capital of France?",
    "expected": "Paris",
    "context": "Paris is the capital of France. Lyon is known for its food.",
}
GOOD = "Paris is the capital of France."
BAD = "Berlin is the capital of Germany."
IDK = "I don't know."


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatedLLMServer]:
    with serve() as running:
        yield running


def score(scorer: Scorer, output: str, **row: Any) -> tuple[float, str]:
    got = scorer.score(**{**ROW, **row, "output": output})
    assert got.error is None, got.error
    assert got.score is not None
    assert got.reason.strip()
    return got.score, got.reason


@pytest.mark.parametrize("model", ["openai:sim-large", "openai:sim-small", "openai:gpt-4o-mini"])
def test_judge_correctness_passes_the_reference_and_fails_others_for_any_model(
    server: SimulatedLLMServer, model: str
) -> None:
    judge = judge_correctness(model=model, base_url=server.openai_base_url)
    assert score(judge, GOOD)[0] == 1.0
    assert score(judge, BAD)[0] == 0.0
    assert score(judge, IDK)[0] == 0.0
    assert score(judge, "It is paris.")[0] == 1.0  # the meaning, not the case


def test_judge_correctness_on_a_scale_grades_the_share_of_the_reference(server: SimulatedLLMServer) -> None:
    judge = judge_correctness(model="openai:sim-large", output="score", base_url=server.openai_base_url)
    expected = "Paris, on the Seine, since 987"
    full, half, none = (score(judge, out, expected=expected)[0] for out in (expected, "Paris on the Seine", BAD))
    assert (full, none) == (1.0, 0.0)
    assert 0.0 < half < 1.0


def test_a_rubric_grades_against_the_reference_or_the_question(server: SimulatedLLMServer) -> None:
    judge = rubric("Names the right city.", model="openai:sim-large", scale=(0, 10), base_url=server.openai_base_url)
    assert score(judge, GOOD)[0] == 1.0
    assert score(judge, BAD)[0] == 0.0
    no_reference = score(judge, GOOD, expected=None)[0]
    assert no_reference > score(judge, "Bananas.", expected=None)[0]


def test_faithfulness_lists_the_claims_the_context_does_not_state(server: SimulatedLLMServer) -> None:
    judge = faithfulness(model="openai:sim-large", base_url=server.openai_base_url)
    assert score(judge, GOOD) == (1.0, "All 1 claims are supported by the context. The context states every claim.")
    mixed, reason = score(judge, f"{GOOD} It has ten million rats.")
    assert mixed == 0.5
    assert reason.startswith("Unsupported claims (1 of 2): It has ten million rats.")
    assert score(judge, BAD)[0] == 0.0
    assert score(judge, IDK)[0] == 1.0  # no claim, nothing made up


def test_answer_relevancy_rewards_answers_that_take_up_the_question(server: SimulatedLLMServer) -> None:
    judge = answer_relevancy(model="openai:sim-large", base_url=server.openai_base_url)
    on_topic, off_topic, declined = (score(judge, out)[0] for out in (GOOD, "Bananas are yellow.", IDK))
    assert on_topic == 1.0
    assert declined == 0.0
    assert declined < off_topic < on_topic


def test_llm_judge_with_a_template_of_your_own(server: SimulatedLLMServer) -> None:
    judge = llm_judge(
        "Is the response right?\nQ: {{ input }}\nExpected: {{ expected }}\nResponse: {{ output }}",
        model="openai:sim-large",
        output="pass_fail",
        base_url=server.openai_base_url,
    )
    assert score(judge, GOOD)[0] == 1.0
    assert score(judge, BAD)[0] == 0.0


def test_labels_are_chosen_by_meaning_then_by_their_order(server: SimulatedLLMServer) -> None:
    url = server.openai_base_url
    template = "Question: {{ input }}\nReference: {{ expected }}\nAnswer: {{ output }}"
    graded = llm_judge(template, model="openai:sim-large", output="label", labels=["A", "B", "C"], base_url=url)
    assert score(graded, GOOD)[0] == 1.0  # "A", listed first (best)
    assert score(graded, BAD)[0] == 0.0  # "C"
    named = llm_judge(
        template, model="openai:sim-large", output="label", labels={"incorrect": 0, "correct": 1}, base_url=url
    )
    assert score(named, GOOD)[0] == 1.0
    assert score(named, BAD)[0] == 0.0


def test_a_judge_with_a_custom_rubric_and_json_schema(server: SimulatedLLMServer) -> None:
    schema = {
        "type": "object",
        "properties": {
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "correct": {"type": "boolean"},
            "missing_facts": {"type": "array", "items": {"type": "string"}},
            "reason": {"type": "string", "minLength": 1},
        },
        "required": ["score", "correct", "missing_facts", "reason"],
        "additionalProperties": False,
    }
    template = "Criteria: the answer names the capital.\nGround truth: {{ expected }}\nModel answer: {{ output }}"
    judge = Scorer(
        "custom", score=Judge(template, model="openai:sim-large", output=schema, base_url=server.openai_base_url)
    )
    good = judge.score(**ROW, output=GOOD)
    bad = judge.score(**ROW, output=BAD)
    assert (good.score, good.error, bad.score, bad.error) == (1.0, None, 0.0, None)
    assert good.details["steps"]["score"]["correct"] is True
    assert bad.details["steps"]["score"]["correct"] is False
    assert bad.details["steps"]["score"]["missing_facts"] == []


def test_an_anthropic_judge_gets_a_verdict_too(server: SimulatedLLMServer) -> None:
    judge = judge_correctness(model="anthropic:sim-large", base_url=server.anthropic_base_url)
    assert score(judge, GOOD)[0] == 1.0
    assert score(judge, BAD)[0] == 0.0
    assert server.last_request.provider == "anthropic"


def test_a_retry_after_a_malformed_reply_gets_a_verdict(server: SimulatedLLMServer) -> None:
    server.enqueue(TextReply("I think it passes."))
    got = judge_correctness(model="openai:sim-large", base_url=server.openai_base_url).score(**ROW, output=BAD)
    assert (got.score, got.error) == (0.0, None)
    assert got.details["judge"]["attempts"] == 2


def test_a_response_format_json_schema_is_a_judge_request_for_the_openai_client(server: SimulatedLLMServer) -> None:
    schema = {
        "type": "object",
        "properties": {"verdict": {"enum": ["pass", "fail"]}, "reason": {"type": "string"}},
        "required": ["verdict", "reason"],
    }
    client = openai.OpenAI(base_url=server.openai_base_url, api_key="unused", max_retries=0)
    verdicts = []
    for answer in (GOOD, BAD):
        reply = client.chat.completions.create(
            model="any-model",
            messages=[{"role": "user", "content": f"Reference answer: Paris\nAnswer: {answer}"}],
            response_format={"type": "json_schema", "json_schema": {"name": "verdict", "schema": schema}},
        )
        verdicts.append(json.loads(reply.choices[0].message.content or ""))
    client.close()
    assert [v["verdict"] for v in verdicts] == ["pass", "fail"]
    assert all(v["reason"] for v in verdicts)


def test_a_plain_request_is_not_judged(server: SimulatedLLMServer) -> None:
    client = openai.OpenAI(base_url=server.openai_base_url, api_key="unused", max_retries=0)
    reply = client.chat.completions.create(
        model="sim-large", messages=[{"role": "user", "content": "Question: What is 6 * 7?\nAnswer: the score"}]
    )
    client.close()
    assert reply.choices[0].message.content == "the score"  # the answer hint, not a verdict


def test_the_judge_prompt_is_read_by_its_labelled_sections() -> None:
    prompt = (
        "Grade the answer against these criteria:\nBe brief.\n\nQuestion:\nWhere?\n\nReference answer:\n"
        '{"answer": "Paris", "tool_calls": []}\n\nAnswer to grade:\nIn Paris.\n\n'
        "Explain in the reason which criteria the answer meets and which it misses.\n"
    )
    assert sections(prompt) == {
        "criteria": "Be brief.",
        "question": "Where?",
        "expected": "Paris",
        "output": "In Paris.",
    }
    assert sections(
        "Check the answer for hallucinations: list every claim.\n\nContext:\nA.\n\nAnswer to check:\nB"
    ) == {
        "context": "A.",
        "output": "B",
    }
    assert sections("<question>Where?</question><answer>Here</answer>") == {"question": "Where?", "output": "Here"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('exactly of this shape:\n{"verdict": "pass" | "fail", "reason": "<text>"}', "pass_fail"),
        ('{"score": <int 1..5>, "reason": "<text>"}', "score"),
        ('{"score": <number 0.5..2.5>, "reason": "<text>"}', "score"),
        ('{"label": "good" | "so \\"so\\"" | "bad", "reason": "<text>"}', "label"),
        ('matching this JSON Schema (with a non-empty string "reason"): {"type": "object"}', "schema"),
        ("Answer the question in JSON.", None),
    ],
)
def test_the_reply_shape_is_read_from_the_judge_instructions(text: str, kind: str | None) -> None:
    shape = shape_in(text)
    assert (shape.kind if shape else None) == kind
    if kind == "label":
        assert shape is not None
        assert shape.labels == ("good", 'so "so"', "bad")
