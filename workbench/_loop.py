"""The background event loop that runs evaluations without blocking the caller.

In Jupyter the kernel's own loop is busy running cells, so a run is handed to a
separate loop on a daemon thread and the call returns at once. One such loop
per process is enough; it starts on first use.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from workbench.errors import StateError

T = TypeVar("T")


class BackgroundLoop:
    """An asyncio loop running forever on a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="workbench-loop", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop and return a thread-safe future at once."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and wait for its result (not from the loop's own thread)."""
        if threading.current_thread() is self._thread:
            coro.close()
            raise StateError("BackgroundLoop.run() called from the background loop itself: it would wait on itself")
        return self.submit(coro).result()


_lock = threading.Lock()
_instance: BackgroundLoop | None = None


def background_loop() -> BackgroundLoop:
    """The process's background loop, started on first use."""
    global _instance  # noqa: PLW0603 - one loop thread per process, by design
    with _lock:
        if _instance is None or (not _instance.loop.is_running() and not _instance._thread.is_alive()):  # noqa: SLF001
            if _instance is None:
                _settle_heap()
            _instance = BackgroundLoop()
        return _instance


def _settle_heap() -> None:
    """Collect once and freeze what the imports built, before the first run of a process.

    Without it, the first full garbage collection falls inside the first wave of model calls
    (0.15-0.4 s with the SDKs loaded) and is measured as their latency; frozen objects are
    never scanned again, so later collections stay short.
    """
    gc.collect()
    gc.freeze()
