"""Benchmark of the dataset store: CSV import, single-item edits, version reads, bytes per edit.

Run from the repository's root::

    .venv/bin/python bench/bench_store.py              # the full run: 1,000,000 rows
    .venv/bin/python bench/bench_store.py --rows 20000  # a quick smoke run

Everything happens in a temporary folder that is deleted at the end. The figures
and their targets are printed; ``docs/performance.md`` records a full run.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from workbench import Workbench
from workbench.store import ITEM_FIELDS, Dataset

MAPPING: dict[str, str | list[str]] = {
    "input": "question",
    "expected_output": "answer",
    "metadata": ["source", "difficulty"],
    "item_id": "id",
}
SOURCES = ["wiki", "textbook", "forum", "exam", "synthetic"]
DIFFICULTIES = ["easy", "medium", "hard"]
_WORD_TEXT = (
    "what which how why when where who is are the a of in on to for with by from river capital number "
    "largest smallest first last element planet country year author wrote discovered formula value"
)
WORDS = _WORD_TEXT.split()

IMPORT_TARGET_S = 20.0
EDIT_TARGET_MS = 100.0
EDIT_MAX_RATIO = 2.0
READ_TARGET_S = 1.0


# -- helpers ------------------------------------------------------------------
def write_csv(path: Path, rows: int, *, seed: int = 7) -> None:
    """A CSV of ``rows`` question/answer rows (streamed: little memory)."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "question", "answer", "source", "difficulty"])
        for i in range(rows):
            question = " ".join(rng.choices(WORDS, k=rng.randint(6, 16))).capitalize() + "?"
            answer = " ".join(rng.choices(WORDS, k=rng.randint(1, 6)))
            out.writerow([item_id(i), question, answer, rng.choice(SOURCES), rng.choice(DIFFICULTIES)])


def item_id(i: int) -> str:
    return f"q{i:08d}"


def folder_bytes(path: Path) -> int:
    """Total size of the files under ``path``."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    """The 1-, 5- and 15-minute load averages (other work on the machine skews the timings)."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn: Callable[[], Any]) -> float:
    """Seconds ``fn`` takes (its result is freed after the clock stops: freeing is not part of the call)."""
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def spread_ms(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"min {ms[0]:.1f} / max {ms[-1]:.1f} ms, n={len(ms)}"


@dataclass
class Results:
    """Every figure, for printing and for ``--json``."""

    rows: int
    small_rows: int
    figures: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, measured: float, unit: str, target: str, ok: bool | None, note: str = "") -> None:
        self.figures.append(
            {"figure": name, "measured": measured, "unit": unit, "target": target, "ok": ok, "note": note}
        )
        status = "" if ok is None else ("  OK" if ok else "  MISSED")
        value = f"{measured:,.3f}" if unit == "s" else f"{measured:,.1f}"
        line = f"  {name:<52} {value:>12} {unit:<3} target {target}{status}"
        print(line + (f"   ({note})" if note else ""), flush=True)


# -- the measurements -----------------------------------------------------------
def bench_import(
    wb: Workbench, csv_path: Path, rows: int, reps: int, res: Results, label: str
) -> tuple[Dataset, list[float]]:
    """Import ``csv_path`` ``reps`` times into fresh datasets; keep the first one."""
    times: list[float] = []
    kept: Dataset | None = None
    for r in range(reps):
        ds = wb.create_dataset(f"{label}-{r}")
        gc.collect()
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        report = ds.import_csv(csv_path, mapping=MAPPING)
        times.append(time.perf_counter() - start)
        rss_after = peak_rss_mb()
        assert report.imported == rows, report
        print(
            f"    import {r + 1}/{reps}: {times[-1]:.2f} s, "
            f"process peak RSS {rss_before:,.0f} MB before -> {rss_after:,.0f} MB after",
            flush=True,
        )
        if r == 0:
            kept = ds
            res.extra[f"{label}_import_peak_rss_mb"] = rss_after
            res.extra[f"{label}_import_rss_before_mb"] = rss_before
            res.extra[f"{label}_bytes_after_import"] = folder_bytes(ds.folder)
        else:
            wb.delete_dataset(ds.name)
    assert kept is not None
    return kept, times


def bench_edits(ds: Dataset, n_items: int, reps: int, tag: str) -> dict[str, list[float]]:
    """Time ``reps`` single-item adds, updates and deletes (interleaved), after one warm-up round."""
    rng = random.Random(11)
    # Ids are split four ways (i % 4) so that no later step updates an item deleted here.
    update_ids = [item_id(i) for i in rng.sample(range(0, n_items, 4), reps + 1)]
    delete_ids = [item_id(i) for i in rng.sample(range(3, n_items, 4), reps + 1)]
    samples: dict[str, list[float]] = {"add": [], "update": [], "delete": []}
    for r in range(reps + 1):
        new = {
            "item_id": f"{tag}-new-{r}",
            "input": {"question": f"Added question {r}?"},
            "expected_output": "an answer",
            "metadata": {"source": "bench", "difficulty": "easy"},
        }
        t_add = timed(lambda new=new: ds.add_items([new]))
        t_upd = timed(lambda r=r: ds.update_item(update_ids[r], expected_output=f"edited answer {r}"))
        t_del = timed(lambda r=r: ds.delete_items([delete_ids[r]]))
        if r == 0:
            continue  # warm-up: first use of the code paths
        samples["add"].append(t_add)
        samples["update"].append(t_upd)
        samples["delete"].append(t_del)
    return samples


def bench_edit_bytes(ds: Dataset, n_items: int, reps: int, tag: str) -> list[tuple[int, int]]:
    """Bytes the dataset folder grows by on each of ``reps`` single-item updates, with the version made."""
    rng = random.Random(23)
    out = []
    for r, i in enumerate(rng.sample(range(1, n_items, 4), reps)):
        before = folder_bytes(ds.folder)
        version = ds.update_item(item_id(i), expected_output=f"{tag} bytes edit {r}")
        out.append((version, folder_bytes(ds.folder) - before))
    return out


def bench_checkpoint_bytes(ds: Dataset, n_items: int, tag: str, limit: int = 150) -> tuple[int, int] | None:
    """Update single items until a commit writes a Delta checkpoint; that commit's version and bytes."""
    log_dir = ds._log.path / "_delta_log"
    known = set(log_dir.glob("*.checkpoint*.parquet"))
    rng = random.Random(31)
    for r, i in enumerate(rng.sample(range(2, n_items, 4), limit)):
        before = folder_bytes(ds.folder)
        version = ds.update_item(item_id(i), expected_output=f"{tag} checkpoint edit {r}")
        if set(log_dir.glob("*.checkpoint*.parquet")) - known:
            return version, folder_bytes(ds.folder) - before
    return None


def bench_reads(ds: Dataset, versions: dict[str, int], reps: int, expected: dict[str, int]) -> dict[str, list[float]]:
    """``items(version, raw=True)``: the read itself, JSON text as stored (what ``items()`` gave before values)."""
    out: dict[str, list[float]] = {}
    for label, version in versions.items():
        df = ds.items(version, raw=True)  # warm-up, and a check of what is read
        assert len(df) == expected[label], (label, len(df), expected[label])
        del df
        samples = []
        for _ in range(reps):
            gc.collect()
            samples.append(timed(lambda version=version: ds.items(version, raw=True)))
        out[label] = samples
    return out


def per_value_decode(ds: Dataset, version: int) -> pd.DataFrame:
    """The decoding ``items(decode_json=True)`` did before values: one ``orjson.loads`` per value."""
    df = ds.items(version, raw=True)
    for name in ITEM_FIELDS:
        df[name] = pd.Series([orjson.loads(v) if isinstance(v, str) else None for v in df[name].tolist()], dtype=object)
    return df


def bench_values(ds: Dataset, version: int, reps: int) -> dict[str, list[float]]:
    """``items(version)`` (values) against ``raw=True`` (JSON text), interleaved; and the old per-value decode."""
    decoded, reference = ds.items(version), per_value_decode(ds, version)  # warm-up, and a check
    assert decoded.equals(reference), "decoded values differ from a per-value decode"
    del decoded, reference
    samples: dict[str, list[float]] = {"decoded": [], "raw": [], "per_value": []}
    for _ in range(reps):
        gc.collect()
        samples["raw"].append(timed(lambda: ds.items(version, raw=True)))
        gc.collect()
        samples["decoded"].append(timed(lambda: ds.items(version)))
    for _ in range(max(1, reps // 2)):
        gc.collect()
        samples["per_value"].append(timed(lambda: per_value_decode(ds, version)))
    return samples


# -- the machine ------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        free = subprocess.run(["free", "-g"], capture_output=True, text=True, check=True).stdout.splitlines()
        mem = free[1].split()[1] + " GB"
    except (OSError, subprocess.CalledProcessError, IndexError):
        pass
    return {
        "cpus": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        **{p: package_version(p) for p in ("deltalake", "duckdb", "pyarrow", "pandas")},
    }


# -- main ----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large dataset (default 1,000,000)")
    parser.add_argument("--small-rows", type=int, default=10_000, help="rows of the small dataset (default 10,000)")
    parser.add_argument("--import-reps", type=int, default=3, help="imports of the large CSV (default 3)")
    parser.add_argument("--edit-reps", type=int, default=15, help="timed rounds of add/update/delete (default 15)")
    parser.add_argument("--read-reps", type=int, default=5, help="timed reads of each version (default 5)")
    parser.add_argument("--byte-reps", type=int, default=10, help="updates measured for bytes per edit (default 10)")
    parser.add_argument("--tmp", type=Path, default=None, help="parent folder of the temporary store")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.rows <= args.small_rows:
        parser.error("--rows must be larger than --small-rows")
    if args.small_rows < 1000:
        parser.error("--small-rows must be at least 1000")

    info = machine()
    print("Eval Workbench store benchmark", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    print("  " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(f"  large dataset {args.rows:,} rows, small dataset {args.small_rows:,} rows", flush=True)
    res = Results(args.rows, args.small_rows)
    res.extra["machine"] = info
    big_label = f"{args.rows:,} rows"
    small_label = f"{args.small_rows:,} rows"

    tmp = Path(tempfile.mkdtemp(prefix="workbench-bench-", dir=args.tmp))
    try:
        # Setup, not timed: the CSV files.
        t0 = time.perf_counter()
        big_csv, small_csv = tmp / "big.csv", tmp / "small.csv"
        write_csv(big_csv, args.rows)
        write_csv(small_csv, args.small_rows)
        print(
            f"\nsetup: wrote {big_csv.stat().st_size / 1e6:,.1f} MB CSV ({args.rows:,} rows) and "
            f"{small_csv.stat().st_size / 1e6:,.1f} MB CSV ({args.small_rows:,} rows) "
            f"in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        wb = Workbench(tmp / "store")

        # 1. Import.
        res.extra["load"] = {"start": load()}
        print(f"\n1. import_csv of {big_label} ({args.import_reps} runs); load average {load()}", flush=True)
        big, import_times = bench_import(wb, big_csv, args.rows, args.import_reps, res, "big")
        small, _ = bench_import(wb, small_csv, args.small_rows, 1, res, "small")
        t_import = statistics.median(import_times)
        res.add(
            f"import_csv, {big_label}",
            t_import,
            "s",
            f"<= {IMPORT_TARGET_S:g} s",
            t_import <= IMPORT_TARGET_S,
            f"median of {len(import_times)}; min {min(import_times):.2f}, max {max(import_times):.2f}",
        )
        rss = res.extra["big_import_peak_rss_mb"]
        res.add(
            "peak RSS of the process after the first import",
            rss,
            "MB",
            "(reported)",
            None,
            f"{res.extra['big_import_rss_before_mb']:,.0f} MB before the import",
        )
        print(
            f"  store size after import: {res.extra['big_bytes_after_import'] / 1e6:,.1f} MB "
            f"({big_label}), {res.extra['small_bytes_after_import'] / 1e6:,.2f} MB ({small_label})"
        )
        import_version = big.version

        # 2. Single-item edits.
        res.extra["load"]["edits"] = load()
        print(
            f"\n2. single-item edits ({args.edit_reps} timed rounds each, after a warm-up round); "
            f"load average {load()}",
            flush=True,
        )
        edits_small = bench_edits(small, args.small_rows, args.edit_reps, "small")
        edits_big = bench_edits(big, args.rows, args.edit_reps, "big")
        for op in ("add", "update", "delete"):
            m_small, m_big = median_ms(edits_small[op]), median_ms(edits_big[op])
            res.add(f"{op}, one item, {small_label}", m_small, "ms", "(baseline)", None, spread_ms(edits_small[op]))
            res.add(
                f"{op}, one item, {big_label}",
                m_big,
                "ms",
                f"<= {EDIT_TARGET_MS:g} ms",
                m_big <= EDIT_TARGET_MS,
                spread_ms(edits_big[op]),
            )
            ratio = m_big / m_small
            res.add(
                f"{op}: {big_label} / {small_label}",
                ratio,
                "x",
                f"<= {EDIT_MAX_RATIO:g}x",
                ratio <= EDIT_MAX_RATIO,
            )
        res.extra["edit_samples_s"] = {"small": edits_small, "big": edits_big}

        # 4. Bytes added by one update (before the reads, so the edit count is the same on both datasets).
        print(f"\n4. bytes added by one update_item ({args.byte_reps} updates each)", flush=True)
        bytes_small = bench_edit_bytes(small, args.small_rows, args.byte_reps, "small")
        bytes_big = bench_edit_bytes(big, args.rows, args.byte_reps, "big")
        for label, samples in ((small_label, bytes_small), (big_label, bytes_big)):
            print(f"  {label}: " + ", ".join(f"v{v}: {b:,}" for v, b in samples))
        med_small = statistics.median(b for _, b in bytes_small)
        med_big = statistics.median(b for _, b in bytes_big)
        res.add(f"bytes per update_item, {small_label}", med_small, "B", "(baseline)", None, "median")
        res.add(
            f"bytes per update_item, {big_label}",
            med_big,
            "B",
            "no growth with size",
            # Same files written; only the digits of numbers in the commit JSON may differ.
            med_big <= med_small * 1.1 + 256,
            f"median; {med_big / med_small:.2f}x the {small_label} figure",
        )
        res.extra["edit_bytes"] = {"small": bytes_small, "big": bytes_big}

        # 3. Full reads of a version.
        latest = big.version
        older = import_version + (latest - import_version) // 2
        n_latest = len(big)
        n_older = len(big.items(older))
        print(
            f"\n3. items(version, raw=True) of the {big_label} dataset ({args.read_reps} timed reads each): "
            f"latest v{latest} ({n_latest:,} items), older v{older} ({n_older:,} items), "
            f"import v{import_version}; load average {load()}",
            flush=True,
        )
        res.extra["load"]["reads"] = load()
        reads = bench_reads(
            big,
            {"latest": latest, "older": older, "import": import_version},
            args.read_reps,
            {"latest": n_latest, "older": n_older, "import": args.rows},
        )
        for label, version in (("latest", latest), ("older", older), ("import", import_version)):
            t = statistics.median(reads[label])
            res.add(
                f"items(v{version}, raw=True) [{label}], {big_label}",
                t,
                "s",
                f"<= {READ_TARGET_S:g} s",
                t <= READ_TARGET_S,
                spread_ms(reads[label]),
            )
        res.extra["read_samples_s"] = reads

        # 3b. Values: items() decodes every field to Python values; raw=True gives the JSON text.
        print(
            f"\n3b. items(v{latest}) with values against raw=True ({args.read_reps} timed reads each, interleaved; "
            f"the old per-value decode {max(1, args.read_reps // 2)} times); load average {load()}",
            flush=True,
        )
        values = bench_values(big, latest, args.read_reps)
        t_decoded, t_raw = statistics.median(values["decoded"]), statistics.median(values["raw"])
        res.add(
            f"items(v{latest}) with values, {big_label}",
            t_decoded,
            "s",
            f"<= {READ_TARGET_S:g} s",
            t_decoded <= READ_TARGET_S,
            spread_ms(values["decoded"]),
        )
        res.add(f"items(v{latest}, raw=True), {big_label}", t_raw, "s", "(reported)", None, spread_ms(values["raw"]))
        t_loop = statistics.median(values["per_value"])
        res.add(
            f"items(v{latest}) decoded one value at a time (before), {big_label}",
            t_loop,
            "s",
            "(reported)",
            None,
            spread_ms(values["per_value"]),
        )
        res.extra["values_samples_s"] = values
        res.extra["files_in_latest_version"] = len(big._log.files())
        res.extra["bytes_of_big_dataset_at_end"] = folder_bytes(big.folder)
        print(
            f"  the latest version has {res.extra['files_in_latest_version']} Parquet files, "
            f"{res.extra['bytes_of_big_dataset_at_end'] / 1e6:,.1f} MB on disk"
        )

        # 4b. The commit that also writes a checkpoint (delta-rs: every 100th version by default).
        print("\n4b. bytes of the single-item update whose commit also writes a Delta checkpoint", flush=True)
        for label, ds, n in ((small_label, small, args.small_rows), (big_label, big, args.rows)):
            found = bench_checkpoint_bytes(ds, n, "cp", limit=150)
            if found is None:
                print(f"  {label}: no checkpoint within 150 updates")
                continue
            version, grew = found
            res.extra[f"checkpoint_bytes_{'big' if ds is big else 'small'}"] = [version, grew]
            res.add(
                f"bytes of a checkpointing update (v{version}), {label}",
                grew,
                "B",
                "(reported)",
                None,
                f"{len(ds._log.files())} Parquet files in that version",
            )

        res.extra["load"]["end"] = load()
        print(f"\nprocess peak RSS at the end: {peak_rss_mb():,.0f} MB; load average {load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    missed = [f["figure"] for f in res.figures if f["ok"] is False]
    print("\nall targets met" if not missed else "\nMISSED: " + "; ".join(missed))
    if args.json:
        payload = {"date": datetime.now(UTC).isoformat(), "argv": sys.argv, **res.__dict__}
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
