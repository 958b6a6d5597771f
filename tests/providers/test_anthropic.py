"""The Anthropic messages provider, through ``wb.run`` against the simulated server."""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path

import pytest

from workbench import ValidationError, Workbench, targets
from workbench.providers import ModelRequest, ProviderError
from workbench.providers._anthropic import AnthropicProvider
from workbench.simulator import (
    REDACTED,
    DropConnection,
    ErrorReply,
    MalformedReply,
    SimulatedLLMServer,
    TextReply,
    Usage,
)

from ._support import ANTHROPIC, add_dataset, only_row, output

API = ANTHROPIC
KEY = "sk-ant-api03-dotenv-secret-9a8b7c6d5e4f3021"


def model(server: SimulatedLLMServer, **options: object) -> targets.ModelTarget:
    """The priced Anthropic model on the simulator."""
    return targets.model(API.target, base_url=API.base_url(server), **options)  # type: ignore[arg-type]


# -- text replies, tokens, cost --------------------------------------------------------
def test_text_reply_is_the_output(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "What is the capital of Australia?")
    llm_server.enqueue(TextReply("Canberra"))
    row = only_row(wb.run_sync("qa", model(llm_server)))
    assert output(row) == "Canberra"
    assert row["error"] is None
    assert row["error_kind"] is None
    assert row["attempts"] == 1


def test_tokens_reported_by_the_reply_are_recorded(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("hello", usage=Usage(input_tokens=1000, output_tokens=200, cached_tokens=300)))
    row = only_row(wb.run_sync("qa", model(llm_server)))
    assert (row["tokens_in"], row["tokens_out"], row["tokens_cached"]) == (1000, 200, 300)


def test_model_name_of_the_reply_is_recorded(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("hello"))
    row = only_row(wb.run_sync("qa", model(llm_server)))
    assert row["model"] == "claude-haiku-4-5"
    assert llm_server.last_request.model == "claude-haiku-4-5"


def test_cost_is_tokens_times_price_per_million(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("hello", usage=Usage(input_tokens=1000, output_tokens=200)))
    row = only_row(wb.run_sync("qa", model(llm_server)))
    # claude-haiku-4-5: $1 in, $5 out per 1M tokens
    assert row["cost"] == pytest.approx((1000 * 1.00 + 200 * 5.00) / 1e6, rel=1e-9)


def test_cached_prompt_tokens_are_charged_at_the_cached_price(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("hello", usage=Usage(input_tokens=1000, output_tokens=200, cached_tokens=300)))
    row = only_row(wb.run_sync("qa", model(llm_server)))
    # Anthropic reports input_tokens=700 and cache_read_input_tokens=300: 700 at $1, 300 at $0.10, 200 out at $5
    assert row["cost"] == pytest.approx((700 * 1.00 + 300 * 0.10 + 200 * 5.00) / 1e6, rel=1e-9)


def test_model_without_a_price_has_no_cost(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("hello", usage=Usage(input_tokens=10, output_tokens=5)))
    target = targets.model("anthropic:claude-unreleased-9", base_url=llm_server.anthropic_base_url)
    row = only_row(wb.run_sync("qa", target))
    assert math.isnan(row["cost"])
    assert (row["tokens_in"], row["tokens_out"]) == (10, 5)


def test_request_params_are_sent(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("hello"))
    wb.run_sync("qa", model(llm_server, stop_sequences=["END"]))
    assert llm_server.last_request.body["stop_sequences"] == ["END"]


def test_temperature_param_reaches_the_server(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    # targets.model documents **params as "temperature, max_tokens, top_p, seed..."
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("hello"))
    row = only_row(wb.run_sync("qa", model(llm_server, temperature=0)))
    assert row["error"] is None
    assert llm_server.last_request.body["temperature"] == 0


def test_max_tokens_defaults_to_1024_and_can_be_set(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(TextReply("a"), TextReply("b"))
    wb.run_sync("qa", model(llm_server), cache=False)
    wb.run_sync("qa", model(llm_server, max_tokens=64), cache=False)
    assert [r.body["max_tokens"] for r in llm_server.requests] == [1024, 64]


# -- prompts ---------------------------------------------------------------------------
def test_rendered_prompt_is_what_the_server_receives(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    wb.create_dataset("qa").add_items(
        [{"item_id": "q1", "input": {"question": "2+2?"}, "metadata": {"persona": "a pirate"}}]
    )
    wb.create_prompt("answer", "Question: {{ question }}", system="Answer as {{ metadata.persona }}.")
    llm_server.enqueue(TextReply("4, arr"))
    run = wb.run_sync("qa", model(llm_server, prompt="answer"))
    body = llm_server.last_request.body
    assert body["system"] == "Answer as a pirate."
    assert body["messages"] == [{"role": "user", "content": "Question: 2+2?"}]
    assert run.manifest.target["prompt"] == "answer@1"


def test_missing_prompt_variable_refuses_the_run_before_any_request(
    wb: Workbench, llm_server: SimulatedLLMServer
) -> None:
    wb.create_dataset("qa").add_items(
        [{"item_id": "ok", "input": {"question": "2+2?"}}, {"item_id": "bad", "input": {"other": "x"}}]
    )
    wb.create_prompt("answer", "Question: {{ question }}")
    with pytest.raises(ValidationError, match=r"'bad'.*question"):
        wb.run("qa", model(llm_server, prompt="answer"))
    assert llm_server.requests == []
    assert not wb.runs_dir.exists() or not any(wb.runs_dir.iterdir())


# -- rate limits, server errors, timeouts ---------------------------------------------
def test_rate_limit_is_retried_after_the_retry_after_delay(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(ErrorReply(429, headers={"Retry-After": "1"}), TextReply("ok"))
    row = only_row(wb.run_sync("qa", model(llm_server), cache=False))
    first, second = llm_server.requests
    assert 0.9 <= second.received_at - first.received_at < 1.8
    assert output(row) == "ok"
    assert row["attempts"] == 2


def test_rate_limit_that_never_ends_is_recorded_as_rate_limit(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(*[ErrorReply(429, headers={"retry-after-ms": "10"})] * 3)
    row = only_row(wb.run("qa", model(llm_server), cache=False, max_retries=2).wait())
    assert row["error_kind"] == "rate_limit"
    assert len(llm_server.requests) == 3


def test_server_error_then_success_is_retried(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(ErrorReply(500), TextReply("ok"))
    row = only_row(wb.run_sync("qa", model(llm_server), cache=False))
    assert output(row) == "ok"
    assert row["attempts"] == 2
    assert len(llm_server.requests) == 2


def test_server_error_forever_stops_after_max_retries(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(*[ErrorReply(500)] * 5)
    run = wb.run("qa", model(llm_server), cache=False, max_retries=2).wait()
    row = only_row(run)
    assert row["error_kind"] == "server"
    assert "500" in row["error"]
    assert row["output"] is None
    assert len(llm_server.requests) == 3  # max_retries + 1
    assert run.manifest.status == "failed"  # its only item errored: a failed run (issue 13)


def test_failed_unit_records_every_attempt_sent(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(*[ErrorReply(500, headers={"retry-after-ms": "10"})] * 5)
    row = only_row(wb.run("qa", model(llm_server), cache=False, max_retries=2).wait())
    assert len(llm_server.requests) == 3
    assert row["attempts"] == 3


def test_overloaded_529_is_retried(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(ErrorReply(529), TextReply("ok"))
    row = only_row(wb.run_sync("qa", model(llm_server), cache=False))
    assert output(row) == "ok"
    assert row["attempts"] == 2
    assert len(llm_server.requests) == 2


def test_dropped_connection_is_retried(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(DropConnection(), TextReply("ok"))
    row = only_row(wb.run_sync("qa", model(llm_server), cache=False))
    assert output(row) == "ok"
    assert len(llm_server.requests) == 2


def test_slow_reply_past_the_item_timeout_is_a_timeout(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(*[TextReply("late", delay=2.0)] * 3)
    started = time.perf_counter()
    row = only_row(wb.run("qa", model(llm_server), cache=False, timeout=0.5).wait())
    assert time.perf_counter() - started < 1.8
    assert row["error_kind"] == "timeout"
    assert row["output"] is None


def test_slow_reply_past_the_call_timeout_raises_a_timeout_error(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("late", delay=2.0))
    provider = AnthropicProvider("claude-haiku-4-5", api_key=None, base_url=llm_server.anthropic_base_url)
    request = ModelRequest([{"role": "user", "content": "hi"}])
    with pytest.raises(ProviderError) as info:
        asyncio.run(provider.complete(request, timeout=0.5))
    assert info.value.kind == "timeout"
    assert info.value.retryable


# -- broken replies, bad requests, auth ------------------------------------------------
@pytest.mark.parametrize("kind", ["invalid_json", "missing_fields"])
def test_malformed_reply_is_retried_then_recorded_as_bad_response(
    wb: Workbench, llm_server: SimulatedLLMServer, kind: str
) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(*[MalformedReply(kind)] * 3)  # type: ignore[arg-type]
    row = only_row(wb.run("qa", model(llm_server), cache=False, max_retries=2).wait())
    assert row["error_kind"] == "bad_response"
    assert row["output"] is None
    assert len(llm_server.requests) == 3


def test_malformed_reply_then_a_good_one_succeeds(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(MalformedReply("invalid_json"), TextReply("ok"))
    row = only_row(wb.run_sync("qa", model(llm_server), cache=False))
    assert output(row) == "ok"
    assert row["attempts"] == 2


def test_bad_request_is_not_retried(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(ErrorReply(400, message="messages: too long"), TextReply("never sent"))
    run = wb.run("qa", model(llm_server), cache=False).wait()
    row = only_row(run)
    assert len(llm_server.requests) == 1
    assert row["error_kind"] == "bad_request"
    assert "too long" in row["error"]
    assert run.manifest.status == "failed"  # its only item errored: a failed run (issue 13)


def test_auth_error_is_not_retried_and_fails_the_run(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(ErrorReply(401), TextReply("never sent"))
    run = wb.run("qa", model(llm_server), cache=False).wait()
    row = only_row(run)
    assert len(llm_server.requests) == 1
    assert row["error_kind"] == "auth"
    assert run.manifest.status == "failed"
    assert run.status == "failed"


# -- API keys --------------------------------------------------------------------------
def test_no_key_and_no_base_url_is_refused_before_anything_is_written(wb: Workbench) -> None:
    add_dataset(wb, "hi")
    with pytest.raises(ValidationError, match="ANTHROPIC_API_KEY"):
        wb.run("qa", targets.model(API.target))
    assert not wb.runs_dir.exists()
    assert not (wb.root / "cache").exists()


def test_key_from_dotenv_in_the_store_root_is_sent(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    wb.root.mkdir(parents=True, exist_ok=True)
    (wb.root / ".env").write_text(f"{API.key_var}={KEY}\n")
    add_dataset(wb, f"echo {KEY}")
    llm_server.enqueue(TextReply("ok"))
    wb.run_sync("qa", model(llm_server), cache=False)
    request = llm_server.last_request
    credential = request.headers.get("x-api-key") or request.headers["authorization"]
    assert credential.endswith(REDACTED)
    # the simulator scrubs the credential it was sent from the body: it was the .env key
    assert request.body["messages"][-1]["content"] == f"echo {REDACTED}"


def test_key_from_dotenv_is_never_written_to_the_store(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    wb.root.mkdir(parents=True, exist_ok=True)
    (wb.root / ".env").write_text(f"{API.key_var}={KEY}\n")
    add_dataset(wb, {"question": "2+2?"}, {"question": "3+3?"})
    wb.create_prompt("answer", "Question: {{ question }}")
    llm_server.enqueue(TextReply("4"), ErrorReply(400))
    run = wb.run_sync("qa", model(llm_server, prompt="answer"), concurrency=1, cache=True)
    assert run.manifest.status == "completed"
    written = [p for p in Path(wb.root).rglob("*") if p.is_file() and p.name != ".env"]
    assert any(p.is_relative_to(wb.runs_dir) for p in written)
    assert any(p.is_relative_to(wb.root / "cache") for p in written)
    assert any(p.is_relative_to(wb.prompts_dir) for p in written)
    for path in written:
        assert KEY.encode() not in path.read_bytes(), path
