"""A run's progress bar in Jupyter: shown in the cell that starts the run, filled from the run's thread."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from workbench.runs._progress import WidgetBar, bar_style, progress_text

pytest.importorskip("ipywidgets")


def test_the_bar_shows_the_counts_at_once_then_at_most_every_interval_and_always_the_last() -> None:
    bar = WidgetBar("run-1")
    bar(1, 0, 10)
    assert (bar.bar.value, bar.bar.max) == (1, 10)
    bar(2, 0, 10)
    bar(3, 1, 10)
    assert bar.bar.value == 1  # too soon: kept for later
    time.sleep(0.3)
    assert bar.bar.value == 3  # sent by the timer, with no further call
    assert "3 of 10 items, 1 error," in bar.label.value
    bar(10, 1, 10)
    assert bar.bar.value == 10  # the last one is never held back
    assert bar.bar.bar_style == "warning"


def test_the_colour_says_running_done_with_errors_or_all_failed() -> None:
    assert bar_style(3, 0, 10) == "info"
    assert bar_style(10, 0, 10) == "success"
    assert bar_style(10, 2, 10) == "warning"
    assert bar_style(10, 10, 10) == "danger"


def test_the_text_is_escaped() -> None:
    text = progress_text("<b>x</b>", 2, 2, 5, 1.25)
    assert text == "<b>&lt;b&gt;x&lt;/b&gt;</b>: 2 of 5 items, 2 errors, 1.2 s"


def _execute(client: Any, code: str, timeout: float = 120) -> tuple[list[dict[str, Any]], float]:
    """Run ``code``; return the messages of this cell (until the kernel is idle) and how long it took."""
    started = time.perf_counter()
    msg_id = client.execute(code)
    messages = []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        messages.append(msg)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages, time.perf_counter() - started


def _values(messages: list[dict[str, Any]], model_id: str) -> list[int]:
    return [
        m["content"]["data"]["state"]["value"]
        for m in messages
        if m["msg_type"] == "comm_msg"
        and m["content"]["comm_id"] == model_id
        and "value" in m["content"]["data"].get("state", {})
    ]


@pytest.mark.slow
def test_in_a_kernel_the_bar_appears_in_the_run_cell_and_fills_while_other_cells_run(tmp_path: Path) -> None:
    jupyter_client = pytest.importorskip("jupyter_client")
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="eval-workbench")
    try:
        _execute(
            client,
            f"""
import time
from workbench import Workbench, targets
wb = Workbench({str(tmp_path)!r})
wb.create_dataset("d").add_items([{{"input": i}} for i in range(40)])
def slow(x):
    time.sleep(0.1)
    return x
""",
        )
        started, took = _execute(client, "run = wb.run('d', targets.function(slow), concurrency=2)")
        assert took < 1.0  # 40 items x 0.1 s at concurrency 2: about 2 s; the cell did not wait
        opened = {
            m["content"]["comm_id"]: m["content"]["data"]["state"] for m in started if m["msg_type"] == "comm_open"
        }
        bars = [cid for cid, state in opened.items() if state.get("_model_name") == "IntProgressModel"]
        assert len(bars) == 1
        shown = [m for m in started if m["msg_type"] == "display_data"]
        assert len(shown) == 1  # the bar's box, in the cell that started the run
        assert "application/vnd.jupyter.widget-view+json" in shown[0]["content"]["data"]

        later, _ = _execute(client, "time.sleep(0.5)\nprint(run.status)")
        assert "running" in "".join(m["content"].get("text", "") for m in later if m["msg_type"] == "stream")
        rest, _ = _execute(client, "run.wait(); print(run.status)")
        during = _values(later, bars[0])
        assert during, "no update reached the browser while another cell ran"
        assert 0 < during[-1] < 40
        values = _values(started + later + rest, bars[0])
        assert values == sorted(values)
        assert values[-1] == 40
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
