"""In a real Jupyter kernel, ``wb.run`` returns at once and the kernel stays usable."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytestmark = pytest.mark.slow


def execute(client: Any, code: str, timeout: float = 60) -> tuple[str, float]:
    """Run ``code`` in the kernel; return its stdout and how long the cell took."""
    started = time.perf_counter()
    msg_id = client.execute(code)
    out: list[str] = []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif kind == "error":
            raise AssertionError("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out), time.perf_counter() - started


def test_a_run_goes_on_in_the_background_while_cells_execute(tmp_path: Path) -> None:
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        execute(
            client,
            f"""
import time
from workbench import Workbench, targets
wb = Workbench({str(tmp_path)!r})
wb.create_dataset("d").add_items([{{"input": i}} for i in range(20)])
def slow(x):
    time.sleep(0.1)
    return x
""",
        )
        _, took = execute(client, "run = wb.run('d', targets.function(slow), concurrency=2, progress=False)")
        assert took < 1.0  # 20 items x 0.1 s at concurrency 2 take about 1 s: the cell did not wait
        text, _ = execute(client, "print(run.status, 1 + 1)")
        assert text.split() == ["running", "2"]
        text, _ = execute(client, "run.wait(); print(run.status, len(run.results()))")
        assert text.split() == ["completed", "20"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
