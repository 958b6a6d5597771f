"""``Retry-After`` in both its forms (seconds and HTTP date) and ``retry-after-ms`` (issue 12.10)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from workbench.providers import ModelRequest
from workbench.providers._anthropic import AnthropicProvider
from workbench.providers._classify import MAX_RETRY_AFTER, retry_after
from workbench.providers._limiter import AdaptiveLimiter
from workbench.providers._openai import OpenAIProvider
from workbench.simulator import ErrorReply, Reply, SimRequest, SimulatedLLMServer, TextReply
from workbench.targets import CallContext


def http_date(seconds_from_now: float) -> str:
    """An RFC 9110 HTTP date (``Sun, 06 Nov 1994 08:49:37 GMT``)."""
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True)


def test_seconds_are_honoured() -> None:
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after": "1.5"}) == 1.5


def test_milliseconds_win_over_seconds() -> None:
    assert retry_after({"retry-after-ms": "250", "retry-after": "3"}) == pytest.approx(0.25)


def test_an_http_date_is_the_time_until_then() -> None:
    wait = retry_after({"retry-after": http_date(30)})
    assert wait is not None
    assert 28 <= wait <= 30


def test_an_http_date_in_the_past_means_now() -> None:
    assert retry_after({"retry-after": http_date(-60)}) == 0.0


@pytest.mark.parametrize("value", ["86400", http_date(86400)], ids=["seconds", "date"])
def test_a_long_wait_is_capped(value: str) -> None:
    assert retry_after({"retry-after": value}) == MAX_RETRY_AFTER


@pytest.mark.parametrize("value", ["soon", "", "Mon, 99 Foo 2026"], ids=repr)
def test_an_unreadable_value_is_ignored(value: str) -> None:
    assert retry_after({"retry-after": value}) is None


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_call_waits_until_the_http_date_before_retrying(llm_server: SimulatedLLMServer, provider: str) -> None:
    arrivals: list[float] = []

    def respond(request: SimRequest) -> Reply:
        arrivals.append(time.monotonic())
        if len(arrivals) == 1:  # the date is taken when the 429 is sent
            return ErrorReply(429, headers={"Retry-After": http_date(2)})
        return TextReply("ok")

    llm_server.set_responder(respond)
    model = (
        OpenAIProvider("gpt-4o-mini", api_key=None, base_url=llm_server.openai_base_url)
        if provider == "openai"
        else AnthropicProvider("claude-haiku-4-5", api_key=None, base_url=llm_server.anthropic_base_url)
    )

    async def go() -> str:
        ctx = CallContext(limiter=AdaptiveLimiter(2), max_retries=2, call_timeout=5.0)
        try:
            reply = await ctx.complete(model, ModelRequest([{"role": "user", "content": "hi"}]), [0])
        finally:
            await ctx.aclose()
        return reply.text or ""

    assert asyncio.run(go()) == "ok"
    assert len(arrivals) == 2
    assert 0.9 <= arrivals[1] - arrivals[0] <= 3.0  # the date has whole seconds: 1 to 2 s after the 429
