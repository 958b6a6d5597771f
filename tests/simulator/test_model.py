"""The simulated model's rules, called directly (no HTTP), and the module's command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from typing import Any

import pytest

from workbench.simulator import SimRequest, SimulatedModel, TextReply, ToolCallReply, count_tokens


def openai_request(messages: list[Any], **body: Any) -> SimRequest:
    """A recorded OpenAI chat completions request with this body."""
    payload = {"model": "sim", "messages": messages, **body}
    return SimRequest(0, "POST", "/v1/chat/completions", "", {}, payload)


def ask(question: str, system: str | None = None) -> str:
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": question}]
    reply = SimulatedModel()(openai_request(messages))
    assert isinstance(reply, TextReply)
    return reply.text


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("What is 17 * 23?", "391"),
        ("What is 15% of 80?", "12"),
        ("What is the square root of 144?", "12"),
        ("Convert 100 degrees Fahrenheit to Celsius, rounded to one decimal.", "37.8"),
        ("Convert 37 degrees Celsius to Fahrenheit", "98.6"),
        ("Is 97 a prime number? Answer yes or no.", "yes"),
        ("Is 91 prime?", "no"),
        ("What is (2 + 3) ^ 2?", "25"),
        ("What is 10 divided by 4?", "2.5"),
        ("What is 7 times 6?", "42"),
        ("What is 1 / 3?", "0.333333"),
        ("What happened to order A-1042 on 2026-03-02?", "I don't know."),  # ids and dates are not sums
        ("What is the capital of Australia?", "I don't know."),
        ("Hello!", "Hello! How can I help you today?"),
        (
            'Summarise in one sentence: "The meeting moved from Tuesday to Thursday. Same time, same room."',
            "The meeting moved from Tuesday to Thursday.",
        ),
    ],
)
def test_simulated_model_answers(question: str, answer: str) -> None:
    assert ask(question) == answer


def test_context_answers_with_the_best_matching_sentence() -> None:
    context = "Refund policy: refunds within 30 days. Order B-7 was delivered 45 days ago by DHL."
    assert ask(f"Context: {context}\n\nQuestion: Who delivered order B-7?") == (
        "Order B-7 was delivered 45 days ago by DHL."
    )
    assert ask("Can I get a refund?", system=f"Answer from the context.\nContext: {context}") == (
        "Refund policy: refunds within 30 days."
    )
    assert ask("Question: anything?\n<context>First one. Second one.</context>") == "First one."


def test_answer_hint_wins() -> None:
    assert ask("What is 2 + 2?", system="Answer: five") == "five"


def test_tool_arguments_follow_the_schema() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "book_flight",
            "description": "Book a flight to a destination city",
            "parameters": {
                "type": "object",
                "properties": {
                    "destination": {"type": "string"},
                    "seats": {"type": "integer"},
                    "cabin": {"type": "string", "enum": ["economy", "business"]},
                    "email": {"type": "string"},
                    "flexible": {"type": "boolean"},
                    "ref": {"type": "string", "pattern": "^BK[0-9]{4}$"},
                },
                "required": ["destination", "seats", "cabin", "email", "flexible", "ref"],
            },
        },
    }
    message = "Book a business flight to New York for 2 people, ref BK1234, mail ann@example.com"
    reply = SimulatedModel()(openai_request([{"role": "user", "content": message}], tools=[tool]))
    assert isinstance(reply, ToolCallReply)
    (call,) = reply.calls
    assert call.name == "book_flight"
    assert call.arguments == {
        "destination": "New York",
        "seats": 2,
        "cabin": "business",
        "email": "ann@example.com",
        "flexible": False,
        "ref": "BK1234",
    }


def test_the_most_related_tool_is_chosen_and_parallel_calls_can_be_refused() -> None:
    tools = [
        {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city"}},
        {
            "type": "function",
            "function": {
                "name": "get_order_status",
                "description": "Status of an order",
                "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
            },
        },
    ]
    messages = [{"role": "user", "content": "Status of orders A-1 and A-2?"}]
    reply = SimulatedModel()(openai_request(messages, tools=tools))
    assert isinstance(reply, ToolCallReply)
    assert [(c.name, c.arguments) for c in reply.calls] == [
        ("get_order_status", {"order_id": "A-1"}),
        ("get_order_status", {"order_id": "A-2"}),
    ]
    single = SimulatedModel()(openai_request(messages, tools=tools, parallel_tool_calls=False))
    assert isinstance(single, ToolCallReply)
    assert len(single.calls) == 1


def test_count_tokens_is_rough_and_deterministic() -> None:
    assert count_tokens("") == 0
    assert count_tokens("What is 17 * 23?") == 6
    assert count_tokens("order A-1042") == 4


@pytest.mark.slow
def test_command_line_prints_the_urls_and_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "workbench.simulator", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(4)]
            assert "simulation" in lines[0]
            base_url = lines[1].split()[-1]
            assert base_url.startswith("http://127.0.0.1:")
            assert base_url.endswith("/v1")
            body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "What is 6 * 7?"}]}).encode()
            headers = {"Content-Type": "application/json"}
            request = urllib.request.Request(f"{base_url}/chat/completions", body, headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                assert json.loads(response.read())["choices"][0]["message"]["content"] == "42"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=5) == 0
        finally:
            if process.poll() is None:
                process.kill()
