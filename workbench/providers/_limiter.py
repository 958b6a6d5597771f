"""Concurrency that backs off on rate limits and recovers, and retry delays."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from workbench.errors import ValidationError


class AdaptiveLimiter:
    """At most ``limit`` calls at once; the limit halves on a rate limit and creeps back up.

    After a 429 the limit halves (down to 1); every ``limit`` successes in a row raise
    it by one, up to the configured maximum (additive increase, multiplicative decrease).
    """

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise ValidationError(f"concurrency must be at least 1, got {maximum!r}")
        self.maximum = maximum
        self.limit = maximum
        self.active = 0
        self._successes = 0
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the ``limit`` slots for the duration of a call."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.active < self.limit)
            self.active += 1
        try:
            yield
        finally:
            async with self._changed:
                self.active -= 1
                self._changed.notify()

    def on_success(self) -> None:
        """A call succeeded: after ``limit`` successes in a row, allow one more at once."""
        if self.limit >= self.maximum:
            return
        self._successes += 1
        if self._successes >= self.limit:
            self.limit += 1
            self._successes = 0

    def on_rate_limit(self) -> None:
        """A call was rate limited: halve the limit."""
        self.limit = max(1, self.limit // 2)
        self._successes = 0


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter for retry number ``attempt`` (1-based)."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))
