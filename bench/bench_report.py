"""Benchmark of ``wb.report("compare_runs", ...)`` over two 100,000-item runs (target: <= 30 s end to end).

Run from the repository's root::

    .venv/bin/python bench/bench_report.py                  # 100,000 items, 3 timed reports
    .venv/bin/python bench/bench_report.py --items 10000 --rounds 1

The two runs are written directly — a manifest and result parts with ``RESULT_SCHEMA`` in
parts of 1,000 rows as the run writer makes them, plus one part of automatic labels — as
finished runs of a function target with two scorers (pass/fail ``exact``, continuous
``similarity``) would be; the candidate differs from the baseline on a few percent of the
items. Each round times the whole report: Papermill starting the ``eval-workbench`` kernel,
the notebook's analysis (compare, two summaries, runs summary) and charts, and the HTML
export. The median, minimum and maximum are printed as a markdown table, with the slowest
cells of the last round (from Papermill's per-cell timings). Everything happens in a
temporary folder deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from workbench import Workbench
from workbench.runs._labels import LABEL_SCHEMA, LABELS_DIR
from workbench.runs._manifest import RunManifest, ShardState, write_manifest
from workbench.runs._results import RESULT_SCHEMA, SCORE_TYPE

TARGET_S = 30.0
PART_ROWS = 1_000
LABELS = np.array(["success", "partial_success", "failure_logic_bug", "failure_hallucination"], dtype=object)


def write_run(wb: Workbench, run_id: str, n: int, seed: int, shift: float, created: datetime) -> None:
    """A finished run of ``n`` items with two scorers and auto labels; ``shift`` moves the success rate."""
    rng = np.random.default_rng(seed)
    folder = wb.runs_dir / run_id
    (folder / "results").mkdir(parents=True)
    scorers = [{"name": "exact", "kind": "function"}, {"name": "similarity", "kind": "function"}]
    manifest = RunManifest(
        id=run_id, dataset="bench", dataset_version=1, selection="all", item_count=n, repeats=1,
        target={"kind": "function", "name": run_id}, scorers=scorers, settings={},
        shards={"0/1": ShardState(status="completed", total=n, done=n)}, created_at=created.isoformat(),
    )  # fmt: skip
    write_manifest(folder, manifest)
    difficulty = np.random.default_rng(0).random(n)  # item difficulty shared by both runs
    exact = (rng.random(n) < np.clip(1 - difficulty + shift, 0, 1)).astype(np.float64)
    similarity = np.clip(1 - difficulty + shift + rng.normal(0, 0.05, n), 0, 1)
    latency = rng.lognormal(-1.0, 0.5, n)
    tokens_in = rng.integers(50, 500, n)
    tokens_out = rng.integers(5, 100, n)
    stamp = int(created.timestamp() * 1e6)
    values = np.empty(2 * n)
    values[0::2], values[1::2] = exact, similarity
    names = pa.array(np.tile(np.array(["exact", "similarity"], dtype=object), n), pa.string())
    nulls = pa.nulls(2 * n, pa.string())
    structs = pa.StructArray.from_arrays([names, pa.array(values), nulls, nulls, nulls], fields=list(SCORE_TYPE))
    answers = np.array([f'"The answer to this question is number {k}."' for k in range(50)], dtype=object)
    columns = {
        "item_id": pa.array([f"item-{k:06d}" for k in range(n)], pa.string()),
        "repeat": pa.array(np.zeros(n, dtype=np.int32)),
        "shard": pa.array(["0/1"] * n, pa.string()),
        "input": pa.array([f'{{"question": "q{k}"}}' for k in range(n)], pa.string()),
        "output": pa.array(answers[rng.integers(0, 50, n)], pa.string()),
        "error": pa.nulls(n, pa.string()),
        "error_kind": pa.nulls(n, pa.string()),
        "latency_s": pa.array(latency),
        "tokens_in": pa.array(tokens_in, pa.int64()),
        "tokens_out": pa.array(tokens_out, pa.int64()),
        "tokens_cached": pa.array(np.zeros(n, dtype=np.int64)),
        "cost": pa.array((tokens_in * 0.15 + tokens_out * 0.6) / 1e6),
        "tool_calls": pa.nulls(n, pa.string()),
        "steps": pa.nulls(n, pa.string()),
        "model": pa.nulls(n, pa.string()),
        "cache_hit": pa.array(np.zeros(n, dtype=bool)),
        "ai_generated": pa.array(np.zeros(n, dtype=bool)),
        "attempts": pa.array(np.ones(n, dtype=np.int32)),
        "started_at": pa.array(np.full(n, stamp, dtype=np.int64), pa.timestamp("us", tz="UTC")),
        "finished_at": pa.array(stamp + (latency * 1e6).astype(np.int64), pa.timestamp("us", tz="UTC")),
        "scores": pa.ListArray.from_arrays(pa.array(np.arange(0, 2 * n + 1, 2, dtype=np.int32)), structs),
    }
    table = pa.Table.from_arrays(list(columns.values()), schema=RESULT_SCHEMA)
    for p, start in enumerate(range(0, n, PART_ROWS)):
        pq.write_table(table.slice(start, PART_ROWS), folder / "results" / f"part-0of1-bench-{p:06d}.parquet")
    label_of = np.where(exact == 1, np.where(similarity >= 0.5, 0, 1), np.where(similarity >= 0.5, 2, 3))
    labels = pa.Table.from_arrays(
        [
            columns["item_id"],
            columns["repeat"],
            pa.array(LABELS[label_of], pa.string()),
            pa.array(["auto"] * n, pa.string()),
            pa.array(["auto_label"] * n, pa.string()),
            pa.array([""] * n, pa.string()),
            columns["finished_at"],
        ],
        schema=LABEL_SCHEMA,
    )
    (folder / LABELS_DIR).mkdir()
    pq.write_table(labels, folder / LABELS_DIR / "labels-00000000000000000001-bench.parquet")


def slowest_cells(executed: Path, top: int = 4) -> list[tuple[float, str]]:
    """The slowest cells of an executed notebook: (seconds, first source line)."""
    nb = nbformat.read(str(executed), as_version=4)
    timed = []
    for cell in nb.cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell.cell_type == "code" and duration is not None:
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            timed.append((float(duration), first[:70]))
    return sorted(timed, reverse=True)[:top]


def main() -> None:
    """Write the two runs, time the report ``--rounds`` times, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="workbench-bench-report-"))
    try:
        wb = Workbench(root)
        started = time.perf_counter()
        base = datetime(2026, 1, 1, tzinfo=UTC)
        write_run(wb, "baseline", args.items, seed=1, shift=0.0, created=base)
        write_run(wb, "candidate", args.items, seed=2, shift=0.02, created=base + timedelta(hours=1))
        print(f"two runs of {args.items:,} items written in {time.perf_counter() - started:.1f} s ({root})")
        params = {"baseline": "baseline", "candidate": "candidate"}
        times = []
        for i in range(args.rounds):
            started = time.perf_counter()
            out = wb.report("compare_runs", params, root / "reports" / f"compare-{i}.html", keep_notebook=True)
            times.append(time.perf_counter() - started)
        size_kb = out.stat().st_size / 1024
        median = statistics.median(times)
        machine = platform.processor() or platform.machine()
        print(f"\n{machine}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
        print("| report | items per run | median s | min s | max s | HTML KB | target |")
        print("|---|---|---|---|---|---|---|")
        verdict = "ok" if median <= TARGET_S else "MISSED"
        print(
            f"| compare_runs | {args.items:,} | {median:.2f} | {min(times):.2f} | {max(times):.2f} | "
            f"{size_kb:.0f} | <= {TARGET_S:.0f} s ({verdict}) |"
        )
        print("\nslowest cells of the last round:\n")
        print("| seconds | cell |")
        print("|---|---|")
        for seconds, line in slowest_cells(out.with_suffix(".ipynb")):
            print(f"| {seconds:.2f} | `{line}` |")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
