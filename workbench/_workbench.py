"""``Workbench``: the one handle on a store (datasets now; runs and analysis later)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pandas as pd

from workbench._loop import run_later
from workbench.project import Project
from workbench.prompts import Prompt, PromptRef
from workbench.runs import Run, list_runs, observed_status, open_run, resume_hint, resume_run, start_run
from workbench.scorers import Scorer
from workbench.storage import Storage
from workbench.store import Dataset, ImportReport
from workbench.targets import Target

if TYPE_CHECKING:
    from workbench.analysis._compare import Comparison
    from workbench.analysis._failures import FailureModes
    from workbench.analysis._summary import Summary
    from workbench.ui._app import App
    from workbench.ui._registry import Entry, Registry


def _cache_run_stats(folder: Path) -> None:
    """Cache a completed run's figures beside it (``stats.parquet``) so summaries over many runs stay fast.

    On the after thread (``workbench._loop.run_later``): ``run.wait()`` does not wait for it, and a
    summary asked for meanwhile waits for it (``settle_later``) rather than computing the figures twice.
    """

    def cache() -> None:
        from workbench.analysis._runs_summary import cache_run_stats

        cache_run_stats(folder)

    run_later(cache)


class Workbench:
    """A store of datasets (``<root>/datasets``) and runs (``<root>/runs``).

    Args:
        root: the store's folder; defaults to ``$WORKBENCH_ROOT`` or the current
            folder, so a project's own ``datasets/`` and ``runs/`` are used.

    Examples:
        >>> wb = Workbench("store")  # doctest: +SKIP
        >>> ds = wb.create_dataset("qa", description="Questions and answers")  # doctest: +SKIP
        >>> ds.add_items([{"input": {"question": "2+2?"}, "expected_output": "4"}])  # doctest: +SKIP
        1
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        prices: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        self.project = Project(root, prices=prices, on_run_complete=_cache_run_stats)
        """The store's context, which the concept packages take (``workbench.project.Project``)."""
        self._registry: Registry | None = None

    @property
    def root(self) -> Path:
        """The store's folder."""
        return self.project.root

    @property
    def storage(self) -> Storage:
        """The store's files (every read and write of the store goes through a :class:`Storage`)."""
        return self.project.storage

    @property
    def prices(self) -> dict[str, Mapping[str, float]]:
        """Price overrides (USD per 1M tokens) on top of the shipped table and ``<root>/prices.json``."""
        return self.project.prices

    @property
    def datasets_dir(self) -> Path:
        """``<root>/datasets``."""
        return self.project.datasets_dir

    @property
    def runs_dir(self) -> Path:
        """``<root>/runs``."""
        return self.project.runs_dir

    @property
    def prompts_dir(self) -> Path:
        """``<root>/prompts``."""
        return self.project.prompts_dir

    def __repr__(self) -> str:
        return f"Workbench({str(self.root)!r})"

    # -- datasets --------------------------------------------------------------
    def create_dataset(
        self,
        name: str,
        *,
        description: str = "",
        metadata: Mapping[str, Any] | None = None,
        input_schema: dict[str, Any] | None = None,
        expected_schema: dict[str, Any] | None = None,
    ) -> Dataset:
        """Create an empty dataset (version 0).

        Args:
            name: 1-128 characters, no path separator, control character or leading ``.``/``_``.
            description: free text.
            metadata: any JSON object.
            input_schema: JSON Schema every item's ``input`` must match.
            expected_schema: JSON Schema every item's ``expected_output`` must match.
        """
        return self.project.catalog.create(
            name,
            description=description,
            metadata=metadata,
            input_schema=input_schema,
            expected_schema=expected_schema,
        )

    def dataset(self, name: str) -> Dataset:
        """The dataset called ``name`` (``NotFoundError`` if there is none)."""
        return self.project.catalog.open(name)

    def datasets(self) -> pd.DataFrame:
        """Every dataset: name, description, version, items, created_at, updated_at."""
        return self.project.catalog.list()

    def delete_dataset(self, name: str) -> None:
        """Delete a dataset with all its versions."""
        self.project.catalog.delete(name)

    def rename_dataset(self, name: str, new_name: str) -> Dataset:
        """Rename a dataset; its versions and history come along."""
        return self.project.catalog.rename(name, new_name)

    def import_csv(
        self,
        dataset: str | Dataset,
        path: str | os.PathLike[str],
        *,
        mapping: Mapping[str, str | list[str]] | None = None,
        mode: Literal["append", "upsert", "sync"] = "append",
        create: bool = False,
        json_columns: Sequence[str] = (),
        number_columns: Sequence[str] = (),
        infer_types: bool = False,
        on_invalid: Literal["abort", "skip"] = "abort",
        encoding: str = "utf-8",
        delimiter: str = ",",
        message: str | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a CSV file into a dataset (see :meth:`Dataset.import_csv`).

        Args:
            dataset: the dataset or its name.
            path: the CSV file.
            mapping: field -> column; guessed from the column names when not given.
            mode: ``"append"``, ``"upsert"`` (add new ids, update changed items) or ``"sync"``
                (upsert, and delete the items whose ids are not in the file).
            create: create the dataset when there is none of that name (removed again if the
                import fails, so a failed import leaves nothing behind).
            json_columns: columns whose cells are JSON.
            number_columns: columns whose cells are numbers.
            infer_types: guess numbers, booleans and JSON in the other cells.
            on_invalid: ``"abort"`` (write nothing if a row is invalid) or ``"skip"``.
            encoding: the file's encoding.
            delimiter: the field separator.
            message: a note kept with the version.
            dry_run: count what would change and write nothing.

        Examples:
            >>> report = wb.import_csv("qa", "qa.csv", mode="upsert")  # doctest: +SKIP
            >>> print(report)  # doctest: +SKIP
            2 of 5 rows imported into 'qa' as version 3: 1 added, 1 updated, 3 unchanged
        """
        return self._import(
            dataset, create, dry_run,
            lambda ds: ds.import_csv(
                Path(path), mapping=mapping, mode=mode, json_columns=json_columns, number_columns=number_columns,
                infer_types=infer_types, on_invalid=on_invalid, encoding=encoding, delimiter=delimiter,
                message=message, dry_run=dry_run,
            ),
        )  # fmt: skip

    def import_jsonl(
        self,
        dataset: str | Dataset,
        path: str | os.PathLike[str],
        *,
        mapping: Mapping[str, str | list[str]] | None = None,
        mode: Literal["append", "upsert", "sync"] = "append",
        create: bool = False,
        on_invalid: Literal["abort", "skip"] = "abort",
        message: str | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a JSON Lines file into a dataset (see :meth:`import_csv` and :meth:`Dataset.import_jsonl`)."""
        return self._import(
            dataset, create, dry_run,
            lambda ds: ds.import_jsonl(
                Path(path), mapping=mapping, mode=mode, on_invalid=on_invalid, message=message, dry_run=dry_run
            ),
        )  # fmt: skip

    def _import(
        self, dataset: str | Dataset, create: bool, dry_run: bool, run: Callable[[Dataset], ImportReport]
    ) -> ImportReport:
        if isinstance(dataset, Dataset):
            return run(dataset)
        created = create and not dry_run and not self.project.catalog.exists(dataset)
        ds = self.create_dataset(dataset) if created else self.dataset(dataset)
        try:
            return run(ds)
        except BaseException:
            if created and ds.version == 0:
                self.delete_dataset(dataset)  # nothing was imported: leave no empty dataset behind
            raise

    # -- prompts -------------------------------------------------------------------
    def create_prompt(self, name: str, template: str, *, system: str | None = None, note: str = "") -> Prompt:
        """Store a new version of prompt ``name`` (the same texts again return the latest version).

        Templates are Jinja2 over the item's fields: ``{{ input.question }}``, ``{{ context }}``,
        ``{{ metadata.source }}``; an ``input`` object's keys also stand alone (``{{ question }}``).
        A field some items lack is written ``{{ context | default('') }}`` or
        ``{% if context %}Context: {{ context }}{% endif %}``.
        """
        return self.project.prompts.create(name, template, system=system, note=note)

    def prompt(self, ref: PromptRef) -> Prompt:
        """A prompt version: ``"name"`` (latest), ``"name@3"`` or ``("name", 3)``."""
        return self.project.prompts.get(ref)

    def prompts(self) -> pd.DataFrame:
        """Every prompt: name, latest version, variables, note, created_at, updated_at."""
        return self.project.prompts.list()

    def prompt_versions(self, name: str) -> pd.DataFrame:
        """Every version of one prompt."""
        return self.project.prompts.versions(name)

    def prompt_diff(self, name: str, v1: int, v2: int) -> str:
        """A unified diff of two versions of a prompt (system text, then template)."""
        return self.project.prompts.diff(name, v1, v2)

    # -- runs --------------------------------------------------------------------
    def run(
        self,
        dataset: str | Dataset,
        target: Target | Callable[..., Any],
        *,
        scorers: Sequence[Scorer | Callable[..., Any]] = (),
        version: int | None = None,
        item_ids: Sequence[str] | None = None,
        repeats: int = 1,
        concurrency: int = 16,
        timeout: float | None = 60.0,
        call_timeout: float | None = None,
        max_retries: int = 5,
        cache: bool = False,
        tags: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        shard: str | tuple[int, int] | None = None,
        progress: bool | None = None,
    ) -> Run:
        """Start a run of a dataset version against a target and return its handle at once.

        The work goes on in a background event loop (the notebook stays usable); use
        ``run.wait()``, ``run.progress``, ``run.cancel()`` and ``run.results()``.
        Everything is checked first (settings, ``item_ids``, that every item can be
        sent), so a bad call fails before any model call and creates no run.

        Args:
            dataset: the dataset (or its name).
            target: a target from ``workbench.targets``, or a plain function.
            scorers: scorers (or plain functions) applied to each output.
            version: the dataset version to pin (default: latest).
            item_ids: run only these items (default: all).
            repeats: trials per item.
            concurrency: units in flight at once (model calls back off on rate limits).
            timeout: seconds allowed per item, retries included (None: no limit).
            call_timeout: seconds one model call may take before it is abandoned and retried within
                the item's timeout (default: 30, never more than ``timeout``).
            max_retries: retries of a model call on rate limits, timeouts and transient errors.
            cache: answer model calls from the response cache under ``<root>/cache`` (and store new
                replies there). Off by default: an evaluation measures fresh calls. Each repeat has
                its own entries, so a repeat is never answered with another repeat's reply.
            tags: any JSON kept in the manifest.
            run_id: an id of your choice (needed for shards started separately).
            shard: ``"i/n"``: do only shard i of n (other processes do the rest).
            progress: show a progress bar (default: in Jupyter only).
        """
        return start_run(
            self.project, dataset, target, scorers=scorers, version=version, item_ids=item_ids, repeats=repeats,
            concurrency=concurrency, timeout=timeout, call_timeout=call_timeout, max_retries=max_retries, cache=cache,
            tags=tags,
            run_id=run_id, shard=shard, progress=progress,
        )  # fmt: skip

    def run_sync(self, dataset: str | Dataset, target: Target | Callable[..., Any], **options: Any) -> Run:
        """Like :meth:`run`, but blocks until the run has finished (for scripts).

        Raises:
            RunFailedError: the run failed — every item errored (the message names the first
                error) or something stopped it; ``exc.run`` is the run. A run with only some
                errors is ``completed`` and returned.
            KeyboardInterrupt: Ctrl-C; the run is stopped as ``interrupted`` (``wb.resume(id)``).
        """
        return self.run(dataset, target, **options).wait().raise_for_status()

    def resume(
        self,
        run_id: str,
        *,
        target: Target | Callable[..., Any] | None = None,
        scorers: Sequence[Scorer | Callable[..., Any]] | None = None,
        shard: str | tuple[int, int] | None = None,
        concurrency: int | None = None,
        progress: bool | None = None,
    ) -> Run:
        """Run the units of ``run_id`` that have no result yet (after a crash, a kill or a cancel).

        The target and scorers are rebuilt from the manifest when they can be imported
        (models, agents, module-level functions); otherwise pass them again.
        """
        return resume_run(
            self.project,
            run_id,
            target=target,
            scorers=scorers,
            shard=shard,
            concurrency=concurrency,
            progress=progress,
        )

    def get_run(self, run_id: str) -> Run:
        """The run ``run_id``."""
        return open_run(self.project, run_id)

    # -- labels ------------------------------------------------------------------------
    def label_taxonomy(self) -> tuple[str, ...]:
        """The labels a result can be given here: the built-in outcomes, then the store's own."""
        return self.project.taxonomy.labels()

    def add_labels(self, *names: str) -> tuple[str, ...]:
        """Add labels to this store's taxonomy (names of ``[a-z0-9_]``); returns the whole taxonomy.

        Examples:
            >>> wb.add_labels("needs_review", "failure_outdated_source")  # doctest: +SKIP
            ('success', ..., 'needs_review', 'failure_outdated_source')
        """
        return self.project.taxonomy.add(*names)

    def runs(self) -> pd.DataFrame:
        """Every run, newest first: id, dataset, version, target, status, counts, cache_hit_share, created_at, note.

        ``status`` is ``interrupted`` for a run whose process is gone (``note`` says how to
        resume it) and ``running?`` for one running on another host. A run whose manifest
        cannot be read is skipped with an ``UnreadableRunWarning`` naming the file.
        ``cache_hit_share`` is the share of the run's units served from the response cache.
        """
        from workbench.analysis._runs_summary import cache_hit_shares

        shares = cache_hit_shares(self.project)
        rows = []
        for m in list_runs(self.project):
            counts = m.counts()
            folder = self.runs_dir / m.id
            rows.append(
                {
                    "run_id": m.id,
                    "dataset": m.dataset,
                    "dataset_version": m.dataset_version,
                    "target": m.target.get("name"),
                    "kind": m.target.get("kind"),
                    "status": observed_status(folder, m),
                    **counts,
                    "cache_hit_share": shares.get(m.id),
                    "repeats": m.repeats,
                    "created_at": pd.Timestamp(m.created_at),
                    "note": resume_hint(folder, m),
                }
            )
        columns = ["run_id", "dataset", "dataset_version", "target", "kind", "status", "total", "done", "errors",
                   "cache_hit_share"]  # fmt: skip
        return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)

    # -- registered targets and scorers (for the widget panels) -------------------
    @property
    def registry(self) -> Registry:
        """The targets and scorers registered on this workbench (in memory; see :meth:`register`)."""
        if self._registry is None:
            from workbench.ui._registry import Registry

            self._registry = Registry()
        return self._registry

    def register(self, obj: Any, name: str | None = None, *, kind: Literal["target", "scorer"] | None = None) -> Entry:
        """Offer a target or a scorer in the widget panels (``wb.ui()``).

        ``obj`` is a target (``workbench.targets.function/model/agent/scorer``), a scorer
        (``workbench.scorers``, ``@scorer`` functions) or a plain function: a scorer when it
        names ``output``, ``expected`` or ``result``, else a function target (``kind=`` decides
        otherwise). Registering a name again replaces it. Bad objects raise ``ValidationError``.

        Examples:
            >>> wb.register(targets.model("openai:gpt-4o-mini", prompt="answer@2"))  # doctest: +SKIP
            >>> wb.register(lambda output, expected: output == expected, name="exact")  # doctest: +SKIP
        """
        return self.registry.add(obj, name, kind=kind)

    def registered(self) -> pd.DataFrame:
        """What :meth:`register` got: one row per entry with ``name``, ``role``, ``kind``, ``description``."""
        return self.registry.table()

    def ui(self) -> App:
        """The widget panels as tabs (Datasets | Run | Results | Compare): display it in a notebook.

        ``workbench ui`` serves the same app in a browser (Voila on 127.0.0.1).

        Examples:
            >>> wb.ui()  # doctest: +SKIP
        """
        from workbench.ui._app import App

        return App(self)

    # -- reports -------------------------------------------------------------------
    def report(
        self,
        name: str | os.PathLike[str],
        params: Mapping[str, Any] | None = None,
        out: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> Path:
        """Execute a report notebook on this store with Papermill and write it as HTML without code.

        ``name`` is ``compare_runs``, ``trends``, ``failure_modes``, ``judge_alignment``,
        ``explore`` or a path to any ``.ipynb``; ``out`` defaults to ``<root>/reports/<name>.html``.
        Options: ``keep_notebook``, ``kernel``, ``timeout`` (see :func:`workbench.report.report`).
        A failing cell raises ``ReportError`` naming the cell and the exception.

        Examples:
            >>> wb.report("compare_runs", {"baseline": v1.id, "candidate": v2.id})  # doctest: +SKIP
            PosixPath('reports/compare_runs.html')
        """
        from workbench.report import report

        return report(name, params, out, root=self.root, **options)

    # -- analysis: summary and comparison ---------------------------------------
    def summarize(self, run: str | Run, **options: Any) -> Summary:
        """Summarize a run: coverage, success, scores with 95% intervals, latency, cost, tools, labels.

        Each scorer's direction and pass mark come from the scorer itself (the run's manifest).
        Options: ``pass_marks`` (override: a number or ``{scorer: number}``), ``bins``,
        ``directions`` (override); see :func:`workbench.analysis.summarize`.

        Examples:
            >>> wb.summarize(run_id).scorers  # doctest: +SKIP
        """
        from workbench.analysis._summary import summarize

        return summarize(self.project, run, **options)

    def compare(self, baseline: str | Run, candidate: str | Run, **options: Any) -> Comparison:
        """Compare a candidate run with a baseline on their shared items (paired tests, warnings).

        Options: ``margins`` (smallest worsening that counts), ``alpha``, ``allow_dead_scorers``,
        and the overrides ``directions`` and ``pass_marks`` (each scorer declares its own); see
        :func:`workbench.analysis.compare`. ``has_regression`` is the CI gate.

        Examples:
            >>> cmp = wb.compare(base_id, cand_id, margins={"correct": 0.02})  # doctest: +SKIP
            >>> cmp.has_regression  # doctest: +SKIP
        """
        from workbench.analysis._compare import compare

        return compare(self.project, baseline, candidate, **options)

    # -- analysis: many runs -----------------------------------------------------
    def runs_summary(self, runs: Sequence[str | Run] | None = None, dataset: str | None = None) -> pd.DataFrame:
        """One row per run: counts, success rate, latency, cost, tokens and ``score_<scorer>`` means.

        Fast over thousands of runs (each run's figures are cached beside it); see
        :func:`workbench.analysis.runs_summary`.

        Examples:
            >>> wb.runs_summary(dataset="qa")  # doctest: +SKIP
        """
        from workbench.analysis._runs_summary import runs_summary

        return runs_summary(self.project, runs, dataset)

    def matrix(
        self,
        runs: Sequence[str | Run] | None = None,
        dataset: str | None = None,
        directions: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """A leaderboard: per (target, model, prompt) its newest completed run's scores with 95% intervals.

        ``status``, ``partial`` and ``note`` say when a newer run failed or is unfinished. Each
        scorer ranks by its declared direction; ``directions`` (``{scorer: "lower"}``) overrides it.

        Examples:
            >>> wb.matrix(dataset="qa")  # doctest: +SKIP
        """
        from workbench.analysis._matrix import matrix

        return matrix(self.project, runs, dataset, directions=directions)

    def trends(self, dataset: str, target: str | None = None, scorers: Sequence[str] | None = None) -> pd.DataFrame:
        """Each scorer's mean (with its interval), latency, cost and success rate across a dataset's runs over time.

        Examples:
            >>> wb.trends("qa", target="openai:gpt-4o-mini/answer@2")  # doctest: +SKIP
        """
        from workbench.analysis._trends import trends

        return trends(self.project, dataset, target=target, scorers=scorers)

    def failure_modes(
        self,
        runs: Sequence[str | Run] | None = None,
        dataset: str | None = None,
        top: int = 20,
        directions: Mapping[str, str] | None = None,
        pass_marks: float | Mapping[str, float] | None = None,
    ) -> FailureModes:
        """Label counts and shares per target, and the items that fail most often across runs.

        An unlabelled unit fails a scorer whose pass mark it misses (below it, or above it for
        a lower-is-better scorer), as each run's scorers declare; ``directions``
        (``{scorer: "lower"}``) and ``pass_marks`` override that.

        Examples:
            >>> wb.failure_modes(dataset="qa").items  # doctest: +SKIP
        """
        from workbench.analysis._failures import failure_modes

        return failure_modes(self.project, runs, dataset, top=top, directions=directions, pass_marks=pass_marks)

    # -- SQL -------------------------------------------------------------------
    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with the store's views.

        Datasets: ``datasets``, ``items``, ``item_log``. Runs (every run, with a ``run_id``
        column): ``runs`` (one row per manifest), ``results`` (one row per unit),
        ``scores`` (one row per unit and scorer), ``labels`` (each unit's effective label);
        see :mod:`workbench.analysis._views`.
        """
        from workbench.analysis._views import connect_store

        return connect_store(self.project.catalog, self.runs_dir)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run SQL over the store's views (datasets, items, item_log, runs, results, scores, labels).

        Examples:
            >>> wb.sql("select dataset, count(*) as n from items group by dataset")  # doctest: +SKIP
            >>> wb.sql("select run_id, avg(score) from scores where scorer = 'exact' group by run_id")  # doctest: +SKIP
        """
        from workbench.analysis._views import query_store

        return query_store(self.project.catalog, self.runs_dir, query, params)
