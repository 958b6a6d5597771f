"""The background event loop that runs evaluations without blocking the caller.

In Jupyter the kernel's own loop is busy running cells, so a run is handed to a
separate loop on a daemon thread and the call returns at once. One such loop
per process is enough; it starts on first use.

Work that follows a run but that nobody waits for (caching a finished run's figures)
goes to one "after" thread (:func:`run_later`), so ``run.wait()`` returns as soon as the
results and the status are written; readers of that work call :func:`settle_later` first.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import os
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from workbench.errors import StateError

T = TypeVar("T")
log = logging.getLogger("workbench.runs")
AFTER_THREAD = "workbench-after"


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
    never scanned again, so later collections stay short. The full collection costs 0.16 s
    once per process (issue 13.13); collecting the young generations only was tried and left
    the first wave slower under load (docs/performance-runs.md).
    """
    gc.collect()
    gc.freeze()


_later_lock = threading.Lock()
_later: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None
_pending: set[concurrent.futures.Future[None]] = set()
_later_at_exit: list[Callable[[Callable[[], None]], None]] = [getattr(threading, "_register_atexit", lambda fn: None)]
"""Once: when the interpreter exits, the pending work is done before ``concurrent.futures`` refuses new
threads (its own exit hook, registered earlier, runs after this one), so it can still use them."""


def _logged(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:  # after-work is an optimisation: it never fails anything, it is only logged
        log.warning("background work %r failed", fn, exc_info=True)


def run_later(fn: Callable[[], None]) -> None:
    """Run ``fn`` on the process's after thread, in order, without waiting for it.

    One thread per process (made again after a fork); like every ``concurrent.futures``
    worker it is joined when the interpreter exits, so a script's last run still gets it done.
    """
    global _later  # noqa: PLW0603 - one after thread per process
    with _later_lock:
        if _later is None or _later[0] != os.getpid():
            _pending.clear()
            _later = (os.getpid(), concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=AFTER_THREAD))
            if _later_at_exit:
                _later_at_exit.pop()(settle_later)
        future = _later[1].submit(_logged, fn)
        _pending.add(future)
    future.add_done_callback(_pending.discard)


def settle_later(timeout: float | None = 60.0) -> None:
    """Wait until the work handed to :func:`run_later` so far is done (at once on the after thread itself)."""
    if threading.current_thread().name.startswith(AFTER_THREAD):
        return
    with _later_lock:
        pending = list(_pending)
    concurrent.futures.wait(pending, timeout=timeout)
