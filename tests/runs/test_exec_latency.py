"""Latency is the request's: the first items of a process do not carry the client's start-up.

Each case runs in a fresh process (the SDK import and the client's first-call set-up
happen once per process), against the simulator on 127.0.0.1 answering in 20 ms.
Before, the first wave of items took 0.5-6 s against 0.03 s for the rest.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = """
import json, sys
from pathlib import Path
from workbench import Workbench, targets
from workbench.simulator import SimulatedLLMServer

provider, root = sys.argv[1], Path(sys.argv[2])
with SimulatedLLMServer(latency=0.02) as server:
    wb = Workbench(root)
    wb.create_dataset("d").add_items([{"item_id": f"i{k:02d}", "input": f"q{k}"} for k in range(16)])
    url = server.openai_base_url if provider == "openai" else server.anthropic_base_url
    model = "openai:gpt-4o-mini" if provider == "openai" else "anthropic:claude-haiku-4-5"
    run = wb.run_sync("d", targets.model(model, base_url=url), concurrency=4)
    df = run.results().sort_values("started_at")
    print(json.dumps({"errors": int(df["error"].notna().sum()), "latency": df["latency_s"].tolist()}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_the_first_items_latency_is_like_the_rest(tmp_path: Path, provider: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, provider, str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["errors"] == 0
    first, rest = out["latency"][:4], out["latency"][4:]
    typical = statistics.median(rest)
    assert max(first) <= max(4 * typical, typical + 0.15), f"first wave {first} vs median {typical:.3f}s"
