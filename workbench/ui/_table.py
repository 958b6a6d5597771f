"""``PagedTable``: one page of a large query at a time, with search, selection and row clicks.

The table never holds more than one page of widgets: each page is fetched from a
:class:`TableSource` (``count`` + ``page`` with an offset and a limit), so a
100,000-row dataset costs the same to show as a 10-row one. Every cell is
HTML-escaped and truncated, and shows a value, not a JSON literal: a string as
its text (no quotes, its newlines as line breaks), an object or a list as
compact JSON, a missing value as nothing. Sources decode the columns that hold
stored JSON text (``json_columns=``), one page at a time.

Examples:
    >>> table = PagedTable(FrameSource(df), key="item_id", selectable=True)  # doctest: +SKIP
    >>> table.on_select(lambda ids: print(len(ids)))  # doctest: +SKIP
    >>> table.widget  # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import ipywidgets as widgets
import numpy as np
import orjson
import pandas as pd

from workbench.errors import NotFoundError, ValidationError
from workbench.store._table import connect

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 50
MAX_CELL_CHARS = 120
MAX_CELL_LINES = 6
RELOAD_FACTOR = 4.0

T = TypeVar("T")


class ReloadThrottle:
    """Spaces out costly reloads of a live view: at most one every ``max(interval, factor x last duration)`` seconds.

    A watcher asks :meth:`due` on each tick and, when it is (or when it must reload anyway,
    e.g. the run just finished), calls :meth:`run` with the reload. So a reload that takes
    ``d`` seconds keeps the watcher busy at most about ``1/factor`` of the time, however big the data.

    Args:
        interval: the shortest time between two reloads (seconds; the watcher's poll interval).
        factor: how many times the last reload's duration to wait at least before the next.
        clock: seconds, monotonic (tests pass a fake one).

    Attributes:
        count: reloads run so far.
    """

    def __init__(
        self, interval: float, *, factor: float = RELOAD_FACTOR, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = interval
        self.factor = factor
        self.clock = clock
        self.count = 0
        self._started: float | None = None  # when the last reload started
        self._took = 0.0  # how long it took

    @property
    def wait(self) -> float:
        """The least time between the start of the last reload and the next one."""
        return max(self.interval, self.factor * self._took)

    def due(self) -> bool:
        """Whether a reload may run now (always before the first)."""
        return self._started is None or self.clock() - self._started >= self.wait

    def run(self, reload: Callable[[], T]) -> T:
        """Run ``reload`` now, timing it."""
        started = self.clock()
        try:
            return reload()
        finally:
            self._started = started
            self._took = max(0.0, self.clock() - started)
            self.count += 1


class TableSource(Protocol):
    """Where a :class:`PagedTable` gets its rows from.

    ``search`` is the text in the search box ("" for none); how it matches is the source's business.
    """

    def count(self, search: str) -> int:
        """Rows matching ``search``."""
        ...

    def page(self, search: str, offset: int, limit: int) -> pd.DataFrame:
        """At most ``limit`` rows matching ``search``, from row ``offset`` on, in a stable order."""
        ...

    def keys(self, search: str) -> list[str]:
        """The key column of every row matching ``search`` (for "select all matching")."""
        ...


class FrameSource:
    """A :class:`TableSource` over a DataFrame already in memory (case-insensitive search over its text).

    Args:
        frame: the rows.
        key: the column identifying a row (for selection).
        search_columns: columns the search looks in (default: all).
        json_columns: columns that may hold stored JSON text: decoded (see :func:`json_values`) when shown.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        key: str = "item_id",
        search_columns: Sequence[str] | None = None,
        json_columns: Sequence[str] = (),
    ) -> None:
        self.frame = frame.reset_index(drop=True)
        self.key = key
        self.search_columns = list(search_columns) if search_columns is not None else list(frame.columns)
        self.json_columns = list(json_columns)

    def _matching(self, search: str) -> pd.DataFrame:
        if not search:
            return self.frame
        needle = search.lower()
        mask = pd.Series(False, index=self.frame.index)
        for column in self.search_columns:
            mask |= self.frame[column].map(lambda v: needle in cell_text(v).lower())
        return self.frame[mask]

    def count(self, search: str) -> int:
        """Rows matching ``search``."""
        return len(self._matching(search))

    def page(self, search: str, offset: int, limit: int) -> pd.DataFrame:
        """One page of matching rows (its JSON columns decoded)."""
        page = self._matching(search).iloc[offset : offset + limit].copy()
        for column in self.json_columns:
            if column in page.columns:
                page[column] = pd.Series(json_values(page[column].tolist()), index=page.index, dtype=object)
        return page

    def keys(self, search: str) -> list[str]:
        """Keys of every matching row."""
        return [str(k) for k in self._matching(search)[self.key]]


class SqlSource:
    """A :class:`TableSource` over a DuckDB query: ``count``/``limit``/``offset`` run in DuckDB.

    Args:
        sql: a ``select`` whose rows are the table (it is wrapped, never edited).
        order_by: the stable order of pages (an SQL expression over the query's columns).
        search_columns: columns searched (case-insensitive ``ilike``) by the search box.
        key: the column identifying a row.
        params: parameters of ``sql``.
        connection: makes the DuckDB connection (default: a cursor on the process's shared database).
        json_columns: columns holding stored JSON text (item fields, outputs): decoded on each page fetched.
    """

    def __init__(
        self,
        sql: str,
        *,
        order_by: str,
        search_columns: Sequence[str],
        key: str = "item_id",
        params: Sequence[Any] = (),
        connection: Callable[[], Any] = connect,
        json_columns: Sequence[str] = (),
    ) -> None:
        self.sql = sql
        self.order_by = order_by
        self.search_columns = list(search_columns)
        self.key = key
        self.params = list(params)
        self.connection = connection
        self.json_columns = list(json_columns)

    def _where(self, search: str) -> tuple[str, list[Any]]:
        if not search or not self.search_columns:
            return "", []
        clause = " or ".join(f"cast(\"{c}\" as varchar) ilike ? escape '\\'" for c in self.search_columns)
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return f"where {clause}", [pattern] * len(self.search_columns)

    def count(self, search: str) -> int:
        """Rows matching ``search`` (counted in DuckDB)."""
        where, args = self._where(search)
        rows = self.connection().execute(f"select count(*) from ({self.sql}) {where}", [*self.params, *args])
        return int(rows.fetchall()[0][0])

    def page(self, search: str, offset: int, limit: int) -> pd.DataFrame:
        """One page, with ``limit``/``offset`` in DuckDB."""
        where, args = self._where(search)
        query = f"select * from ({self.sql}) {where} order by {self.order_by} limit ? offset ?"
        df: pd.DataFrame = self.connection().execute(query, [*self.params, *args, limit, offset]).df()
        for column in self.json_columns:
            if column in df.columns:
                df[column] = pd.Series([_decoded(v) for v in df[column]], index=df.index, dtype=object)
        return df

    def keys(self, search: str) -> list[str]:
        """Keys of every matching row (one column only)."""
        where, args = self._where(search)
        query = f'select "{self.key}" from ({self.sql}) {where} order by {self.order_by}'
        return [str(r[0]) for r in self.connection().execute(query, [*self.params, *args]).fetchall()]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _decoded(value: Any) -> Any:
    """Stored JSON text as its value (SQL NULL as ``None``); anything else, or text that is not JSON, as it is."""
    if _missing(value):
        return None
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def json_values(values: Sequence[Any]) -> list[Any]:
    """A column that may hold stored JSON text, as values.

    Decoded only when every present value is JSON text (as a store column is); a column that
    already holds values (a plain string that is not JSON, a dict...) is left as it is, so a
    value is never decoded twice.
    """
    present = [v for v in values if not _missing(v)]
    if not all(isinstance(v, str) for v in present):
        return [None if _missing(v) else v for v in values]
    try:
        decoded = {i: orjson.loads(v) for i, v in enumerate(values) if not _missing(v)}
    except orjson.JSONDecodeError:
        return [None if _missing(v) else v for v in values]
    return [decoded.get(i) for i in range(len(values))]


def cell_text(value: Any) -> str:
    """A value's plain text: a string as it is (no quotes), objects and lists as compact JSON, missing as ""."""
    if _missing(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list | tuple | bool | int | float | np.ndarray | np.generic):
        try:
            return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()
        except TypeError:
            return str(value)
    return str(value)


def _shortened(text: str, max_chars: int, max_lines: int = MAX_CELL_LINES) -> str:
    lines = text.split("\n")
    short = "\n".join(lines[:max_lines])
    if len(short) > max_chars:
        short = short[: max_chars - 1]
    elif len(lines) <= max_lines:
        return text
    return short + "\u2026"


def cell_html(value: Any, max_chars: int = MAX_CELL_CHARS) -> str:
    """A value as escaped HTML: its text, newlines shown as line breaks, cut at ``max_chars`` characters
    or :data:`MAX_CELL_LINES` lines, with the full text (escaped) as a tooltip."""
    text = cell_text(value)
    title = html.escape(text[:2000], quote=True)
    short = html.escape(_shortened(text, max_chars))
    return f'<span class="wb-cell" style="white-space:pre-wrap" title="{title}">{short}</span>'


class PagedTable:
    """A table showing one page of a :class:`TableSource` at a time.

    Parts (each with a CSS class for browsers): a search box (``wb-table-search``),
    prev/next buttons (``wb-table-prev``/``wb-table-next``), a "page x of y" label
    (``wb-table-page``), and a grid (``wb-table-grid``) with, per visible row, an
    optional checkbox (``wb-item-checkbox``), an optional open button
    (``wb-row-open``, showing the key) and one escaped HTML cell per column.
    With ``selectable=True`` there is a live "k of n selected" label
    (``wb-table-selected``) and select-page / select-all-matching / clear buttons.

    Selection is a set of keys kept across pages and searches.

    The table may be updated from a watcher thread while the user pages on the kernel's:
    :meth:`set_source`, :meth:`refresh`, :meth:`go` and rendering hold :attr:`lock` (re-entrant),
    so they run one at a time; hold it too when changing :attr:`source` or :attr:`columns`
    and refreshing as one step.

    Args:
        source: where the rows come from (:class:`SqlSource`, :class:`FrameSource` or your own).
        columns: columns shown (default: every column of the first page except the key).
        key: the column identifying a row (shown as the open button, or as the first cell).
        page_size: rows per page (1 to 50).
        selectable: show a checkbox per row.
        on_row_click: called with the row (a dict) when its open button is clicked; without it
            the key is shown as plain text.
        max_chars: cells longer than this are cut (the tooltip has the start of the full text).
        labels: column headers to show instead of the column names.
        css_class: an extra CSS class on the root widget.
    """

    def __init__(
        self,
        source: TableSource,
        *,
        columns: Sequence[str] | None = None,
        key: str = "item_id",
        page_size: int = DEFAULT_PAGE_SIZE,
        selectable: bool = False,
        on_row_click: Callable[[dict[str, Any]], None] | None = None,
        max_chars: int = MAX_CELL_CHARS,
        labels: dict[str, str] | None = None,
        css_class: str | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
        self.source = source
        self.columns = list(columns) if columns is not None else None
        self.key = key
        self.page_size = page_size
        self.selectable = selectable
        self.max_chars = max_chars
        self.labels = dict(labels or {})
        self._on_row_click = on_row_click
        self._select_callbacks: list[Callable[[list[str]], None]] = []
        self._selected: dict[str, None] = {}  # insertion-ordered set
        self._page = 0
        self._total = 0
        self._total_all = 0
        self._rows: list[dict[str, Any]] = []
        self._checkboxes: dict[str, Any] = {}
        self.lock = threading.RLock()
        self._local = threading.local()  # "syncing" is per thread: a watcher's render never swallows a user's tick
        self._open_buttons: list[Any] = []
        self._slots: list[_Slot] = []
        self._shape: tuple[tuple[str, ...], bool] | None = None

        self.search = widgets.Text(placeholder="Search\u2026", continuous_update=False, layout={"width": "260px"})
        self.search.add_class("wb-table-search")
        self.search.observe(self._on_search, names="value")
        self.prev_button = widgets.Button(description="\u25c0 Prev", layout={"width": "80px"})
        self.prev_button.add_class("wb-table-prev")
        self.prev_button.on_click(lambda _b: self.go(self._page - 1))
        self.next_button = widgets.Button(description="Next \u25b6", layout={"width": "80px"})
        self.next_button.add_class("wb-table-next")
        self.next_button.on_click(lambda _b: self.go(self._page + 1))
        self.page_label = widgets.HTML()
        self.page_label.add_class("wb-table-page")
        self.selected_label = widgets.HTML()
        self.selected_label.add_class("wb-table-selected")
        self.select_page_button = widgets.Button(description="Select page", layout={"width": "110px"})
        self.select_page_button.add_class("wb-table-select-page")
        self.select_page_button.on_click(lambda _b: self.select([str(r[self.key]) for r in self._rows]))
        self.select_all_button = widgets.Button(description="Select all matching", layout={"width": "160px"})
        self.select_all_button.add_class("wb-table-select-all")
        self.select_all_button.on_click(lambda _b: self.select(self.source.keys(self.search.value.strip())))
        self.clear_button = widgets.Button(description="Clear", layout={"width": "70px"})
        self.clear_button.add_class("wb-table-clear")
        self.clear_button.on_click(lambda _b: self.clear_selection())
        self.grid = widgets.GridBox(layout={"grid_gap": "2px 10px", "align_items": "center"})
        self.grid.add_class("wb-table-grid")
        self.empty_note = widgets.HTML("<i>No rows.</i>")
        self.empty_note.add_class("wb-table-empty")

        bar = [self.search, self.prev_button, self.page_label, self.next_button]
        parts: list[Any] = [widgets.HBox(bar, layout={"align_items": "center"})]
        if selectable:
            tools = [self.selected_label, self.select_page_button, self.select_all_button, self.clear_button]
            parts.append(widgets.HBox(tools, layout={"align_items": "center"}))
        parts.extend([self.grid, self.empty_note])
        self.widget = widgets.VBox(parts)
        self.widget.add_class("wb-table")
        if css_class:
            self.widget.add_class(css_class)
        self.refresh()

    # -- public --------------------------------------------------------------
    @property
    def _syncing(self) -> bool:
        """Whether this thread is setting checkboxes itself (their observers then do nothing)."""
        return bool(getattr(self._local, "syncing", False))

    @_syncing.setter
    def _syncing(self, value: bool) -> None:
        self._local.syncing = value

    @property
    def page(self) -> int:
        """The page shown, 0-based."""
        return self._page

    @property
    def pages(self) -> int:
        """Number of pages for the current search (at least 1)."""
        return max(1, math.ceil(self._total / self.page_size))

    @property
    def total(self) -> int:
        """Rows matching the current search."""
        return self._total

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows of the page shown (never more than ``page_size``)."""
        return list(self._rows)

    @property
    def rendered_rows(self) -> int:
        """How many rows are shown now (at most ``page_size``)."""
        return len(self._open_buttons)

    @property
    def widget_count(self) -> int:
        """Widgets in the grid (header and one page of row slots): bounded by the page size, not the data."""
        return len(self.grid.children)

    @property
    def selected(self) -> list[str]:
        """Keys of the selected rows, in the order they were selected."""
        return list(self._selected)

    @selected.setter
    def selected(self, keys: Sequence[str]) -> None:
        self._selected = dict.fromkeys(str(k) for k in keys)
        self._selection_changed()

    def on_select(self, callback: Callable[[list[str]], None]) -> None:
        """Call ``callback(selected_keys)`` whenever the selection changes."""
        self._select_callbacks.append(callback)

    def on_row_click(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback(row)`` when a row's open button is clicked (re-renders to show the buttons)."""
        with self.lock:
            self._on_row_click = callback
            self._render()

    def select(self, keys: Sequence[str]) -> None:
        """Add ``keys`` to the selection."""
        for k in keys:
            self._selected[str(k)] = None
        self._selection_changed()

    def deselect(self, keys: Sequence[str]) -> None:
        """Remove ``keys`` from the selection."""
        for k in keys:
            self._selected.pop(str(k), None)
        self._selection_changed()

    def clear_selection(self) -> None:
        """Select nothing."""
        self._selected.clear()
        self._selection_changed()

    def checkbox(self, key: str) -> Any:
        """The checkbox of the visible row ``key`` (``KeyError`` when it is not on this page)."""
        return self._checkboxes[str(key)]

    def open_button(self, key: str) -> Any:
        """The open button of the visible row ``key`` (``NotFoundError``, a ``KeyError``, when absent)."""
        for row, widget in zip(self._rows, self._open_buttons, strict=True):
            if str(row[self.key]) == str(key):
                return widget
        raise NotFoundError(f"no row {key!r} on this page")

    def set_source(self, source: TableSource, *, keep_selection: bool = False) -> None:
        """Show another source (page 1); the selection is cleared unless ``keep_selection``."""
        with self.lock:
            self.source = source
            if not keep_selection:
                self._selected.clear()
            self._page = 0
            self.refresh()

    def refresh(self) -> None:
        """Fetch the counts and the current page again (e.g. after the data changed)."""
        with self.lock:
            search = self.search.value.strip()
            self._total = self.source.count(search)
            self._total_all = self._total if not search else self.source.count("")
            self._page = min(self._page, self.pages - 1)
            self._load()

    def go(self, page: int) -> None:
        """Show page ``page`` (0-based; clamped to the pages there are)."""
        with self.lock:
            self._page = max(0, min(page, self.pages - 1))
            self._load()

    # -- internals -------------------------------------------------------------
    def _on_search(self, _change: Any) -> None:
        with self.lock:
            self._page = 0
            self.refresh()

    def _load(self) -> None:
        with self.lock:
            frame = self.source.page(self.search.value.strip(), self._page * self.page_size, self.page_size)
            self._rows = [{str(k): v for k, v in r.items()} for r in frame.head(self.page_size).to_dict("records")]
            self._render()

    def _shown_columns(self) -> list[str]:
        if self.columns is not None:
            return self.columns
        names = list(self._rows[0]) if self._rows else []
        return [c for c in names if c != self.key]

    def _build(self, columns: list[str]) -> None:
        """Make the page's widgets once per column set: header plus ``page_size`` row slots, reused by every page."""
        for w in self.grid.children:
            w.close()  # the previous column set's widgets
        widths: list[str] = []
        header: list[Any] = []
        if self.selectable:
            header.append(widgets.HTML(""))
            widths.append("28px")
        header.append(widgets.HTML(f"<b>{html.escape(self.labels.get(self.key, self.key))}</b>"))
        widths.append("minmax(90px, max-content)")
        for c in columns:
            header.append(widgets.HTML(f"<b>{html.escape(self.labels.get(c, c))}</b>"))
            widths.append("minmax(60px, 1fr)")
        self._slots = [self._slot(i, len(columns)) for i in range(self.page_size)]
        self._shape = (tuple(columns), self._on_row_click is not None)
        self.grid.layout.grid_template_columns = " ".join(widths)
        self.grid.children = header + [w for slot in self._slots for w in slot.widgets]

    def _slot(self, index: int, n_columns: int) -> _Slot:
        box = None
        if self.selectable:
            box = widgets.Checkbox(value=False, indent=False, layout={"width": "24px"})
            box.add_class("wb-item-checkbox")
            box.observe(self._checkbox_changed(index), names="value")
        opener: Any
        if self._on_row_click is not None:
            opener = widgets.Button(description="", layout={"width": "auto"})
            opener.add_class("wb-row-open")
            opener.on_click(self._row_clicked(index))
        else:
            opener = widgets.HTML()
        return _Slot(box, opener, [widgets.HTML() for _ in range(n_columns)])

    def _render(self) -> None:
        with self.lock:
            self._render_page()

    def _render_page(self) -> None:
        columns = self._shown_columns()
        if self._shape != (tuple(columns), self._on_row_click is not None):
            self._build(columns)
        self._checkboxes = {}
        self._open_buttons = []
        self._syncing = True
        try:
            for i, slot in enumerate(self._slots):
                row = self._rows[i] if i < len(self._rows) else None
                slot.fill(row, self.key, columns, self._selected, self.max_chars)
                if row is not None:
                    if slot.checkbox is not None:
                        self._checkboxes[slot.key] = slot.checkbox
                    self._open_buttons.append(slot.opener)
        finally:
            self._syncing = False
        self.empty_note.layout.display = "none" if self._rows else None
        self._update_labels()

    def _checkbox_changed(self, index: int) -> Callable[[Any], None]:
        def changed(change: Any) -> None:
            if self._syncing:
                return
            key = self._slots[index].key
            if change["new"]:
                self._selected[key] = None
            else:
                self._selected.pop(key, None)
            self._selection_changed()

        return changed

    def _row_clicked(self, index: int) -> Callable[[Any], None]:
        def clicked(_button: Any) -> None:
            if self._on_row_click is not None and index < len(self._rows):
                self._on_row_click(dict(self._rows[index]))

        return clicked

    def _selection_changed(self) -> None:
        with self.lock:
            self._syncing = True
            try:
                for key, box in self._checkboxes.items():
                    box.value = key in self._selected
            finally:
                self._syncing = False
            self._update_labels()
            keys = self.selected
        for callback in self._select_callbacks:
            callback(keys)

    def _update_labels(self) -> None:
        self.page_label.value = f"page {self._page + 1} of {self.pages} &middot; {self._total} rows"
        self.prev_button.disabled = self._page == 0
        self.next_button.disabled = self._page >= self.pages - 1
        self.selected_label.value = f"<b>{len(self._selected)} of {self._total_all} selected</b>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


class _Slot:
    """The widgets of one row position, reused from page to page (hidden when the page is shorter)."""

    def __init__(self, checkbox: Any, opener: Any, cells: list[Any]) -> None:
        self.checkbox = checkbox
        self.opener = opener
        self.cells = cells
        self.key = ""
        self.widgets = [w for w in (checkbox, opener, *cells) if w is not None]

    def fill(self, row: dict[str, Any] | None, key: str, columns: list[str], selected: Any, max_chars: int) -> None:
        if row is None:  # hidden, and emptied so no stale text stays in the page
            for w in self.widgets:
                w.layout.display = "none"
            for cell in self.cells:
                cell.value = ""
            if isinstance(self.opener, widgets.Button):
                self.opener.description = ""
            else:
                self.opener.value = ""
            return
        old, self.key = self.key, str(row[key])
        if self.checkbox is not None:
            if old:
                self.checkbox.remove_class(_key_class(old))
            self.checkbox.add_class(_key_class(self.key))
            self.checkbox.value = self.key in selected
        if isinstance(self.opener, widgets.Button):
            self.opener.description = _short(self.key, 40)
            self.opener.tooltip = self.key
        else:
            self.opener.value = cell_html(self.key, max_chars)
        for cell, column in zip(self.cells, columns, strict=True):
            cell.value = cell_html(row.get(column), max_chars)
        for w in self.widgets:
            w.layout.display = None


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _key_class(key: str) -> str:
    """A CSS class naming a row's key (non-alphanumerics as ``-``), for browsers to find a row."""
    return "wb-key-" + "".join(ch if ch.isalnum() else "-" for ch in key)[:60]


def message_html(text: str, kind: str = "info") -> str:
    """A one-line escaped message: ``kind`` is ``info``, ``ok`` or ``error`` (its CSS class and colour)."""
    colour = {"ok": "#1a7f37", "error": "#cf222e"}.get(kind, "#57606a")
    return f'<span class="wb-msg wb-msg-{kind}" style="color:{colour}">{html.escape(text)}</span>'


_CELL_STYLE = "text-align:left;padding:2px 10px;border-bottom:1px solid #e1e4e8;vertical-align:top"


def table_html(head: Sequence[str], rows: Sequence[Sequence[str]], css_class: str = "wb-html-table") -> str:
    """A small plain HTML table: ``head`` is plain text (escaped here), ``rows`` hold cell HTML already escaped."""
    th = "".join(f'<th style="{_CELL_STYLE}">{html.escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f'<td style="{_CELL_STYLE}">{c}</td>' for c in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}" style="border-collapse:collapse"><tr>{th}</tr>{body}</table>'
