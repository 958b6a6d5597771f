"""``RunPicker``: choose a run by its name (target, dataset@version, time, status), filtering as you type.

A run's id (``20261203-201847-answer-ec79f1``) says little; the picker lists each run as
``answer_v1 · qa@v2 · 2026-12-03 20:18 · completed (19/19)``, newest first, and a text box
above the list keeps only the runs whose name holds every word typed (case-insensitive).
The run chosen stays listed while the filter hides others, so typing never changes the
choice: only a click does. The picker is a plain ``VBox`` (a ``Text`` over a ``Select``),
so it renders the same in JupyterLab, Notebook, VS Code and Voila.

CSS classes (for browser tests): ``wb-run-picker`` (root), ``wb-run-picker-filter`` (the text box),
``wb-run-picker-list`` (the list), and the class given as ``css_class``.

Examples:
    >>> picker = RunPicker(description="Run")  # doctest: +SKIP
    >>> picker.options = run_options(wb)  # doctest: +SKIP
    >>> picker.observe(lambda change: print(change["new"]), names="value")  # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
import traitlets

if TYPE_CHECKING:
    from workbench._workbench import Workbench

LIST_ROWS = 6


def run_label(row: Any) -> str:
    """A run's name for pickers: ``target · dataset@vN · YYYY-MM-DD HH:MM · status (done/total)``.

    ``row`` is a row of ``wb.runs()`` (an object with its columns as attributes).
    """
    version = "" if pd.isna(row.dataset_version) else f"@v{int(row.dataset_version)}"
    created = getattr(row, "created_at", None)
    when = "" if created is None or pd.isna(created) else pd.Timestamp(created).strftime("%Y-%m-%d %H:%M")
    parts = [str(row.target), f"{row.dataset}{version}", when, f"{row.status} ({row.done}/{row.total})"]
    return " \u00b7 ".join(p for p in parts if p)


def run_options(wb: Workbench) -> list[tuple[str, str]]:
    """Picker options for every run, newest first: ``(name, run_id)``.

    Two runs with the same name (same target, dataset, minute and status) get their ids' last
    part appended, so every name picks one run.
    """
    rows: list[Any] = list(wb.runs().itertuples())
    labels = [run_label(r) for r in rows]
    counts = pd.Series(labels, dtype=object).value_counts().to_dict() if labels else {}
    options = []
    for r, label in zip(rows, labels, strict=True):
        text = label if counts[label] == 1 else f"{label} \u00b7 {str(r.run_id).rsplit('-', 1)[-1]}"
        options.append((text, str(r.run_id)))
    return options


def matches(label: str, text: str) -> bool:
    """Whether ``label`` holds every word of ``text`` (case-insensitive; empty text matches all)."""
    haystack = label.lower()
    return all(word in haystack for word in text.lower().split())


class RunPicker(widgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """A filter box over a list of runs; ``value`` is the chosen run's id (``None``: none).

    Set ``options`` to ``(name, run_id)`` pairs (:func:`run_options`); watch ``value`` with
    ``observe(handler, names="value")`` as with a ``Dropdown``. When the options change and
    the chosen run is no longer among them, the first run is chosen (``None`` if there is none).

    Args:
        description: the label shown before the filter box.
        css_class: an extra CSS class on the root (for browser tests).
        rows: how many runs the list shows at once.
    """

    value = traitlets.Unicode(None, allow_none=True)
    options: Any = traitlets.List()

    def __init__(self, description: str = "Run", *, css_class: str | None = None, rows: int = LIST_ROWS) -> None:
        self.filter = widgets.Text(placeholder="type to filter runs\u2026", continuous_update=True)
        self.filter.layout.width = "420px"
        self.filter.add_class("wb-run-picker-filter")
        self.list = widgets.Select(options=[], rows=rows, layout={"width": "640px"})
        self.list.add_class("wb-run-picker-list")
        self.title = widgets.HTML(f"<b>{html.escape(description)}</b>")
        self.count = widgets.HTML()
        self.count.add_class("wb-run-picker-count")
        self._syncing = False
        super().__init__([widgets.HBox([self.title, self.filter, self.count]), self.list])
        self.add_class("wb-run-picker")
        if css_class:
            self.add_class(css_class)
        self.filter.observe(lambda _c: self._show(), names="value")
        self.list.observe(self._picked, names="value")

    @property
    def description(self) -> str:
        """The label shown before the filter box."""
        return str(self.title.value)

    @property
    def shown(self) -> list[tuple[str, str]]:
        """The ``(name, run_id)`` pairs the list shows now (after the filter)."""
        return [(str(label), str(value)) for label, value in self.list.options]

    @traitlets.validate("options")
    def _valid_options(self, proposal: Any) -> list[tuple[str, str]]:
        return [(str(label), str(value)) for label, value in proposal["value"]]

    @traitlets.observe("options")
    def _options_changed(self, _change: Any) -> None:
        ids = [v for _, v in self.options]
        if self.value not in ids:
            self.value = ids[0] if ids else None
        self._show()

    @traitlets.observe("value")
    def _value_changed(self, change: Any) -> None:
        if change["new"] is not None and change["new"] not in [v for _, v in self.options]:
            self.options = [*self.options, (change["new"], change["new"])]  # an id typed in code: list it as is
        self._show()

    def _show(self) -> None:
        text = self.filter.value
        chosen = self.value
        shown = [(label, v) for label, v in self.options if v == chosen or matches(label, text)]
        self._syncing = True
        try:
            self.list.options = shown
            self.list.value = chosen if chosen in [v for _, v in shown] else None
        finally:
            self._syncing = False
        self.count.value = f"{len(shown)} of {len(self.options)} runs" if text.strip() else ""

    def _picked(self, change: Any) -> None:
        if not self._syncing and change["new"] is not None:
            self.value = change["new"]
