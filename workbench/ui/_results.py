"""The Results panel: every unit of a run with its scores, tool calls and label; label units by hand.

Per unit (item x repeat): input, expected output (from the dataset version the run
used), output, one column per scorer (its value and, against the scorer's pass mark,
``✓ pass`` in green or ``✗ fail`` in red; ``⚠ error`` when the scorer failed), tool calls,
tokens, cost, latency and label. The table sorts by any column (``Sort``, with its order)
and filters: a text search over the unit, input, output and error; by label; by status
(pass, fail, error: of the scorer chosen, or of any scorer); by scorer and score range. Clicking a
unit shows it in full and picks it for labelling (``run.label(...)``); the full view says
whether each score passes its scorer's pass mark (``pass (≥ 0.5)``: the direction and pass
mark the scorer declares in the run's manifest), and the scorer filter marks a
lower-is-better scorer with ``↓``. Everything shown is HTML-escaped.

CSS classes (for browser tests): ``wb-results-panel`` (root), ``wb-results-run`` (run
picker, a :class:`~workbench.ui._pickers.RunPicker`), ``wb-results-refresh``, ``wb-results-label-filter``,
``wb-results-status``, ``wb-results-scorer``, ``wb-results-score-range``, ``wb-results-sort``,
``wb-results-sort-order``, ``wb-results-table`` (the table; its rows' open buttons are
``wb-row-open``), ``wb-results-detail`` (the unit shown in full), ``wb-label-item``
(the unit to label), ``wb-label-select`` (the label's buttons),
``wb-label-note``, ``wb-label-save``, ``wb-label-message`` (saved / validation errors).
``wb-label-select`` holds one toggle button per label of the store's taxonomy
(``wb.label_taxonomy()``: the built-in outcomes, then those added with ``wb.add_labels``).
"""

from __future__ import annotations

import html
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from workbench.analysis._summary import DEFAULT_PASS_MARK, declared_settings
from workbench.errors import NotFoundError, WorkbenchError
from workbench.runs import Run
from workbench.store._json import decode
from workbench.ui import _pickers
from workbench.ui._pickers import RunPicker
from workbench.ui._table import PagedTable, ReloadThrottle, cell_text, message_html

if TYPE_CHECKING:
    from workbench._workbench import Workbench

run_options = _pickers.run_options
"""The runs' ``(name, run_id)`` options (the Compare panel imports it from here)."""
ANY = "__any__"
LOWER_MARK = {"lower": " \u2193"}
"""Marks a lower-is-better scorer in the scorer filter (``latency_judge ↓``)."""
AT_MARK = {"higher": "\u2265", "lower": "\u2264"}
NO_LABEL = "__none__"
LEADING_COLUMNS = ["input", "expected_output", "output"]
TRAILING_COLUMNS = ["tool_calls", "tokens", "cost", "latency_s", "label", "error"]
TABLE_COLUMNS = [*LEADING_COLUMNS, *TRAILING_COLUMNS]
"""The table's columns around the scorers' (one ``score_<scorer>`` column each, between output and tool calls)."""
HEADERS = {"unit": "item", "expected_output": "expected", "latency_s": "latency (s)", "tool_calls": "tool calls"}
SCORE_PREFIX = "score_"
PASS_TEXT, FAIL_TEXT, ERROR_TEXT = "\u2713 pass", "\u2717 fail", "\u26a0 error"
STATUSES = [("any status", ANY), ("pass", "pass"), ("fail", "fail"), ("error", "error")]
ASCENDING, DESCENDING = "ascending", "descending"
CELL_COLOURS = (
    "<style>"
    f'.wb-results-table .wb-cell[title$="{PASS_TEXT}"]{{color:#1a7f37;font-weight:600}}'
    f'.wb-results-table .wb-cell[title$="{FAIL_TEXT}"]{{color:#cf222e;font-weight:600}}'
    f'.wb-results-table .wb-cell[title^="{ERROR_TEXT}"]{{color:#9a6700;font-weight:600}}'
    "</style>"
)
"""Colours the score cells by their text (the table escapes every cell; its tooltip holds the full text)."""


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _json(text: Any) -> Any:
    if _missing(text):
        return None
    try:
        return decode(str(text))
    except ValueError:
        return text


def _number(value: Any, digits: int = 4) -> str:
    return "" if _missing(value) else f"{float(value):.{digits}g}"


def _count(value: Any) -> int:
    return 0 if _missing(value) else int(value)


def _tokens(row: Mapping[Any, Any]) -> str:
    ins, outs = row.get("tokens_in"), row.get("tokens_out")
    if _missing(ins) and _missing(outs):
        return ""
    return f"{_count(ins)} in / {_count(outs)} out"


def _tool_summary(calls: Any) -> str:
    if not isinstance(calls, list) or not calls:
        return ""
    names = [str(c.get("name")) + ("!" if c.get("error") else "") for c in calls if isinstance(c, dict)]
    return f"{len(calls)}: {', '.join(names)}"


def _score_text(s: Mapping[Any, Any]) -> str:
    if not _missing(s.get("error")):
        return f"{s['scorer']}: error ({s['error']})"
    reason = f" \u2014 {s['reason']}" if s.get("reason") else ""
    return f"{s['scorer']}: {_number(s.get('score'), 3)}{reason}"


def pass_marks(run: Run | None) -> dict[str, tuple[str, float]]:
    """Each of the run's scorers' direction and pass mark, as it declares them (else higher, 0.5)."""
    if run is None:
        return {}
    manifest = run.manifest
    try:
        directions, marks = declared_settings([manifest])
    except WorkbenchError:  # a malformed declaration: show the scores without a verdict
        return {}
    names = [str(spec.get("name")) for spec in manifest.scorers]
    return {n: (directions.get(n, "higher"), marks.get(n, DEFAULT_PASS_MARK)) for n in names}


def _verdict(score: Any, setting: tuple[str, float] | None) -> str:
    """``pass (≥ 0.5)`` or ``fail (≤ 0)``: a score against its scorer's pass mark (empty without a score)."""
    if setting is None or _missing(score):
        return ""
    direction, mark = setting
    passed = float(score) >= mark if direction == "higher" else float(score) <= mark
    return f"{'pass' if passed else 'fail'} ({AT_MARK[direction]} {mark:g})"


def unit_frame(wb: Workbench, run: Run) -> pd.DataFrame:
    """One row per unit of ``run``, as stored (JSON as text), for filtering and paging.

    Columns: ``unit`` (the table's key), ``item_id``, ``repeat``, ``input`` and
    ``expected_output`` (from the dataset version the run used), ``output``, ``error``,
    ``tool_calls``, ``tokens_in``, ``tokens_out``, ``cost``, ``latency_s``, ``label``,
    ``label_source``, ``label_note`` and ``score_<scorer>`` per scorer. Built with joins,
    not Python loops: only the page shown is formatted (:func:`format_unit`).
    """
    results = run.results(raw=True)
    if results.empty:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    score_columns = [c for c in results.columns if c.startswith("score_")]
    keep = ["item_id", "repeat", "input", "output", "error", "tool_calls", "tokens_in", "tokens_out", "cost"]
    frame = results[[*keep, "latency_s", *score_columns]].rename(columns={"input": "result_input"})
    frame["repeat"] = frame["repeat"].astype("int64")
    labels = run.labels()[["item_id", "repeat", "label", "source", "note"]]
    labels = labels.rename(columns={"source": "label_source", "note": "label_note"}).astype({"repeat": "int64"})
    frame = frame.merge(labels, on=["item_id", "repeat"], how="left")
    frame = frame.merge(_dataset_items(wb, run), on="item_id", how="left")
    frame["input"] = frame["result_input"].where(frame["result_input"].notna(), frame["input"])
    keys = frame["item_id"].astype(str)
    repeats = frame["repeat"]
    frame.insert(0, "unit", keys.where(repeats == 0, keys + "#" + repeats.astype(str)))
    return frame.drop(columns=["result_input"])


FRAME_COLUMNS = [
    "unit", "item_id", "repeat", "input", "expected_output", "output", "error", "tool_calls", "tokens_in",
    "tokens_out", "cost", "latency_s", "label", "label_source", "label_note",
]  # fmt: skip


def score_cell(score: Mapping[Any, Any]) -> str:
    """A score as its column shows it: ``0.8 ✓ pass``, ``0 ✗ fail``, ``0.4`` (no pass mark) or ``⚠ error: why``."""
    if not _missing(score.get("error")):
        return f"{ERROR_TEXT}: {score['error']}"
    value = _number(score.get("score"), 3)
    verdict = str(score.get("verdict") or "")
    if verdict.startswith("pass"):
        return f"{value} {PASS_TEXT}"
    if verdict.startswith("fail"):
        return f"{value} {FAIL_TEXT}"
    return value


def format_unit(row: Mapping[Any, Any], scores: list[Mapping[Any, Any]]) -> dict[str, Any]:
    """A unit as shown: JSON decoded, one ``score_<scorer>`` cell per score (:func:`score_cell`), the
    scores with reasons in one text (``scores``), tool calls, tokens, cost, latency, label.

    ``detail_scores`` and ``detail_tool_calls`` keep the full lists for :func:`unit_html`.
    """
    calls = _json(row.get("tool_calls")) or []
    return {
        **{f"{SCORE_PREFIX}{s['scorer']}": score_cell(s) for s in scores},
        "unit": row["unit"],
        "item_id": row["item_id"],
        "repeat": int(row["repeat"]),
        "input": _json(row.get("input")),
        "expected_output": _json(row.get("expected_output")),
        "output": _json(row.get("output")),
        "scores": "; ".join(_score_text(s) for s in scores),
        "tool_calls": _tool_summary(calls),
        "tokens": _tokens(row),
        "cost": _number(row.get("cost")),
        "latency_s": _number(row.get("latency_s"), 3),
        "label": None if _missing(row.get("label")) else row["label"],
        "label_source": row.get("label_source"),
        "label_note": row.get("label_note"),
        "error": None if _missing(row.get("error")) else row["error"],
        "detail_scores": scores,
        "detail_tool_calls": calls,
    }


class UnitSource:
    """A :class:`~workbench.ui._table.TableSource` over a run's units that formats only the page shown.

    The search looks (case-insensitively, as plain text) in the unit's key, input, output and error.
    """

    SEARCHED = ("unit", "input", "output", "error")

    def __init__(
        self, frame: pd.DataFrame, scores: pd.DataFrame, settings: Mapping[str, tuple[str, float]] | None = None
    ) -> None:
        self.frame = frame.reset_index(drop=True)
        self.scores = scores
        self.settings = dict(settings or {})

    def _matching(self, search: str) -> pd.DataFrame:
        if not search:
            return self.frame
        mask = pd.Series(False, index=self.frame.index)
        for column in self.SEARCHED:
            text = self.frame[column].astype("string").fillna("")
            mask |= text.str.contains(search, case=False, regex=False)
        return self.frame[mask]

    def count(self, search: str) -> int:
        """Units matching ``search``."""
        return len(self._matching(search))

    def page(self, search: str, offset: int, limit: int) -> pd.DataFrame:
        """One page of matching units, formatted."""
        rows = self._matching(search).iloc[offset : offset + limit].to_dict("records")
        return pd.DataFrame([format_unit(r, self.scores_of(r["item_id"], int(r["repeat"]))) for r in rows])

    def keys(self, search: str) -> list[str]:
        """Keys of every matching unit."""
        return [str(k) for k in self._matching(search)["unit"]]

    def scores_of(self, item_id: str, repeat: int) -> list[Mapping[Any, Any]]:
        """One unit's scores (scorer, score, reason, error, and ``verdict`` against the scorer's pass mark)."""
        if self.scores.empty or (item_id, repeat) not in self.scores.index:
            return []
        rows = self.scores.loc[[(item_id, repeat)]].reset_index().to_dict("records")
        return [r | {"verdict": _verdict(r.get("score"), self.settings.get(str(r["scorer"])))} for r in rows]


def unit_scores(run: Run | None) -> pd.DataFrame:
    """A run's scores indexed by ``(item_id, repeat)`` for quick look-ups."""
    columns = ["item_id", "repeat", "scorer", "score", "reason", "error"]
    scores = run.scores()[columns] if run is not None else pd.DataFrame(columns=columns)
    return scores.astype({"repeat": "int64"}).set_index(["item_id", "repeat"]).sort_index()


def _dataset_items(wb: Workbench, run: Run) -> pd.DataFrame:
    """Input and expected output (JSON text) of the dataset version the run used (runs keep neither)."""
    manifest = run.manifest
    empty = pd.DataFrame({"item_id": pd.Series(dtype=str), "input": pd.Series(dtype=object),
                          "expected_output": pd.Series(dtype=object)})  # fmt: skip
    if manifest.dataset is None:
        return empty
    try:
        items = wb.dataset(manifest.dataset).items(manifest.dataset_version)
    except NotFoundError:  # the dataset (or that version) is gone: show the run without them
        return empty
    return items[["item_id", "input", "expected_output"]]


def sort_choices(scorers: list[str]) -> list[tuple[str, str]]:
    """The Sort dropdown's ``(header, column)`` pairs: every column of the table, the scorers' by name."""
    columns = ["unit", *LEADING_COLUMNS, *(SCORE_PREFIX + s for s in scorers), *TRAILING_COLUMNS]
    return [(HEADERS.get(c, c.removeprefix(SCORE_PREFIX)), c) for c in columns]


def _sort_key(frame: pd.DataFrame, column: str) -> pd.Series:
    """What a column sorts by: numbers (scores, cost, latency, a JSON column of numbers only) as numbers,
    tokens by their sum, anything else as its lower-case text."""
    if column == "tokens":
        return frame["tokens_in"].astype("Float64").fillna(0) + frame["tokens_out"].astype("Float64").fillna(0)
    values = frame[column]
    if column in ("cost", "latency_s") or column.startswith(SCORE_PREFIX):
        return pd.to_numeric(values, errors="coerce")
    decoded = values.map(_json)
    present = [v for v in decoded if v is not None]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.to_numeric(decoded, errors="coerce")  # numbers stored as JSON sort as numbers
    return decoded.map(lambda v: None if v is None else cell_text(v).lower())


def sorted_units(frame: pd.DataFrame, column: str, *, descending: bool = False) -> pd.DataFrame:
    """``frame`` sorted by a table column (``unit`` sorts by item then repeat); missing values go last."""
    if frame.empty or column == "unit" or column not in [*frame.columns, "tokens"]:
        by = ["item_id", "repeat"]
        return frame.sort_values(by, ascending=not descending, kind="stable") if not frame.empty else frame
    key = _sort_key(frame, column)
    order = key.sort_values(ascending=not descending, na_position="last", kind="stable").index
    return frame.loc[order]


def status_mask(
    frame: pd.DataFrame,
    scores: pd.DataFrame,
    settings: Mapping[str, tuple[str, float]],
    scorers: list[str],
    status: str,
) -> pd.Series:
    """Which units have ``status`` over ``scorers``.

    ``pass``: every one of those scorers scored and passed its pass mark (no error); ``fail``: one
    of them scored below its pass mark; ``error``: the unit errored or one of those scorers did.
    A scorer without a declared pass mark uses the default (higher is better, 0.5).
    """
    index = frame.index
    errored = frame["error"].notna() if "error" in frame.columns else pd.Series(False, index=index)
    if not scores.empty and scorers:
        failed = scores[scores["scorer"].isin(scorers) & scores["error"].notna()].index.unique()
        keys = pd.MultiIndex.from_arrays([frame["item_id"].astype(str), frame["repeat"].astype("int64")])
        errored = errored | pd.Series(keys.isin(failed), index=index)
    passed = pd.Series(bool(scorers), index=index)
    fails = pd.Series(False, index=index)
    for name in scorers:
        values = pd.to_numeric(frame.get(SCORE_PREFIX + name, pd.Series(index=index, dtype=float)), errors="coerce")
        direction, mark = settings.get(name, ("higher", DEFAULT_PASS_MARK))
        ok = values >= mark if direction == "higher" else values <= mark
        passed &= values.notna() & ok
        fails |= values.notna() & ~ok
    if status == "pass":
        return passed & ~errored
    if status == "fail":
        return fails
    return errored


def _pre(value: Any) -> str:
    return f'<pre style="white-space:pre-wrap;margin:0">{html.escape(cell_text(value))}</pre>'


def unit_html(row: Mapping[Any, Any]) -> str:
    """One unit in full, every value escaped."""
    parts = [f"<h4>{html.escape(str(row['unit']))}</h4>", "<table class='wb-detail'>"]
    label = row.get("label")
    label_text = "" if _missing(label) else f"{label} ({row.get('label_source')})"
    if not _missing(row.get("label_note")) and row.get("label_note"):
        label_text += f" \u2014 {row['label_note']}"
    fields = [
        ("input", row.get("input")),
        ("expected output", row.get("expected_output")),
        ("output", row.get("output")),
        ("error", row.get("error")),
        ("tokens", row.get("tokens")),
        ("cost", row.get("cost")),
        ("latency (s)", row.get("latency_s")),
        ("label", label_text),
    ]
    parts += [f"<tr><th style='text-align:left'>{k}</th><td>{_pre(v)}</td></tr>" for k, v in fields]
    parts.append("</table>")
    detail_scores = row.get("detail_scores") or []
    if detail_scores:
        parts.append(
            "<b>Scores</b><table class='wb-detail-scores'><tr><th>scorer</th><th>score</th><th>pass mark</th>"
            "<th>reason</th></tr>"
        )
        for s in detail_scores:
            reason = s.get("reason") if _missing(s.get("error")) else f"error: {s['error']}"
            parts.append(
                f"<tr><td>{html.escape(str(s['scorer']))}</td><td>{_number(s.get('score'), 3)}</td>"
                f"<td>{html.escape(str(s.get('verdict') or ''))}</td><td>{_pre(reason)}</td></tr>"
            )
        parts.append("</table>")
    calls = row.get("detail_tool_calls") or []
    if calls:
        parts.append(
            "<b>Tool calls</b><table class='wb-detail-tools'><tr><th>step</th><th>tool</th><th>arguments</th>"
            "<th>result</th><th>error</th><th>latency (s)</th></tr>"
        )
        for c in calls:
            cells = [c.get("step"), c.get("name"), c.get("arguments"), c.get("result"), c.get("error")]
            tds = "".join(f"<td>{_pre(v)}</td>" for v in cells)
            parts.append(f"<tr>{tds}<td>{_number(c.get('latency_s'), 3)}</td></tr>")
        parts.append("</table>")
    return "".join(parts)


class ResultsPanel:
    """A run's results, filters and labelling (see the module's docstring).

    While the run shown is still going on, a watcher thread reloads the results as
    units finish (it stops when the run ends or another run is shown).

    Args:
        wb: the workbench.
        poll_interval: seconds between looks at a running run's progress.

    Attributes:
        frame: every unit of the run shown (before filters), as :func:`unit_frame` builds it.
    """

    def __init__(self, wb: Workbench, *, poll_interval: float = 0.5) -> None:
        self.wb = wb
        self.poll_interval = poll_interval
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._watched: str | None = None
        self._watcher: threading.Thread | None = None
        self.frame = pd.DataFrame(columns=FRAME_COLUMNS)
        self._run: Run | None = None
        # "quiet" (our own widget changes: observers do nothing) is per thread. Traitlets calls observers
        # in the thread that set the value, so the watcher's changes stay quiet while the user's, on the
        # kernel's thread, are never swallowed.
        self._local = threading.local()
        self._clock: Callable[[], float] = time.monotonic  # the watcher's reload throttle's clock (tests fake it)

        self.run = RunPicker("Run", css_class="wb-results-run")
        self.refresh_button = widgets.Button(description="Reload", layout={"width": "auto"})
        self.refresh_button.add_class("wb-results-refresh")
        self.label_filter = widgets.Dropdown(description="Label", options=[("any", ANY)], layout={"width": "260px"})
        self.label_filter.add_class("wb-results-label-filter")
        self.status = widgets.Dropdown(description="Status", options=STATUSES, layout={"width": "220px"})
        self.status.add_class("wb-results-status")
        self.scorer = widgets.Dropdown(description="Scorer", options=[("any", ANY)], layout={"width": "260px"})
        self.scorer.add_class("wb-results-scorer")
        self.sort = widgets.Dropdown(description="Sort", options=[("item", "unit")], layout={"width": "260px"})
        self.sort.add_class("wb-results-sort")
        self.sort_order = widgets.ToggleButtons(options=[ASCENDING, DESCENDING], value=ASCENDING)
        self.sort_order.style.button_width = "90px"
        self.sort_order.add_class("wb-results-sort-order")
        self.score_range = widgets.FloatRangeSlider(
            value=(0.0, 1.0), min=0.0, max=1.0, step=0.05, description="Score", continuous_update=False
        )
        self.score_range.add_class("wb-results-score-range")
        self.summary = widgets.HTML()
        self.summary.add_class("wb-results-summary")
        self._source = UnitSource(self.frame, unit_scores(None))
        self.table = PagedTable(
            self._source,
            key="unit",
            columns=TABLE_COLUMNS,
            on_row_click=self._open,
            labels=HEADERS,
            max_chars=80,
            page_size=10,
            css_class="wb-results-table",
        )
        self.detail = widgets.HTML()
        self.detail.add_class("wb-results-detail")
        self.label_item = widgets.Text(
            description="Item", placeholder="click a row, or type its id", continuous_update=False
        )
        self.label_item.add_class("wb-label-item")
        self.label_select = widgets.ToggleButtons(
            description="Label", options=list(wb.label_taxonomy()), value=None, style={"button_width": "auto"}
        )
        self.label_select.add_class("wb-label-select")
        self.label_note = widgets.Text(description="Note", placeholder="why (optional)", layout={"width": "420px"})
        self.label_note.add_class("wb-label-note")
        self.label_save = widgets.Button(description="Save label", button_style="primary")
        self.label_save.add_class("wb-label-save")
        self.label_message = widgets.HTML()
        self.label_message.add_class("wb-label-message")

        self.run.observe(self._on_run, names="value")
        self.refresh_button.on_click(lambda _b: self.reload())
        for w in (self.label_filter, self.status, self.scorer, self.score_range, self.sort, self.sort_order):
            w.observe(lambda _c: self._apply_filters(), names="value")
        self.label_item.observe(self._on_label_item, names="value")
        self.label_save.on_click(lambda _b: self.save_label())

        filters = widgets.VBox(
            [
                widgets.HBox([self.label_filter, self.status, self.scorer, self.score_range]),
                widgets.HBox([self.sort, self.sort_order]),
                widgets.HTML(CELL_COLOURS),
            ]
        )
        labelling = widgets.VBox(
            [
                widgets.HTML(
                    "<b>Label</b> (click an item's id in the table to see it in full, pick its label, save; "
                    "more labels: <code>wb.add_labels(...)</code> or <code>workbench labels --add NAME</code>)"
                ),
                self.label_item,
                self.label_select,
                widgets.HBox([self.label_note, self.label_save]),
                self.label_message,
            ]
        )
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.run, self.refresh_button]),
                filters,
                labelling,
                self.detail,
                self.summary,
                self.table.widget,
            ]
        )
        self.widget.add_class("wb-results-panel")
        self.refresh()

    # -- public --------------------------------------------------------------
    @property
    def _quiet(self) -> bool:
        """Whether this thread is changing the widgets itself (so their observers do nothing)."""
        return bool(getattr(self._local, "quiet", False))

    @_quiet.setter
    def _quiet(self, value: bool) -> None:
        self._local.quiet = value

    def refresh(self) -> None:
        """Reload the list of runs (keeping the run shown) and the run's results."""
        self._refresh_options()
        self.reload()

    def _refresh_options(self) -> None:
        options = run_options(self.wb)
        current = self.run.value
        self._quiet = True
        try:
            self.run.options = options
            ids = [v for _, v in options]
            self.run.value = current if current in ids else (ids[0] if ids else None)
        finally:
            self._quiet = False

    def show(self, run_id: str) -> None:
        """Show the run ``run_id`` (``NotFoundError`` if there is none)."""
        self.wb.get_run(run_id)
        if run_id not in [v for _, v in self.run.options]:
            self._quiet = True
            try:
                self.run.options = run_options(self.wb)
            finally:
                self._quiet = False
        if self.run.value == run_id:
            self.reload()
        else:
            self.run.value = run_id

    def reload(self) -> None:
        """Read the shown run's results, scores and labels again (done by itself while the run goes on)."""
        with self._lock:
            run_id = self.run.value
            self._run = self.wb.get_run(run_id) if run_id is not None else None
            self._refresh_taxonomy()
            self._load(self._run)
            self._update_filter_options()
            self._apply_filters()
        self._watch()

    @property
    def watching(self) -> bool:
        """Whether a running run is being watched (its results reload as units finish)."""
        return self._watcher is not None and self._watcher.is_alive()

    def close(self) -> None:
        """Stop watching and close the widgets."""
        self._stop.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(5)
        self.widget.close()

    def save_label(self) -> None:
        """Give the chosen unit the chosen label and note (what "Save label" does).

        The label goes to the run the dropdown shows: if the panel's data are of another run
        (the dropdown moved on), they are read again first.
        """
        unit = self.label_item.value.strip()
        with self._lock:
            run_id = self.run.value
            if run_id is None or not unit:
                self.label_message.value = message_html("Pick a run and an item first.", "error")
                return
            if self._run is None or self._run.id != run_id:
                self.reload()  # the frame must be the shown run's too: it maps the unit to item and repeat
            run = self._run
            if run is None or run.id != run_id:  # pragma: no cover - reload reads the dropdown's run
                self.label_message.value = message_html("Pick a run and an item first.", "error")
                return
            match = self.frame[self.frame["unit"] == unit]
            if match.empty:
                self.label_message.value = message_html(f"run {run.id} has no result for item {unit!r}", "error")
                return
            item_id, repeat = str(match["item_id"].iloc[0]), int(match["repeat"].iloc[0])
            label = self.label_select.value
            if label is None:
                self.label_message.value = message_html("Pick a label first.", "error")
                return
            try:
                run.label(item_id, label, note=self.label_note.value, repeat=repeat)
            except WorkbenchError as exc:
                self.label_message.value = message_html(str(exc), "error")
                return
        self.label_message.value = message_html(f"Labelled {unit} as {label}.", "ok")
        self.reload()
        self._show_unit(unit)

    @property
    def rows(self) -> pd.DataFrame:
        """The units that pass the filters (what the table pages through)."""
        return self._source.frame

    # -- internals -------------------------------------------------------------
    def _load(self, run: Run | None) -> None:
        self.frame = unit_frame(self.wb, run) if run is not None else pd.DataFrame(columns=FRAME_COLUMNS)
        self._source.scores = unit_scores(run)
        self._source.settings = pass_marks(run)

    def _watch(self) -> None:
        run = self._run
        if run is None or run.status not in ("pending", "running") or self._stop.is_set():
            return
        if self.watching and self._watched == run.id:
            return
        self._watched = run.id
        self._watcher = threading.Thread(target=self._poll, args=(run.id,), name="workbench-results", daemon=True)
        self._watcher.start()

    def _poll(self, run_id: str) -> None:
        seen: tuple[str, int] | None = None
        # reading the whole run again grows with it: reload at most every max(poll, 4 x last reload), and at the end
        throttle = ReloadThrottle(self.poll_interval, clock=self._clock)
        while self._watched == run_id and not self._stop.wait(self.poll_interval):
            manifest = self.wb.get_run(run_id).manifest
            finished = manifest.status not in ("pending", "running")
            state = (manifest.status, manifest.counts()["done"])
            if state != seen and (finished or throttle.due()):
                with self._lock:
                    if self.run.value != run_id:
                        break
                    seen = state
                    throttle.run(lambda: self._reload_watched(run_id))
            if finished:
                with self._lock:
                    if self.run.value == run_id:
                        self._refresh_options()  # the dropdown's text shows the run's final status and counts
                break

    def _reload_watched(self, run_id: str) -> None:
        self._run = self.wb.get_run(run_id)
        self._load(self._run)
        self._update_filter_options()
        self._apply_filters()

    def _on_run(self, _change: Any) -> None:
        if not self._quiet:
            self.label_message.value = ""
            self.detail.value = ""
            self.reload()

    def _update_filter_options(self) -> None:
        labels = sorted(str(v) for v in self.frame["label"].dropna().unique())
        label_options = [("any", ANY), ("no label", NO_LABEL), *((x, x) for x in labels)]
        scorers = self.scorer_names()
        settings = self._source.settings
        marked = [(s + LOWER_MARK.get(settings.get(s, ("",))[0], ""), s) for s in sorted(scorers)]
        scorer_options = [("any", ANY), *marked]
        sort_options = sort_choices(scorers)
        self._quiet = True
        try:
            for dropdown, options, default in (
                (self.label_filter, label_options, ANY),
                (self.scorer, scorer_options, ANY),
                (self.sort, sort_options, "unit"),
            ):
                current = dropdown.value
                dropdown.options = options
                dropdown.value = current if current in [v for _, v in options] else default
        finally:
            self._quiet = False
        self.score_range.disabled = self.scorer.value == ANY
        with self.table.lock:
            self.table.columns = [*LEADING_COLUMNS, *(SCORE_PREFIX + s for s in scorers), *TRAILING_COLUMNS]
            self.table.labels = HEADERS | {SCORE_PREFIX + s: s for s in scorers}

    def scorer_names(self) -> list[str]:
        """The shown run's scorers: in the run's order, then any other that has scores, by name."""
        scored = [c.removeprefix(SCORE_PREFIX) for c in self.frame.columns if c.startswith(SCORE_PREFIX)]
        declared = [s for s in self._source.settings if s in scored]
        return declared + sorted(s for s in scored if s not in declared)

    def _apply_filters(self) -> None:
        if self._quiet:
            return
        with self._lock:
            self._filter()

    def _filter(self) -> None:
        frame = self.frame
        label = self.label_filter.value
        if label == NO_LABEL:
            frame = frame[frame["label"].isna()]
        elif label != ANY:
            frame = frame[frame["label"] == label]
        self.score_range.disabled = self.scorer.value == ANY
        chosen = [] if self.scorer.value == ANY else [str(self.scorer.value)]
        if chosen:
            low, high = self.score_range.value
            column = frame[f"score_{self.scorer.value}"]
            frame = frame[column.notna() & (column >= low - 1e-9) & (column <= high + 1e-9)]
        if self.status.value != ANY:
            scorers = chosen or self.scorer_names()
            frame = frame[status_mask(frame, self._source.scores, self._source.settings, scorers, self.status.value)]
        frame = sorted_units(frame, str(self.sort.value), descending=self.sort_order.value == DESCENDING)
        with self.table.lock:  # the user may be paging the table on the kernel's thread meanwhile
            self._source.frame = frame.reset_index(drop=True)
            self.table.refresh()
        shown = len(frame)
        total = len(self.frame)
        status = "" if self._run is None else f" &middot; run {html.escape(self._run.status)}"
        self.summary.value = f"<span class='wb-results-count'>{shown} of {total} results shown{status}</span>"

    def _open(self, row: dict[str, Any]) -> None:
        self._show_unit(str(row["unit"]))

    def _show_unit(self, unit: str) -> None:
        match = self.frame[self.frame["unit"] == unit]
        if match.empty:
            self.detail.value = ""
            return
        raw = match.iloc[0].to_dict()
        row = format_unit(raw, self._source.scores_of(str(raw["item_id"]), int(raw["repeat"])))
        self.detail.value = unit_html(row)
        self._quiet = True
        try:
            self.label_item.value = str(row["unit"])
        finally:
            self._quiet = False
        self._fill_label_fields(row)

    def _on_label_item(self, change: Any) -> None:
        if not self._quiet and change["new"].strip():
            self._show_unit(change["new"].strip())

    def _refresh_taxonomy(self) -> None:
        """One button per label of the store's taxonomy (another process may have added some)."""
        labels = self.wb.label_taxonomy()
        if tuple(self.label_select.options) != labels:
            chosen = self.label_select.value
            self.label_select.options = labels
            self.label_select.value = chosen if chosen in labels else None  # new options select the first

    def _fill_label_fields(self, row: Mapping[Any, Any]) -> None:
        label = row.get("label")
        known = not _missing(label) and str(label) in self.label_select.options
        self.label_select.value = str(label) if known else None  # a label outside the taxonomy has no button
        note = row.get("label_note")
        self.label_note.value = "" if _missing(note) else str(note)
