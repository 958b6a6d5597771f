"""A hung model call is abandoned and retried within the item's budget; attempts count requests sent (issue 12.4)."""

from __future__ import annotations

import asyncio
import time

import pandas as pd
import pytest

from workbench import ValidationError, Workbench, targets
from workbench.providers import ModelRequest
from workbench.providers._context import unit_calls
from workbench.providers._limiter import AdaptiveLimiter
from workbench.providers._openai import OpenAIProvider
from workbench.simulator import ErrorReply, SimulatedLLMServer, TextReply
from workbench.targets import CallContext


def one_item(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items([{"item_id": "a", "input": "hi"}])


def test_a_hung_call_is_retried_within_the_item_timeout(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    """The first request hangs (the server answers it after 20 s), the second is answered at once."""
    one_item(wb)
    llm_server.enqueue(TextReply("too late", delay=20.0), TextReply("ok"))
    target = targets.model("openai:gpt-4o-mini", base_url=llm_server.openai_base_url)
    t0 = time.monotonic()
    run = wb.run_sync("qa", target, timeout=10, call_timeout=0.5)
    elapsed = time.monotonic() - t0
    row = run.results().iloc[0]
    assert pd.isna(row["error"]), row["error"]
    assert row["output"] == "ok"
    assert row["attempts"] == 2
    assert len(llm_server.requests) == 2
    assert 0.5 <= row["latency_s"] < 5
    assert elapsed < 8, "the hung call held the item for its whole budget"


def test_the_call_timeout_defaults_to_30s_and_never_exceeds_the_item_timeout(
    wb: Workbench, llm_server: SimulatedLLMServer
) -> None:
    one_item(wb)
    llm_server.set_responder(lambda request: TextReply("ok"))
    target = targets.model("openai:gpt-4o-mini", base_url=llm_server.openai_base_url)
    assert wb.run_sync("qa", target, timeout=120).manifest.settings["call_timeout"] == 30.0
    assert wb.run_sync("qa", target, timeout=8).manifest.settings["call_timeout"] == 8
    assert wb.run_sync("qa", target, timeout=None, call_timeout=90).manifest.settings["call_timeout"] == 90


@pytest.mark.parametrize("bad", [0, -1, float("inf"), "5", True], ids=repr)
def test_a_bad_call_timeout_is_refused(wb: Workbench, bad: object) -> None:
    one_item(wb)
    with pytest.raises(ValidationError, match="call_timeout"):
        wb.run("qa", lambda x: x, call_timeout=bad)  # type: ignore[arg-type]


def test_a_timed_out_item_reports_the_requests_it_sent(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    """Two rate limits, then a call that hangs past the item's timeout: three requests were sent, not one."""
    one_item(wb)
    fast = {"retry-after-ms": "10"}
    llm_server.enqueue(ErrorReply(429, headers=fast), ErrorReply(429, headers=fast), TextReply("late", delay=20.0))
    target = targets.model("openai:gpt-4o-mini", base_url=llm_server.openai_base_url)
    row = wb.run("qa", target, timeout=1.0).wait().results().iloc[0]  # its only item errors: a failed run
    assert row["error_kind"] == "timeout"
    assert len(llm_server.requests) == 3
    assert row["attempts"] == 3


def test_a_call_that_only_waited_for_a_slot_sent_nothing(llm_server: SimulatedLLMServer) -> None:
    """A unit that timed out waiting for the concurrency limit made no attempt."""
    provider = OpenAIProvider("gpt-4o-mini", api_key=None, base_url=llm_server.openai_base_url)

    async def go() -> tuple[list[int], int]:
        ctx = CallContext(limiter=AdaptiveLimiter(1), call_timeout=5.0)
        attempts = [0]
        async with ctx.limiter.slot():  # another unit holds the only slot
            with unit_calls() as calls, pytest.raises(TimeoutError):
                async with asyncio.timeout(0.3):
                    await ctx.complete(provider, ModelRequest([{"role": "user", "content": "hi"}]), attempts)
        await ctx.aclose()
        return attempts, calls.sent

    assert asyncio.run(go()) == ([0], 0)
    assert llm_server.requests == []


def test_a_plain_function_that_times_out_is_one_attempt(wb: Workbench) -> None:
    one_item(wb)

    async def stuck(x: str) -> str:
        await asyncio.sleep(5)
        return x

    row = wb.run("qa", stuck, timeout=0.2).wait().results().iloc[0]  # its only item errors: a failed run
    assert row["error_kind"] == "timeout"
    assert row["attempts"] == 1
