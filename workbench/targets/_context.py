"""What a target gets from the runner for its model calls: retries, limits, cache, prices."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from workbench.providers._base import ModelReply, ModelRequest, Provider
from workbench.providers._cache import ResponseCache
from workbench.providers._errors import ProviderError
from workbench.providers._limiter import AdaptiveLimiter, backoff_delay
from workbench.providers._prices import PriceTable

log = logging.getLogger("workbench.calls")


@dataclass
class CallContext:
    """Shared by every call of one run (one per run, not per item)."""

    limiter: AdaptiveLimiter
    max_retries: int = 5
    call_timeout: float | None = 60.0
    cache: ResponseCache | None = None
    prices: PriceTable = field(default_factory=PriceTable.default)
    executor: ThreadPoolExecutor | None = None
    """Threads for sync targets and tools, sized to the run's concurrency (``None``: asyncio's default)."""

    def close(self) -> None:
        """Release the threads (a hung sync call keeps its thread, but no longer holds up anyone)."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)

    async def complete(self, provider: Provider, request: ModelRequest, attempts: list[int]) -> ModelReply:
        """Send ``request`` with the run's limits: cache, concurrency, retries with backoff.

        Rate limits and transient errors are retried up to ``max_retries`` times with
        exponential backoff and jitter (honouring ``Retry-After``), and a rate limit
        halves the run's concurrency; bad requests and auth errors are raised at once.
        ``attempts[0]`` counts the calls actually sent.
        """
        key = None
        if self.cache is not None:
            key = ResponseCache.key(provider.spec(), request)
            hit = await asyncio.to_thread(self.cache.get, key)
            if hit is not None:
                return hit
        retry = 0
        while True:
            attempts[0] += 1
            try:
                async with self.limiter.slot():
                    reply = await provider.complete(request, timeout=self.call_timeout)
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
