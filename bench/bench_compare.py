"""Benchmark of ``wb.compare``: two 100,000-item runs compared in at most 0.5 s.

Run from the repository's root::

    .venv/bin/python bench/bench_compare.py              # 100,000 items, 7 timed comparisons
    .venv/bin/python bench/bench_compare.py --items 10000 --repeat 3

The two runs are written directly by ``bench/_synthetic.py`` (a manifest and result parts
with ``RESULT_SCHEMA``, in parts of 1,000 rows as the run writer makes them), as a finished run of a function
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
from pathlib import Path

from _synthetic import write_run

from workbench import Workbench

TARGET_S = 0.5


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
        write_run(wb.runs_dir, "baseline", args.items, seed=1)
        write_run(wb.runs_dir, "candidate", args.items, seed=2, shift=-0.01)
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
