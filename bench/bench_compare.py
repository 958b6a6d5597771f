"""Benchmark of ``wb.compare``: two 100,000-item runs compared in at most 0.5 s.

Run from the repository's root::

    .venv/bin/python bench/bench_compare.py              # 100,000 items, 7 timed comparisons
    .venv/bin/python bench/bench_compare.py --items 10000 --repeat 3

The two runs are written directly (a manifest and result parts with ``RESULT_SCHEMA``,
in parts of 1,000 rows as the run writer makes them), as a finished run of a function
target with two scorers would be: a pass/fail ``exact`` and a continuous ``similarity``,
outputs of about 40 characters, latency, tokens and cost. The candidate differs from
the baseline on a few percent of the items. One untimed comparison warms DuckDB up;
the median of the timed ones is reported with the minimum and maximum, and the median
CPU time of the process (all DuckDB threads; less sensitive to other load on the machine), as
a markdown table. Everything happens in a temporary folder deleted at the end.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from workbench import Workbench
from workbench.runs._manifest import RunManifest, ShardState, write_manifest
from workbench.runs._results import RESULT_SCHEMA, SCORE_TYPE

TARGET_S = 0.5
PART_ROWS = 1_000


def write_run(wb: Workbench, run_id: str, n: int, seed: int, shift: float) -> None:
    """A finished run of ``n`` items with two scorers; ``shift`` moves the scores' probability of success."""
    rng = np.random.default_rng(seed)
    folder = wb.runs_dir / run_id
    (folder / "results").mkdir(parents=True)
    scorers = [{"name": "exact", "kind": "function"}, {"name": "similarity", "kind": "function"}]
    manifest = RunManifest(
        id=run_id, dataset="bench", dataset_version=1, selection="all", item_count=n, repeats=1,
        target={"kind": "function", "name": run_id}, scorers=scorers, settings={},
        shards={"0/1": ShardState(status="completed", total=n, done=n)},
    )  # fmt: skip
    write_manifest(folder, manifest)
    item_rng = np.random.default_rng(0)  # item difficulty shared by both runs
    difficulty = item_rng.random(n)
    exact = (rng.random(n) < np.clip(1 - difficulty + shift, 0, 1)).astype(np.float64)
    similarity = np.clip(1 - difficulty + shift + rng.normal(0, 0.05, n), 0, 1)
    latency = rng.lognormal(-1.0, 0.5, n)
    tokens_in = rng.integers(50, 500, n)
    tokens_out = rng.integers(5, 100, n)
    cost = (tokens_in * 0.15 + tokens_out * 0.6) / 1e6
    ids = np.char.add("item-", np.arange(n).astype(str).astype(object).astype(str))
    outputs = [f'"answer {k % 997} for item {k} {"x" * (k % 7)}"' for k in range(n)]
    if shift:
        outputs = [o if (k % 50) else o.replace("answer", "reply") for k, o in enumerate(outputs)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    stamp = RESULT_SCHEMA.field("started_at").type
    scores = pa.array(
        [
            [
                {"scorer": "exact", "score": float(e), "reason": "", "details": None, "error": None},
                {"scorer": "similarity", "score": float(s), "reason": "", "details": None, "error": None},
            ]
            for e, s in zip(exact, similarity, strict=True)
        ],
        type=pa.list_(SCORE_TYPE),
    )
    columns = {
        "item_id": pa.array(ids.tolist(), pa.string()),
        "repeat": pa.array(np.zeros(n, dtype=np.int32)),
        "shard": pa.array(["0/1"] * n, pa.string()),
        "input": pa.nulls(n, pa.string()),
        "output": pa.array(outputs, pa.string()),
        "error": pa.nulls(n, pa.string()),
        "error_kind": pa.nulls(n, pa.string()),
        "latency_s": pa.array(latency),
        "tokens_in": pa.array(tokens_in, pa.int64()),
        "tokens_out": pa.array(tokens_out, pa.int64()),
        "tokens_cached": pa.array(np.zeros(n, dtype=np.int64)),
        "cost": pa.array(cost),
        "tool_calls": pa.nulls(n, pa.string()),
        "steps": pa.nulls(n, pa.string()),
        "model": pa.nulls(n, pa.string()),
        "cache_hit": pa.array(np.zeros(n, dtype=bool)),
        "ai_generated": pa.array(np.zeros(n, dtype=bool)),
        "attempts": pa.array(np.ones(n, dtype=np.int32)),
        "started_at": pa.array([start + timedelta(milliseconds=k) for k in range(n)], stamp),
        "finished_at": pa.array([start + timedelta(milliseconds=k + 1) for k in range(n)], stamp),
        "scores": scores,
    }  # fmt: skip
    table = pa.table(columns, schema=RESULT_SCHEMA)
    for part, offset in enumerate(range(0, n, PART_ROWS)):
        pq.write_table(table.slice(offset, PART_ROWS), folder / "results" / f"part-0of1-bench-{part:06d}.parquet")


def main() -> None:
    """Build the runs, time the comparisons, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000, help="items per run")
    parser.add_argument("--repeat", type=int, default=7, help="timed comparisons")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    try:
        wb = Workbench(tmp)
        t0 = time.perf_counter()
        write_run(wb, "baseline", args.items, seed=1, shift=0.0)
        write_run(wb, "candidate", args.items, seed=2, shift=-0.01)
        build = time.perf_counter() - t0
        wb.compare("baseline", "candidate")  # warm-up
        times, cpu = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            cmp = wb.compare("baseline", "candidate")
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        median = statistics.median(times)
        ok = "yes" if median <= TARGET_S else "NO"
        machine = f"Python {platform.python_version()}, {platform.machine()}"
        print(f"Runs built in {build:.1f} s ({args.items:,} items each); {machine}")
        print()
        print("| measurement | median (s) | min (s) | max (s) | median CPU (s) | target (s) | met |")
        print("|---|---|---|---|---|---|---|")
        print(
            f"| compare two {args.items:,}-item runs ({len(times)} runs) | {median:.3f} | {min(times):.3f} "
            f"| {max(times):.3f} | {statistics.median(cpu):.3f} | {TARGET_S} | {ok} |"
        )
        print()
        print(cmp.scorers[["scorer", "n", "delta", "ci_low", "ci_high", "p_value", "test", "regression"]].to_string())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
