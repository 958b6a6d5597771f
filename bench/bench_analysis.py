"""Benchmark: ``wb.runs_summary()`` over 1,000 runs / 10,000,000 results (target: <= 3 s, bounded memory).

Run from the repository's root::

    .venv/bin/python bench/bench_analysis.py                 # 1,000 runs x 10,000 units
    .venv/bin/python bench/bench_analysis.py --runs 50       # a small smoke run
    .venv/bin/python bench/bench_analysis.py --root /tmp/x   # where the store is made (kept and reused)

The store is generated once by ``bench/_synthetic.py`` (manifests through
``workbench.runs._manifest``, result parts written straight from numpy with ``RESULT_SCHEMA``:
4 parts of 2,500 units per run named as one ``ResultWriter`` names them, two scorers, 2% errors) under
``$TMPDIR/workbench-bench-analysis-<runs>x<units>`` (about 300 MB for the default) and
reused by later invocations. Each measurement runs in a FRESH subprocess of this script
(``--child``) which reports its wall time, CPU time and peak RSS (``resource.getrusage``):

* cold: no per-run stats cached yet (they are deleted first), so every run's results are
  scanned once and its ``stats.parquet`` written;
* warm: the stats are cached (the usual case: a finished run's results never change), so
  only manifests, file listings and the small per-run stats are read.

The median of several rounds is printed as a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _synthetic import write_run

from workbench.analysis._runs_summary import STATS_FILE

TARGET_S = 3.0
CHILD_MARK = "RESULT "
PARTS = 4
SCORERS = ("exact", "judge")
MODELS = ("openai:sim-1", "openai:sim-2", "anthropic:sim-3", "openai:sim-4")
PROMPTS = ("answer@1", "answer@2", "answer@3", "answer@4", "answer@5")


def generate(root: Path, runs: int, units: int) -> None:
    """Write ``runs`` finished runs of ``units`` units each under ``root/runs`` (skipped when done)."""
    done_mark = root / "generated"
    if done_mark.exists():
        return
    base = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    for r in range(runs):
        model, prompt = MODELS[r % len(MODELS)], PROMPTS[(r // len(MODELS)) % len(PROMPTS)]
        write_run(
            root / "runs", f"run-{r:05d}", units, seed=5 + r, created=base + timedelta(minutes=r),
            part_rows=-(-units // PARTS), error_rate=0.02, model=model, prompt=prompt, scorers=SCORERS,
            dataset_version=1 + r // 100, tags={"bench": True}, compression="zstd",
        )  # fmt: skip
        if r % 100 == 99:
            print(f"  generated {r + 1} runs ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    done_mark.write_text("ok\n")


def drop_stats(root: Path) -> None:
    """Delete every cached per-run stats file (for a cold measurement)."""
    for path in (root / "runs").glob(f"*/{STATS_FILE}"):
        path.unlink()


def child(root: Path) -> None:
    """Time one ``runs_summary()`` in this fresh process; print seconds, rows and peak RSS."""
    from workbench import Workbench

    wb = Workbench(root)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    df = wb.runs_summary()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    peak_mb = after.ru_maxrss / 1024
    base_mb = before.ru_maxrss / 1024
    fields = (f"{elapsed:.4f}", len(df), len(df.columns), f"{peak_mb:.1f}", f"{user + system:.4f}", f"{base_mb:.1f}",
              f"{system:.4f}")  # fmt: skip
    print(CHILD_MARK + " ".join(map(str, fields)))


def measure(root: Path) -> tuple[float, int, int, float, float, float, float]:
    """Run :func:`child` in a subprocess: seconds, rows, columns, peak RSS (MB), CPU seconds, RSS after imports,
    of which system CPU seconds (the kernel's share: file opens, reads, the stats files' creation)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--root", str(root)], capture_output=True, text=True, check=True
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith(CHILD_MARK))
    seconds, rows, cols, peak, cpu, base, system = line.removeprefix(CHILD_MARK).split()
    return float(seconds), int(rows), int(cols), float(peak), float(cpu), float(base), float(system)


def main() -> None:
    """Generate (once), then measure cold and warm summaries and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="Rounds per measurement (the median is shown).")
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.root or Path(tempfile.gettempdir()) / f"workbench-bench-analysis-{args.runs}x{args.units}"
    if args.child:
        child(root)
        return
    started = time.perf_counter()
    generate(root, args.runs, args.units)
    print(f"store: {root} ({args.runs} runs x {args.units} units; ready in {time.perf_counter() - started:.1f} s)")
    load = os.getloadavg()[0]
    cold, warm = [], []
    for _ in range(args.rounds):
        drop_stats(root)
        cold.append(measure(root))
        warm.append(measure(root))
    rows, cols = warm[0][1], warm[0][2]
    print(f"\n{platform.machine()}, {os.cpu_count()} cores, 1-minute load average {load:.2f} before the first round, "
          f"{os.getloadavg()[0]:.2f} after the last")  # fmt: skip
    print(f"(other processes skew wall times; CPU seconds do not); {rows} rows x {cols} columns")
    print(f"peak RSS includes the imports: {statistics.median(g[5] for g in warm):.0f} MB before the call\n")
    print("| runs_summary() | median s | min s | max s | median CPU s (system) | peak RSS MB | target |")
    print("|---|---|---|---|---|---|---|")
    for name, got in (("cold (stats computed and cached)", cold), ("warm (stats cached)", warm)):
        secs = [g[0] for g in got]
        peak = max(g[3] for g in got)
        cpu = statistics.median(g[4] for g in got)
        system = statistics.median(g[6] for g in got)
        ok = "ok" if statistics.median(secs) <= TARGET_S else "MISSED"
        ok += " (a one-time scan per run)" if got is cold else ""
        print(f"| {name} | {statistics.median(secs):.2f} | {min(secs):.2f} | {max(secs):.2f} | "
              f"{cpu:.2f} ({system:.2f}) | {peak:.0f} | <= {TARGET_S:.0f} s: {ok} |")  # fmt: skip


if __name__ == "__main__":
    main()
