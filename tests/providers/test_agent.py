"""Agent targets: tool calls over several steps, with both providers' wire formats."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from workbench import Workbench, targets
from workbench.simulator import ErrorReply, SimulatedLLMServer, TextReply, ToolCall, ToolCallReply, ToolResult, Usage

from ._support import ANTHROPIC, OPENAI, Api, add_dataset, only_row, output, tool_calls

CALLS: list[tuple[str, dict[str, Any]]] = []


def add(a: int, b: int) -> int:
    """Add two whole numbers.

    Args:
        a: the first number.
        b: the second number.
    """
    CALLS.append(("add", {"a": a, "b": b}))
    time.sleep(0.01)
    return a + b


def lookup(city: str) -> dict[str, Any]:
    """The country of a city."""
    CALLS.append(("lookup", {"city": city}))
    return {"city": city, "country": "Australia"}


def explode(reason: str) -> str:
    """A tool that always fails."""
    CALLS.append(("explode", {"reason": reason}))
    raise RuntimeError(f"kaboom: {reason}")


async def wait_a_bit(seconds: float) -> str:
    """An async tool."""
    CALLS.append(("wait_a_bit", {"seconds": seconds}))
    return f"waited {seconds}"


TOOLS: list[Callable[..., Any]] = [add, lookup, explode, wait_a_bit]


@pytest.fixture(autouse=True)
def _clear_calls() -> Iterator[None]:
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture(params=[OPENAI, ANTHROPIC], ids=["openai", "anthropic"])
def api(request: pytest.FixtureRequest) -> Api:
    """Each test runs against both wire formats."""
    value: Api = request.param
    return value


def agent(api: Api, server: SimulatedLLMServer, **options: Any) -> targets.AgentTarget:
    """An agent with :data:`TOOLS` on the simulator."""
    return targets.agent(api.target, tools=TOOLS, base_url=api.base_url(server), **options)


def run_row(wb: Workbench, api: Api, server: SimulatedLLMServer, **options: Any) -> dict[str, Any]:
    """Run the agent on one item (no response cache) and return its row."""
    add_dataset(wb, "What is 2+3?")
    return only_row(wb.run("qa", agent(api, server, **options), cache=False).wait())  # an error fails the run


def follow_up_results(server: SimulatedLLMServer, index: int = 1) -> tuple[ToolResult, ...]:
    """The tool results sent back in request ``index``."""
    return server.requests[index].conversation.pending_tool_results


# -- the happy path --------------------------------------------------------------------
def test_tools_are_offered_with_their_schema(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(TextReply("no tools needed"))
    run_row(wb, api, llm_server)
    offered = {t.name: t for t in llm_server.requests[0].conversation.tools}
    assert set(offered) == {"add", "lookup", "explode", "wait_a_bit"}
    assert offered["add"].description == "Add two whole numbers."
    assert offered["add"].parameters["properties"]["a"]["type"] == "integer"
    assert offered["add"].parameters["required"] == ["a", "b"]


def test_tool_is_called_with_the_models_arguments(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]), TextReply("5"))
    run_row(wb, api, llm_server)
    assert CALLS == [("add", {"a": 2, "b": 3})]


def test_tool_result_is_fed_back_to_the_model(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3}, id="call_add_1")]), TextReply("5"))
    run_row(wb, api, llm_server)
    assert len(llm_server.requests) == 2
    assert follow_up_results(llm_server) == (ToolResult("call_add_1", "add", "5"),)


def test_openai_follow_up_carries_the_call_and_a_tool_message(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("lookup", {"city": "Perth"}, id="call_9")]), TextReply("Australia"))
    run_row(wb, OPENAI, llm_server)
    messages = llm_server.requests[1].body["messages"]
    assert messages[-2]["role"] == "assistant"
    assert messages[-2]["tool_calls"] == [
        {"id": "call_9", "type": "function", "function": {"name": "lookup", "arguments": '{"city":"Perth"}'}}
    ]
    assert messages[-1] == {
        "role": "tool",
        "tool_call_id": "call_9",
        "content": '{"city":"Perth","country":"Australia"}',
    }


def test_anthropic_follow_up_carries_the_call_and_a_tool_result_block(
    wb: Workbench, llm_server: SimulatedLLMServer
) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("lookup", {"city": "Perth"}, id="toolu_9")]), TextReply("Australia"))
    run_row(wb, ANTHROPIC, llm_server)
    messages = llm_server.requests[1].body["messages"]
    assert messages[-2] == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_9", "name": "lookup", "input": {"city": "Perth"}}],
    }
    assert messages[-1] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_9", "content": '{"city":"Perth","country":"Australia"}'}
        ],
    }


def test_final_answer_after_several_steps_is_the_output(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api
) -> None:
    llm_server.enqueue(
        ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]),
        ToolCallReply([ToolCall("add", {"a": 5, "b": 4})]),
        TextReply("The answer is 9."),
    )
    row = run_row(wb, api, llm_server)
    assert output(row) == "The answer is 9."
    assert row["error"] is None
    assert len(llm_server.requests) == 3


def test_every_tool_call_is_recorded(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(
        ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]),
        ToolCallReply([ToolCall("lookup", {"city": "Perth"})]),
        TextReply("done"),
    )
    calls = tool_calls(run_row(wb, api, llm_server))
    assert [(c["name"], c["arguments"], c["result"], c["error"], c["step"], c["valid"]) for c in calls] == [
        ("add", {"a": 2, "b": 3}, 5, None, 1, True),
        ("lookup", {"city": "Perth"}, {"city": "Perth", "country": "Australia"}, None, 2, True),
    ]
    assert calls[0]["latency_s"] >= 0.01  # add sleeps 10 ms
    assert calls[1]["latency_s"] >= 0


def test_model_steps_are_recorded(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("add", {"a": 1, "b": 1}), ToolCall("add", {"a": 2, "b": 2})]))
    llm_server.enqueue(TextReply("done"))
    row = run_row(wb, api, llm_server)
    assert row["steps"] == [
        {"name": "model", "step": 1, "tool_calls": 2},
        {"name": "model", "step": 2, "tool_calls": 0},
    ]


def test_several_calls_in_one_turn_are_all_run_and_answered_in_order(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api
) -> None:
    llm_server.enqueue(
        ToolCallReply([ToolCall("add", {"a": 1, "b": 2}, id="c1"), ToolCall("lookup", {"city": "Hobart"}, id="c2")]),
        TextReply("done"),
    )
    run_row(wb, api, llm_server)
    assert [name for name, _ in CALLS] == ["add", "lookup"]
    results = follow_up_results(llm_server)
    assert [(r.call_id, r.content) for r in results] == [
        ("c1", "3"),
        ("c2", '{"city":"Hobart","country":"Australia"}'),
    ]


def test_async_tool_is_awaited(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("wait_a_bit", {"seconds": 0.5})]), TextReply("ok"))
    calls = tool_calls(run_row(wb, api, llm_server))
    assert calls[0]["result"] == "waited 0.5"
    assert follow_up_results(llm_server)[0].content == "waited 0.5"


def test_tokens_and_cost_add_up_over_steps(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(
        ToolCallReply([ToolCall("add", {"a": 2, "b": 3})], usage=Usage(input_tokens=100, output_tokens=10)),
        TextReply("5", usage=Usage(input_tokens=150, output_tokens=20)),
    )
    row = run_row(wb, api, llm_server)
    assert (row["tokens_in"], row["tokens_out"]) == (250, 30)
    assert row["cost"] == pytest.approx((250 * api.price_in + 30 * api.price_out) / 1e6, rel=1e-9)
    assert row["attempts"] == 2


# -- tools that fail, calls that are wrong ---------------------------------------------
def test_tool_that_raises_is_recorded_and_fed_back(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("explode", {"reason": "disk full"})]), TextReply("Sorry."))
    add_dataset(wb, "go")
    run = wb.run_sync("qa", agent(api, llm_server), cache=False)
    row = only_row(run)
    (call,) = tool_calls(row)
    assert call["error"] == "error: RuntimeError: kaboom: disk full"
    assert call["result"] is None
    assert call["valid"] is True
    assert follow_up_results(llm_server)[0].content == "error: RuntimeError: kaboom: disk full"
    assert output(row) == "Sorry."
    assert row["error"] is None
    assert run.manifest.status == "completed"


def test_anthropic_tool_error_is_flagged_is_error(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("explode", {"reason": "x"})]), TextReply("Sorry."))
    run_row(wb, ANTHROPIC, llm_server)
    assert follow_up_results(llm_server)[0].is_error is True


BAD_CALLS = {
    "wrong type": ToolCall("add", {"a": "two", "b": 3}),
    "missing required": ToolCall("add", {"a": 1}),
    "unknown tool": ToolCall("multiply", {"a": 1, "b": 2}),
    "unknown argument": ToolCall("add", {"a": 1, "b": 2, "c": 3}),
    "not an object": ToolCall("add", "[1, 2]"),
}


def test_calls_that_break_the_schema_are_recorded_invalid_and_not_run(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api
) -> None:
    llm_server.enqueue(ToolCallReply(list(BAD_CALLS.values())), TextReply("gave up"))
    row = run_row(wb, api, llm_server)
    records = dict(zip(BAD_CALLS, tool_calls(row), strict=True))
    assert CALLS == []
    for label, record in records.items():
        assert record["valid"] is False, label
        assert record["name"] == BAD_CALLS[label].name, label
        assert record["error"].startswith("error: "), label
        assert record["result"] is None, label
    assert "a: " in records["wrong type"]["error"]
    assert "b: Field required" in records["missing required"]["error"]
    assert "no tool named 'multiply'" in records["unknown tool"]["error"]
    assert "unknown argument 'c'" in records["unknown argument"]["error"]
    assert output(row) == "gave up"


def test_invalid_call_errors_are_fed_back_to_the_model(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    calls = [ToolCall(c.name, c.arguments, id=f"bad{n}") for n, c in enumerate(BAD_CALLS.values())]
    llm_server.enqueue(ToolCallReply(calls), TextReply("gave up"))
    records = tool_calls(run_row(wb, api, llm_server))
    results = follow_up_results(llm_server)
    assert [r.call_id for r in results] == [c.id for c in calls]
    assert [r.content for r in results] == [rec["error"] for rec in records]
    assert all(r.content.startswith("error: ") for r in results)


@pytest.mark.parametrize("value", ["3", True], ids=["numeric string", "boolean"])
def test_non_integer_json_value_for_an_integer_argument_is_an_invalid_call(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api, value: object
) -> None:
    # the schema shown to the model says {"type": "integer"}; "3" and true are not JSON integers
    llm_server.enqueue(ToolCallReply([ToolCall("add", {"a": value, "b": 4})]), TextReply("gave up"))
    (record,) = tool_calls(run_row(wb, api, llm_server))
    assert record["valid"] is False
    assert CALLS == []


def test_openai_arguments_that_are_not_json_are_an_invalid_call(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("add", '{"a": 1, "b": ')]), TextReply("gave up"))
    row = run_row(wb, OPENAI, llm_server)
    (record,) = tool_calls(row)
    assert record["valid"] is False
    assert record["arguments"] == '{"a": 1, "b": '
    assert "not valid JSON" in record["error"]
    assert CALLS == []
    assert output(row) == "gave up"


def test_anthropic_input_that_is_not_an_object_is_an_invalid_call(
    wb: Workbench, llm_server: SimulatedLLMServer
) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("add", '{"a": 1, "b": ')]), TextReply("gave up"))
    (record,) = tool_calls(run_row(wb, ANTHROPIC, llm_server))
    assert record["valid"] is False
    assert "JSON object" in record["error"]
    assert CALLS == []


# -- limits and failures ---------------------------------------------------------------
def test_max_steps_reached_is_an_error_that_keeps_the_tool_calls(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api
) -> None:
    llm_server.enqueue(*[ToolCallReply([ToolCall("add", {"a": n, "b": 1})]) for n in range(3)])
    add_dataset(wb, "loop forever")
    run = wb.run("qa", agent(api, llm_server, max_steps=2), cache=False).wait()
    row = only_row(run)
    assert row["error_kind"] == "max_steps"
    assert row["output"] is None
    assert [(c["name"], c["arguments"], c["step"]) for c in tool_calls(row)] == [
        ("add", {"a": 0, "b": 1}, 1),
        ("add", {"a": 1, "b": 1}, 2),
    ]
    assert len(llm_server.requests) == 2
    assert run.manifest.status == "failed"  # its only item errored: a failed run (issue 13)


def test_provider_error_mid_loop_keeps_earlier_tool_calls(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api
) -> None:
    llm_server.enqueue(ToolCallReply([ToolCall("add", {"a": 2, "b": 3})]), ErrorReply(400))
    row = run_row(wb, api, llm_server)
    assert row["error_kind"] == "bad_request"
    assert [c["result"] for c in tool_calls(row)] == [5]
    assert row["attempts"] == 2
