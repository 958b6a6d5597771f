"""The Run panel: choose what to run, launch without blocking, watch progress, cancel, see results."""

from __future__ import annotations

import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from workbench import Run, Workbench
from workbench.simulator import SimulatedLLMServer
from workbench.ui._run import RunPanel
from workbench.ui._table import ReloadThrottle

TIMEOUT = 20.0


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def make_items(wb: Workbench, n: int = 10, name: str = "qa") -> None:
    ds = wb.create_dataset(name)
    ds.add_items(
        [
            {"item_id": f"i{k:02d}", "input": k, "expected_output": 2 * k, "metadata": {"tier": k % 3, "lang": "en"}}
            for k in range(n)
        ]
    )


def double(x: int) -> int:
    return 2 * x


def triple(x: int) -> int:
    return 3 * x


def exact(output: Any, expected: Any) -> tuple[bool, str]:
    return output == expected, f"{output} vs {expected}"


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """An event slow targets wait on; always set at the end so no worker thread hangs."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def panel(wb: Workbench) -> Iterator[RunPanel]:
    make_items(wb)
    wb.register(double)
    wb.register(exact)
    p = RunPanel(wb, poll_interval=0.02)
    yield p
    p.close()


def test_the_pickers_offer_datasets_versions_targets_and_scorers(wb: Workbench, panel: RunPanel) -> None:
    wb.dataset("qa").add_items([{"item_id": "extra", "input": 99}])
    wb.create_dataset("other")
    wb.register(triple)
    panel.refresh()
    assert panel.dataset.options == ("other", "qa")
    assert panel.dataset.value == "qa"
    assert [v for _, v in panel.version.options] == [2, 1, 0]
    assert panel.version.label == "v2 \u00b7 11 items (latest)"
    assert panel.targets.options == ("double", "triple")
    assert panel.targets.value == ("double",)
    assert panel.scorers.options == ("exact",)
    assert panel.items.total == 11
    panel.version.value = 1
    assert panel.items.total == 10
    assert panel.run_all_button.description == "Run all (10)"


def test_checkboxes_and_filters_select_items_with_a_live_count(panel: RunPanel) -> None:
    panel.items.checkbox("i01").value = True
    panel.items.checkbox("i02").value = True
    assert panel.items.selected == ["i01", "i02"]
    assert "2 of 10 selected" in panel.items.selected_label.value
    assert panel.run_selected_button.description == "Run selected (2)"
    panel.items.checkbox("i03").value = True
    panel.meta_filter.value = "tier=0"
    assert [r["item_id"] for r in panel.items.rows] == ["i00", "i03", "i06", "i09"]
    assert panel.items.selected == ["i03"]  # the filter bounds the selection
    assert "1 of 4 selected" in panel.items.selected_label.value
    panel.items.select_all_button.click()
    assert "4 of 4 selected" in panel.items.selected_label.value
    assert panel.run_selected_button.description == "Run selected (4)"
    assert panel.run_all_button.description == "Run all (10)"
    panel.items.search.value = "i0"
    assert panel.items.total == 4
    panel.meta_filter.value = "tier=1, lang=en"
    assert [r["item_id"] for r in panel.items.rows] == ["i01", "i04", "i07"]
    assert panel.items.selected == []
    panel.meta_filter.value = ""
    assert panel.items.total == 10


def test_a_bad_metadata_filter_is_explained(panel: RunPanel) -> None:
    panel.meta_filter.value = "tier"
    assert "metadata filter &#x27;tier&#x27;: write key=value" in panel.message.value
    assert panel.items.total == 10


def test_run_selected_starts_at_once_and_fills_in_as_items_finish(
    wb: Workbench, panel: RunPanel, gate: threading.Event
) -> None:
    def slow(x: int) -> int:
        if x == 3:
            gate.wait(TIMEOUT)
        return 2 * x

    wb.register(slow)
    panel.refresh()
    panel.targets.value = ("slow",)
    panel.scorers.value = ("exact",)
    started: list[Run] = []
    panel.on_run(started.append)
    panel.items.select(["i01", "i02", "i03"])
    panel.run_selected_button.click()  # returns while item i03 is still blocked
    assert len(started) == 1
    run = started[0]
    assert not run.done()
    assert panel.busy
    assert not panel.cancel_button.disabled
    assert panel.run_all_button.disabled
    assert wait_until(lambda: panel.progress.value == 2)
    assert panel.progress.max == 3
    assert wait_until(lambda: "2 of 3 done" in panel.status.value)
    assert "ETA" in panel.status.value
    assert wait_until(lambda: panel.results.total == 2)
    assert not run.done()
    gate.set()
    assert wait_until(lambda: not panel.busy)
    assert run.status == "completed"
    assert panel.progress.value == 3
    assert panel.progress.bar_style == "success"
    assert "3 of 3 done &middot; 0 errors" in panel.status.value
    assert panel.results.total == 3
    assert sorted(r["item_id"] for r in panel.results.rows) == ["i01", "i02", "i03"]
    assert panel.results.columns is not None
    assert "score_exact" in panel.results.columns
    assert set(run.results()["item_id"]) == {"i01", "i02", "i03"}
    assert run.manifest.scorers[0]["name"] == "exact"
    assert run.manifest.dataset_version == 1
    assert not panel.run_all_button.disabled


def test_several_targets_start_one_run_each(wb: Workbench, panel: RunPanel) -> None:
    wb.register(triple)
    panel.refresh()
    panel.targets.value = ("double", "triple")
    panel.scorers.value = ("exact",)
    runs = panel.run_all()
    assert [r.manifest.target["name"] for r in runs] == ["double", "triple"]
    assert wait_until(lambda: not panel.busy)
    assert panel.progress.value == 20
    assert panel.results.total == 20
    scores = {r.manifest.target["name"]: r.results()["score_exact"].mean() for r in runs}
    assert scores == {"double": 1.0, "triple": pytest.approx(0.1)}  # only item 0 has 3*0 == 2*0
    assert {r.id for r in runs} == set(wb.runs()["run_id"])


def test_cancel_stops_the_runs_and_keeps_finished_items(wb: Workbench, panel: RunPanel, gate: threading.Event) -> None:
    def stuck(x: int) -> int:
        if x >= 2:
            gate.wait(TIMEOUT)
        return x

    wb.register(stuck)
    panel.refresh()
    panel.targets.value = ("stuck",)
    [run] = panel.run_all()
    assert wait_until(lambda: panel.progress.value == 2)
    panel.cancel_button.click()
    assert run.status == "cancelled"
    assert wait_until(lambda: not panel.busy)
    assert "cancelled" in panel.status.value
    assert panel.progress.bar_style in ("success", "danger")
    assert sorted(run.results()["item_id"]) == ["i00", "i01"]
    assert "Cancelled 1 run(s)" in panel.message.value


def test_errors_are_counted_and_shown(wb: Workbench, panel: RunPanel) -> None:
    def flaky(x: int) -> int:
        if x % 2:
            raise RuntimeError("odd <input>")
        return x

    wb.register(flaky)
    panel.refresh()
    panel.targets.value = ("flaky",)
    panel.run_all_button.click()
    assert wait_until(lambda: not panel.busy)
    assert "10 of 10 done &middot; 5 errors" in panel.status.value
    assert panel.progress.bar_style == "danger"
    shown = panel.results.grid.children
    assert any("odd &lt;input&gt;" in getattr(w, "value", "") for w in shown)
    assert not any("<input>" in getattr(w, "value", "") for w in shown)


def test_launch_problems_are_shown_not_raised(wb: Workbench, panel: RunPanel) -> None:
    panel.run_selected_button.click()
    assert "Select items first" in panel.message.value
    panel.targets.value = ()
    panel.run_all_button.click()
    assert "Pick at least one target" in panel.message.value
    wb.register(lambda x: x, name="dup")
    panel.refresh()
    panel.targets.value = ("dup",)
    panel.scorers.value = ("exact",)
    wb.registry.remove("exact")
    panel.run_all_button.click()
    assert "no scorer registered as &#x27;exact&#x27;" in panel.message.value
    assert wb.runs().empty


def test_an_empty_store_shows_empty_pickers(wb: Workbench) -> None:
    p = RunPanel(wb)
    assert p.dataset.options == ()
    assert p.items.total == 0
    p.run_all_button.click()
    assert "Create a dataset first" in p.message.value


def test_model_targets_from_the_stores_prompt_versions_run_from_the_panel(
    wb: Workbench, panel: RunPanel, llm_server: SimulatedLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    wb.create_prompt("ans", "What is twice {{ input }}?")
    wb.create_prompt("ans", "Double {{ input }}, answer with a number.")
    panel.refresh()
    assert panel.prompts.options == ("ans@1", "ans@2")
    panel.add_models_button.click()
    assert "Type one or more models" in panel.message.value
    panel.models.value = "openai:sim-1"
    panel.prompts.value = ("ans@2",)
    panel.add_models_button.click()
    assert panel.targets.value == ("openai:sim-1/ans@2",)
    assert "Added 1 model target(s)" in panel.message.value
    panel.items.select(["i01", "i02"])
    [run] = panel.run_selected()
    assert wait_until(lambda: not panel.busy)
    assert run.status == "completed"
    assert run.manifest.target["prompt"] == "ans@2"
    assert run.results()["output"].notna().all()
    panel.models.value = "gpt-4"
    panel.provider.value = "anthropic"
    panel.add_models_button.click()
    assert panel.targets.value == ("anthropic:gpt-4/ans@2",)  # a model without a provider takes the one chosen


def test_a_refresh_keeps_the_choices_and_the_ticked_items(wb: Workbench, panel: RunPanel) -> None:
    panel.scorers.value = ("exact",)
    panel.items.select(["i04", "i05"])
    wb.dataset("qa").delete_items(["i05"])
    panel.refresh()  # e.g. the app's tab opened again after an edit in the Datasets tab
    assert panel.version.value == 2  # the latest is followed
    assert panel.items.selected == ["i04"]
    assert panel.scorers.value == ("exact",)
    assert panel.targets.value == ("double",)


class _GrowingRun:
    """A run whose units finish one per tick; reading its results takes 1 (fake) second."""

    def __init__(self, total: int, clock: list[float]) -> None:
        self.total = total
        self.done_count = 0
        self.clock = clock
        self.loads = 0
        self.manifest = types.SimpleNamespace(target={"name": "grow"})

    @property
    def progress(self) -> dict[str, Any]:
        status = "running" if self.done_count < self.total else "completed"
        return {"done": self.done_count, "errors": 0, "total": self.total, "status": status}

    def results(self) -> pd.DataFrame:
        self.loads += 1
        self.clock[0] += 1.0
        n = self.done_count
        return pd.DataFrame({"item_id": [f"i{k}" for k in range(n)], "repeat": [0] * n, "output": list(range(n))})


def test_live_results_reload_at_most_every_four_reload_durations(panel: RunPanel) -> None:
    clock = [0.0]
    panel._throttle = ReloadThrottle(0.25, clock=lambda: clock[0])
    run = _GrowingRun(200, clock)
    runs: list[Any] = [run]
    shown = -1
    for _tick in range(200):  # a poll every 0.25 (fake) s, one more unit done each time
        run.done_count += 1
        clock[0] += 0.25
        shown = panel._update(runs, 0.0, shown, final=False)
        assert panel.progress.value == run.done_count  # the progress itself is never throttled
    assert run.loads <= 20  # 50 s of ticks + 1 s per reload, at most one reload every 4 s
    assert run.loads >= 3
    shown = panel._update(runs, 0.0, shown, final=True)  # the end always reloads
    assert shown == 200
    assert panel.results.total == 200
    assert panel.results.columns is not None
    assert "output" in panel.results.columns


def test_the_throttle_waits_four_times_the_last_reload() -> None:
    clock = [0.0]
    throttle = ReloadThrottle(0.25, clock=lambda: clock[0])
    assert throttle.due()

    def reload() -> None:
        clock[0] += 2.0

    throttle.run(reload)
    assert throttle.wait == 8.0
    clock[0] += 5.9
    assert not throttle.due()  # 7.9 s after the reload started
    clock[0] += 0.1
    assert throttle.due()
    assert throttle.count == 1


def test_a_base_url_reaches_the_server_and_stays_in_the_runs_spec_without_the_key(
    wb: Workbench, panel: RunPanel, llm_server: SimulatedLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-stored-1234567890")
    panel.models.value = "sim-large"
    panel.base_url.value = llm_server.openai_base_url
    panel.add_models_button.click()
    assert panel.targets.value == ("openai:sim-large",)
    panel.items.select(["i01", "i02"])
    [run] = panel.run_selected()
    assert wait_until(lambda: not panel.busy)
    assert run.status == "completed"
    assert run.results()["error"].isna().all()
    assert len(llm_server.requests) == 2
    assert run.manifest.target["base_url"] == llm_server.openai_base_url
    stored = "".join(p.read_text(errors="replace") for p in run.folder.rglob("*") if p.is_file())
    assert "sk-never-stored" not in stored
    assert panel.failed.value == ""


def test_the_anthropic_provider_with_its_base_url(
    wb: Workbench, panel: RunPanel, llm_server: SimulatedLLMServer
) -> None:
    panel.models.value = "sim-large"
    panel.provider.value = "anthropic"
    panel.base_url.value = llm_server.anthropic_base_url
    panel.add_models_button.click()
    assert panel.targets.value == ("anthropic:sim-large",)
    [run] = panel.run_all()
    assert wait_until(lambda: not panel.busy)
    assert (run.status, run.manifest.target["base_url"]) == ("completed", llm_server.anthropic_base_url)
    assert all("/messages" in r.path for r in llm_server.requests)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("127.0.0.1:8000/v1", "write http://host:port/v1"),
        ("ftp://example.org/v1", "write http://host:port/v1"),
        ("http://me:sk-secret@127.0.0.1:9/v1", "no user name or key in the URL"),
    ],
)
def test_a_bad_base_url_is_refused_and_adds_no_target(panel: RunPanel, url: str, message: str) -> None:
    before = panel.targets.options
    panel.models.value = "sim-large"
    panel.base_url.value = url
    assert panel.add_models() == []
    assert message in panel.message.value
    assert "sk-secret" not in panel.message.value
    assert panel.targets.options == before


def test_a_run_where_every_item_errored_shows_failed_with_its_first_error(wb: Workbench, panel: RunPanel) -> None:
    def broken(x: int) -> int:
        raise RuntimeError(f"no <luck> for {x}")

    wb.register(broken)
    panel.refresh()
    panel.targets.value = ("broken",)
    panel.items.select(["i03"])
    [run] = panel.run_selected()
    assert wait_until(lambda: not panel.busy)
    assert panel.progress.bar_style == "danger"
    assert f"run {run.id} failed: item i03:" in panel.failed.value
    assert "no &lt;luck&gt; for 3" in panel.failed.value
    assert run.status in panel.status.value
