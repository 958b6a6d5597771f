"""One SDK client per event loop, closed explicitly by whoever ran calls on it.

An async HTTP client belongs to the event loop it was first used on, and it must be
closed on that loop. Left to the garbage collector, its sockets are closed at once
(the transports' ``__del__``) and the SDK schedules an ``aclose()`` that runs later on
whatever loop is current and unregisters those file descriptors from the loop; by then
the numbers belong to fresh connections, whose replies are never read (issue 12.5).
So clients are never dropped while open: :meth:`LoopClients.aclose` closes the current
loop's client, and the run's :class:`~workbench.targets.CallContext` calls it at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class _Closable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=_Closable)


class LoopClients(Generic[C]):
    """The clients made by ``factory``, one per running event loop."""

    def __init__(self, factory: Callable[[], C]) -> None:
        self._factory = factory
        self._clients: dict[asyncio.AbstractEventLoop, C] = {}

    def get(self) -> C:
        """The running loop's client, made on first use."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            for old in [k for k in self._clients if k.is_closed()]:
                del self._clients[old]  # a closed loop's client can neither be used nor closed
            client = self._clients[loop] = self._factory()
        return client

    async def aclose(self) -> None:
        """Close the running loop's client, if there is one (a later call makes a new one)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.close()

    def __len__(self) -> int:
        return len(self._clients)
