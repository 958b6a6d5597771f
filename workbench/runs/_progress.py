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


def progress_bar(description: str) -> ProgressFn:
    """A callback ``(done, errors, total)`` that draws a tqdm bar (``tqdm.auto``)."""
    from tqdm.auto import tqdm

    lock = threading.Lock()
    state: dict[str, Any] = {"bar": None}

    def update(done: int, errors: int, total: int) -> None:
        with lock:
            bar = state["bar"]
            if bar is None:
                bar = state["bar"] = tqdm(total=total, desc=description, unit="item", file=sys.stderr)
            bar.total = total
            bar.n = done
            bar.set_postfix(errors=errors, refresh=False)
            bar.refresh()
            if done >= total:
                bar.close()

    return update
