"""Benchmark: the cost of ``Monitor.record()`` on the request path (run: python bench/bench_monitor.py)."""

from __future__ import annotations

import statistics
import tempfile
import time

from workbench import Monitor, Workbench

CALLS = 100_000
REPS = 7


def per_call_us(sample_rate: float) -> float:
    """Median microseconds per ``record()`` call over ``REPS`` rounds of ``CALLS`` calls."""
    with tempfile.TemporaryDirectory() as root:
        monitor = Monitor(Workbench(root), [lambda output: True], sample_rate=sample_rate, max_queue=10 * CALLS)
        rounds = []
        for _ in range(REPS):
            started = time.perf_counter()
            for _ in range(CALLS):
                monitor.record("question", "answer", None)
            rounds.append((time.perf_counter() - started) / CALLS * 1e6)
        monitor.close()
    return statistics.median(rounds)


def main() -> None:
    """Print the per-call cost at a few sample rates."""
    for rate in (0.0, 0.1, 1.0):
        print(f"Monitor.record(), sample_rate={rate}: {per_call_us(rate):.2f} us per call (median of {REPS})")


if __name__ == "__main__":
    main()
