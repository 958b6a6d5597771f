"""A progress bar for a run: a widget in Jupyter, a text bar in a terminal."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

ProgressFn = Callable[[int, int, int], None]


def in_notebook() -> bool:
    """Whether we run inside a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class ProgressBar:
    """A callback ``(done, errors, total)`` that draws a tqdm bar (``tqdm.auto``); :meth:`close` ends it."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._lock = threading.Lock()
        self._bar: Any = None

    def __call__(self, done: int, errors: int, total: int) -> None:
        from tqdm.auto import tqdm

        with self._lock:
            bar = self._bar
            if bar is None:
                bar = self._bar = tqdm(total=total, desc=self.description, unit="item", file=sys.stderr)
            bar.total = total
            bar.n = done
            bar.set_postfix(errors=errors, refresh=False)
            bar.refresh()
            if done >= total:
                bar.close()

    def close(self) -> None:
        """End the bar where it stands (a stopped run): what is printed next starts on a line of its own."""
        with self._lock:
            if self._bar is not None:
                self._bar.close()


def progress_bar(description: str) -> ProgressBar:
    """A callback ``(done, errors, total)`` that draws a tqdm bar (``tqdm.auto``)."""
    return ProgressBar(description)
