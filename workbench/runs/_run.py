"""``Run``: the handle on a run — status, progress, wait, cancel, results."""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench._html import facts_html
from workbench.errors import NotFoundError, ValidationError, WorkbenchError
from workbench.records._codec import from_json_many
from workbench.records._label import Label
from workbench.records._result import JSON_FIELDS, RESULT_SCHEMA, Result
from workbench.runs._labels import (
    LABELS_DIR,
    OUTCOMES,
    Rule,
    auto_label,
    default_author,
    empty_labels,
    has_labels,
    labels_sql,
    make_label,
    validate_label,
    write_labels,
)
from workbench.runs._manifest import RunManifest, Status, read_manifest
from workbench.runs._plan import latest_rows_sql
from workbench.runs._results import has_parts, parts_glob, reading_parts
from workbench.runs._status import ObservedStatus, observed_status
from workbench.store._table import connect, sql_literal

if TYPE_CHECKING:
    from workbench.project import LabelTaxonomy
    from workbench.runs._engine import Job

STOP_WAIT = 30.0
"""Seconds ``cancel()`` / ``interrupt()`` wait for the run to record its status (its finished units are kept)."""
_LAST = ("shard", "input")
RESULT_COLUMNS: tuple[str, ...] = (
    *(n for n in RESULT_SCHEMA.names if n not in (*_LAST, "scores")),
    *_LAST,
)
"""The columns of :meth:`Run.results` before the scores: the stored ones, ``shard`` and ``input`` last."""
SCORE_COLUMNS = ("item_id", "repeat", "scorer", "score", "reason", "details", "error")
"""The columns of :meth:`Run.scores`."""


def _decode(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Turn the JSON text of ``columns`` into Python values (missing ones ``None``), a column at a time.

    Only the present values are decoded (a column of NULLs costs nothing), by ``orjson``
    mapped over the column (see ``from_json_many``).
    """
    for column in columns:
        text = df[column]
        present = text.notna().to_numpy()
        values = np.full(len(text), None, dtype=object)
        if present.any():
            decoded = pd.Series(from_json_many(text[present].tolist()), dtype=object)
            values[present] = decoded.to_numpy()
        df[column] = pd.Series(values, index=df.index, dtype=object)
    return df


class RunFailedError(WorkbenchError, RuntimeError):
    """A run ended ``failed``: every unit errored, or something stopped it (an auth error, a full disk).

    The message names the run and why, with the first error (``run X failed: all 3 items
    errored; first error (item q1): ...``); :attr:`run` is the failed :class:`Run`.
    """

    def __init__(self, message: str, run: Run) -> None:
        super().__init__(message)
        self.run = run


class Run:
    """A run of a dataset version against a target, executing or finished.

    ``wb.run(...)`` returns one at once while the work goes on in the background;
    ``wb.get_run(id)`` opens a finished one. ``taxonomy`` is its store's labels (what
    :meth:`label` accepts); without one, the built-in outcomes.
    """

    def __init__(
        self,
        folder: Path,
        future: concurrent.futures.Future[Status] | None = None,
        *,
        taxonomy: LabelTaxonomy | None = None,
    ) -> None:
        self.folder = folder
        self._future = future
        self._taxonomy = taxonomy
        self._job: Job | None = None
        self._finished: threading.Event | None = None
        """Set once this process's engine has recorded the run's final status (see ``_runner._launch``)."""
        self._live: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        """The run's id (its folder's name)."""
        return self.folder.name

    @property
    def manifest(self) -> RunManifest:
        """The manifest as stored now."""
        return read_manifest(self.folder)

    @property
    def status(self) -> ObservedStatus:
        """``pending``, ``running``, ``completed``, ``failed`` or ``cancelled``; ``interrupted``
        when it was stopped by Ctrl-C or a shard stored as running has no live process on this
        host any more (resume it with ``wb.resume(id)`` or ``workbench run --resume ID``),
        ``running?`` when that process is on another host and cannot be checked from here.

        A run whose every unit errored is ``failed`` (:attr:`first_error` says why); one with
        only some errors is ``completed``, and ``progress["errors"]`` counts them.
        """
        if not self.done():
            status = self.manifest.status
            return "running" if status in ("pending", "completed") else status
        return observed_status(self.folder, self.manifest)

    @property
    def first_error(self) -> str | None:
        """The first unit error of the run (``"item q1: ValueError: ..."``), or ``None`` when none errored."""
        found = self._first_error()
        return None if found is None else f"item {found[0]}: {found[1]}"

    def _first_error(self) -> tuple[str, str] | None:
        """``(item_id, error)`` of the earliest finished unit that errored."""
        if not has_parts(self.folder):
            return None
        sql = f"""select item_id, error from ({self._latest_sql()})
                  where error is not null order by finished_at, item_id, repeat limit 1"""
        with reading_parts(self.folder):
            rows = connect().sql(sql).fetchall()
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    @property
    def failure(self) -> str | None:
        """Why the run failed, in one line (``None`` unless its status is ``failed``).

        ``all 3 items errored; first error (item q1): ...`` when every unit errored, else the
        error that stopped it (an auth error, a full disk naming the file).
        """
        m = self.manifest
        if m.status != "failed":
            return None
        for key, state in sorted(m.shards.items()):
            if state.status == "failed" and state.error:
                return state.error if m.shard_count == 1 else f"shard {key}: {state.error}"
        n = m.counts()["errors"]
        units = "items" if m.repeats == 1 else "units (items x repeats)"
        found = self._first_error()
        first = f"; first error (item {found[0]}): {found[1]}" if found else ""
        return f"{'its only item' if n == 1 else f'all {n} {units}'} errored{first}"

    def raise_for_status(self) -> Run:
        """Raise :class:`RunFailedError` when the run failed (naming the first error); else return the run.

        ``wb.run_sync`` does this for you; after ``wb.run(...)`` write ``run.wait().raise_for_status()``.
        """
        failure = self.failure
        if failure is not None:
            raise RunFailedError(f"run {self.id} failed: {failure}", self)
        return self

    def _on_progress(self, done: int, errors: int, total: int) -> None:
        with self._lock:
            self._live = {"done": done, "errors": errors, "total": total}

    @property
    def progress(self) -> dict[str, Any]:
        """Units done, errors, total and the fraction done (live while this process runs it)."""
        counts = self.manifest.counts()
        with self._lock:
            live = dict(self._live)
        if live and self.manifest.shard_count == 1:
            counts |= {"done": live["done"], "errors": live["errors"]}
        total = counts["total"]
        return {**counts, "fraction": counts["done"] / total if total else 1.0, "status": self.status}

    def wait(self, timeout: float | None = None) -> Run:
        """Block until the run (this process's part of it) finishes; returns the run.

        Ctrl-C (a ``KeyboardInterrupt``) while waiting stops the run as :meth:`interrupt`
        does — finished units kept, status ``interrupted``, ``wb.resume(id)`` finishes it —
        and is raised again. A failed run does not raise here: see :meth:`raise_for_status`.
        """
        if self._future is None:
            return self
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with contextlib.suppress(concurrent.futures.CancelledError):
                self._future.result(timeout=timeout)
            if self._finished is not None:  # a cancelled future is done before its run has recorded it
                self._finished.wait(None if deadline is None else max(deadline - time.monotonic(), 0.0))
        except KeyboardInterrupt:
            self.interrupt()
            raise
        return self

    def cancel(self) -> None:
        """Stop the run: finished units are kept, status becomes ``cancelled`` (``wb.resume(id)`` finishes it)."""
        self._stop("cancelled")

    def interrupt(self) -> None:
        """Stop the run as Ctrl-C does: finished units are kept, status becomes ``interrupted``.

        ``wb.resume(id)`` or ``workbench run --resume ID`` runs the missing units.
        """
        self._stop("interrupted")

    def _stop(self, status: Status) -> None:
        """Cancel this process's part of the run, recorded as ``status``; wait until it is recorded."""
        if self._future is None or self.done():
            return
        if self._job is not None:
            self._job.stopped_as = status  # read by the engine once the cancellation reaches it
        self._future.cancel()
        if self._finished is not None:
            self._finished.wait(STOP_WAIT)
            return
        deadline = time.monotonic() + STOP_WAIT
        while self.manifest.status == "running" and time.monotonic() < deadline:
            time.sleep(0.02)

    def done(self) -> bool:
        """Whether this process's part of the run has finished (and recorded its status)."""
        if self._finished is not None:
            return self._finished.is_set()
        return self._future is None or self._future.done()

    def results(self, raw: bool = False) -> pd.DataFrame:
        """One row per finished unit (item x repeat), with each scorer's score as a column.

        Values are Python values: ``output`` and ``input`` as the target gave and took them
        (a ``str``, ``dict``, ``list``, number...), ``tool_calls`` a list of dicts, ``steps``
        a list; ``None`` where there is none. ``raw=True`` keeps those four columns as the
        stored JSON text (faster, for SQL-minded code). Score columns are named
        ``score_<scorer>``; ``scorer_errors`` counts scorers that failed on the unit.
        :meth:`result` gives one unit as a :class:`~workbench.records.Result`.
        """
        scorers = [s["name"] for s in self.manifest.scorers]
        score_columns = [f"score_{n.replace(chr(34), '')}" for n in scorers]
        if not has_parts(self.folder):
            return pd.DataFrame(columns=[*RESULT_COLUMNS, *score_columns, "scorer_errors"])
        pivots = "".join(
            ", list_extract(list_transform(list_filter(scores, lambda s: s.scorer = "
            f'{sql_literal(n)}), lambda s: s.score), 1) as "{column}"'
            for n, column in zip(scorers, score_columns, strict=True)
        )
        sql = f"""select {", ".join(RESULT_COLUMNS)}{pivots},
                         len(list_filter(scores, lambda s: s.error is not null)) as scorer_errors
                  from ({self._latest_sql()}) order by finished_at"""
        with reading_parts(self.folder):
            df: pd.DataFrame = connect().sql(sql).df()
        return df if raw else _decode(df, JSON_FIELDS)

    def _latest_sql(self) -> str:
        """SQL of each unit's latest row: the parts as they are when no unit was written twice.

        A unit is written once; only a shard run twice by mistake doubles one, and then
        :func:`latest_rows_sql` keeps the latest. Counting first (two narrow columns) is
        cheaper than that window over every column when, as usual, nothing is doubled.
        """
        glob = sql_literal(parts_glob(self.folder))
        with reading_parts(self.folder):
            doubled = connect().sql(f"select count(*) - count(distinct (item_id, repeat)) from read_parquet({glob})")
            twice = doubled.fetchall()[0][0]
        if twice:
            return latest_rows_sql(self.folder)
        return f"select * from read_parquet({glob}, union_by_name = true)"

    def result(self, item_id: str, repeat: int = 0) -> Result:
        """One unit's result, with its tool calls and scores, as a :class:`~workbench.records.Result`.

        Raises:
            NotFoundError: the run has no result for that item (or that repeat of it).
        """
        if has_parts(self.folder):
            # the filter is pushed into the Parquet scan; the latest row wins as in ``latest_rows_sql``
            sql = f"""select * from read_parquet({sql_literal(parts_glob(self.folder))}, union_by_name = true)
                      where item_id = {sql_literal(str(item_id))} and repeat = {int(repeat)}
                      order by finished_at desc limit 1"""
            with reading_parts(self.folder):
                rows = connect().sql(sql).arrow().read_all().to_pylist()
            if rows:
                return Result.from_row(rows[0])
        units = {(r["item_id"], r["repeat"]) for r in self._unit_rows("item_id, repeat")}
        raise self._missing_unit(item_id, repeat, units)

    def scores(self, raw: bool = False) -> pd.DataFrame:
        """One row per unit and scorer: score, reason, details and error.

        ``details`` is a dict (``None`` when the scorer kept none); ``raw=True`` keeps it as
        the stored JSON text.
        """
        if not has_parts(self.folder):
            return pd.DataFrame(columns=list(SCORE_COLUMNS))
        # unnest in the select list, not a lateral join (``from u, unnest(u.scores)``): see analysis/_views.py
        sql = f"""select item_id, repeat, s.scorer, s.score, s.reason, s.details, s.error
                  from (select item_id, repeat, unnest(scores) as s from ({self._latest_sql()}))
                  order by item_id, repeat, s.scorer"""
        with reading_parts(self.folder):
            df: pd.DataFrame = connect().sql(sql).df()
        return df if raw else _decode(df, ["details"])

    def _unit_rows(self, columns: str) -> list[dict[str, Any]]:
        if not has_parts(self.folder):
            return []
        sql = f"select {columns} from ({latest_rows_sql(self.folder)}) order by item_id, repeat"
        with reading_parts(self.folder):
            rows: list[dict[str, Any]] = connect().sql(sql).arrow().read_all().to_pylist()
        return rows

    def auto_label(self, rules: Iterable[Rule] | None = None) -> int:
        """Label every finished unit with :func:`workbench.runs.auto_label` (source ``auto``).

        ``rules`` defaults to ``DEFAULT_RULES``. Units no rule fires on get no label.
        Returns the number of labels written (all in one part, history kept).
        """
        rule_list = None if rules is None else list(rules)
        out = []
        for row in self._unit_rows("*"):
            result = Result.from_row(row)
            label = auto_label(result, rule_list)
            if label is not None:
                out.append(make_label(result.item_id, result.repeat, label, "auto", "auto_label", run_id=self.id))
        write_labels(self.folder, out)
        return len(out)

    def label(self, item_id: str, label: str, note: str = "", author: str | None = None, repeat: int = 0) -> Label:
        """Give a unit a human label (latest human label wins over any automatic one).

        ``label`` is one of the store's taxonomy (``wb.label_taxonomy()``: the built-in
        outcomes and those added with ``wb.add_labels``); any other raises
        :class:`~workbench.errors.InvalidLabelError` naming the closest one. ``author``
        defaults to ``$USER``; an item/repeat without a result in this run raises
        ``NotFoundError``. Nothing is written on error.
        Returns the stored :class:`~workbench.records.Label`.
        """
        validate_label(label, self.label_taxonomy())
        if not isinstance(note, str):
            raise ValidationError("note must be text")
        units = {(r["item_id"], r["repeat"]) for r in self._unit_rows("item_id, repeat")}
        if (item_id, repeat) not in units:
            raise self._missing_unit(item_id, repeat, units)
        given = make_label(item_id, repeat, label, "human", author or default_author(), note, run_id=self.id)
        write_labels(self.folder, [given])
        return given

    def label_taxonomy(self) -> tuple[str, ...]:
        """The labels :meth:`label` accepts: the store's taxonomy (the built-in outcomes without one)."""
        return OUTCOMES if self._taxonomy is None else self._taxonomy.labels()

    def _missing_unit(self, item_id: str, repeat: int, units: set[tuple[str, int]]) -> NotFoundError:
        known = any(i == item_id for i, _ in units)
        what = f"repeat {repeat} of item {item_id!r}" if known else f"item {item_id!r}"
        return NotFoundError(f"run {self.id} has no result for {what}")

    def labels(self, history: bool = False) -> pd.DataFrame:
        """Each unit's effective label (latest human, else latest automatic), or with
        ``history=True`` every label ever given, oldest first.

        Columns: item_id, repeat, label, source (``auto``/``human``), author, note, created_at
        (plain values: labels hold no JSON).
        """
        if not has_labels(self.folder):
            return empty_labels()
        with reading_parts(self.folder, LABELS_DIR):
            df: pd.DataFrame = connect().sql(labels_sql(self.folder, history=history)).df()
        return df

    def __repr__(self) -> str:
        p = self.progress
        return f"Run({self.id!r}, status={p['status']!r}, done={p['done']}/{p['total']}, errors={p['errors']})"

    def _repr_html_(self) -> str:
        p = self.progress
        m = self.manifest
        facts = [
            ("status", p["status"]),
            ("dataset", f"{m.dataset}@{m.dataset_version}" if m.dataset is not None else None),
            ("target", m.target.get("name")),
            ("scorers", ", ".join(str(s.get("name")) for s in m.scorers)),
            ("done", f"{p['done']} of {p['total']} units, {p['errors']} errors"),
            ("created", m.created_at),
        ]
        bar = f"<progress value='{int(100 * p['fraction'])}' max='100'></progress>"
        return facts_html("Run", self.id, facts, extra=bar)
