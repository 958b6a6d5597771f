"""The panels in a plain Jupyter kernel, as JupyterLab runs them (no Voila): a long run never blocks the kernel.

A real ipykernel (jupyter_client, the protocol JupyterLab speaks) runs ``wb.ui()``, creates a
dataset and imports a CSV through the panels, launches a slow run from the Run panel, and keeps
answering other cells while the run goes on. The run panel's progress bar reaches the front end
as ``comm_msg`` updates sent from the panel's watcher thread while the kernel is idle, which is
what JupyterLab draws; the Results and Compare panels then show the run.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytestmark = pytest.mark.slow

TIMEOUT = 120
SETUP = """
import time, threading
from workbench import Workbench
wb = Workbench({root!r})
gate = threading.Event()

def slow(input):
    gate.wait(30)
    time.sleep(0.05)
    return input.upper()

def same(output, expected):
    return float(str(output).lower() == str(expected).lower())

wb.register(slow)
wb.register(same)
app = wb.ui()
display(app)
app.datasets.new_name.value = "qa"
app.datasets.create_button.click()
ds = wb.dataset("qa")
report = ds.import_csv({csv!r}, mapping={{"item_id": "id", "input": "question", "expected_output": "answer"}})
app.refresh()
print("ready", len(ds.items()), app.run.dataset.value)
"""


@pytest.fixture
def kernel() -> Iterator[Any]:
    """A fresh Python kernel of this environment (the worktree first on its path)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path.cwd()), os.environ.get("PYTHONPATH", "")]))
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.kernel_spec.argv[0] = sys.executable
    manager.start_kernel(env=env)
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=TIMEOUT)
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client: Any, code: str, timeout: float = TIMEOUT) -> tuple[str, list[dict[str, Any]], float]:
    """Run ``code``; its printed text, the iopub messages it produced, and how long the kernel took to reply."""
    started = time.monotonic()
    msg_id = client.execute(code)
    reply = client.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=timeout)
    took = time.monotonic() - started
    assert reply["content"]["status"] == "ok", reply["content"].get("traceback")
    messages, text = [], []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        messages.append(msg)
        if msg["parent_header"].get("msg_id") == msg_id:
            if msg["msg_type"] == "stream":
                text.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(text), messages, took


def idle_updates(client: Any, seconds: float) -> list[dict[str, Any]]:
    """The ``comm_msg`` updates the kernel sends in ``seconds`` while no cell runs."""
    found, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            msg = client.get_iopub_msg(timeout=0.2)
        except Exception:  # queue.Empty: nothing sent in that time
            continue
        if msg["msg_type"] == "comm_msg":
            found.append(msg)
    return found


def test_the_panels_run_in_a_plain_kernel_and_a_long_run_leaves_it_free(kernel: Any, tmp_path: Path) -> None:
    csv = tmp_path / "qa.csv"
    csv.write_text("id,question,answer\nq1,a,A\nq2,b,B\nq3,c,x\n", encoding="utf-8")
    out, messages, _ = execute(kernel, SETUP.format(root=str(tmp_path / "store"), csv=str(csv)))
    assert "ready 3 qa" in out
    assert any(m["msg_type"] == "display_data" for m in messages)  # the app's widget view

    launch = "app.run.scorers.value = ('same',)\nruns = app.run.run_all()\nprint(len(runs), app.run.busy)"
    out, _, took = execute(kernel, launch)
    assert out.split() == ["1", "True"]
    assert took < 10  # the launch returns at once

    out, _, took = execute(kernel, "print(1 + 1, runs[0].status, app.run.busy)")
    assert out.split() == ["2", "running", "True"]  # the kernel answers while the run waits
    assert took < 5

    execute(kernel, "gate.set()")
    updates = idle_updates(kernel, 10)  # the watcher thread reports progress to the front end by itself
    values = [m["content"]["data"].get("state", {}).get("value") for m in updates]
    assert 3 in values, values

    check = (
        "runs[0].wait()\n"
        "print(runs[0].status, app.run.progress.value, app.run.busy)\n"
        "app.results.show(runs[0].id)\n"
        "print(app.results.table.total, [r['score_same'] for r in app.results.table.rows])\n"
        "app.compare.refresh()\n"
        "print(sorted(v for _, v in app.compare.baseline.options) == [runs[0].id])"
    )
    out, _, _ = execute(kernel, check)
    lines = out.splitlines()
    assert lines[0] == "completed 3 False"
    assert lines[1].startswith("3 [")
    assert "\u2713 pass" in lines[1]
    assert "\u2717 fail" in lines[1]
    assert lines[2] == "True"
