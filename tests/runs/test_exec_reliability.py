"""The reliability figures of ``docs/reliability.md``, small and bounded: nothing lost, nothing duplicated.

Model runs over both wire formats against the simulator on 127.0.0.1, through injected
faults and through SIGKILLs followed by resumes in new processes (``bench/bench_reliability.py``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_reliability.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """The benchmark script as a module."""
    spec = importlib.util.spec_from_file_location("bench_reliability", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_faults_on_every_fifth_request_lose_and_duplicate_nothing(bench: ModuleType, provider: str) -> None:
    figures = bench.chaos(provider, 24, seed=3, faults=bench.RATE_LIMITS)
    assert figures["completed"] == 24
    assert figures["duplicated"] == figures["lost"] == 0
    assert figures["requests"] > 24  # faults were injected and retried


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_sigkills_then_resumes_lose_and_duplicate_nothing(bench: ModuleType, provider: str) -> None:
    figures = bench.kill_and_resume(provider, 80, kills=2, seed=5)
    assert figures["status"] == "completed"
    assert figures["completed"] == 80
    assert figures["duplicated"] == figures["lost"] == 0
    assert figures["requests"] >= 80 + figures["re_sent"]  # only units without a saved row were sent again
