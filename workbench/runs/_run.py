"""``Run``: the handle on a run — status, progress, wait, cancel, results."""

from __future__ import annotations

import concurrent.futures
import contextlib
import html
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import NotFoundError, ValidationError
from workbench.runs._labels import (
    Rule,
    auto_label,
    default_author,
    empty_labels,
    has_labels,
    labels_sql,
    make_label_row,
    validate_label,
    write_labels,
)
from workbench.runs._manifest import RunManifest, Status, read_manifest
from workbench.runs._plan import latest_rows_sql
from workbench.runs._results import RESULTS_DIR, has_parts
from workbench.store._table import connect
from workbench.store._unreadable import naming_unreadable

RESULT_COLUMNS = (
    "item_id, repeat, output, error, error_kind, latency_s, tokens_in, tokens_out, tokens_cached, cost, "
    "tool_calls, steps, model, cache_hit, ai_generated, attempts, started_at, finished_at, shard, input"
)


class Run:
    """A run of a dataset version against a target, executing or finished.

    ``wb.run(...)`` returns one at once while the work goes on in the background;
    ``wb.get_run(id)`` opens a finished one.
    """

    def __init__(self, folder: Path, future: concurrent.futures.Future[Status] | None = None) -> None:
        self.folder = folder
        self._future = future
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
    def status(self) -> Status:
        """``pending``, ``running``, ``completed``, ``failed`` or ``cancelled``."""
        if self._future is not None and not self._future.done():
            status = self.manifest.status
            return "running" if status in ("pending", "completed") else status
        return self.manifest.status

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
        """Block until the run (this process's part of it) finishes; returns the run."""
        if self._future is not None:
            with contextlib.suppress(concurrent.futures.CancelledError):
                self._future.result(timeout=timeout)
        return self

    def cancel(self) -> None:
        """Stop the run: finished units are kept, status becomes ``cancelled``."""
        if self._future is not None and not self._future.done():
            self._future.cancel()
            deadline = time.monotonic() + 30
            while self.manifest.status == "running" and time.monotonic() < deadline:
                time.sleep(0.02)

    def done(self) -> bool:
        """Whether this process's part of the run has finished."""
        return self._future is None or self._future.done()

    def results(self) -> pd.DataFrame:
        """One row per finished unit (item x repeat), with each scorer's score as a column.

        JSON values (output, tool_calls, steps) are JSON text. Score columns are named
        ``score_<scorer>``; ``scorer_errors`` counts scorers that failed on the unit.
        """
        if not has_parts(self.folder):
            return pd.DataFrame(columns=["item_id", "repeat", "output", "error"])
        con = connect()
        scorers = [s["name"] for s in self.manifest.scorers]
        pivots = ", ".join(
            "list_extract(list_transform(list_filter(scores, lambda s: s.scorer = "
            f"'{n.replace(chr(39), chr(39) * 2)}'), "
            f'lambda s: s.score), 1) as "score_{n.replace(chr(34), "")}"'
            for n in scorers
        )
        extra = (", " + pivots) if pivots else ""
        sql = f"""select {RESULT_COLUMNS}{extra},
                         len(list_filter(scores, lambda s: s.error is not null)) as scorer_errors
                  from ({latest_rows_sql(self.folder)}) order by finished_at"""
        with naming_unreadable(self._parts):
            df: pd.DataFrame = con.sql(sql).df()
        return df

    def scores(self) -> pd.DataFrame:
        """One row per unit and scorer: score, reason, details (JSON text) and error."""
        if not has_parts(self.folder):
            return pd.DataFrame(columns=["item_id", "repeat", "scorer", "score", "reason", "details", "error"])
        con = connect()
        # unnest in the select list, not a lateral join (``from u, unnest(u.scores)``): see analysis/_views.py
        sql = f"""select item_id, repeat, s.scorer, s.score, s.reason, s.details, s.error
                  from (select item_id, repeat, unnest(scores) as s from ({latest_rows_sql(self.folder)}))
                  order by item_id, repeat, s.scorer"""
        with naming_unreadable(self._parts):
            df: pd.DataFrame = con.sql(sql).df()
        return df

    def _parts(self) -> list[str]:
        """The run's result parts (for naming an unreadable one)."""
        return [str(p) for p in sorted((self.folder / RESULTS_DIR).glob("*.parquet"))]

    def _unit_rows(self, columns: str) -> list[dict[str, Any]]:
        if not has_parts(self.folder):
            return []
        sql = f"select {columns} from ({latest_rows_sql(self.folder)}) order by item_id, repeat"
        rows: list[dict[str, Any]] = connect().sql(sql).arrow().read_all().to_pylist()
        return rows

    def auto_label(self, rules: Iterable[Rule] | None = None) -> int:
        """Label every finished unit with :func:`workbench.runs.auto_label` (source ``auto``).

        ``rules`` defaults to ``DEFAULT_RULES``. Units no rule fires on get no label.
        Returns the number of labels written (all in one part, history kept).
        """
        rule_list = None if rules is None else list(rules)
        out = []
        for row in self._unit_rows("item_id, repeat, output, error, error_kind, tool_calls, scores"):
            label = auto_label(row, rule_list)
            if label is not None:
                out.append(make_label_row(row["item_id"], row["repeat"], label, "auto", "auto_label"))
        write_labels(self.folder, out)
        return len(out)

    def label(
        self, item_id: str, label: str, note: str = "", author: str | None = None, repeat: int = 0
    ) -> dict[str, Any]:
        """Give a unit a human label (latest human label wins over any automatic one).

        ``author`` defaults to ``$USER``. A label outside the taxonomy is fine if it is a
        name of ``[a-z0-9_]`` (``ValidationError`` otherwise); an item/repeat without a
        result in this run raises ``NotFoundError``. Nothing is written on error.
        Returns the stored label row.
        """
        validate_label(label)
        if not isinstance(note, str):
            raise ValidationError("note must be text")
        units = {(r["item_id"], r["repeat"]) for r in self._unit_rows("item_id, repeat")}
        if (item_id, repeat) not in units:
            known = any(i == item_id for i, _ in units)
            what = f"repeat {repeat} of item {item_id!r}" if known else f"item {item_id!r}"
            raise NotFoundError(f"run {self.id} has no result for {what}")
        row = make_label_row(item_id, repeat, label, "human", author or default_author(), note)
        write_labels(self.folder, [row])
        return row

    def labels(self, history: bool = False) -> pd.DataFrame:
        """Each unit's effective label (latest human, else latest automatic), or with
        ``history=True`` every label ever given, oldest first.

        Columns: item_id, repeat, label, source (``auto``/``human``), author, note, created_at.
        """
        if not has_labels(self.folder):
            return empty_labels()
        df: pd.DataFrame = connect().sql(labels_sql(self.folder, history=history)).df()
        return df

    def __repr__(self) -> str:
        p = self.progress
        return f"Run({self.id!r}, status={p['status']!r}, done={p['done']}/{p['total']}, errors={p['errors']})"

    def _repr_html_(self) -> str:
        p = self.progress
        m = self.manifest
        pct = int(100 * p["fraction"])
        return (
            f"<div><b>Run</b> {html.escape(self.id)} &middot; {html.escape(str(m.dataset))}@{m.dataset_version} "
            f"&middot; target {html.escape(str(m.target.get('name')))} &middot; <b>{html.escape(p['status'])}</b><br>"
            f"<progress value='{pct}' max='100'></progress> {p['done']}/{p['total']} done, {p['errors']} errors</div>"
        )
