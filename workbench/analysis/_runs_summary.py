"""Per-run figures for many runs at once (``wb.runs_summary()``), cached beside each run.

Why a cache: a straight scan of 1,000 runs / 10,000,000 results (4,000 parts, nested
scores, latency percentiles) takes about 2 s on two quiet cores (``bench/bench_analysis.py``,
cold) — within the 3 s budget, but only just once the machine is busy — and every later
summary, matrix or trend would pay it again. A finished run's results
never change, so each run's figures are computed once and kept in
``runs/<id>/stats.parquet`` (a few rows: one for the run, one per scorer). The file records
a *key*, a hash of the run's result part files (names, sizes, modification times) and of
this module's :data:`STATS_VERSION`; when a part is added (a running or resumed run) the
key changes and the figures are computed again. Writing is atomic (the storage layer's
``write_atomic``) and best-effort: a read-only store is summarised all
the same, just not cached. A summary of 1,000 cached runs reads 1,000 manifests, lists
the part files and reads the small stats files: well under a second, and memory stays
small because no result row is ever loaded into Python.

Stale runs are scanned in batches of :data:`BATCH_RUNS` with DuckDB (memory limit, spill
to disk). A run with one unit per item (``repeats == 1``) needs no per-item grouping for
its clustered interval (each item is its own cluster): the fast path, two aggregate
queries per batch, one for the run rows and one for the scorer rows (:func:`_scan` says
why two; most of their time is DuckDB's fixed cost per part file, not the rows). A unit
is written twice only when two writers ran the same shard, so a run whose parts all come
from one writer per shard (``part-<shard>-<writer>-<seq>.parquet``) skips even the check
for doubled units (counting distinct item ids adds about half to the run rows' query);
other runs count them. A run with repeats whose writers guarantee no doubled unit sums
each item's scores, then the clusters' deviations from those sums (the ``repeats`` path,
about three times faster than the exact one); a run with repeats and other writers, or
with a doubled unit, takes the exact path: each unit's latest row (a window over every
unit: about ten times slower than the fast path), then per-item sums.

Definitions (the same as ``wb.summarize``): ``success_rate`` is the share of units without
a target error; a score ``mean`` is over the units whose scorer did not fail; its 95%
interval is clustered by item (:func:`~workbench.analysis._stats.clustered_from_sums`);
``cache_hit_share`` is the share of units served from the response cache, and latency and
cost are over the other (*fresh*) units only: latency percentiles interpolate linearly,
``cost_total`` is the fresh units' cost and ``cost_per_item`` what an item costs uncached
(mean fresh-unit cost x units per item: the cost over the items covered when nothing was
cached). ``partial`` is True when the run has fewer units than it planned (items x
repeats), whatever its ``status``: a failed, cancelled, interrupted or still running run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench._loop import settle_later
from workbench.analysis._stats import clustered_from_sums
from workbench.analysis._summary import FRESH
from workbench.analysis._views import RunRef, select_runs
from workbench.runs._manifest import read_manifest
from workbench.runs._results import RESULTS_DIR
from workbench.runs._run import Run
from workbench.runs._status import UnreadableRunWarning
from workbench.storage import LocalStorage, StorageError
from workbench.store._table import connect, sql_list

if TYPE_CHECKING:
    from workbench.project import Project

STATS_FILE = "stats.parquet"
"""Each run's cached figures, beside its manifest."""
STATS_VERSION = 2
"""Bump when the figures or their columns change: every cached file becomes stale."""
BATCH_RUNS = 100
"""Runs per scan (two queries per batch): 100 was measured faster than 25 or 50 and as fast as 200."""
MEMORY_LIMIT = "1GB"
SCAN_SETTINGS = ("set async_threads = 0",)
"""Settings of the scans' DuckDB (a database of their own): parts are local files, mostly in the
page cache, read about 10% faster with plain synchronous reads than through DuckDB's
asynchronous I/O threads (measured). Not the Parquet metadata cache: it held ~150 MB of
footers for 4,000 parts and saved nothing measurable."""

STATS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("key", pa.string()),
        ("scorer", pa.string()),  # null on the run's own row
        ("units", pa.int64()),
        ("items", pa.int64()),
        ("errors", pa.int64()),  # target errors (run row) or scorer errors (scorer rows)
        ("cache_hits", pa.int64()),  # run row: units served from the response cache
        ("latency_p50", pa.float64()),  # fresh units only, as the cost
        ("latency_p95", pa.float64()),
        ("cost_total", pa.float64()),
        ("tokens_in", pa.int64()),
        ("tokens_out", pa.int64()),
        ("n", pa.int64()),
        ("mean", pa.float64()),
        ("n_clusters", pa.int64()),
        ("cluster_ss", pa.float64()),
    ]
)
_COLUMNS = ", ".join(STATS_SCHEMA.names)

SUMMARY_COLUMNS = (
    "run_id", "dataset", "dataset_version", "target", "kind", "model", "prompt", "status", "created_at", "partial",
    "units", "items", "success_rate", "cache_hit_share", "latency_p50", "latency_p95", "cost_total", "cost_per_item",
    "tokens_in", "tokens_out",
)  # fmt: skip


# -- which runs need a scan -------------------------------------------------------------------
def part_files(run: RunRef) -> list[tuple[str, int, int]]:
    """The run's result parts: (path, size, mtime in ns), by name."""
    folder = run.folder / RESULTS_DIR
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    out = []
    for entry in entries:
        if entry.name.endswith(".parquet"):
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            out.append((entry.path, st.st_size, st.st_mtime_ns))
    return sorted(out)


_PART_NAME = re.compile(r"part-(?P<shard>\d+of\d+)-(?P<writer>[0-9a-f]+)-\d{6}\.parquet")


def one_writer_per_shard(parts: Sequence[tuple[str, int, int]]) -> bool:
    """Whether each shard's parts come from a single writer (then no unit can have been written twice)."""
    writers: dict[str, str] = {}
    for path, _, _ in parts:
        found = _PART_NAME.fullmatch(os.path.basename(path))
        if found is None or writers.setdefault(found["shard"], found["writer"]) != found["writer"]:
            return False
    return True


def stats_key(parts: Sequence[tuple[str, int, int]]) -> str:
    """The cache key of a run's parts (changes when a part is added, replaced or removed)."""
    digest = hashlib.sha1(f"v{STATS_VERSION}".encode(), usedforsecurity=False)
    for path, size, mtime in parts:
        digest.update(f"\0{os.path.basename(path)}\0{size}\0{mtime}".encode())
    return digest.hexdigest()


# -- computing --------------------------------------------------------------------------------
ScanPath = Literal["trusted", "checked", "repeats", "exact"]
"""How a run is scanned (see the module docstring)."""
_SCORED = "s.error is null and s.score is not null"
_SOURCE = "read_parquet({files}, filename = true) join files using (filename)"


def _run_rows_sql(files: str, path: ScanPath) -> str:
    """The run rows of a batch on the ``trusted``, ``checked`` or ``repeats`` path.

    Both percentiles come from one ``quantile_cont`` with a list of fractions (one sort of
    the latencies instead of two; the same interpolation). ``trusted``: the run's writers
    guarantee one unit per item, so ``items`` is ``units``; ``checked``: distinct item ids
    are counted to find a unit written twice (``exact`` is false then); ``repeats``: they
    are counted because items repeat.
    """
    items = "count(*)" if path == "trusted" else "count(distinct item_id)"
    return f"""
        select run_id, null::VARCHAR as scorer, units, items, errors, cache_hits, q[1] as latency_p50,
               q[2] as latency_p95, cost_total, tokens_in, tokens_out, null::BIGINT as n, null::DOUBLE as mean,
               null::BIGINT as n_clusters, null::DOUBLE as cluster_ss,
               {"units = items" if path == "checked" else "true"} as exact
        from (select run_id, count(*) as units, {items} as items, count(error) as errors,
                     count(*) filter (where cache_hit) as cache_hits,
                     quantile_cont(latency_s, [0.5, 0.95]) filter (where {FRESH}) as q,
                     sum(cost) filter (where {FRESH}) as cost_total,
                     sum(tokens_in) as tokens_in, sum(tokens_out) as tokens_out
              from {_SOURCE.format(files=files)} group by run_id)"""


def _scorer_rows_sql(files: str) -> str:
    """The scorer rows of a one-unit-per-item batch: each score is its own cluster (``ss = (n - 1) * var``)."""
    return f"""
        select run_id, scorer, null::BIGINT as units, null::BIGINT as items, errors, null::BIGINT as cache_hits,
               null::DOUBLE as latency_p50,
               null::DOUBLE as latency_p95, null::DOUBLE as cost_total, null::HUGEINT as tokens_in,
               null::HUGEINT as tokens_out, n, mean, n as n_clusters,
               coalesce(var, 0) * greatest(n - 1, 0) as cluster_ss, true as exact
        from (select run_id, s.scorer as scorer, count(*) filter (where s.error is not null) as errors,
                     count(*) filter (where {_SCORED}) as n, avg(s.score) filter (where {_SCORED}) as mean,
                     var_samp(s.score) filter (where {_SCORED}) as var
              from (select run_id, unnest(scores) as s from {_SOURCE.format(files=files)}) group by all)"""


def _repeats_scorer_rows_sql(files: str) -> str:
    """The scorer rows of a batch whose units are each written once but items repeat: clustered by item.

    Each item's sums first (one pass over the unnested scores), then each scorer's mean and
    the clusters' squared deviations ``(total_i - n_i * mean)^2`` from those few rows: no
    window to find each unit's latest row and no second pass over the scores (the
    ``exact`` path does both).
    """
    return f"""
        with i as (select run_id, s.scorer as scorer, item_id, count(*) filter (where s.error is not null) as errors,
                          count(*) filter (where {_SCORED}) as n, sum(s.score) filter (where {_SCORED}) as total
                   from (select run_id, item_id, unnest(scores) as s from {_SOURCE.format(files=files)}) group by all),
        m as (select run_id, scorer, sum(errors)::BIGINT as errors, sum(n)::BIGINT as n,
                     sum(total) / nullif(sum(n), 0) as mean
              from i group by all),
        cs as (select run_id, scorer, count(*) as n_clusters, sum((i.total - i.n * m.mean) ** 2) as cluster_ss
               from i join m using (run_id, scorer) where i.n > 0 group by all)
        select run_id, scorer, null::BIGINT as units, null::BIGINT as items, m.errors, null::BIGINT as cache_hits,
               null::DOUBLE as latency_p50,
               null::DOUBLE as latency_p95, null::DOUBLE as cost_total, null::HUGEINT as tokens_in,
               null::HUGEINT as tokens_out, m.n, m.mean, coalesce(cs.n_clusters, 0) as n_clusters,
               coalesce(cs.cluster_ss, 0) as cluster_ss, true as exact
        from m left join cs using (run_id, scorer)"""


_RUN_ROW = f"""count(*) as units, count(distinct item_id) as items, count(error) as errors,
              count(*) filter (where cache_hit) as cache_hits,
              quantile_cont(latency_s, 0.5) filter (where {FRESH}) as latency_p50,
              quantile_cont(latency_s, 0.95) filter (where {FRESH}) as latency_p95,
              sum(cost) filter (where {FRESH}) as cost_total, sum(tokens_in) as tokens_in,
              sum(tokens_out) as tokens_out"""


def _exact_sql(files: str) -> str:
    """Each unit's latest row, then scores clustered by item."""
    return f"""
        with u as (select run_id, item_id, repeat, error, cache_hit, latency_s, cost, tokens_in, tokens_out, scores
                   from read_parquet({files}, filename = true, union_by_name = true) join files using (filename)
                   qualify row_number() over (partition by run_id, item_id, repeat order by finished_at desc) = 1),
        r as (select run_id, {_RUN_ROW} from u group by run_id),
        v as (select run_id, item_id, s.scorer as scorer, s.score, s.error
              from (select run_id, item_id, unnest(scores) as s from u)),
        m as (select run_id, scorer, count(*) filter (where error is not null) as errors,
                     count(score) filter (where error is null) as n, avg(score) filter (where error is null) as mean
              from v group by all),
        c as (select v.run_id, v.scorer, v.item_id, sum(v.score - m.mean) as dev
              from v join m using (run_id, scorer) where v.error is null and v.score is not null group by all),
        cs as (select run_id, scorer, count(*) as n_clusters, sum(dev * dev) as cluster_ss from c group by all)
        select run_id, null::VARCHAR as scorer, units, items, errors, cache_hits, latency_p50, latency_p95, cost_total,
               tokens_in, tokens_out, null::BIGINT as n, null::DOUBLE as mean, null::BIGINT as n_clusters,
               null::DOUBLE as cluster_ss, true as exact
        from r
        union all
        select m.run_id, m.scorer, null, null, m.errors, null, null, null, null, null, null, m.n, m.mean,
               coalesce(cs.n_clusters, 0), coalesce(cs.cluster_ss, 0), true
        from m left join cs using (run_id, scorer)"""


def _query(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    table: pa.Table = con.sql(sql).arrow().read_all()
    return table


def _scan(
    con: duckdb.DuckDBPyConnection, runs: Sequence[tuple[RunRef, list[tuple[str, int, int]]]], path: ScanPath
) -> tuple[pa.Table, set[str]]:
    """Figures of ``runs`` (each with parts), and the ids a checked scan found needing the exact path.

    Outside the exact path a batch is read twice, once for the run rows and once for the
    scores, rather than once into a CTE feeding both: DuckDB buffers every unit's nested
    scores for the CTE's second consumer, which costs more than opening each part again
    (1,000 runs: 2.5 s of CPU for the two reads against 3.7 s for one read into a CTE).
    """
    names = [p[0] for _, parts in runs for p in parts]
    ids = [run.id for run, parts in runs for _ in parts]
    con.register("files", pa.table({"filename": names, "run_id": ids}))
    try:
        files = sql_list(names)
        if path == "exact":
            return _query(con, _exact_sql(files)).drop_columns(["exact"]), set()
        run_rows = _query(con, _run_rows_sql(files, path))
        flags = run_rows.column("exact").to_numpy(zero_copy_only=False).astype(bool)
        redo = set(np.asarray(run_rows.column("run_id").to_pylist(), dtype=object)[~flags])
        scorer_rows = _query(con, _repeats_scorer_rows_sql(files) if path == "repeats" else _scorer_rows_sql(files))
    finally:
        con.unregister("files")
    table = pa.concat_tables([run_rows, scorer_rows.cast(run_rows.schema)])
    return table.drop_columns(["exact"]), redo


def _write(run: RunRef, rows: pa.Table) -> None:
    """Keep ``rows`` as the run's stats file (best effort: a read-only store just is not cached).

    The file is a few rows: serialised in memory (uncompressed, no statistics, no
    dictionary) and written in one atomic write, which takes less than half the time of
    ``pq.write_table`` to a path with zstd (measured), a cost paid once per run on a cold summary.
    """
    sink = pa.BufferOutputStream()
    pq.write_table(rows, sink, compression="none", use_dictionary=False, write_statistics=False)
    with contextlib.suppress(StorageError):
        LocalStorage(run.folder).write_atomic(STATS_FILE, sink.getvalue().to_pybytes())


def _scan_path(run: RunRef, parts: Sequence[tuple[str, int, int]]) -> ScanPath:
    """The cheapest correct path for ``run`` (before a checked scan finds a doubled unit)."""
    single = run.manifest.repeats == 1
    if one_writer_per_shard(parts):
        return "trusted" if single else "repeats"
    return "checked" if single else "exact"


def _compute(runs: Sequence[tuple[RunRef, list[tuple[str, int, int]]]], keys: dict[str, str]) -> list[pa.Table]:
    """Scan the results of ``runs`` batch by batch, cache each run's figures and return them.

    The stats files of one batch are written in a thread while DuckDB scans the next.
    """
    refs = {r.id: r for r, _ in runs}
    out: list[pa.Table] = []
    writes: list[Future[None]] = []
    con = connect(memory_limit=MEMORY_LIMIT)
    for setting in SCAN_SETTINGS:
        con.execute(setting)
    with ThreadPoolExecutor(max_workers=1) as writer:

        def done(table: pa.Table) -> None:
            if table.num_rows:
                table = _with_keys(table, keys)
                out.append(table)
                writes.append(writer.submit(_write_each, table, refs))

        try:
            paths: dict[ScanPath, list[tuple[RunRef, list[tuple[str, int, int]]]]] = {
                "trusted": [], "checked": [], "repeats": [], "exact": [],
            }  # fmt: skip
            for run, parts in runs:
                paths[_scan_path(run, parts)].append((run, parts))
            for path in ("trusted", "checked", "repeats", "exact"):
                todo = paths[path]  # "exact" grows while "checked" batches find doubled units
                for i in range(0, len(todo), BATCH_RUNS):
                    for batch, (scanned, redo) in _scan_readable(con, todo[i : i + BATCH_RUNS], path):
                        if redo:
                            keep = pc.invert(pc.is_in(scanned.column("run_id"), pa.array(sorted(redo))))
                            scanned = scanned.filter(keep)  # noqa: PLW2901 - the batch's figures, less redone runs
                            paths["exact"] += [r for r in batch if r[0].id in redo]
                        done(scanned)
        finally:
            con.close()
    for write in writes:
        write.result()  # a bug in writing surfaces here (an unwritable store is not one: see _write)
    return out


def _scan_readable(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[RunRef, list[tuple[str, int, int]]]], path: ScanPath
) -> list[tuple[list[tuple[RunRef, list[tuple[str, int, int]]]], tuple[pa.Table, set[str]]]]:
    """``_scan`` of the batch, else of its runs one by one, less the unreadable ones.

    A damaged part (a crash mid-copy, a truncated file) must not hide every other run's figures:
    the run it belongs to is left out with an :class:`UnreadableRunWarning` naming the file.
    """
    try:
        return [(batch, _scan(con, batch, path))]
    except duckdb.Error:
        if len(batch) == 1:
            warnings.warn(f"run {batch[0][0].id} left out: {sys.exc_info()[1]}", UnreadableRunWarning, stacklevel=4)
            return []
    return [one for run in batch for one in _scan_readable(con, [run], path)]


def _with_keys(table: pa.Table, keys: dict[str, str]) -> pa.Table:
    key = pa.array([keys[r] for r in table.column("run_id").to_pylist()], pa.string())
    table = table.append_column("key", key)
    return table.select(STATS_SCHEMA.names).cast(STATS_SCHEMA)


def _write_each(table: pa.Table, refs: dict[str, RunRef]) -> None:
    table = table.sort_by("run_id")
    ids = np.asarray(table.column("run_id").to_pylist(), dtype=object)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], dtype=np.int64)
    ends = np.r_[starts[1:], len(ids)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        _write(refs[str(ids[start])], table.slice(start, end - start))


def _read_cached(runs: Sequence[RunRef]) -> pa.Table:
    """Every readable stats file of ``runs`` (stale ones included; the caller checks keys)."""
    paths = [r.folder / STATS_FILE for r in runs if (r.folder / STATS_FILE).is_file()]
    if not paths:
        return STATS_SCHEMA.empty_table()
    con = connect()
    try:
        table: pa.Table = con.sql(f"select {_COLUMNS} from read_parquet({sql_list(paths)})").arrow().read_all()
        return table.cast(STATS_SCHEMA)
    except (duckdb.Error, pa.ArrowInvalid):
        tables = []
        for path in paths:  # one unreadable file (a crash mid-write): read the others one by one
            try:
                raw = LocalStorage(path.parent).read_bytes(path.name)
                tables.append(pq.read_table(pa.BufferReader(raw), columns=STATS_SCHEMA.names).cast(STATS_SCHEMA))
            except (OSError, pa.ArrowInvalid, ValueError):
                continue
        return pa.concat_tables(tables) if tables else STATS_SCHEMA.empty_table()


def run_stats(runs: Sequence[RunRef]) -> pd.DataFrame:
    """Cached or freshly computed figures of ``runs``: the :data:`STATS_SCHEMA` rows (no ``key``).

    Runs without any result part have no rows.
    """
    settle_later()  # figures a finished run is caching in the background: read them, do not compute them twice
    parts = {r.id: part_files(r) for r in runs}
    keys = {rid: stats_key(p) for rid, p in parts.items() if p}
    cached = _read_cached([r for r in runs if r.id in keys])
    fresh_ids: set[str] = set()
    if cached.num_rows:
        ok = pc.equal(cached.column("key"), pa.array([keys.get(r, "") for r in cached.column("run_id").to_pylist()]))
        cached = cached.filter(ok)
        fresh_ids = set(cached.column("run_id").to_pylist())
    stale = [(r, parts[r.id]) for r in runs if r.id in keys and r.id not in fresh_ids]
    tables = [cached, *(_compute(stale, keys) if stale else [])]
    df: pd.DataFrame = pa.concat_tables(tables).drop_columns(["key"]).to_pandas()
    return df


# -- the summary ------------------------------------------------------------------------------
def run_columns(run: RunRef) -> dict[str, Any]:
    """The manifest's part of a summary row (``partial`` is filled in once the units are known)."""
    m = run.manifest
    return {
        "run_id": run.id,
        "dataset": m.dataset,
        "dataset_version": m.dataset_version,
        "target": run.target,
        "kind": run.kind,
        "model": run.model,
        "prompt": run.prompt,
        "status": m.status,
        "created_at": pd.Timestamp(m.created_at),
        "planned": m.item_count * m.repeats,
    }


def with_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``success_rate``, ``cache_hit_share`` and ``cost_per_item`` to run rows (``units``, ``items``,
    ``errors``, ``cache_hits``, ``cost_total``); the cost per item is over fresh units (see the module docstring)."""
    units = df["units"].astype("float64")
    fresh = units - df["cache_hits"].astype("float64")
    df["success_rate"] = ((units - df["errors"].astype("float64")) / units).where(units > 0)
    df["cache_hit_share"] = (df["cache_hits"].astype("float64") / units).where(units > 0)
    per_unit = (df["cost_total"] / fresh).where(fresh > 0)
    df["cost_per_item"] = (per_unit * units / df["items"].astype("float64")).where(df["items"] > 0)
    return df


def ci_bounds(stats: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """``ci_low``/``ci_high`` for scorer rows (``n``, ``mean``, ``n_clusters``, ``cluster_ss``)."""
    lows, highs = [], []
    for n, mean, g, ss in zip(stats["n"], stats["mean"], stats["n_clusters"], stats["cluster_ss"], strict=True):
        ci = clustered_from_sums(int(n), float(mean), int(g), float(ss), level) if n else None
        lows.append(ci.low if ci else np.nan)
        highs.append(ci.high if ci else np.nan)
    return stats.assign(ci_low=np.asarray(lows, dtype="float64"), ci_high=np.asarray(highs, dtype="float64"))


def split_stats(stats: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(run rows with rates, scorer rows) of :func:`run_stats` output."""
    run_rows = stats[stats["scorer"].isna()].drop(columns=["scorer", "n", "mean", "n_clusters", "cluster_ss"])
    scorer_rows = stats[stats["scorer"].notna()][
        ["run_id", "scorer", "errors", "n", "mean", "n_clusters", "cluster_ss"]
    ]
    return with_rates(run_rows.reset_index(drop=True)), scorer_rows.reset_index(drop=True)


def runs_summary(
    project: Project, runs: Sequence[str | Run] | str | Run | None = None, dataset: str | None = None
) -> pd.DataFrame:
    """One row per run: its manifest, counts, success rate, latency, cost, tokens and each scorer's mean.

    Columns: ``run_id, dataset, dataset_version, target, kind, model, prompt, status, created_at,
    partial, units, items, success_rate, cache_hit_share, latency_p50, latency_p95, cost_total,
    cost_per_item, tokens_in, tokens_out`` and one ``score_<scorer>`` (mean) per scorer any of
    the runs has, newest run first. ``partial`` is True for a run with fewer units than planned
    (read it with ``status``: a failed or running run's figures cover only what it did). A run
    with no result yet has ``units`` 0 and empty figures. Latency and cost leave out cache
    hits. See the module docstring for how each figure is defined and why they are cached.

    Args:
        project: the workbench.
        runs: run ids or :class:`Run` handles (default: every run).
        dataset: only runs of this dataset.

    Examples:
        >>> wb.runs_summary(dataset="qa")[["run_id", "target", "score_exact"]]  # doctest: +SKIP
    """
    refs = select_runs(project, runs, dataset)
    base = pd.DataFrame([run_columns(r) for r in refs], columns=[*SUMMARY_COLUMNS[:9], "planned"])
    run_rows, scorer_rows = split_stats(run_stats(refs))
    figures = list(SUMMARY_COLUMNS[10:])
    df = base.merge(run_rows[["run_id", *figures]], on="run_id", how="left")
    for col in ("units", "items", "tokens_in", "tokens_out"):
        df[col] = df[col].fillna(0).astype("int64")
    df.insert(9, "partial", (df["units"] < df.pop("planned")).astype("bool"))
    df["dataset_version"] = df["dataset_version"].astype("Int64")
    scorers = sorted({str(s["name"]) for r in refs for s in r.manifest.scorers} | set(scorer_rows["scorer"]))
    if scorers:
        wide = scorer_rows.pivot(index="run_id", columns="scorer", values="mean").reindex(columns=scorers)
        wide.columns = [f"score_{s}" for s in scorers]
        df = df.merge(wide, left_on="run_id", right_index=True, how="left")
    return df.sort_values(["created_at", "run_id"], ascending=False, kind="stable").reset_index(drop=True)


def cache_hit_shares(project: Project) -> dict[str, float | None]:
    """Each run's share of units served from the response cache (``None`` before any result), by run id.

    From the cached per-run figures (see the module docstring), so listing runs stays cheap.
    """
    with warnings.catch_warnings():  # a listing names unreadable manifests, not unreadable parts: share unknown
        warnings.simplefilter("ignore", UnreadableRunWarning)
        run_rows, _ = split_stats(run_stats(select_runs(project)))
    shares = run_rows["cache_hit_share"].astype(object).where(run_rows["cache_hit_share"].notna(), None)
    return dict(zip(run_rows["run_id"].astype(str), shares, strict=True))


def cache_run_stats(folder: Path) -> None:
    """Compute and cache the figures of the run in ``folder`` (a no-op when they are cached already)."""
    run_stats([RunRef(folder, read_manifest(folder))])
