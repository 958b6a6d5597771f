"""A progress bar for a run: a widget in Jupyter, a text bar in a terminal.

In Jupyter the bar is displayed at once, in the cell that starts the run (``wb.run`` returns
straight away); the run's background thread then only changes the widget's value and text,
which reach the browser as widget messages while the kernel runs other cells. Updates are
sent at most every :data:`MIN_INTERVAL` seconds, and the last one always is.
"""

from __future__ import annotations

import html
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

ProgressFn = Callable[[int, int, int], None]
MIN_INTERVAL = 0.1
"""Seconds between two updates of the notebook widget (a run of 10,000 fast items sends about 10 a second)."""


def in_notebook() -> bool:
    """Whether we run inside a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def progress_bar(description: str) -> ProgressBar | WidgetBar:
    """A callback ``(done, errors, total)`` drawing a bar: a widget shown now in Jupyter, else a tqdm bar.

    Both have :meth:`close`, which ends the bar where it stands (a stopped run).
    """
    if in_notebook():
        return WidgetBar(description)
    return ProgressBar(description)


def progress_text(description: str, done: int, errors: int, total: int, elapsed: float) -> str:
    """The words beside the bar: ``run-id: 12 of 40 items, 1 error, 3.2 s`` (escaped HTML)."""
    error_text = f", {errors} error{'s' if errors != 1 else ''}" if errors else ""
    return f"<b>{html.escape(description)}</b>: {done} of {total} items{error_text}, {elapsed:.1f} s"


def bar_style(done: int, errors: int, total: int) -> str:
    """The widget's colour: running (info), finished (success), with errors (warning), every item failed (danger)."""
    if done < total:
        return "info"
    if errors and errors >= total:
        return "danger"
    return "warning" if errors else "success"


class WidgetBar:
    """An ``ipywidgets`` progress bar with a line of text, displayed when created (in the current cell)."""

    def __init__(self, description: str) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.description = description
        self.started = time.monotonic()
        self.bar = widgets.IntProgress(value=0, min=0, max=1, bar_style="info", layout={"width": "280px"})
        self.label = widgets.HTML(progress_text(description, 0, 0, 0, 0.0).replace(": 0 of 0 items", ": starting"))
        self.widget = widgets.HBox([self.bar, self.label])
        self.widget.add_class("wb-progress")
        self._lock = threading.Lock()
        self._pending: tuple[int, int, int] | None = None
        self._sent_at = 0.0
        self._timer: threading.Timer | None = None
        display(self.widget)  # type: ignore[no-untyped-call]

    def __call__(self, done: int, errors: int, total: int) -> None:
        with self._lock:
            self._pending = (done, errors, total)
            wait = self._sent_at + MIN_INTERVAL - time.monotonic()
            if done >= total or wait <= 0:
                self._send()
            elif self._timer is None:  # send the latest counts a little later, even if no call comes
                self._timer = threading.Timer(wait, self._flush)
                self._timer.daemon = True
                self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            self._timer = None
            self._send()

    def _send(self) -> None:
        if self._pending is None:
            return
        done, errors, total = self._pending
        self._pending = None
        self._sent_at = time.monotonic()
        with self.bar.hold_sync():
            self.bar.max = max(total, 1)
            self.bar.value = min(done, max(total, 1))
            self.bar.bar_style = bar_style(done, errors, total)
        self.label.value = progress_text(self.description, done, errors, total, time.monotonic() - self.started)

    def close(self) -> None:
        """Send the last counts now (a stopped run): the bar shows where the run stopped."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._send()


class ProgressBar:
    """A callback ``(done, errors, total)`` that draws a tqdm bar (``tqdm``); :meth:`close` ends it."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._lock = threading.Lock()
        self._bar: Any = None

    def __call__(self, done: int, errors: int, total: int) -> None:
        from tqdm import tqdm

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
