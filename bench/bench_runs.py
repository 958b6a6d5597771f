"""Benchmark of runs: engine overhead, I/O-bound runs against the simulator, and a 1,000,000-item run.

Run from the repository's root::

    .venv/bin/python bench/bench_runs.py            # the full run (about 7 minutes on 2 cores)
    .venv/bin/python bench/bench_runs.py --quick    # a small smoke run (under a minute)
    .venv/bin/python bench/bench_runs.py --only io  # one section: overhead, io or scale

Every measurement that reports memory runs in a FRESH subprocess of this script
(``--child``), which reads its own peak RSS with ``resource.getrusage``; the
dataset is made inside it with ``add_items`` in chunks, and the peak is reset
(``/proc/self/clear_refs``) after that setup so the run's own peak is visible
beside the whole process's. The I/O section starts the simulated LLM server in a
separate process (``python -m workbench.simulator``) so its CPU does not count
against the client. Everything happens in a temporary folder deleted at the end.
``docs/performance-runs.md`` records a full run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

OVERHEAD_TARGET_IPS = 5_000.0
OVERHEAD_TARGET_RSS_MB = 500.0
IO_TARGET_RATIO = 1.25
SCALE_TARGET_RSS_MB = 1_000.0
MODES = ("async", "sync", "inline")
MODE_LABELS = {
    "async": "async function",
    "sync": "sync function (threaded, the default)",
    "inline": "sync function, threaded=False",
}
CHILD_MARK = "RESULT "


# -- the target and scorers under test (module level, so a run's manifest can name them) --------
async def answer_async(item_input: dict[str, Any]) -> str:
    """A zero-latency async target."""
    return f"a{item_input['n'] % 10}"


def answer_sync(item_input: dict[str, Any]) -> str:
    """A zero-latency sync target."""
    return f"a{item_input['n'] % 10}"


def exact_match(output: Any, expected: Any) -> bool:
    """A code scorer: the output equals the expected output."""
    return output == expected


def short_answer(output: Any) -> float:
    """A code scorer: 1.0 for an answer under 100 characters."""
    return 1.0 if len(str(output)) < 100 else 0.0


# -- measuring ---------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB of 10**6 bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def current_rss_mb() -> float:
    """The process's resident set size now, in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return float("nan")


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0); False when it cannot be done."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_seconds() -> float:
    """User + system CPU seconds of this process (every thread) so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pid_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of another process, from ``/proc/<pid>/stat``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The 1-minute load average (other work on the machine distorts wall times)."""
    return f"{os.getloadavg()[0]:.1f}"


def make_items(start: int, stop: int) -> list[dict[str, Any]]:
    """Items ``start..stop-1``: a small JSON input and the answer the target gives."""
    return [
        {
            "item_id": f"q{i:08d}",
            "input": {"question": f"What is item number {i}?", "n": i},
            "expected_output": f"a{i % 10}",
            "metadata": {"source": "bench"},
        }
        for i in range(start, stop)
    ]


def result_rows(run_folder: Path) -> int:
    """Rows in a run's result parts (read from the Parquet footers)."""
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in (run_folder / "results").glob("*.parquet"))


def limit_duckdb(limit: str) -> None:
    """What-if, not shipped: give the engine's DuckDB connections a memory limit (sorts spill to disk)."""
    import workbench.runs._engine as engine

    plain = engine.connect

    def limited() -> Any:
        con = plain()
        con.execute(f"set memory_limit = '{limit}'")
        return con

    engine.connect = limited


def check_complete(r: dict[str, Any], n: int) -> None:
    """Fail loudly unless a child's run finished every item, without errors, with every row written."""
    got = (r["status"], r["done"], r["errors"], r["rows"])
    if got != ("completed", n, 0, n):
        raise RuntimeError(f"run incomplete: status, done, errors, rows = {got}, expected {n:,} items")


# -- children: one fresh process per memory measurement -----------------------------------------
def child_run(spec: dict[str, Any]) -> dict[str, Any]:
    """Overhead and scale cases: import, make the dataset in chunks, run, measure."""
    t0 = time.perf_counter()
    from workbench import Workbench, targets

    out: dict[str, Any] = {"import_s": time.perf_counter() - t0, "rss_imports_mb": peak_rss_mb()}
    n, chunk, mode = int(spec["items"]), int(spec["chunk"]), spec["mode"]
    if spec.get("duckdb_memory_limit"):
        limit_duckdb(spec["duckdb_memory_limit"])
    wb = Workbench(spec["root"])
    t0 = time.perf_counter()
    if spec.get("reuse"):  # the dataset was made by an earlier process: open it
        ds = wb.dataset("bench")
        if len(ds) != n:
            raise RuntimeError(f"dataset has {len(ds):,} items, expected {n:,}")
    else:
        ds = wb.create_dataset("bench")
        for start in range(0, n, chunk):
            ds.add_items(make_items(start, min(n, start + chunk)))
    out["setup_s"] = time.perf_counter() - t0
    gc.collect()
    out["rss_setup_peak_mb"] = peak_rss_mb()
    out["rss_setup_now_mb"] = current_rss_mb()
    out["peak_reset"] = reset_peak_rss()
    target: Any = {
        "async": answer_async,
        "sync": answer_sync,
        "inline": targets.function(answer_sync, threaded=False),
    }[mode]
    load_before = load_average()
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    run = wb.run_sync(
        ds, target, scorers=[exact_match, short_answer], concurrency=int(spec["concurrency"]), progress=False
    )
    out["run_s"] = time.perf_counter() - t0
    out["run_cpu_s"] = cpu_seconds() - c0
    out["rss_run_peak_mb"] = peak_rss_mb()  # since the reset: the run's own peak
    out["rss_process_peak_mb"] = max(out["rss_run_peak_mb"], out["rss_setup_peak_mb"])
    out["load"] = f"{load_before} -> {load_average()}"
    progress = run.progress
    out["status"], out["done"], out["errors"] = progress["status"], progress["done"], progress["errors"]
    out["rows"] = result_rows(run.folder)
    out["items_per_s"] = n / out["run_s"]
    out["items_per_cpu_s"] = n / out["run_cpu_s"]
    return out


# The simulator as shipped answers with two writes (headers, then body) on a socket with Nagle's
# algorithm on, so the body waits for the client's delayed ACK: about 40 ms more per reply on
# loopback. The "nodelay" variant starts the same server with TCP_NODELAY, without changing it.
NODELAY_BOOT = (
    "import sys; import workbench.simulator._server as s; s._Handler.disable_nagle_algorithm = True; "
    "from workbench.simulator.__main__ import main; raise SystemExit(main(sys.argv[1:]))"
)


def start_server(latency: float, *, nodelay: bool) -> tuple[subprocess.Popen[str], str]:
    """The simulator in a separate process; returns it and its OpenAI base URL."""
    boot = ["-c", NODELAY_BOOT] if nodelay else ["-m", "workbench.simulator"]
    cmd = [sys.executable, *boot, "--port", "0", "--latency", str(latency)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60.0, proc.kill)  # never wait forever for its URL
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "OpenAI base URL:" in line:
                return proc, line.split("OpenAI base URL:", 1)[1].strip()
    finally:
        watchdog.cancel()
    proc.kill()
    raise RuntimeError("the simulator did not print its URL")


def stop_server(proc: subprocess.Popen[str]) -> None:
    """Stop the simulator this script started (SIGTERM, then SIGKILL)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def bare_requests(base_url: str, prompts: list[str], concurrency: int) -> list[str | None]:
    """The baseline: the official async client, an asyncio.Semaphore and nothing else."""
    import openai

    limit = asyncio.Semaphore(concurrency)
    async with openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0) as client:

        async def one(prompt: str) -> str | None:
            async with limit:
                reply = await client.chat.completions.create(
                    model="sim-1", messages=[{"role": "user", "content": prompt}]
                )
                return reply.choices[0].message.content

        return await asyncio.gather(*(one(p) for p in prompts))


async def pooled_requests(base_url: str, prompts: list[str], concurrency: int) -> list[str | None]:
    """A stricter baseline: ``concurrency`` worker tasks taking prompts from a list (no waiting tasks)."""
    import openai

    replies: list[str | None] = [None] * len(prompts)
    todo = iter(range(len(prompts)))
    async with openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0) as client:

        async def worker() -> None:
            for i in todo:
                reply = await client.chat.completions.create(
                    model="sim-1", messages=[{"role": "user", "content": prompts[i]}]
                )
                replies[i] = reply.choices[0].message.content

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return replies


async def sequential_latency(base_url: str, count: int) -> list[float]:
    """Seconds of ``count`` requests made one after another (the server's latency, plus overhead)."""
    import openai

    out = []
    async with openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0) as client:
        for i in range(count):
            t0 = time.perf_counter()
            await client.chat.completions.create(model="sim-1", messages=[{"role": "user", "content": f"ping {i}"}])
            out.append(time.perf_counter() - t0)
    return out


def child_io(spec: dict[str, Any]) -> dict[str, Any]:
    """Alternate the bare client and ``wb.run_sync`` against one simulator, in this one process."""
    from workbench import Workbench, targets
    from workbench.simulator import SimulatedLLMServer

    n, concurrency, reps, latency = int(spec["items"]), int(spec["concurrency"]), int(spec["reps"]), spec["latency"]
    prompts = [f"What is {i} + {i % 7}?" for i in range(n)]
    wb = Workbench(spec["root"])
    ds = wb.create_dataset("io")
    ds.add_items([{"item_id": f"io{i:06d}", "input": p} for i, p in enumerate(prompts)])

    server_thread: SimulatedLLMServer | None = None
    proc: subprocess.Popen[str] | None = None
    if spec["server"] == "process":
        proc, base_url = start_server(latency, nodelay=spec["nodelay"])
    else:
        if spec["nodelay"]:
            import workbench.simulator._server as sim_server

            sim_server._Handler.disable_nagle_algorithm = True
        server_thread = SimulatedLLMServer(latency=latency).__enter__()
        base_url = server_thread.openai_base_url

    def server_cpu() -> float:
        return pid_cpu_seconds(proc.pid) if proc is not None else float("nan")

    def bare(items: list[str], pooled: bool = False) -> dict[str, Any]:
        replies = asyncio.run((pooled_requests if pooled else bare_requests)(base_url, items, concurrency))
        missing = sum(1 for r in replies if not r)
        return {"ok": missing == 0, "note": f"{missing} empty replies" if missing else ""}

    def workbench_run(items: int) -> dict[str, Any]:
        target = targets.model("openai:sim-1", base_url=base_url)
        chosen = None if items == n else [f"io{i:06d}" for i in range(items)]
        run = wb.run_sync(ds, target, item_ids=chosen, concurrency=concurrency, cache=False, progress=False)
        p = run.progress
        ok = p["status"] == "completed" and p["errors"] == 0 and p["done"] == items
        return {"ok": ok, "note": "" if ok else f"{p}"}

    def measure(label: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        gc.collect()
        c0, s0, t0 = cpu_seconds(), server_cpu(), time.perf_counter()
        res = fn()
        wall = time.perf_counter() - t0
        return {
            "what": label,
            "wall_s": wall,
            "client_cpu_s": cpu_seconds() - c0,
            "server_cpu_s": server_cpu() - s0,
            "load": load_average(),
            **res,
        }

    out: dict[str, Any] = {"server": spec["server"], "base_url": base_url, "samples": []}
    try:
        out["sequential_latency_s"] = statistics.median(asyncio.run(sequential_latency(base_url, 10)))
        warm = min(n, max(100, n // 10))  # lazy imports and first connections, not counted
        out["warmup"] = [
            measure("bare", lambda: bare(prompts[:warm])),
            measure("pooled", lambda: bare(prompts[:warm], pooled=True)),
            measure("workbench", lambda: workbench_run(warm)),
        ]
        for rep in range(reps):
            kinds = ["bare", "workbench", "pooled"]
            order = kinds[rep % 3 :] + kinds[: rep % 3]  # each goes first once in three repetitions
            for what in order:
                fn = {
                    "bare": lambda: bare(prompts),
                    "pooled": lambda: bare(prompts, pooled=True),
                    "workbench": lambda: workbench_run(n),
                }[what]
                sample = measure(what, fn)
                sample["rep"] = rep + 1
                out["samples"].append(sample)
                print(
                    f"    rep {rep + 1} {what:<9} {sample['wall_s']:6.2f} s wall, client CPU "
                    f"{sample['client_cpu_s']:5.2f} s, server CPU {sample['server_cpu_s']:5.2f} s, "
                    f"load {sample['load']}" + ("" if sample["ok"] else f"  FAILED {sample['note']}"),
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if proc is not None:
            stop_server(proc)
        if server_thread is not None:
            server_thread.__exit__(None, None, None)
    return out


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one case in a fresh ``python bench/bench_runs.py --child SPEC`` and return what it reports."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(CHILD_MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"child {spec['case']} failed with exit code {proc.returncode}:\n{proc.stdout}")
    return dict(json.loads(lines[-1][len(CHILD_MARK) :]))


# -- reporting -----------------------------------------------------------------------------------
@dataclass
class Results:
    """Every figure, for printing, the Markdown table and ``--json``."""

    figures: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, measured: float, unit: str, target: str, ok: bool | None, note: str = "") -> None:
        self.figures.append(
            {"figure": name, "measured": measured, "unit": unit, "target": target, "ok": ok, "note": note}
        )
        status = "" if ok is None else ("  OK" if ok else "  MISSED")
        line = f"  {name:<58} {fmt(measured, unit):>12} target {target}{status}"
        print(line + (f"   ({note})" if note else ""), flush=True)


def fmt(value: float, unit: str) -> str:
    if unit in ("s", "x"):
        return f"{value:,.2f} {unit}"
    if unit == "ms":
        return f"{value:,.1f} ms"
    return f"{value:,.0f} {unit}"


def spread(values: list[float], digits: int = 0) -> str:
    return f"min {min(values):,.{digits}f} / max {max(values):,.{digits}f}, n={len(values)}"


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
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    versions = {}
    for p in ("eval-workbench", "duckdb", "pyarrow", "deltalake", "pandas", "orjson", "openai", "httpx", "httpx2"):
        try:
            versions[p] = package_version(p)
        except PackageNotFoundError:
            continue
    try:
        repo = Path(__file__).resolve().parent.parent
        git = ["git", "-C", str(repo)]
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "workbench"], capture_output=True, text=True, check=True
        )
        commit_text = commit.stdout.strip() + (" + uncommitted changes in workbench/" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        commit_text = "unknown"
    return {
        "commit": commit_text,
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        **versions,
    }


# -- the sections --------------------------------------------------------------------------------
def section_overhead(args: argparse.Namespace, tmp: Path, res: Results) -> None:
    n = args.items
    print(
        f"\n1. overhead: zero-latency function target, 2 code scorers, {n:,} items, results persisted, "
        f"concurrency {args.concurrency}; {args.reps} fresh processes per case",
        flush=True,
    )
    for mode in MODES:
        runs = []
        for rep in range(args.reps):
            root = tmp / f"overhead-{mode}-{rep}"
            spec = {"case": "run", "mode": mode, "items": n, "chunk": args.chunk, "root": str(root)}
            r = run_child(spec | {"concurrency": args.concurrency})
            shutil.rmtree(root, ignore_errors=True)
            check_complete(r, n)
            print(
                f"    {mode:<6} #{rep + 1}: run {r['run_s']:.2f} s = {r['items_per_s']:,.0f} items/s "
                f"({r['items_per_cpu_s']:,.0f} per CPU-s); RSS after imports {r['rss_imports_mb']:.0f}, "
                f"setup peak {r['rss_setup_peak_mb']:.0f} (now {r['rss_setup_now_mb']:.0f}), "
                f"run peak {r['rss_run_peak_mb']:.0f} MB; setup {r['setup_s']:.1f} s; load {r['load']}",
                flush=True,
            )
            runs.append(r)
        res.extra[f"overhead_{mode}"] = runs
        label = MODE_LABELS[mode]
        ips = statistics.median(r["items_per_s"] for r in runs)
        res.add(
            f"overhead, {label}: items/s",
            ips,
            "items/s",
            f">= {OVERHEAD_TARGET_IPS:,.0f}",
            ips >= OVERHEAD_TARGET_IPS,
            f"median; {spread([r['items_per_s'] for r in runs])}; "
            f"{statistics.median(r['items_per_cpu_s'] for r in runs):,.0f} items per CPU-second",
        )
        peak = max(r["rss_process_peak_mb"] for r in runs)
        res.add(
            f"overhead, {label}: process peak RSS",
            peak,
            "MB",
            f"<= {OVERHEAD_TARGET_RSS_MB:,.0f} MB",
            peak <= OVERHEAD_TARGET_RSS_MB,
            f"max of {len(runs)}; after imports {statistics.median(r['rss_imports_mb'] for r in runs):.0f}, "
            f"after setup {statistics.median(r['rss_setup_now_mb'] for r in runs):.0f} "
            f"(setup peak {statistics.median(r['rss_setup_peak_mb'] for r in runs):.0f}), "
            f"run's own peak {statistics.median(r['rss_run_peak_mb'] for r in runs):.0f} (medians)",
        )


def section_io(args: argparse.Namespace, tmp: Path, res: Results) -> None:
    n, c = args.io_items, args.io_concurrency
    variants = [v.strip() for v in args.io_variants.split(",") if v.strip()]
    for variant in variants:
        ideal = n / c * args.latency
        print(
            f"\n2. I/O-bound ({variant} simulator): {n:,} items, simulator latency {args.latency * 1000:.0f} ms, "
            f"concurrency {c}, server in a separate {args.server}; {args.io_reps} alternating repetitions "
            f"after one warm-up of each (ideal {ideal:.2f} s)",
            flush=True,
        )
        root = tmp / f"io-{variant}"
        spec = {
            "case": "io",
            "items": n,
            "concurrency": c,
            "reps": args.io_reps,
            "latency": args.latency,
            "server": args.server,
            "nodelay": variant == "nodelay",
            "root": str(root),
        }
        r = run_child(spec)
        shutil.rmtree(root, ignore_errors=True)
        res.extra[f"io_{variant}"] = r
        bad = [s for s in r["samples"] if not s["ok"]]
        if bad:
            raise RuntimeError(f"I/O samples failed: {bad}")
        bare = [s for s in r["samples"] if s["what"] == "bare"]
        wbr = [s for s in r["samples"] if s["what"] == "workbench"]
        pooled = [s for s in r["samples"] if s["what"] == "pooled"]
        t_bare = statistics.median(s["wall_s"] for s in bare)
        t_wb = statistics.median(s["wall_s"] for s in wbr)
        per_rep = [w["wall_s"] / b["wall_s"] for b, w in zip(bare, wbr, strict=True)]
        seq_ms = r["sequential_latency_s"] * 1000
        print(f"    one request at a time: {seq_ms:.1f} ms per request (median of 10)", flush=True)
        labelled = (
            ("bare AsyncOpenAI + Semaphore", bare, "(baseline)"),
            ("wb.run_sync(targets.model)", wbr, "(measured)"),
            ("bare AsyncOpenAI, 100 worker tasks", pooled, "(stricter baseline)"),
        )
        for label, samples, role in labelled:
            t = statistics.median(s["wall_s"] for s in samples)
            res.add(
                f"I/O-bound, {variant} simulator, {label}: wall time",
                t,
                "s",
                role,
                None,
                f"median; {spread([s['wall_s'] for s in samples], 2)} s; client CPU "
                f"{statistics.median(s['client_cpu_s'] for s in samples):.2f} s, "
                f"server CPU {statistics.median(s['server_cpu_s'] for s in samples):.2f} s; "
                f"{seq_ms:.0f} ms per request one at a time",
            )
        ratio = t_wb / t_bare
        res.add(
            f"I/O-bound, {variant} simulator, workbench / bare (ratio of medians)",
            ratio,
            "x",
            f"<= {IO_TARGET_RATIO:g}x",
            ratio <= IO_TARGET_RATIO,
            f"per repetition: {', '.join(f'{x:.2f}' for x in per_rep)}",
        )
        cpu_ratio = statistics.median(s["client_cpu_s"] for s in wbr) / statistics.median(
            s["client_cpu_s"] for s in bare
        )
        res.add(
            f"I/O-bound, {variant} simulator, workbench / bare client CPU seconds",
            cpu_ratio,
            "x",
            "(reported)",
            None,
            "ratio of median CPU seconds of the client process: less sensitive to other load than wall time",
        )
        t_pooled = statistics.median(s["wall_s"] for s in pooled)
        res.add(
            f"I/O-bound, {variant} simulator, workbench / worker-task baseline",
            t_wb / t_pooled,
            "x",
            "(reported)",
            None,
            "the same client with 100 worker tasks instead of 2,000 tasks behind a Semaphore",
        )


def section_scale(args: argparse.Namespace, tmp: Path, res: Results) -> None:
    n = args.scale_items
    print(
        f"\n3. scale: {n:,} items, zero-latency {MODE_LABELS[args.scale_mode]}, 2 code scorers, "
        f"concurrency {args.concurrency}; (a) setup and run in one fresh process, (b) the run alone in "
        "another fresh process that opens the same dataset",
        flush=True,
    )
    root = tmp / "scale"
    base = {"case": "run", "mode": args.scale_mode, "items": n, "chunk": args.chunk, "root": str(root)}
    base["concurrency"] = args.concurrency
    cases = [
        ("a", "setup in the same process", base),
        ("b", "dataset made by another process", base | {"reuse": True}),
    ]
    if args.what_if_memory_limit:
        what_if = base | {"reuse": True, "duckdb_memory_limit": args.what_if_memory_limit}
        cases.append(("c", f"as (b), WHAT-IF the engine's DuckDB memory_limit = {args.what_if_memory_limit}", what_if))
    try:
        for key, label, spec in cases:
            r = run_child(spec)
            res.extra[f"scale_{key}"] = r
            check_complete(r, n)
            setup = "opened the dataset" if spec.get("reuse") else f"add_items in chunks of {args.chunk:,}"
            print(
                f"    ({key}) {label}: run {r['run_s']:.1f} s, {r['items_per_s']:,.0f} items/s; setup ({setup}) "
                f"{r['setup_s']:.1f} s; RSS after imports {r['rss_imports_mb']:.0f}, setup peak "
                f"{r['rss_setup_peak_mb']:.0f} (now {r['rss_setup_now_mb']:.0f}), run peak "
                f"{r['rss_run_peak_mb']:.0f} MB; load {r['load']}",
                flush=True,
            )
            what_if = key == "c"
            res.add(
                f"scale ({key}), {n:,} items: finished, items/s",
                r["items_per_s"],
                "items/s",
                "finishes" if not what_if else "(what-if)",
                (r["status"] == "completed") if not what_if else None,
                f"{label}; {r['run_s']:.1f} s; {r['rows']:,} result rows; "
                f"{r['items_per_cpu_s']:,.0f} items per CPU-second",
            )
            res.add(
                f"scale ({key}), {n:,} items: process peak RSS",
                r["rss_process_peak_mb"],
                "MB",
                f"<= {SCALE_TARGET_RSS_MB:,.0f} MB" if not what_if else "(what-if)",
                r["rss_process_peak_mb"] <= SCALE_TARGET_RSS_MB if not what_if else None,
                f"{label}; after imports {r['rss_imports_mb']:.0f}, after setup {r['rss_setup_now_mb']:.0f} "
                f"(setup peak {r['rss_setup_peak_mb']:.0f}), the run's own peak {r['rss_run_peak_mb']:.0f}",
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def markdown(res: Results, info: dict[str, str], when: str, command: str) -> str:
    """The figures as a Markdown table (for docs/performance-runs.md)."""
    machine_text = f"{info['nproc']} cores, {info['cpu']}, {info['memory']}, Python {info['python']}, " + ", ".join(
        f"{k} {v}" for k, v in info.items() if k not in ("nproc", "cpu", "memory", "os", "python", "commit")
    )
    lines = [
        "| figure | target | measured | machine | date | command |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in res.figures:
        status = "" if f["ok"] is None else (" (met)" if f["ok"] else " (**missed**)")
        note = f"; {f['note']}" if f["note"] else ""
        lines.append(
            f"| {f['figure']} | {f['target']} | {fmt(f['measured'], f['unit'])}{status}{note} "
            f"| {machine_text} | {when} | `{command}` |"
        )
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run (small sizes, one repetition)")
    parser.add_argument("--only", default="overhead,io,scale", help="sections, comma-separated: overhead,io,scale")
    parser.add_argument("--items", type=int, default=None, help="items of the overhead case (default 100,000)")
    parser.add_argument("--reps", type=int, default=None, help="fresh processes per overhead case (default 3)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrency of zero-latency runs (default 16)")
    parser.add_argument("--chunk", type=int, default=50_000, help="items per add_items call in setup (50,000)")
    parser.add_argument("--io-items", type=int, default=None, help="items of the I/O case (default 2,000)")
    parser.add_argument("--io-reps", type=int, default=None, help="repetitions of each I/O variant (default 3)")
    parser.add_argument("--io-concurrency", type=int, default=100, help="concurrency of the I/O case (100)")
    parser.add_argument("--latency", type=float, default=0.05, help="simulator latency in seconds (0.05)")
    parser.add_argument(
        "--server", choices=("process", "thread"), default="process", help="simulator in a separate process (default)"
    )
    parser.add_argument(
        "--io-variants",
        default="shipped,nodelay",
        help="simulators: shipped (as is) and/or nodelay (TCP_NODELAY set; see NODELAY_BOOT)",
    )
    parser.add_argument("--scale-items", type=int, default=None, help="items of the scale case (default 1,000,000)")
    parser.add_argument("--scale-mode", choices=MODES, default="async", help="target of the scale case (async)")
    parser.add_argument(
        "--what-if-memory-limit",
        default="",
        help="also run the scale case with this DuckDB memory_limit patched into the engine (default: skip; "
        "the engine limits its plan to 256MB since the first measurement)",
    )
    parser.add_argument("--tmp", type=Path, default=None, help="parent folder of the temporary stores")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the figures as a Markdown table")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        spec = json.loads(args.child)
        out = child_io(spec) if spec["case"] == "io" else child_run(spec)
        print(CHILD_MARK + json.dumps(out), flush=True)
        return 0

    defaults = {"items": (5_000, 100_000), "reps": (1, 3), "io_items": (300, 2_000), "io_reps": (1, 3)}
    defaults["scale_items"] = (20_000, 1_000_000)
    for name, (quick, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = sections - {"overhead", "io", "scale"}
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    info = machine()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python bench/bench_runs.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "")
    print("Eval Workbench runs benchmark", when, "(quick)" if args.quick else "")
    print("  " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(f"  load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    res = Results()
    res.extra["machine"] = info
    tmp = Path(tempfile.mkdtemp(prefix="workbench-bench-runs-", dir=args.tmp))
    try:
        if "overhead" in sections:
            section_overhead(args, tmp, res)
        if "io" in sections:
            section_io(args, tmp, res)
        if "scale" in sections:
            section_scale(args, tmp, res)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    missed = [f["figure"] for f in res.figures if f["ok"] is False]
    print("\nall targets met" if not missed else "\nMISSED: " + "; ".join(missed))
    table = markdown(res, info, when, command)
    print("\n" + table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    if args.json:
        payload = {"date": datetime.now(UTC).isoformat(), "argv": sys.argv, **res.__dict__}
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
