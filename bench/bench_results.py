"""Benchmark: a finished run's results as Python values (``run.results()``; target: <= 1 s for 100,000 units).

Run from the repository's root::

    .venv/bin/python bench/bench_results.py                  # 100,000 units
    .venv/bin/python bench/bench_results.py --units 10000    # a small smoke run
    .venv/bin/python bench/bench_results.py --root /tmp/x    # where the store is made (kept and reused)

Two finished runs are written once by ``bench/_synthetic.py`` under
``$TMPDIR/workbench-bench-results-<units>``: ``plain`` (a function target: an object input and a
text output per unit, no tool calls) and ``agent`` (the same plus two tool calls and three steps
per unit, as JSON text like an agent target leaves them). For each, the median of several calls of
``results()`` (values decoded), ``results(raw=True)`` (JSON text), ``scores()``, ``labels()`` and
``result(item_id)`` is printed as a markdown table with wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from _synthetic import write_run

from workbench.runs import Run

TARGET_S = 1.0
ROUNDS = 5


def _agentify(folder: Path) -> None:
    """Give every unit of the run in ``folder`` two tool calls and three steps (JSON text)."""
    for path in sorted((folder / "results").glob("*.parquet")):
        table = pq.read_table(path)
        ids = table.column("item_id").to_pylist()
        calls = [
            orjson.dumps(
                [
                    {"name": "search", "arguments": {"q": i}, "step": 0, "result": {"hits": [i, "x"]},
                     "error": None, "latency_s": 0.01, "valid": True},
                    {"name": "lookup", "arguments": {"id": i}, "step": 1, "result": None,
                     "error": "error: not found", "latency_s": 0.02, "valid": True},
                ]
            ).decode()
            for i in ids
        ]  # fmt: skip
        steps = [
            orjson.dumps([{"name": "model", "step": s, "tool_calls": 1, "at_s": 0.1 * s} for s in range(3)]).decode()
            for _ in ids
        ]
        table = table.set_column(table.schema.get_field_index("tool_calls"), "tool_calls", pa.array(calls, pa.string()))
        table = table.set_column(table.schema.get_field_index("steps"), "steps", pa.array(steps, pa.string()))
        pq.write_table(table, path)


def generate(root: Path, units: int) -> None:
    """Write the ``plain`` and ``agent`` runs of ``units`` units under ``root/runs`` (skipped when done)."""
    if (root / "generated").exists():
        return
    runs = root / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    write_run(runs, "plain", units, seed=1, labels=True)
    _agentify(write_run(runs, "agent", units, seed=2, labels=True))
    (root / "generated").write_text("ok\n")


def measure(fn: Callable[[], Any]) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn`` over :data:`ROUNDS` calls (after one warm-up)."""
    fn()
    walls, cpus = [], []
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    """Generate the runs if needed, time the calls, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--root", type=Path, default=None)
    args = parser.parse_args()
    root = args.root or Path(tempfile.gettempdir()) / f"workbench-bench-results-{args.units}"
    generate(root, args.units)
    print(f"{args.units:,} units per run; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}; target {TARGET_S} s")
    print("| run | call | wall s | CPU s |")
    print("|---|---|---:|---:|")
    for name in ("plain", "agent"):
        run = Run(root / "runs" / name)
        middle = f"item-{args.units // 2:06d}"
        calls: dict[str, Callable[[], Any]] = {
            "results()": run.results,
            "results(raw=True)": lambda run=run: run.results(raw=True),
            "scores()": run.scores,
            "scores(raw=True)": lambda run=run: run.scores(raw=True),
            "labels()": run.labels,
            "result(item_id)": lambda run=run, middle=middle: run.result(middle),
        }
        for label, fn in calls.items():
            wall, cpu = measure(fn)
            print(f"| {name} | `{label}` | {wall:.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    main()
