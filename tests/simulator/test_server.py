"""The simulated LLM server, driven by the real ``openai`` and ``anthropic`` clients over HTTP."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from typing import Any

import pytest

from workbench.simulator import (
    REDACTED,
    DropConnection,
    ErrorReply,
    MalformedReply,
    RawReply,
    SimRequest,
    SimulatedLLMServer,
    TextReply,
    ToolCall,
    ToolCallReply,
    Usage,
)

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")

API_KEY = "sk-test-do-not-log-0123456789"
ORDER_TOOL_OPENAI: Any = {
    "type": "function",
    "function": {
        "name": "get_order_status",
        "description": "Look up the status of a customer order by its id.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "description": "Order id such as A-1042"}},
            "required": ["order_id"],
        },
    },
}
ORDER_TOOL_ANTHROPIC: Any = {
    "name": "get_order_status",
    "description": "Look up the status of a customer order by its id.",
    "input_schema": ORDER_TOOL_OPENAI["function"]["parameters"],
}
USER_HI: Any = [{"role": "user", "content": "Hi"}]


def openai_client(server: SimulatedLLMServer, **options: Any) -> Any:
    """A real OpenAI client on the server: no retries, strict validation of every response."""
    options = {"max_retries": 0, "_strict_response_validation": True, **options}
    return openai.OpenAI(base_url=server.openai_base_url, api_key=API_KEY, **options)


def anthropic_client(server: SimulatedLLMServer, **options: Any) -> Any:
    """A real Anthropic client on the server: no retries, strict validation of every response."""
    options = {"max_retries": 0, "_strict_response_validation": True, **options}
    return anthropic.Anthropic(base_url=server.anthropic_base_url, api_key=API_KEY, **options)


def ask_openai(client: Any, content: str = "Hi", **kwargs: Any) -> Any:
    return client.chat.completions.create(model="sim-gpt", messages=[{"role": "user", "content": content}], **kwargs)


def ask_anthropic(client: Any, content: str = "Hi", **kwargs: Any) -> Any:
    kwargs.setdefault("max_tokens", 256)
    return client.messages.create(model="sim-claude", messages=[{"role": "user", "content": content}], **kwargs)


# --- text replies and usage -------------------------------------------------------------------


def test_openai_text_reply_and_usage_are_parsed_by_the_client(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("Canberra", usage=Usage(input_tokens=120, output_tokens=3, cached_tokens=100)))
    completion = ask_openai(openai_client(llm_server), "What is the capital of Australia?")
    assert completion.object == "chat.completion"
    assert completion.model == "sim-gpt"
    choice = completion.choices[0]
    assert (choice.message.role, choice.message.content, choice.finish_reason) == ("assistant", "Canberra", "stop")
    assert choice.message.tool_calls is None
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (120, 3, 123)
    assert usage.prompt_tokens_details.cached_tokens == 100
    assert completion._request_id.startswith("req_sim_")


def test_anthropic_text_reply_and_usage_are_parsed_by_the_client(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("Canberra", usage=Usage(input_tokens=120, output_tokens=3, cached_tokens=100)))
    message = ask_anthropic(anthropic_client(llm_server), "What is the capital of Australia?")
    assert (message.type, message.role, message.model, message.stop_reason) == (
        "message",
        "assistant",
        "sim-claude",
        "end_turn",
    )
    assert [(block.type, block.text) for block in message.content] == [("text", "Canberra")]
    # Anthropic's input_tokens leaves out the tokens read from the cache
    assert (message.usage.input_tokens, message.usage.cache_read_input_tokens) == (20, 100)
    assert message.usage.output_tokens == 3


def test_usage_is_counted_from_the_request_deterministically(llm_server: SimulatedLLMServer) -> None:
    client = openai_client(llm_server)
    short = ask_openai(client, "What is 2 + 2?")
    again = ask_openai(client, "What is 2 + 2?")
    longer = ask_openai(client, "What is 2 + 2? Please think about it very carefully before you answer me.")
    assert short.choices[0].message.content == "4"
    assert short.usage.prompt_tokens == again.usage.prompt_tokens > 0
    assert short.usage.completion_tokens == 1
    assert longer.usage.prompt_tokens > short.usage.prompt_tokens
    assert short.id == again.id  # ids derive from the request: the same request, the same reply
    message = ask_anthropic(anthropic_client(llm_server), "What is 2 + 2?")
    assert message.usage.input_tokens == short.usage.prompt_tokens  # same prompt, same count
    assert message.usage.cache_read_input_tokens == 0


def test_max_tokens_cuts_the_simulated_answer(llm_server: SimulatedLLMServer) -> None:
    question = "Summarise: 'The meeting moved from Tuesday to Thursday, same time, same room.'"
    completion = ask_openai(openai_client(llm_server), question, max_completion_tokens=3)
    assert (completion.choices[0].message.content, completion.choices[0].finish_reason) == (
        "The meeting moved",
        "length",
    )
    message = ask_anthropic(anthropic_client(llm_server), question, max_tokens=3)
    assert (message.content[0].text, message.stop_reason) == ("The meeting moved", "max_tokens")


# --- tool calls -------------------------------------------------------------------------------


def test_openai_tool_calls_over_several_steps_with_the_simulated_model(llm_server: SimulatedLLMServer) -> None:
    client = openai_client(llm_server)
    messages: list[Any] = [{"role": "user", "content": "What is the status of order A-1042?"}]
    first = client.chat.completions.create(model="sim-gpt", messages=messages, tools=[ORDER_TOOL_OPENAI])
    assert first.choices[0].finish_reason == "tool_calls"
    assert first.choices[0].message.content is None
    (call,) = first.choices[0].message.tool_calls
    assert (call.type, call.function.name) == ("function", "get_order_status")
    assert json.loads(call.function.arguments) == {"order_id": "A-1042"}
    assert call.id.startswith("call_")

    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    result = {"order_id": "A-1042", "status": "shipped", "carrier": "DHL"}
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
    second = client.chat.completions.create(model="sim-gpt", messages=messages, tools=[ORDER_TOOL_OPENAI])
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == (
        "According to get_order_status: order_id: A-1042, status: shipped, carrier: DHL."
    )
    assert second.usage.prompt_tokens > first.usage.prompt_tokens

    # the server saw what the client sent back
    sent = llm_server.requests[1].conversation
    assert sent.pending_tool_results[0].name == "get_order_status"
    assert sent.pending_tool_results[0].call_id == call.id


def test_anthropic_tool_use_over_several_steps_with_the_simulated_model(llm_server: SimulatedLLMServer) -> None:
    client = anthropic_client(llm_server)
    messages: list[Any] = [{"role": "user", "content": "Where are my orders A-7 and B-12?"}]
    first = client.messages.create(model="sim-claude", max_tokens=256, messages=messages, tools=[ORDER_TOOL_ANTHROPIC])
    assert first.stop_reason == "tool_use"
    calls = [block for block in first.content if block.type == "tool_use"]
    assert [(c.name, c.input) for c in calls] == [
        ("get_order_status", {"order_id": "A-7"}),
        ("get_order_status", {"order_id": "B-12"}),
    ]  # one call per order id, in one turn

    messages.append({"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]})
    messages.append(
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": calls[0].id, "content": "Delivered yesterday."},
                {"type": "tool_result", "tool_use_id": calls[1].id, "content": "No such order.", "is_error": True},
            ],
        }
    )
    second = client.messages.create(model="sim-claude", max_tokens=256, messages=messages, tools=[ORDER_TOOL_ANTHROPIC])
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == (
        "According to get_order_status: Delivered yesterday. get_order_status failed: No such order."
    )


def test_scripted_parallel_tool_calls_then_text(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(
        ToolCallReply(
            [ToolCall("get_weather", {"city": "Paris"}, id="call_1"), ToolCall("get_time", {"tz": "CET"})],
            text="Let me check both.",
        ),
        TextReply("Sunny, 14:00."),
    )
    client = openai_client(llm_server)
    first = ask_openai(client, "Weather and time in Paris?")
    message = first.choices[0].message
    assert message.content == "Let me check both."
    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls] == [
        ("call_1", "get_weather", {"city": "Paris"}),
        (message.tool_calls[1].id, "get_time", {"tz": "CET"}),
    ]
    assert ask_openai(client, "and?").choices[0].message.content == "Sunny, 14:00."
    assert llm_server.pending == 0

    llm_server.enqueue(ToolCallReply([ToolCall("get_weather", {"city": "Paris"})], text="Checking."))
    anthropic_message = ask_anthropic(anthropic_client(llm_server))
    assert [block.type for block in anthropic_message.content] == ["text", "tool_use"]
    assert anthropic_message.content[1].input == {"city": "Paris"}


def test_tool_call_arguments_that_are_not_json_reach_the_openai_client_verbatim(
    llm_server: SimulatedLLMServer,
) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("get_weather", '{"city": "Par')]))
    (call,) = ask_openai(openai_client(llm_server)).choices[0].message.tool_calls
    assert call.function.arguments == '{"city": "Par'
    with pytest.raises(json.JSONDecodeError):
        json.loads(call.function.arguments)


def test_tool_choice_none_and_required_are_honoured(llm_server: SimulatedLLMServer) -> None:
    client = openai_client(llm_server)
    question = "What is the status of order A-1042?"
    plain = ask_openai(client, question, tools=[ORDER_TOOL_OPENAI], tool_choice="none")
    assert plain.choices[0].message.tool_calls is None
    forced = ask_openai(client, "Hello there", tools=[ORDER_TOOL_OPENAI], tool_choice="required")
    assert forced.choices[0].message.tool_calls[0].function.name == "get_order_status"
    unrelated = ask_openai(client, "What is 6 * 7?", tools=[ORDER_TOOL_OPENAI])
    assert unrelated.choices[0].message.content == "42"  # no tool shares a word with the question


# --- errors -----------------------------------------------------------------------------------


def test_openai_429_with_retry_after_raises_rate_limit_error(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ErrorReply(429, headers={"Retry-After": "1"}))
    with pytest.raises(openai.RateLimitError) as caught:
        ask_openai(openai_client(llm_server))
    error = caught.value
    assert error.status_code == 429
    assert error.response.headers["retry-after"] == "1"
    assert error.code == "rate_limit_exceeded"
    assert error.body == {
        "message": "Rate limit reached (simulated).",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
    assert error.request_id == error.response.headers["x-request-id"]
    assert len(llm_server.requests) == 1  # max_retries=0: no retry


def test_anthropic_429_with_retry_after_raises_rate_limit_error(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ErrorReply(429, message="Slow down.", headers={"Retry-After": "1"}))
    with pytest.raises(anthropic.RateLimitError) as caught:
        ask_anthropic(anthropic_client(llm_server))
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.body["error"] == {"type": "rate_limit_error", "message": "Slow down."}


@pytest.mark.parametrize(
    ("status", "openai_error", "anthropic_error"),
    [
        (400, "BadRequestError", "BadRequestError"),
        (401, "AuthenticationError", "AuthenticationError"),
        (500, "InternalServerError", "InternalServerError"),
        (503, "InternalServerError", "ServiceUnavailableError"),
        (529, "InternalServerError", "OverloadedError"),
    ],
)
def test_http_errors_raise_the_clients_status_errors(
    llm_server: SimulatedLLMServer, status: int, openai_error: str, anthropic_error: str
) -> None:
    llm_server.enqueue(ErrorReply(status), ErrorReply(status))
    with pytest.raises(openai.APIStatusError) as from_openai:
        ask_openai(openai_client(llm_server))
    with pytest.raises(anthropic.APIStatusError) as from_anthropic:
        ask_anthropic(anthropic_client(llm_server))
    assert type(from_openai.value).__name__ == openai_error
    assert type(from_anthropic.value).__name__ == anthropic_error
    assert from_openai.value.status_code == from_anthropic.value.status_code == status
    if status >= 500:
        assert isinstance(from_openai.value, openai.InternalServerError)
        assert isinstance(from_anthropic.value, anthropic.InternalServerError)


def test_default_retries_get_past_429_and_500(llm_server: SimulatedLLMServer) -> None:
    fast = {"retry-after-ms": "50"}  # honoured by both clients instead of their 0.5 s+ backoff
    llm_server.enqueue(ErrorReply(429, headers=fast), ErrorReply(500, headers=fast), TextReply("third time lucky"))
    client = openai.OpenAI(base_url=llm_server.openai_base_url, api_key=API_KEY)  # max_retries defaults to 2
    assert ask_openai(client).choices[0].message.content == "third time lucky"
    assert [r.headers["x-stainless-retry-count"] for r in llm_server.requests] == ["0", "1", "2"]

    llm_server.reset()
    llm_server.enqueue(ErrorReply(429, headers=fast), ErrorReply(529, headers=fast), ErrorReply(500, headers=fast))
    with pytest.raises(anthropic.InternalServerError):
        ask_anthropic(anthropic.Anthropic(base_url=llm_server.anthropic_base_url, api_key=API_KEY))
    assert len(llm_server.requests) == 3  # one try and two retries, then the last error is raised


def test_x_should_retry_false_stops_the_default_retries(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ErrorReply(503, headers={"x-should-retry": "false"}))
    with pytest.raises(openai.InternalServerError):
        ask_openai(openai.OpenAI(base_url=llm_server.openai_base_url, api_key=API_KEY))
    assert len(llm_server.requests) == 1


def test_slow_reply_past_the_client_timeout_raises_api_timeout_error(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("too late", delay=2.0), TextReply("too late", delay=2.0))
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        ask_openai(openai_client(llm_server, timeout=0.3))
    with pytest.raises(anthropic.APITimeoutError):
        ask_anthropic(anthropic_client(llm_server, timeout=0.3))
    assert time.monotonic() - started < 1.5
    assert len(llm_server.requests) == 2  # recorded on arrival, before the delay
    assert issubclass(openai.APITimeoutError, openai.APIConnectionError)


def test_latency_applies_to_every_reply(llm_server: SimulatedLLMServer) -> None:
    llm_server.latency = 0.2
    started = time.monotonic()
    ask_openai(openai_client(llm_server))
    assert time.monotonic() - started >= 0.2


def test_dropped_connection_raises_api_connection_error(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(DropConnection(), DropConnection())
    with pytest.raises(openai.APIConnectionError) as from_openai:
        ask_openai(openai_client(llm_server))
    assert not isinstance(from_openai.value, openai.APITimeoutError)
    with pytest.raises(anthropic.APIConnectionError):
        ask_anthropic(anthropic_client(llm_server))


@pytest.mark.parametrize("kind", ["invalid_json", "empty_body"])
def test_unparsable_body_raises_a_plain_json_error_not_an_api_error(llm_server: SimulatedLLMServer, kind: Any) -> None:
    # Surprising but true: neither client wraps this in its own exception types.
    llm_server.enqueue(MalformedReply(kind), MalformedReply(kind))
    with pytest.raises(json.JSONDecodeError):
        ask_openai(openai_client(llm_server))
    with pytest.raises(json.JSONDecodeError):
        ask_anthropic(anthropic_client(llm_server))
    assert not issubclass(json.JSONDecodeError, openai.OpenAIError | anthropic.AnthropicError)


def test_missing_fields_are_returned_as_none_unless_validation_is_strict(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(*[MalformedReply("missing_fields")] * 4)
    lax_completion = ask_openai(openai_client(llm_server, _strict_response_validation=False))
    assert lax_completion.id.startswith("chatcmpl-")
    assert lax_completion.choices is None
    assert lax_completion.usage is None
    lax_message = ask_anthropic(anthropic_client(llm_server, _strict_response_validation=False))
    assert lax_message.content is None
    assert lax_message.usage is None
    with pytest.raises(openai.APIResponseValidationError):
        ask_openai(openai_client(llm_server))
    with pytest.raises(anthropic.APIResponseValidationError):
        ask_anthropic(anthropic_client(llm_server))


def test_html_body_is_returned_as_a_string_unless_validation_is_strict(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(*[MalformedReply("html")] * 3)
    lax = ask_openai(openai_client(llm_server, _strict_response_validation=False))
    assert isinstance(lax, str)
    assert lax.startswith("<html>")
    lax_anthropic = ask_anthropic(anthropic_client(llm_server, _strict_response_validation=False))
    assert isinstance(lax_anthropic, str)
    with pytest.raises(openai.APIResponseValidationError, match="text/html"):
        ask_openai(openai_client(llm_server))


def test_raw_reply_sends_exact_bytes(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(*[RawReply(b"not json at all", status=502, content_type="text/plain")] * 2)
    with pytest.raises(openai.InternalServerError) as from_openai:
        ask_openai(openai_client(llm_server))
    assert (from_openai.value.status_code, from_openai.value.body) == (502, "not json at all")
    assert from_openai.value.message == "Error code: 502"  # OpenAI quotes only a JSON error.message
    with pytest.raises(anthropic.InternalServerError) as from_anthropic:
        ask_anthropic(anthropic_client(llm_server))
    assert from_anthropic.value.message == "not json at all"  # Anthropic quotes a text body as is


# --- the recorded requests --------------------------------------------------------------------


def test_api_keys_never_appear_in_recorded_requests(llm_server: SimulatedLLMServer) -> None:
    ask_openai(openai_client(llm_server), extra_body={"metadata": {"note": f"my key is {API_KEY}"}})
    ask_anthropic(anthropic_client(llm_server))
    extra = anthropic_client(llm_server, default_headers={"x-api-key": API_KEY, "x-echo": f"key={API_KEY}"})
    ask_anthropic(extra)
    requests = llm_server.requests
    assert len(requests) == 3
    assert API_KEY not in repr(requests)
    assert API_KEY[:16] not in repr(requests)
    assert requests[0].headers["authorization"] == f"Bearer {REDACTED}"
    assert requests[1].headers["authorization"] == f"Bearer {REDACTED}"  # this anthropic version sends a bearer
    assert requests[2].headers["x-api-key"] == REDACTED
    assert requests[2].headers["x-echo"] == f"key={REDACTED}"  # the key found elsewhere is scrubbed too
    assert requests[0].body["metadata"] == {"note": f"my key is {REDACTED}"}


def test_requests_record_path_headers_and_body(llm_server: SimulatedLLMServer) -> None:
    ask_openai(openai_client(llm_server), "Hello", temperature=0.2)
    ask_anthropic(anthropic_client(llm_server), "Hello", system="Be brief.")
    first, second = llm_server.requests
    assert (first.index, first.method, first.path, first.provider) == (0, "POST", "/v1/chat/completions", "openai")
    assert first.body == {"model": "sim-gpt", "messages": [{"role": "user", "content": "Hello"}], "temperature": 0.2}
    assert first.headers["content-type"] == "application/json"
    assert (second.path, second.provider, second.model) == ("/v1/messages", "anthropic", "sim-claude")
    assert second.conversation.system == "Be brief."
    assert second.conversation.last_user_text == "Hello"
    assert "anthropic-version" in second.headers
    assert llm_server.last_request == second


def test_responder_is_used_when_the_queue_is_empty(llm_server: SimulatedLLMServer) -> None:
    seen: list[SimRequest] = []

    def responder(request: SimRequest) -> TextReply:
        seen.append(request)
        return TextReply(f"You said: {request.conversation.last_user_text}")

    llm_server.set_responder(responder)
    llm_server.enqueue(TextReply("scripted"))
    client = openai_client(llm_server)
    assert ask_openai(client, "one").choices[0].message.content == "scripted"
    assert ask_openai(client, "two").choices[0].message.content == "You said: two"
    assert len(seen) == 1
    llm_server.set_responder(None)  # back to the simulated model
    assert ask_openai(client, "What is 3 * 3?").choices[0].message.content == "9"


def test_failing_responder_gives_a_500_naming_the_exception(llm_server: SimulatedLLMServer) -> None:
    def responder(request: SimRequest) -> TextReply:
        raise RuntimeError("boom")

    llm_server.set_responder(responder)
    with pytest.raises(openai.InternalServerError, match="boom"):
        ask_openai(openai_client(llm_server))


def test_replies_that_cannot_be_sent_become_500s(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("get_time", {"when": object()})]))
    with pytest.raises(openai.InternalServerError, match="could not render"):
        ask_openai(openai_client(llm_server))

    def responder(request: SimRequest) -> Any:
        return "just a string"

    llm_server.set_responder(responder)
    with pytest.raises(openai.InternalServerError, match="returned str, not a Reply"):
        ask_openai(openai_client(llm_server))


def test_invalid_requests_get_the_errors_a_real_api_gives(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("not consumed by invalid requests"))
    with pytest.raises(openai.BadRequestError, match="messages"):
        openai_client(llm_server).chat.completions.create(model="sim-gpt", messages=[])
    with pytest.raises(openai.NotFoundError, match="Unknown endpoint"):
        openai_client(llm_server).embeddings.create(model="sim-embed", input="hello")
    assert llm_server.pending == 1


def test_keep_alive_serves_several_requests_on_one_connection(llm_server: SimulatedLLMServer) -> None:
    connection = http.client.HTTPConnection(llm_server.host, llm_server.port, timeout=5)
    try:
        answers = []
        for question in ["What is 1 + 1?", "What is 2 + 2?"]:
            body = json.dumps({"model": "m", "messages": [{"role": "user", "content": question}]})
            connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.version == 11
            assert response.getheader("x-workbench-simulator") == "1"
            answers.append(json.loads(response.read())["choices"][0]["message"]["content"])
        connection.request("GET", "/health")
        assert json.loads(connection.getresponse().read()) == {"status": "ok", "simulated": True}
    finally:
        connection.close()
    assert answers == ["2", "4"]


# --- concurrency and lifecycle ----------------------------------------------------------------


def test_100_concurrent_async_requests_are_served_concurrently() -> None:
    async def run(server: SimulatedLLMServer) -> list[str]:
        client = openai.AsyncOpenAI(base_url=server.openai_base_url, api_key=API_KEY, max_retries=0)
        async with client:
            completions = await asyncio.gather(*(ask_async(client, f"What is {i} + 1?") for i in range(100)))
        return [c.choices[0].message.content for c in completions]

    async def ask_async(client: Any, question: str) -> Any:
        messages = [{"role": "user", "content": question}]
        return await client.chat.completions.create(model="sim-gpt", messages=messages)

    with SimulatedLLMServer(latency=0.05) as server:
        started = time.monotonic()
        answers = asyncio.run(run(server))
        elapsed = time.monotonic() - started
        assert len(server.requests) == 100
    assert answers == [str(i + 1) for i in range(100)]
    assert elapsed < 2.0, f"100 requests took {elapsed:.2f} s: not served concurrently (serially: 5 s)"


def test_stop_returns_promptly_and_drops_replies_still_waiting() -> None:
    server = SimulatedLLMServer().start()
    server.enqueue(TextReply("never sent", delay=30))
    errors: list[BaseException] = []

    def call() -> None:
        try:
            ask_openai(openai_client(server, timeout=10))
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    thread.join(timeout=5)
    assert time.monotonic() - started < 2
    assert not server.running
    assert len(errors) == 1
    assert isinstance(errors[0], openai.APIConnectionError)
    server.stop()  # idempotent


def test_start_twice_is_refused_and_restart_works() -> None:
    server = SimulatedLLMServer()
    with server:
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
        assert server.openai_base_url == f"http://127.0.0.1:{server.port}/v1"
        assert server.anthropic_base_url == f"http://127.0.0.1:{server.port}"
    with server:
        assert ask_openai(openai_client(server), "What is 5 - 2?").choices[0].message.content == "3"
