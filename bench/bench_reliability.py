"""Reliability figures: runs through injected API faults, and runs SIGKILLed then resumed.

Everything is on 127.0.0.1: the project's simulator (in this process) speaks both wire
formats; the runs use the official ``openai`` and ``anthropic`` clients. Figures go to
``docs/reliability.md``.

    python bench/bench_reliability.py                    # both scenarios, both wire formats
    python bench/bench_reliability.py rate-limit         # issue 12.5's scenario (--items 300)
    python bench/bench_reliability.py chaos              # 65% faults (--chaos-items 100, --provider)
    python bench/bench_reliability.py kill --kills 5     # SIGKILL and resume only

``chaos``: each request draws a fault (the mix below, 65% in all); items completed,
failed, duplicated and lost, requests received by the server (retries = requests - items)
beside the ``attempts`` column's sum (requests the client sent). A first scenario,
``rate-limit``, replays issue 12.5: OpenAI then Anthropic in one process against 15% 429,
5% 500, 5% 503.

``kill``: a child process runs a model target; it is SIGKILLed as its calls stream, then
a new child resumes the run, ``--kills`` times, and a last child finishes it. Items on
disk, duplicated rows, lost items, and items re-sent (in flight when killed: at-least-once).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from workbench import Workbench, targets
from workbench.simulator import (
    DropConnection,
    ErrorReply,
    MalformedReply,
    Reply,
    SimRequest,
    SimulatedLLMServer,
    TextReply,
)

MODELS = {"openai": "openai:gpt-4o-mini", "anthropic": "anthropic:claude-haiku-4-5"}
FAULTS_65: list[tuple[float, Callable[[], Reply]]] = [
    (0.15, lambda: ErrorReply(429, headers={"retry-after-ms": "20"})),
    (0.05, lambda: ErrorReply(429)),  # no Retry-After: exponential backoff with jitter
    (0.10, lambda: ErrorReply(500)),
    (0.10, lambda: ErrorReply(503)),
    (0.10, DropConnection),
    (0.10, lambda: MalformedReply("invalid_json")),
    (0.05, lambda: TextReply("late", delay=3.0)),  # hangs past the 0.5 s call timeout
]
RATE_LIMITS: list[tuple[float, Callable[[], Reply]]] = [
    (0.15, lambda: ErrorReply(429)),
    (0.05, lambda: ErrorReply(500)),
    (0.05, lambda: ErrorReply(503)),
]


@dataclass
class Recorder:
    """A simulator responder that injects faults and remembers which input each request carried."""

    faults: list[tuple[float, Callable[[], Reply]]] = field(default_factory=list)
    seed: int = 0
    phase: int = 0
    seen: list[tuple[int, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def __call__(self, request: SimRequest) -> Reply:
        with self._lock:
            self.seen.append((self.phase, request.conversation.last_user_text or ""))
            draw = self._rng.random()
        for share, make in self.faults:
            if draw < share:
                return make()
            draw -= share
        return TextReply("ok")


def _dataset(wb: Workbench, n: int) -> None:
    wb.create_dataset("d").add_items([{"item_id": f"i{k:04d}", "input": f"q{k}"} for k in range(n)])


def raw_units(run_folder: Path) -> Counter[tuple[str, int]]:
    """Every (item_id, repeat) row in every result part, duplicates included."""
    counts: Counter[tuple[str, int]] = Counter()
    for path in sorted((run_folder / "results").glob("*.parquet")):
        table = pq.read_table(path, columns=["item_id", "repeat"])
        counts.update(zip(table.column("item_id").to_pylist(), table.column("repeat").to_pylist(), strict=True))
    return counts


def _unit_figures(wb: Workbench, run_id: str, n: int) -> dict[str, Any]:
    run = wb.get_run(run_id)
    raw = raw_units(run.folder)
    df = run.results()
    return {
        "items": n,
        "completed": int(df["error"].isna().sum()),
        "failed": int(df["error"].notna().sum()),
        "error_kinds": {str(k): int(v) for k, v in df["error_kind"].value_counts().items()},
        "duplicated": sum(c - 1 for c in raw.values() if c > 1),
        "lost": n - len({i for i, _ in raw}),
        "attempts": int(df["attempts"].sum()),
        "failures": [
            {"error": str(r.error)[:120], "attempts": int(r.attempts), "latency_s": round(float(r.latency_s), 1)}
            for r in df[df["error"].notna()].head(5).itertuples()
        ],
    }


def chaos(provider: str, n: int, seed: int, faults: list[tuple[float, Callable[[], Reply]]]) -> dict[str, Any]:
    """One run of ``n`` items through a fault mix; the figures."""
    recorder = Recorder(faults, seed)
    with tempfile.TemporaryDirectory() as tmp, SimulatedLLMServer(latency=0.005, responder=recorder) as server:
        wb = Workbench(Path(tmp) / "store")
        _dataset(wb, n)
        url = server.openai_base_url if provider == "openai" else server.anthropic_base_url
        t0 = time.monotonic()
        run = wb.run_sync(
            "d", targets.model(MODELS[provider], base_url=url), concurrency=16, timeout=120, call_timeout=0.5,
            max_retries=20, run_id="chaos",
        )  # fmt: skip
        figures = _unit_figures(wb, run.id, n)
        sent = len(recorder.seen)
        return figures | {
            "provider": provider,
            "seconds": round(time.monotonic() - t0, 1),
            "requests": sent,
            "retries": sent - n,
        }


def rate_limit_replay(n: int, seed: int) -> list[dict[str, Any]]:
    """Issue 12.5: OpenAI then Anthropic in one process, 15% 429 / 5% 500 / 5% 503 (item timeout 30 s)."""
    out = []
    recorder = Recorder(RATE_LIMITS, seed)
    with tempfile.TemporaryDirectory() as tmp, SimulatedLLMServer(latency=0.005, responder=recorder) as server:
        wb = Workbench(Path(tmp) / "store")
        _dataset(wb, n)
        for provider in ("openai", "anthropic"):
            url = server.openai_base_url if provider == "openai" else server.anthropic_base_url
            before = len(recorder.seen)
            t0 = time.monotonic()
            run = wb.run_sync("d", targets.model(MODELS[provider], base_url=url), concurrency=16, timeout=30)
            figures = _unit_figures(wb, run.id, n)
            out.append(
                figures | {"provider": provider, "seconds": round(time.monotonic() - t0, 1),
                           "requests": len(recorder.seen) - before}
            )  # fmt: skip
    return out


CHILD = """
import sys
from workbench import Workbench, targets
root, model, url, resume = sys.argv[1:5]
wb = Workbench(root)
if resume == "1":
    run = wb.resume("k1", progress=False)
else:
    run = wb.run("d", targets.model(model, base_url=url), run_id="k1", concurrency=8, timeout=60, progress=False)
run.wait()
print(run.status, flush=True)
"""


def kill_and_resume(provider: str, n: int, kills: int, seed: int) -> dict[str, Any]:
    """``kills`` SIGKILLs of a run of ``n`` items, each followed by a resume in a new process."""
    rng = random.Random(seed)
    recorder = Recorder([], seed)
    with tempfile.TemporaryDirectory() as tmp, SimulatedLLMServer(latency=0.05, responder=recorder) as server:
        root = Path(tmp) / "store"
        wb = Workbench(root)
        _dataset(wb, n)
        url = server.openai_base_url if provider == "openai" else server.anthropic_base_url
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[1]), *sys.path]))
        on_disk_at_kill = []
        for phase in range(kills + 1):
            recorder.phase = phase
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(root), MODELS[provider], url, "1" if phase else "0"],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            if phase < kills:
                written = len(raw_units(root / "runs" / "k1"))
                deadline = time.monotonic() + 120
                # once this process has written a part of its own (parts go out every second)
                while (
                    len(raw_units(root / "runs" / "k1")) <= written
                    and child.poll() is None
                    and time.monotonic() < deadline
                ):
                    time.sleep(0.02)
                time.sleep(rng.uniform(0.0, 0.4))  # somewhere in the stream of calls and part writes
                if child.poll() is None:
                    os.kill(child.pid, signal.SIGKILL)
                child.communicate(timeout=60)
                on_disk_at_kill.append(len({i for i, _ in raw_units(root / "runs" / "k1")}))
            else:
                out, err = child.communicate(timeout=300)
                if out.strip().splitlines()[-1:] != ["completed"]:
                    raise RuntimeError(f"the last resume did not complete: {out} {err[-2000:]}")
        phases_per_input: dict[str, set[int]] = {}
        for phase, text in recorder.seen:
            phases_per_input.setdefault(text, set()).add(phase)
        figures = _unit_figures(wb, "k1", n)
        return figures | {
            "provider": provider,
            "kills": kills,
            "on_disk_after_each_kill": on_disk_at_kill,
            "requests": len(recorder.seen),
            "re_sent": sum(1 for phases in phases_per_input.values() if len(phases) > 1),
            "status": wb.get_run("k1").status,
        }


def main() -> None:
    """Run the scenarios and print one JSON line per result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", choices=["rate-limit", "chaos", "kill", "all"], default="all")
    parser.add_argument("--items", type=int, default=300, help="items of the rate-limit replay (default 300)")
    parser.add_argument("--chaos-items", type=int, default=100, help="items per 65%%-fault run (default 100)")
    parser.add_argument("--kill-items", type=int, default=400, help="items of the killed run (default 400)")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs per wire format (default 5)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--provider", choices=sorted(MODELS), help="only this wire format (default: both)")
    args = parser.parse_args()
    if args.scenario in ("rate-limit", "all"):
        for figures in rate_limit_replay(args.items, args.seed):
            print(json.dumps({"scenario": "rate-limit", **figures}), flush=True)
    if args.scenario in ("chaos", "all"):
        for provider in [args.provider] if args.provider else MODELS:
            figures = chaos(provider, args.chaos_items, args.seed, FAULTS_65)
            print(json.dumps({"scenario": "chaos-65", **figures}), flush=True)
    if args.scenario in ("kill", "all"):
        for provider in [args.provider] if args.provider else MODELS:
            figures = kill_and_resume(provider, args.kill_items, args.kills, args.seed)
            print(json.dumps({"scenario": "sigkill", **figures}), flush=True)


if __name__ == "__main__":
    main()
