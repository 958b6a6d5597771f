"""What a target gets from the runner for its model calls: retries, limits, cache, prices.

The runner also opens a :class:`UnitCalls` record around each unit (item x repeat) so that
calls made deep inside a target are counted for that unit: the calls actually sent (its
``attempts``), the time spent waiting rather than working (for a slot of the concurrency
limit, or for a client to start: left out of its latency), and which repeat it is (part of
the response cache's key, so one repeat is never answered with another's reply).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from time import perf_counter

from workbench.providers._base import ModelReply, ModelRequest, Provider
from workbench.providers._cache import ResponseCache
from workbench.providers._errors import ProviderError
from workbench.providers._limiter import AdaptiveLimiter, backoff_delay
from workbench.providers._prices import PriceTable

log = logging.getLogger("workbench.calls")

DEFAULT_CALL_TIMEOUT = 30.0
"""Seconds one model call may take when the run does not say (never more than the item's timeout)."""


@dataclass
class UnitCalls:
    """The model calls of one unit (item x repeat), as the call context saw them."""

    repeat: int = 0
    sent: int = 0
    """Requests actually sent (a call that only waited for a slot sent nothing)."""
    waited_s: float = 0.0
    """Seconds spent waiting for a concurrency slot or a client's start-up (not the unit's latency)."""
    used: bool = False
    """Whether the unit asked for any model call at all."""


_unit: ContextVar[UnitCalls | None] = ContextVar("workbench_unit_calls", default=None)


@contextmanager
def unit_calls(repeat: int = 0) -> Iterator[UnitCalls]:
    """Count the model calls made in this context (the runner opens one per unit)."""
    record = UnitCalls(repeat=repeat)
    token = _unit.set(record)
    try:
        yield record
    finally:
        _unit.reset(token)


def call_timeout_for(item_timeout: float | None, call_timeout: float | None = None) -> float | None:
    """The per-call timeout: ``call_timeout`` if given, else 30 s; never more than the item's timeout."""
    chosen = DEFAULT_CALL_TIMEOUT if call_timeout is None else call_timeout
    return chosen if item_timeout is None else min(chosen, item_timeout)


@dataclass
class CallContext:
    """Shared by every call of one run (one per run, not per item)."""

    limiter: AdaptiveLimiter
    max_retries: int = 5
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT
    """Seconds one request may take before it is abandoned and retried (``None``: no limit)."""
    cache: ResponseCache | None = None
    prices: PriceTable = field(default_factory=PriceTable.default)
    executor: ThreadPoolExecutor | None = None
    """Threads for sync targets and tools, sized to the run's concurrency (``None``: asyncio's default)."""
    _providers: dict[int, Provider] = field(default_factory=dict, repr=False)
    _ready: set[tuple[int, int]] = field(default_factory=set, repr=False)

    def close(self) -> None:
        """Release the threads (a hung sync call keeps its thread, but no longer holds up anyone)."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        """Close the clients of every provider called on this loop (their connections go with them).

        Call it on the loop the calls ran on, when they are over: a client left to the
        garbage collector closes its sockets behind the loop's back (see ``providers/_clients.py``).
        """
        providers, self._providers = list(self._providers.values()), {}
        self._ready.clear()
        for provider in providers:
            try:
                await provider.aclose()
            except Exception:  # closing is best effort: the run's results are what matter
                log.warning("could not close the client of %s", provider.model, exc_info=True)

    async def _warm_up(self, provider: Provider, unit: UnitCalls | None) -> None:
        """Make the provider's client on this loop once, the time counted as waiting, not calling."""
        key = (id(provider), id(asyncio.get_running_loop()))
        self._providers[id(provider)] = provider
        if key in self._ready:
            return
        started = perf_counter()
        await provider.warm_up()
        self._ready.add(key)
        if unit is not None:
            unit.waited_s += perf_counter() - started

    async def _send(self, provider: Provider, request: ModelRequest) -> ModelReply:
        """One request, abandoned after ``call_timeout`` (a hung call becomes a retryable timeout)."""
        if self.call_timeout is None:
            return await provider.complete(request, timeout=None)
        try:
            async with asyncio.timeout(self.call_timeout):
                return await provider.complete(request, timeout=self.call_timeout)
        except TimeoutError:
            raise ProviderError("timeout", f"no reply within the {self.call_timeout:g}s call timeout") from None

    async def complete(self, provider: Provider, request: ModelRequest, attempts: list[int]) -> ModelReply:
        """Send ``request`` with the run's limits: cache, concurrency, retries with backoff.

        Rate limits, timeouts and transient errors are retried up to ``max_retries`` times
        with exponential backoff and jitter (honouring ``Retry-After``), and a rate limit
        halves the run's concurrency; bad requests and auth errors are raised at once. A
        call that takes longer than ``call_timeout`` is abandoned and retried while the
        item's own timeout allows. ``attempts[0]`` counts the requests actually sent.
        """
        unit = _unit.get()
        if unit is not None:
            unit.used = True
        key = None
        if self.cache is not None:
            key = ResponseCache.key(provider.spec(), request, repeat=unit.repeat if unit is not None else 0)
            hit = await asyncio.to_thread(self.cache.get, key)
            if hit is not None:
                return hit
        await self._warm_up(provider, unit)
        retry = 0
        while True:
            try:
                waiting = perf_counter()
                async with self.limiter.slot():
                    if unit is not None:
                        unit.waited_s += perf_counter() - waiting
                        unit.sent += 1
                    attempts[0] += 1
                    reply = await self._send(provider, request)
            except ProviderError as exc:
                if exc.kind == "rate_limit":
                    self.limiter.on_rate_limit()
                if not exc.retryable or retry >= self.max_retries:
                    raise
                retry += 1
                delay = exc.retry_after if exc.retry_after is not None else backoff_delay(retry)
                log.info("retry %d of %s after %.2fs: %s", retry, provider.model, delay, exc)
                await asyncio.sleep(delay)
                continue
            self.limiter.on_success()
            if self.cache is not None and key is not None:
                await asyncio.to_thread(self.cache.put, key, reply)
            return reply
