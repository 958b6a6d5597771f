"""Benchmark of ``wb.report("compare_runs", ...)`` over two 100,000-item runs (target: <= 30 s end to end).

Run from the repository's root::

    .venv/bin/python bench/bench_report.py                  # 100,000 items, 3 timed reports
    .venv/bin/python bench/bench_report.py --items 10000 --rounds 1

The two runs are written directly by ``bench/_synthetic.py`` — a manifest and result parts with ``RESULT_SCHEMA`` in
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
from _synthetic import write_run

from workbench import Workbench

TARGET_S = 30.0


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
        write_run(wb.runs_dir, "baseline", args.items, seed=1, created=base, labels=True)
        later = base + timedelta(hours=1)
        write_run(wb.runs_dir, "candidate", args.items, seed=2, shift=0.02, created=later, labels=True)
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
