"""The adaptive concurrency limiter (workbench/providers/_limiter.py) and retry delays, alone and in a call context."""

from __future__ import annotations

import asyncio

import pytest

from workbench.providers import ModelRequest, ProviderError
from workbench.providers._limiter import AdaptiveLimiter, backoff_delay
from workbench.providers._openai import OpenAIProvider
from workbench.simulator import ErrorReply, SimulatedLLMServer, TextReply
from workbench.targets import CallContext


def test_rate_limit_halves_the_limit() -> None:
    limiter = AdaptiveLimiter(16)
    limiter.on_rate_limit()
    assert limiter.limit == 8
    limiter.on_rate_limit()
    assert limiter.limit == 4


def test_limit_never_falls_below_one() -> None:
    limiter = AdaptiveLimiter(3)
    for _ in range(5):
        limiter.on_rate_limit()
    assert limiter.limit == 1


def test_limit_recovers_by_one_after_limit_successes_in_a_row() -> None:
    limiter = AdaptiveLimiter(4)
    limiter.on_rate_limit()
    limiter.on_rate_limit()
    assert limiter.limit == 1
    seen = []
    for _ in range(1 + 2 + 3 + 5):
        limiter.on_success()
        seen.append(limiter.limit)
    # 1 success at limit 1, 2 at limit 2, 3 at limit 3, then capped at the maximum
    assert seen == [2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4]


def test_rate_limit_restarts_the_success_streak() -> None:
    limiter = AdaptiveLimiter(8)
    limiter.on_rate_limit()  # 4
    for _ in range(3):
        limiter.on_success()
    limiter.on_rate_limit()  # 2
    limiter.on_success()
    assert limiter.limit == 2


def test_limiter_needs_at_least_one_slot() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AdaptiveLimiter(0)


def test_slots_held_at_once_never_exceed_the_limit() -> None:
    async def scenario() -> int:
        limiter = AdaptiveLimiter(8)
        limiter.on_rate_limit()
        limiter.on_rate_limit()  # limit 2
        peak = 0

        async def call() -> None:
            nonlocal peak
            async with limiter.slot():
                peak = max(peak, limiter.active)
                await asyncio.sleep(0.01)

        await asyncio.gather(*(call() for _ in range(10)))
        return peak

    assert asyncio.run(scenario()) == 2


@pytest.mark.parametrize("retry", [1, 2, 3, 10])
def test_backoff_is_jittered_below_an_exponential_cap(retry: int) -> None:
    ceiling = min(30.0, 0.5 * 2 ** (retry - 1))
    delays = [backoff_delay(retry) for _ in range(200)]
    assert all(0 <= d <= ceiling for d in delays)
    assert max(delays) > ceiling / 2  # jittered over the range, not a constant


def _complete(server: SimulatedLLMServer, limiter_size: int, max_retries: int) -> tuple[int, list[int], str]:
    """One call through a run's call context; returns the limiter's limit, attempts and the reply text."""

    async def go() -> tuple[int, list[int], str]:
        ctx = CallContext(limiter=AdaptiveLimiter(limiter_size), max_retries=max_retries, call_timeout=5.0)
        provider = OpenAIProvider("gpt-4o-mini", api_key=None, base_url=server.openai_base_url)
        attempts = [0]
        reply = await ctx.complete(provider, ModelRequest([{"role": "user", "content": "hi"}]), attempts)
        return ctx.limiter.limit, attempts, reply.text or ""

    return asyncio.run(go())


def test_rate_limited_call_halves_the_run_concurrency(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(ErrorReply(429, headers={"retry-after-ms": "10"}), TextReply("ok"))
    limit, attempts, text = _complete(llm_server, limiter_size=8, max_retries=3)
    assert (limit, attempts, text) == (4, [2], "ok")


def test_call_timeout_is_retried_by_the_call_context(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(TextReply("late", delay=2.0), TextReply("ok"))

    async def go() -> tuple[list[int], str]:
        ctx = CallContext(limiter=AdaptiveLimiter(1), max_retries=1, call_timeout=0.3)
        provider = OpenAIProvider("gpt-4o-mini", api_key=None, base_url=llm_server.openai_base_url)
        attempts = [0]
        reply = await ctx.complete(provider, ModelRequest([{"role": "user", "content": "hi"}]), attempts)
        return attempts, reply.text or ""

    assert asyncio.run(go()) == ([2], "ok")


def test_call_context_gives_up_after_max_retries(llm_server: SimulatedLLMServer) -> None:
    llm_server.enqueue(*[ErrorReply(429, headers={"retry-after-ms": "10"})] * 4)
    with pytest.raises(ProviderError) as info:
        _complete(llm_server, limiter_size=2, max_retries=2)
    assert info.value.kind == "rate_limit"
    assert len(llm_server.requests) == 3
