"""Benchmark of a run's fixed cost (issue 13.13): how long ``wb.run`` takes to send its first request and
``wait()`` takes to return after the last reply, and how a model run compares with a bare ``openai`` loop.

Two servers, each in a process of its own so that their CPU is not charged to the client:

- ``sim``: the project's simulator (``python -m workbench.simulator --latency L``);
- ``slow``: ``bench/_openai_server.py``, an independent single-process aiohttp chat-completions server
  with a fixed latency, which also records when requests arrive and replies leave (``GET /stats``).

Sections:

1. **fixed cost** (against ``slow``, whose timestamps are read): ``--small`` runs of ``--small-items``
   items, concurrency equal to the items (one wave), after one warm-up run. Per run: seconds from
   calling ``wb.run`` to the first request arriving at the server ("start"), and from the last reply
   leaving the server to ``wait()`` returning ("end"). The same two figures for a bare ``AsyncOpenAI``
   loop doing the same requests (client made inside the timing, as a script would) are the floor
   that any client pays: the run's own cost is the difference.
2. **ratios**: for 200, 1,000 and 3,000 requests, ``wb.run_sync(ds, targets.model(...), concurrency=C)``
   against a bare ``openai.AsyncOpenAI`` loop (``asyncio.Semaphore(C)`` around ``gather``) with the same
   concurrency, alternating, ``--repeats`` times each after a warm-up of each, against both servers.
3. **cold** (``--cold``): the first run of a fresh process (``import workbench`` done, the SDK not yet
   imported) against a fresh process's first bare loop (``import openai`` inside the timing): the SDK's
   import and first-use set-up are paid by both.

Run from the repository's root::

    .venv/bin/python bench/bench_run_overhead.py             # everything: a few minutes on 2 cores
    .venv/bin/python bench/bench_run_overhead.py --quick     # 5 small runs, 200 and 1,000 requests, 1 repeat
    .venv/bin/python bench/bench_run_overhead.py --only fixed

Targets: start and end each under 0.1 s (median of the small runs); 1,000 requests within 1.1x of the
bare loop on both servers. Exits 1 when one is missed. Wall times move with the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVER = Path(__file__).resolve().parent / "_openai_server.py"
MODEL = "bench-model"


def start(cmd: list[str]) -> tuple[subprocess.Popen[str], str]:
    """A server in its own process; returns it and the OpenAI base URL it prints."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    watchdog = threading.Timer(60.0, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "OpenAI base URL:" in line:
                return proc, line.split("OpenAI base URL:", 1)[1].strip()
    finally:
        watchdog.cancel()
    proc.kill()
    raise RuntimeError(f"{cmd}: no URL printed")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def servers(latency: float, which: list[str]) -> dict[str, tuple[subprocess.Popen[str], str]]:
    out = {}
    if "slow" in which:
        out["slow"] = start([sys.executable, str(SERVER), "--port", "0", "--latency", str(latency)])
    if "sim" in which:
        out["sim"] = start([sys.executable, "-m", "workbench.simulator", "--port", "0", "--latency", str(latency)])
    return out


def server_stats(base_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(base_url.rsplit("/v1", 1)[0] + "/stats") as reply:
        stats: dict[str, Any] = json.loads(reply.read())
    return stats


def server_reset(base_url: str) -> None:
    request = urllib.request.Request(base_url.rsplit("/v1", 1)[0] + "/reset", method="POST")
    with urllib.request.urlopen(request):
        pass


async def bare_loop(base_url: str, prompts: list[str], concurrency: int) -> int:
    """The baseline: the official async client, a Semaphore and ``gather``; returns the replies' count."""
    import openai

    limit = asyncio.Semaphore(concurrency)
    async with openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0) as client:

        async def one(prompt: str) -> str | None:
            async with limit:
                reply = await client.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": prompt}]
                )
                return reply.choices[0].message.content

        return sum(r is not None for r in await asyncio.gather(*(one(p) for p in prompts)))


def prompts(n: int) -> list[str]:
    return [f"What is item number {k}?" for k in range(n)]


class Client:
    """The workbench side: a store with one dataset per size."""

    def __init__(self, sizes: list[int]) -> None:
        from workbench import Workbench

        self.wb = Workbench(tempfile.mkdtemp(prefix="bench-overhead-"))
        for n in sizes:
            self.wb.create_dataset(f"d{n}").add_items([{"input": p} for p in prompts(n)])

    def run(self, n: int, base_url: str, concurrency: int) -> Any:
        from workbench import targets

        target = targets.model(f"openai:{MODEL}", base_url=base_url, api_key="x")
        return self.wb.run(f"d{n}", target, concurrency=concurrency, progress=False)


def fixed_cost(client: Client, base_url: str, runs: int, items: int) -> dict[str, Any]:
    """Start and end seconds of ``runs`` small runs and of as many bare loops, from the server's timestamps."""
    wb_start, wb_end, bare_start, bare_end = [], [], [], []
    for k in range(runs + 1):  # the first of each: a warm-up, not counted
        server_reset(base_url)
        t0 = time.time()
        run = client.run(items, base_url, items)
        run.wait()
        t1 = time.time()
        stats = server_stats(base_url)
        if run.status != "completed" or stats["count"] != items:
            raise RuntimeError(f"run {run.id}: {run.status}, {stats['count']} requests")
        if k:
            wb_start.append(stats["first_arrival"] - t0)
            wb_end.append(t1 - stats["last_reply"])
        server_reset(base_url)
        t0 = time.time()
        asyncio.run(bare_loop(base_url, prompts(items), items))
        t1 = time.time()
        stats = server_stats(base_url)
        if k:
            bare_start.append(stats["first_arrival"] - t0)
            bare_end.append(t1 - stats["last_reply"])
    return {
        "runs": runs,
        "items": items,
        "wb_start": statistics.median(wb_start),
        "wb_end": statistics.median(wb_end),
        "bare_start": statistics.median(bare_start),
        "bare_end": statistics.median(bare_end),
        "wb_start_range": [min(wb_start), max(wb_start)],
        "wb_end_range": [min(wb_end), max(wb_end)],
    }


def ratio(client: Client, base_url: str, n: int, concurrency: int, repeats: int) -> dict[str, Any]:
    """Median wall seconds of ``wb.run_sync`` and of the bare loop, alternating, after a warm-up of each."""
    wb_s, bare_s = [], []
    for k in range(repeats + 1):
        order = ("wb", "bare") if k % 2 == 0 else ("bare", "wb")
        for which in order:
            t0 = time.perf_counter()
            if which == "wb":
                run = client.run(n, base_url, concurrency).wait()
                if run.status != "completed" or run.progress["errors"]:
                    raise RuntimeError(f"run {run.id}: {run.status}, {run.progress}")
            elif asyncio.run(bare_loop(base_url, prompts(n), concurrency)) != n:
                raise RuntimeError("the bare loop lost replies")
            if k:
                (wb_s if which == "wb" else bare_s).append(time.perf_counter() - t0)
    wb_m, bare_m = statistics.median(wb_s), statistics.median(bare_s)
    return {"n": n, "wb_s": wb_m, "bare_s": bare_m, "ratio": wb_m / bare_m, "wb_all": wb_s, "bare_all": bare_s}


COLD_CHILD = """
import asyncio, json, sys, tempfile, time, urllib.request
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
mode, url, items = sys.argv[1], sys.argv[2], int(sys.argv[3])
import bench_run_overhead as b
if mode == "wb":
    client = b.Client([items])  # imports workbench (not the SDK) and makes the dataset, outside the timing
    b.server_reset(url); t0 = time.time(); client.run(items, url, items).wait(); t1 = time.time()
else:
    b.server_reset(url); t0 = time.time(); asyncio.run(b.bare_loop(url, b.prompts(items), items)); t1 = time.time()
s = b.server_stats(url)
print(json.dumps({{"start": s["first_arrival"] - t0, "end": t1 - s["last_reply"], "total": t1 - t0}}))
"""


def cold(base_url: str, rounds: int, items: int) -> dict[str, Any]:
    """The first run of a fresh process against a fresh process's first bare loop (medians of ``rounds``)."""
    code = COLD_CHILD.format(root=str(ROOT), bench=str(Path(__file__).resolve().parent))
    out: dict[str, list[dict[str, float]]] = {"wb": [], "bare": []}
    for _ in range(rounds):
        for mode in ("wb", "bare"):
            done = subprocess.run(
                [sys.executable, "-c", code, mode, base_url, str(items)],
                capture_output=True, text=True, check=True, cwd=ROOT, timeout=300,
            )  # fmt: skip
            out[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        f"{mode}_{key}": statistics.median(r[key] for r in rows)
        for mode, rows in out.items()
        for key in ("start", "end", "total")
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=0.05, help="each server's latency in seconds (0.05)")
    parser.add_argument("--concurrency", type=int, default=50, help="of both the run and the bare loop (50)")
    parser.add_argument("--sizes", default="200,1000,3000", help="requests per ratio measurement")
    parser.add_argument("--repeats", type=int, default=3, help="alternating repetitions per size (3)")
    parser.add_argument("--small", type=int, default=20, help="small runs for the fixed cost (20)")
    parser.add_argument("--small-items", type=int, default=20, help="items of a small run (20)")
    parser.add_argument("--servers", default="sim,slow", help="sim and/or slow")
    parser.add_argument("--only", choices=("fixed", "ratios", "cold"), help="one section")
    parser.add_argument("--cold", type=int, default=0, help="fresh-process rounds of the cold section (0: skip)")
    parser.add_argument("--quick", action="store_true", help="5 small runs, 200 and 1,000 requests, 1 repeat")
    parser.add_argument("--json", type=Path, help="save the figures as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.small, args.sizes, args.repeats = 5, "200,1000", 1
    sizes = [int(s) for s in args.sizes.split(",")]
    which = args.servers.split(",")
    if args.only in ("fixed", "cold") and "slow" not in which:
        which.append("slow")
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    procs = servers(args.latency, which)
    figures: dict[str, Any] = {"latency": args.latency, "concurrency": args.concurrency, "load": [os.getloadavg()[0]]}
    missed = []
    try:
        client = Client([args.small_items, *sizes])
        if args.only in (None, "fixed"):
            f = figures["fixed"] = fixed_cost(client, procs["slow"][1], args.small, args.small_items)
            print(
                f"\n1. fixed cost, median of {f['runs']} runs of {f['items']} requests (slow server):\n"
                f"   wb.run -> first request  {f['wb_start']:.3f} s  (bare loop {f['bare_start']:.3f} s; "
                f"range {f['wb_start_range'][0]:.3f}-{f['wb_start_range'][1]:.3f})  target < 0.1 s\n"
                f"   last reply -> wait()     {f['wb_end']:.3f} s  (bare loop {f['bare_end']:.3f} s; "
                f"range {f['wb_end_range'][0]:.3f}-{f['wb_end_range'][1]:.3f})  target < 0.1 s"
            )
            missed += [name for name in ("wb_start", "wb_end") if f[name] >= 0.1]
        if args.only in (None, "ratios"):
            print(f"\n2. wb.run_sync / bare AsyncOpenAI loop, concurrency {args.concurrency}, latency {args.latency}s:")
            for name, (_, url) in procs.items():
                for n in sizes:
                    r = ratio(client, url, n, args.concurrency, args.repeats)
                    figures.setdefault("ratios", {}).setdefault(name, []).append(r)
                    print(f"   {name:4s} {n:5,d} requests: wb {r['wb_s']:.2f} s, bare {r['bare_s']:.2f} s, "
                          f"ratio {r['ratio']:.2f}x")  # fmt: skip
                    if n == 1000 and r["ratio"] > 1.1:
                        missed.append(f"ratio {name} 1000")
        if args.only == "cold" or args.cold:
            rounds = max(args.cold, 1)
            c = figures["cold"] = cold(procs["slow"][1], rounds, args.small_items)
            print(
                f"\n3. cold: the first run of a fresh process, {args.small_items} requests (median of {rounds}):\n"
                f"   wb.run -> first request {c['wb_start']:.3f} s (bare loop, import openai included: "
                f"{c['bare_start']:.3f} s); last reply -> wait() {c['wb_end']:.3f} s (bare {c['bare_end']:.3f} s)"
            )
    finally:
        for proc, _ in procs.values():
            stop(proc)
    figures["load"].append(os.getloadavg()[0])
    print(f"\nload average {figures['load'][0]:.2f} -> {figures['load'][1]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if missed:
        print("missed:", ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
