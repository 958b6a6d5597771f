"""SQL views over every run of a store, and choosing the runs an analysis covers.

:func:`add_run_views` gives a DuckDB connection four views (``wb.connect()`` and
``wb.sql()`` have them):

- ``runs``: one row per run, from its manifest: ``run_id, dataset, dataset_version,
  target, kind, model, prompt, status, repeats, item_count, created_at, tags`` (JSON).
  ``model`` and ``prompt`` come from a model or agent target (``""`` for other kinds).
- ``results``: every unit (item x repeat) of every run: the columns of
  :data:`~workbench.runs._results.RESULT_SCHEMA` without the nested scores, plus ``run_id``.
- ``scores``: one row per unit and scorer: ``run_id, item_id, repeat, scorer, score,
  reason, details, error``.
- ``labels``: each labelled unit's effective label (its latest human label, else its
  latest automatic one): ``run_id, item_id, repeat, label, source, author, note, created_at``.

The files are listed in Python when the views are made (``runs/<id>/manifest.json``,
``runs/<id>/results/*.parquet``, ``runs/<id>/labels/*.parquet``, never a temporary
``.tmp-project`` file) and handed to DuckDB as explicit lists: DuckDB never globs a user's
path, so a store under ``~/My Projects`` or ``~/données`` reads like any other. ``wb.sql()``
makes its views for each query, so it always sees every run; a connection from
``wb.connect()`` sees the files that existed when it was opened (open a new one to see
later runs). A kind of file no run has yet gives an empty view with the same columns.
A file DuckDB cannot read is left out, with a warning, by ``wb.sql()`` (see
:func:`workbench.store.sql_skipping_unreadable`).

``results`` and ``scores`` show every stored row. A unit is written once, except when two
processes ran the same shard by mistake: then it has two rows here, while ``Run.results()``
and every analysis function (``runs_summary``, ``matrix``, ``failure_modes``...) keep its
latest. Why not de-duplicate in the view: a window over every row, nested scores included,
turns a two-second scan of 10,000,000 results into minutes; to de-duplicate in your own
query, ``qualify row_number() over (partition by run_id, item_id, repeat order by
finished_at desc) = 1``.

Why the result file lists do not use ``union_by_name``: with it, DuckDB reads the footer of
every part each time a query on the view is bound (and once when the view is created):
about a second per view for 4,000 parts on two cores, paid by every ``wb.sql()``. Every
result part is written by ``ResultWriter`` with the one ``RESULT_SCHEMA``, so matching
columns by name against the first part (DuckDB's default) reads the same data. Should
the schema ever gain a column, set :data:`UNION_BY_NAME` (old parts then read as NULL).
Label parts are few and small: they keep ``union_by_name``.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from workbench.errors import NotFoundError, ValidationError
from workbench.runs._labels import LABEL_COLUMNS, LABEL_SCHEMA, LABELS_DIR
from workbench.runs._manifest import MANIFEST, RunManifest, read_manifest
from workbench.runs._results import RESULT_SCHEMA, RESULTS_DIR
from workbench.runs._run import Run
from workbench.store._catalog import Catalog
from workbench.store._sql import store_connection, store_files
from workbench.store._table import sql_list, sql_literal
from workbench.store._unreadable import sql_skipping_unreadable

if TYPE_CHECKING:
    from workbench.project import Project

UNION_BY_NAME = False
"""Whether the result globs read every part's footer to union columns by name (see the module docstring)."""
MODEL_KINDS = ("model", "agent")
"""Target kinds whose manifest names a model and a prompt version."""

RESULT_FIELDS = tuple(f.name for f in RESULT_SCHEMA if f.name != "scores")
"""Columns of the ``results`` view (besides ``run_id``)."""

RUN_COLUMNS = (
    "run_id", "dataset", "dataset_version", "target", "kind", "model", "prompt", "status", "repeats",
    "item_count", "created_at", "tags",
)  # fmt: skip


def _run_id_of(column: str) -> str:
    """SQL for the run id of a file at ``runs/<id>/<kind>/<file>``."""
    return f"parse_filename(parse_dirpath(parse_dirpath({column})))"


def _typed_nulls(schema: Any, names: Sequence[str]) -> str:
    types = {"string": "VARCHAR", "int32": "INTEGER", "int64": "BIGINT", "double": "DOUBLE", "bool": "BOOLEAN"}
    cols = []
    for name in names:
        kind = str(schema.field(name).type)
        sql_type = "TIMESTAMPTZ" if kind.startswith("timestamp") else types[kind]
        cols.append(f"null::{sql_type} as {name}")
    return ", ".join(cols)


# -- the files ------------------------------------------------------------------------------
def run_files(runs_dir: Path, kind: str) -> list[str]:
    """Every run's ``kind`` files, listed here (DuckDB never globs a user's path): the manifests
    (``kind`` = ``manifest.json``) or the ``*.parquet`` parts of a folder (``results``, ``labels``).

    Temporary files (``.tmp-project``) are not listed; runs are in id order, parts in name order.
    """
    if not runs_dir.is_dir():
        return []
    out: list[str] = []
    for entry in sorted(os.scandir(runs_dir), key=lambda e: e.name):
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        path = os.path.join(entry.path, kind)
        if kind == MANIFEST:
            if os.path.isfile(path):
                out.append(path)
            continue
        try:
            names = sorted(n for n in os.listdir(path) if n.endswith(".parquet"))
        except (FileNotFoundError, NotADirectoryError):
            continue
        out.extend(os.path.join(path, n) for n in names)
    return out


# -- the views ------------------------------------------------------------------------------
def runs_view_sql(manifests: Sequence[str]) -> str:
    """SQL of the ``runs`` view (one row per manifest file)."""
    kinds = ", ".join(sql_literal(k) for k in MODEL_KINDS)
    return f"""
        select json->>'$.id' as run_id, json->>'$.dataset' as dataset,
               (json->>'$.dataset_version')::BIGINT as dataset_version,
               json->>'$.target.name' as target, json->>'$.target.kind' as kind,
               case when json->>'$.target.kind' in ({kinds}) then coalesce(json->>'$.target.model', '') else '' end
                   as model,
               case when json->>'$.target.kind' in ({kinds}) then coalesce(json->>'$.target.prompt', '') else '' end
                   as prompt,
               json->>'$.status' as status, (json->>'$.repeats')::INTEGER as repeats,
               (json->>'$.item_count')::BIGINT as item_count,
               (json->>'$.created_at')::TIMESTAMPTZ as created_at, (json->'$.tags')::JSON as tags
        from read_json_objects({sql_list(manifests)}, format = 'auto')"""


def _empty_runs_sql() -> str:
    return (
        "select null::VARCHAR as run_id, null::VARCHAR as dataset, null::BIGINT as dataset_version, "
        "null::VARCHAR as target, null::VARCHAR as kind, null::VARCHAR as model, null::VARCHAR as prompt, "
        "null::VARCHAR as status, null::INTEGER as repeats, null::BIGINT as item_count, "
        "null::TIMESTAMPTZ as created_at, null::JSON as tags where false"
    )


def _results_source(parts: Sequence[str]) -> str:
    source = f"read_parquet({sql_list(parts)}, filename = true, union_by_name = {str(UNION_BY_NAME).lower()})"
    return f"(select *, {_run_id_of('filename')} as run_id from {source})"


def results_view_sql(parts: Sequence[str]) -> str:
    """SQL of the ``results`` view over the result ``parts``."""
    return f"select {', '.join(('run_id', *RESULT_FIELDS))} from {_results_source(parts)}"


def scores_view_sql(parts: Sequence[str]) -> str:
    """SQL of the ``scores`` view over the result ``parts``."""
    # unnest in the select list (a lateral join gave the same plan on DuckDB 2.0 in our checks; either works)
    return f"""select run_id, item_id, repeat, s.scorer, s.score, s.reason, s.details, s.error
               from (select run_id, item_id, repeat, unnest(scores) as s from {_results_source(parts)})"""


def labels_view_sql(parts: Sequence[str]) -> str:
    """SQL of the ``labels`` view over the label ``parts`` (each unit's effective label; see ``labels_sql``)."""
    cols = ", ".join(LABEL_COLUMNS)
    return f"""select {_run_id_of("filename")} as run_id, {cols}
               from read_parquet({sql_list(parts)}, filename = true, union_by_name = true)
               qualify row_number() over (
                   partition by run_id, item_id, repeat
                   order by (source = 'human') desc, created_at desc, filename desc) = 1"""


def view_files(runs_dir: Path) -> dict[str, list[str]]:
    """The files the run views read: ``manifests``, ``results`` and ``labels`` (see :func:`run_files`)."""
    return {
        "manifests": run_files(runs_dir, MANIFEST),
        "results": run_files(runs_dir, RESULTS_DIR),
        "labels": run_files(runs_dir, LABELS_DIR),
    }


def add_run_views(con: duckdb.DuckDBPyConnection, runs_dir: Path, skip: Collection[str] = ()) -> None:
    """Create the views ``runs``, ``results``, ``scores`` and ``labels`` over every run in ``runs_dir``.

    The files are listed once, here, and handed to DuckDB as explicit lists; ``skip`` leaves
    out files known to be unreadable (see :func:`workbench.store.sql_skipping_unreadable`).
    """
    files = {kind: [f for f in paths if f not in skip] for kind, paths in view_files(runs_dir).items()}
    results = files["results"]
    empty_results = f"select null::VARCHAR as run_id, {_typed_nulls(RESULT_SCHEMA, RESULT_FIELDS)} where false"
    empty_scores = (
        "select null::VARCHAR as run_id, null::VARCHAR as item_id, null::INTEGER as repeat, null::VARCHAR as scorer, "
        "null::DOUBLE as score, null::VARCHAR as reason, null::VARCHAR as details, null::VARCHAR as error where false"
    )
    empty_labels = f"select null::VARCHAR as run_id, {_typed_nulls(LABEL_SCHEMA, LABEL_COLUMNS)} where false"
    views = {
        "runs": runs_view_sql(files["manifests"]) if files["manifests"] else _empty_runs_sql(),
        "results": results_view_sql(results) if results else empty_results,
        "scores": scores_view_sql(results) if results else empty_scores,
        "labels": labels_view_sql(files["labels"]) if files["labels"] else empty_labels,
    }
    con.execute("set enable_progress_bar = false")  # no progress bar on a script's terminal
    for name, sql in views.items():
        con.execute(f"create or replace view {name} as {sql}")


def connect_store(catalog: Catalog, runs_dir: Path, skip: Collection[str] = ()) -> duckdb.DuckDBPyConnection:
    """A connection with the dataset views and the run views, leaving out the files in ``skip``."""
    con = store_connection(catalog, skip)
    add_run_views(con, runs_dir, skip)
    return con


def query_store(catalog: Catalog, runs_dir: Path, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
    """Run ``query`` over the store's views; an unreadable file is left out with a warning, not fatal.

    The fast path lists files and queries; only when DuckDB fails on a file are the files
    checked, each bad one named in an :class:`~workbench.errors.UnreadableFileWarning`.
    """

    def files() -> list[str]:
        dataset_files = [f for fs in store_files(catalog).values() for f in fs]
        return dataset_files + [f for fs in view_files(runs_dir).values() for f in fs]

    return sql_skipping_unreadable(lambda skip: connect_store(catalog, runs_dir, skip), files, query, params)


# -- choosing runs ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunRef:
    """A run an analysis covers: its folder and manifest."""

    folder: Path
    manifest: RunManifest

    @property
    def id(self) -> str:
        """The run's id."""
        return self.manifest.id

    @property
    def target(self) -> str:
        """The target's name."""
        return str(self.manifest.target.get("name") or self.manifest.target.get("kind") or "?")

    @property
    def kind(self) -> str:
        """The target's kind (``function``, ``model``, ``agent``, ``scorer``)."""
        return str(self.manifest.target.get("kind") or "")

    @property
    def model(self) -> str:
        """The model of a model or agent target (``""`` for other kinds)."""
        return str(self.manifest.target.get("model") or "") if self.kind in MODEL_KINDS else ""

    @property
    def prompt(self) -> str:
        """The prompt version (``name@3``) of a model or agent target (``""`` otherwise)."""
        return str(self.manifest.target.get("prompt") or "") if self.kind in MODEL_KINDS else ""


def _all_runs(runs_dir: Path) -> list[RunRef]:
    if not runs_dir.is_dir():
        return []
    out = []
    for entry in os.scandir(runs_dir):
        folder = Path(entry.path)
        if not entry.is_dir() or not (folder / MANIFEST).is_file():
            continue
        try:
            out.append(RunRef(folder, read_manifest(folder)))
        except (OSError, ValueError, TypeError, NotFoundError):
            continue  # a manifest being created or not ours: not a run yet
    return out


def select_runs(
    project: Project, runs: Sequence[str | Run] | str | Run | None = None, dataset: str | None = None
) -> list[RunRef]:
    """The runs to analyse, oldest first: ``runs`` (ids or :class:`Run`; default every run), of ``dataset``.

    An unknown run id raises ``NotFoundError``; an empty list of runs is a ``ValidationError``.
    """
    if dataset is not None and (not isinstance(dataset, str) or not dataset):
        raise ValidationError(f"dataset must be a dataset's name, not {dataset!r}")
    if runs is None:
        chosen = _all_runs(project.runs_dir)
    else:
        given = [runs] if isinstance(runs, str | Run) else list(runs)
        if not given:
            raise ValidationError("runs is empty: give run ids, or None for every run")
        chosen, seen = [], set()
        for run in given:
            if isinstance(run, Run):
                folder = run.folder
            elif isinstance(run, str) and run and "/" not in run and run not in (".", ".."):
                folder = project.runs_dir / run
            else:
                raise ValidationError(f"a run is a run id or a Run, not {run!r}")
            if folder.name in seen:
                continue
            seen.add(folder.name)
            chosen.append(RunRef(folder, read_manifest(folder)))
    if dataset is not None:
        chosen = [r for r in chosen if r.manifest.dataset == dataset]
    return sorted(chosen, key=lambda r: (r.manifest.created_at, r.id))
