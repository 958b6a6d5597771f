"""One SDK client per event loop, closed explicitly by whoever ran calls on it.

An async HTTP client belongs to the event loop it was first used on, and it must be
closed on that loop. Left to the garbage collector, its sockets are closed at once
(the transports' ``__del__``) and the SDK schedules an ``aclose()`` that runs later on
whatever loop is current and unregisters those file descriptors from the loop; by then
the numbers belong to fresh connections, whose replies are never read (issue 12.5).

So an open client is never garbage: every client is also held by a module-level
registry until :meth:`LoopClients.aclose` closes it (the run's
:class:`~workbench.targets.CallContext` does, on the run's loop, when the run ends) or
its loop is closed. Users of one provider on one loop are counted (:meth:`LoopClients.hold`),
so a run ending does not close a client another run on the same loop still uses.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Closable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=Closable)

_open: dict[asyncio.AbstractEventLoop, set[object]] = {}
"""Every open client by loop: strong references, so none is left to the garbage collector."""
_open_lock = threading.Lock()


def _register(loop: asyncio.AbstractEventLoop, client: object) -> None:
    with _open_lock:
        for old in [k for k in _open if k.is_closed()]:
            del _open[old]  # a closed loop's clients can neither be used nor closed: their sockets went with it
        _open.setdefault(loop, set()).add(client)


def _unregister(loop: asyncio.AbstractEventLoop, client: object) -> None:
    with _open_lock:
        clients = _open.get(loop)
        if clients is not None:
            clients.discard(client)
            if not clients:
                del _open[loop]


def open_clients(loop: asyncio.AbstractEventLoop) -> int:
    """How many clients are open on ``loop`` (for tests and diagnostics)."""
    with _open_lock:
        return len(_open.get(loop, ()))


class LoopClients(Generic[C]):
    """The clients made by ``factory``, one per running event loop."""

    def __init__(self, factory: Callable[[], C]) -> None:
        self._factory = factory
        self._clients: dict[asyncio.AbstractEventLoop, C] = {}
        self._users: dict[asyncio.AbstractEventLoop, int] = {}

    def get(self) -> C:
        """The running loop's client, made on first use."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            for old in [k for k in self._clients if k.is_closed()]:
                del self._clients[old]
                self._users.pop(old, None)
            client = self._clients[loop] = self._factory()
            _register(loop, client)
        return client

    def hold(self) -> C:
        """The running loop's client, counting one more user who will call :meth:`aclose` when done."""
        loop = asyncio.get_running_loop()
        self._users[loop] = self._users.get(loop, 0) + 1
        return self.get()

    async def aclose(self) -> None:
        """One user is done: close the running loop's client when no user is left (a later call makes a new one)."""
        loop = asyncio.get_running_loop()
        users = self._users.get(loop, 0) - 1
        if users > 0:
            self._users[loop] = users
            return
        self._users.pop(loop, None)
        client = self._clients.pop(loop, None)
        if client is not None:
            try:
                await client.close()
            finally:
                _unregister(loop, client)

    def __len__(self) -> int:
        return len(self._clients)
