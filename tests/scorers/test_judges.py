"""LLM judges against the simulated server: prompts, strict JSON, retries, usage, runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.runs._support import make_dataset
from workbench import Workbench
from workbench.scorers import build_scorer
from workbench.scorers._base import Scorer
from workbench.scorers._judge import (
    JUDGES,
    Judge,
    answer_relevancy,
    faithfulness,
    judge_correctness,
    rubric,
)
from workbench.simulator import SimulatedLLMServer, TextReply, Usage
from workbench.specs import Spec

MODEL = "openai:judge-1"


def judge(server: SimulatedLLMServer, template: str = "Q: {{ input }}\nA: {{ output }}", **kw: Any) -> Judge:
    return Judge(template, model=kw.pop("model", MODEL), base_url=kw.pop("base_url", server.openai_base_url), **kw)


def sent_text(server: SimulatedLLMServer, index: int = -1) -> str:
    return json.dumps(server.requests[index].body)


def test_a_judge_step_sends_the_rendered_prompt_and_maps_the_scale(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply('{"score": 4, "reason": "mostly right"}'))
    s = Scorer("j", score=judge(llm_server))
    got = s.score(input="What is 2+2?", output="four")
    assert got.error is None
    assert got.score == pytest.approx(0.75)
    assert got.reason == "mostly right"
    assert len(llm_server.requests) == 1
    convo = llm_server.requests[0].conversation
    assert convo.last_user_text == "Q: What is 2+2?\nA: four"
    assert '{"score": <int 1..5>, "reason": "<text>"}' in convo.system
    assert got.details["steps"]["score"] == {"score": 4, "reason": "mostly right"}
    assert got.details["judge"]["prompt"] == "Q: What is 2+2?\nA: four"
    assert got.details["judge"]["model"] == MODEL


@pytest.mark.parametrize(("value", "expected"), [(1, 0.0), (2, 0.25), (3, 0.5), (5, 1.0)])
def test_scale_mapping(llm_server: SimulatedLLMServer, value: int, expected: float) -> None:
    llm_server.enqueue(TextReply(json.dumps({"score": value, "reason": "r"})))
    assert Scorer("j", score=judge(llm_server)).score(input="q", output="a").score == pytest.approx(expected)


def test_a_custom_scale(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply('{"score": 7, "reason": "r"}'))
    got = Scorer("j", score=judge(llm_server, scale=(0, 10))).score(input="q", output="a")
    assert got.score == pytest.approx(0.7)


@pytest.mark.parametrize(("verdict", "expected"), [("pass", 1.0), ("fail", 0.0)])
def test_pass_fail(llm_server: SimulatedLLMServer, verdict: str, expected: float) -> None:
    llm_server.enqueue(TextReply(json.dumps({"verdict": verdict, "reason": "because"})))
    got = Scorer("j", score=judge(llm_server, output="pass_fail")).score(input="q", output="a")
    assert (got.score, got.reason, got.error) == (expected, "because", None)


def test_labels(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply('{"label": "partial", "reason": "half"}'))
    j = judge(llm_server, output="label", labels=["good", "partial", "bad"])
    assert Scorer("j", score=j).score(input="q", output="a").score == 0.5


@pytest.mark.parametrize(
    "bad",
    [
        "The answer is good, 4/5.",
        '{"rating": 4, "reason": "ok"}',
        '{"score": 6, "reason": "ok"}',
        '{"score": 0, "reason": "ok"}',
        '{"score": 4}',
        '{"score": 4, "reason": "  "}',
        '{"score": "4", "reason": "ok"}',
        '{"score": 4.5, "reason": "ok"}',
        '[4, "ok"]',
        'Sure! {"score": 4, "reason": "ok"}',
    ],
)
def test_a_malformed_reply_is_retried_then_an_error(llm_server: SimulatedLLMServer, bad: str) -> None:
    llm_server.enqueue(*[TextReply(bad)] * 3)
    got = Scorer("j", score=judge(llm_server)).score(input="q", output="a")
    assert got.score is None
    assert got.error is not None
    assert got.error.startswith("score: judge reply unusable after 3 attempts")
    assert len(llm_server.requests) == 3
    retry = llm_server.requests[1].conversation
    assert "not usable" in retry.last_user_text
    assert retry.turns[0].text == "Q: q\nA: a"


def test_a_retry_can_succeed(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("no idea"), TextReply('{"score": 5, "reason": "fine"}'))
    got = Scorer("j", score=judge(llm_server, max_attempts=2)).score(input="q", output="a")
    assert (got.score, got.error) == (1.0, None)
    assert got.details["judge"]["attempts"] == 2
    assert len(llm_server.requests) == 2


@pytest.mark.parametrize(
    "fenced",
    ['```json\n{"score": 3, "reason": "ok"}\n```', '```\n{"score": 3, "reason": "ok"}\n```'],
)
def test_fenced_json_is_accepted(llm_server: SimulatedLLMServer, fenced: str) -> None:
    llm_server.enqueue(TextReply(fenced))
    got = Scorer("j", score=judge(llm_server)).score(input="q", output="a")
    assert (got.score, got.error) == (0.5, None)


def test_usage_and_cost_are_in_the_details(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(
        TextReply("nope", usage=Usage(100, 10)),
        TextReply('{"score": 5, "reason": "ok"}', usage=Usage(200, 20)),
    )
    j = Judge("{{ output }}", model="openai:sim-1", base_url=llm_server.openai_base_url)
    got = Scorer("j", score=j).score(output="a")
    info = got.details["judge"]
    assert info["usage"] == {"input_tokens": 300, "output_tokens": 30}
    assert info["cost"] == pytest.approx((300 * 0.10 + 30 * 0.40) / 1_000_000)
    assert json.loads(json.dumps(got.details)) == got.details


def test_an_unpriced_judge_model_has_no_cost(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply('{"score": 5, "reason": "ok"}'))
    got = Scorer("j", score=judge(llm_server)).score(input="q", output="a")
    assert got.details["judge"]["cost"] is None
    assert got.details["judge"]["usage"]["input_tokens"] > 0


def test_anthropic_judge(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply('{"verdict": "pass", "reason": "same"}'))
    j = judge(llm_server, output="pass_fail", model="anthropic:judge-1", base_url=llm_server.anthropic_base_url)
    got = Scorer("j", score=j).score(input="q", output="a")
    assert (got.score, got.reason, got.error) == (1.0, "same", None)
    assert llm_server.requests[0].provider == "anthropic"
    assert "pass" in llm_server.requests[0].conversation.system


def test_a_judge_sees_earlier_steps_and_a_function_scores_its_analysis(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply('{"claims": 4, "reason": "counted"}'))
    schema = {
        "type": "object",
        "properties": {"claims": {"type": "integer"}, "reason": {"type": "string"}},
        "required": ["claims"],
    }
    j = judge(llm_server, "Count claims in: {{ preprocessed }}", output=schema)
    s = Scorer("c", preprocess=lambda output: output.upper(), analyze=j, score=lambda analysis: analysis["claims"] / 8)
    got = s.score(output="abc")
    assert (got.score, got.reason, got.error) == (0.5, "counted", None)
    assert llm_server.requests[0].conversation.last_user_text == "Count claims in: ABC"
    assert got.details["steps"]["analyze"] == {"claims": 4, "reason": "counted"}


def test_a_missing_template_value_is_an_error_without_a_call(llm_server: SimulatedLLMServer) -> None:
    got = judge_correctness(model=MODEL, base_url=llm_server.openai_base_url).score(input="q", output="a")
    assert got.score is None
    assert got.error is not None
    assert "expected" in got.error
    assert llm_server.requests == []


def test_builtin_judges(llm_server: SimulatedLLMServer) -> None:
    url = llm_server.openai_base_url
    llm_server.enqueue(
        TextReply('{"verdict": "fail", "reason": "wrong city"}'),
        TextReply('{"score": 2, "reason": "too long"}'),
        TextReply('{"claims": ["a", "b", "c", "d"], "unsupported_claims": ["d"], "reason": "one made up"}'),
        TextReply('{"score": 5, "reason": "on topic"}'),
    )
    row = {"input": "Capital of France?", "output": "Lyon", "expected": "Paris", "context": "Paris is the capital."}
    c = judge_correctness(model=MODEL, base_url=url).score(**row)
    assert (c.score, c.reason) == (0.0, "wrong city")
    assert "Paris" in llm_server.requests[0].conversation.last_user_text
    r = rubric("Be concise.", model=MODEL, base_url=url).score(**row)
    assert r.score == pytest.approx(0.25)
    assert "Be concise." in llm_server.requests[1].conversation.last_user_text
    f = faithfulness(model=MODEL, base_url=url).score(**row)
    assert f.score == pytest.approx(0.75)
    assert "d" in f.reason
    assert f.reason.startswith("Unsupported claims (1 of 4)")
    assert "Paris is the capital." in llm_server.requests[2].conversation.last_user_text
    a = answer_relevancy(model=MODEL, base_url=url).score(**row)
    assert a.score == 1.0


def test_builtin_specs_rebuild_the_judge(llm_server: SimulatedLLMServer) -> None:
    made = rubric("Be kind.", model=MODEL, scale=(0, 10), name="kind", base_url=llm_server.openai_base_url)
    spec = made.spec()
    assert (spec.kind, spec.name) == ("rubric", "kind")
    assert spec.args["model"] == MODEL
    assert json.loads(json.dumps(spec.to_dict())) == spec.to_dict()
    again = build_scorer(Spec.from_dict(spec.to_dict()))
    assert again.spec() == spec
    assert set(JUDGES) == {"judge_correctness", "rubric", "faithfulness", "answer_relevancy", "llm_judge"}


def answer(x: int) -> int:
    return x * 2


def test_a_judge_scorer_in_a_run(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    make_dataset(wb, 3)
    llm_server.enqueue(*[TextReply('{"verdict": "pass", "reason": "equal"}')] * 3)
    s = judge_correctness(model=MODEL, base_url=llm_server.openai_base_url)
    run = wb.run_sync("d", answer, scorers=[s], concurrency=1)
    assert run.status == "completed"
    df = run.results()
    assert (df["score_correctness"] == 1.0).all()
    assert run.manifest.counts()["scorer_errors"] == 0
    assert len(llm_server.requests) == 3


def test_malformed_judge_replies_in_a_run_are_scorer_errors(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    make_dataset(wb, 2)
    llm_server.enqueue(*[TextReply("I think it passes.")] * 6)
    s = judge_correctness(model=MODEL, base_url=llm_server.openai_base_url, max_attempts=3)
    run = wb.run_sync("d", answer, scorers=[s], concurrency=1)
    assert run.status == "completed"
    scores = run.scores()
    assert scores["score"].isna().all()
    assert scores["error"].str.contains("unusable after 3 attempts").all()
    assert run.manifest.counts()["scorer_errors"] == 2
    assert len(llm_server.requests) == 6


SECRET = "sk-judge-secret-0123456789abcdef"


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("I think it passes.", "not JSON"),
        ('{"reason": "no verdict"}', "'verdict' is a required property"),
        ('{"verdict": true, "reason": "wrong type"}', "True is not one of ['pass', 'fail']"),
    ],
)
def test_an_unusable_judge_reply_is_kept_with_the_request_in_the_details(
    llm_server: SimulatedLLMServer, bad: str, problem: str
) -> None:
    llm_server.enqueue(*[TextReply(bad)] * 2)
    s = judge_correctness(model=MODEL, base_url=llm_server.openai_base_url, max_attempts=2)
    got = s.score(input="Capital of France?", output="Lyon", expected="Paris")
    assert got.score is None
    assert got.error is not None
    assert problem in got.error
    assert got.details["raw_reply"] == bad
    assert got.details["raw_replies"] == [bad, bad]
    request = got.details["request"]
    assert request["model"] == MODEL
    assert '"verdict": "pass" | "fail"' in request["system"]
    assert [m["role"] for m in request["messages"]] == ["user", "assistant", "user"]
    assert "Reference answer:\nParis" in request["messages"][0]["content"]
    assert request["messages"][1]["content"] == bad
    assert "not usable" in request["messages"][2]["content"]
    assert request["params"] == {"temperature": 0}
    assert got.details["judge"]["attempts"] == 2
    assert json.loads(json.dumps(got.details)) == got.details


def test_the_kept_request_and_reply_are_redacted(llm_server: SimulatedLLMServer) -> None:
    from workbench.secrets import register_secret

    register_secret(SECRET)
    llm_server.enqueue(TextReply(f"my key is {SECRET}"))
    s = judge_correctness(model=MODEL, base_url=llm_server.openai_base_url, max_attempts=1)
    got = s.score(input=f"Is {SECRET} a key?", output="yes", expected="no")
    text = json.dumps(got.details)
    assert SECRET not in text
    assert got.details["raw_reply"] == "my key is [redacted]"
    assert "Is [redacted] a key?" in got.details["request"]["messages"][0]["content"]


def test_a_usable_reply_without_a_score_keeps_the_reply_too(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply('{"claims": 2, "reason": "counted"}'))
    schema = {"type": "object", "properties": {"claims": {"type": "integer"}, "reason": {"type": "string"}}}
    got = Scorer("c", score=judge(llm_server, "Count: {{ output }}", output=schema)).score(output="a")
    assert got.score is None
    assert got.error == 'score: the judge reply has no "score"'
    assert got.details["raw_reply"] == '{"claims": 2, "reason": "counted"}'
    assert got.details["request"]["messages"] == [{"role": "user", "content": "Count: a"}]


def test_a_malformed_judge_reply_in_a_run_is_stored_with_the_score(
    wb: Workbench, llm_server: SimulatedLLMServer
) -> None:
    make_dataset(wb, 1)
    llm_server.enqueue(TextReply("PASS!!"))
    s = judge_correctness(model=MODEL, base_url=llm_server.openai_base_url, max_attempts=1)
    run = wb.run_sync("d", answer, scorers=[s], concurrency=1)
    details = run.scores()["details"].iloc[0]
    assert details["raw_reply"] == "PASS!!"
    assert details["request"]["messages"][0]["role"] == "user"


def test_the_simulator_answers_after_the_malformed_replies_run_out(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("not json"))
    s = judge_correctness(model="openai:sim-large", base_url=llm_server.openai_base_url, max_attempts=2)
    got = s.score(input="Capital of France?", output="Paris", expected="Paris")
    assert (got.score, got.error) == (1.0, None)
    assert "raw_reply" not in got.details
