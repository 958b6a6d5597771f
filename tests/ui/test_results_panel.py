"""The Results panel: every unit with scores, tool calls and labels; filters; labelling; escaping."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets
import pytest

from tests.analysis._declared import declare
from workbench import Run, Workbench
from workbench.project import TAXONOMY_FILE
from workbench.records import OUTCOMES
from workbench.records._usage import Usage
from workbench.targets import TargetResult, ToolCall
from workbench.ui._results import ResultsPanel

from .test_run_panel import wait_until

SCRIPT = "<script>alert('x')</script>"


def answer(x: int) -> TargetResult:
    """Even inputs right, odd ones wrong; item 3 answers with a script tag; every call uses a tool."""
    output: Any = SCRIPT if x == 3 else (2 * x if x % 2 == 0 else -1)
    call = ToolCall(name="calc", arguments={"x": x}, step=1, result=2 * x, latency_s=0.01)
    return TargetResult(output=output, usage=Usage(input_tokens=10 + x, output_tokens=5), cost=0.001, tool_calls=[call])


def exact(output: Any, expected: Any) -> tuple[float, str]:
    return float(output == expected), f"wanted {expected}"


def closeness(output: Any, expected: Any) -> float:
    return 1.0 if output == expected else 0.25


@pytest.fixture
def run(wb: Workbench) -> Run:
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": f"i{k}", "input": k, "expected_output": 2 * k} for k in range(6)])
    finished = wb.run_sync("qa", answer, scorers=[exact, closeness], progress=False)
    ds.update_item("i0", expected_output=999)  # a later version: the panel shows the run's version
    return finished


@pytest.fixture
def panel(wb: Workbench, run: Run) -> ResultsPanel:
    p = ResultsPanel(wb)
    p.show(run.id)
    return p


def shown_text(panel: ResultsPanel) -> str:
    return "\n".join(str(getattr(w, "value", "")) for w in panel.table.grid.children)


def test_every_unit_shows_input_expected_output_scores_tools_tokens_cost_latency(panel: ResultsPanel, run: Run) -> None:
    assert panel.run.value == run.id
    assert panel.table.total == 6
    row = next(r for r in panel.table.rows if r["unit"] == "i2")
    assert row["input"] == 2
    assert row["expected_output"] == 4
    assert row["output"] == 4
    assert row["scores"] == "closeness: 1; exact: 1 \u2014 wanted 4"
    assert row["tool_calls"] == "1: calc"
    assert row["tokens"] == "12 in / 5 out"
    assert row["cost"] == "0.001"
    assert float(row["latency_s"]) >= 0
    first = next(r for r in panel.table.rows if r["unit"] == "i0")
    assert first["expected_output"] == 0  # from the version the run used, not the latest (999)
    assert "6 of 6 results shown" in panel.summary.value


def test_clicking_a_unit_shows_it_in_full_and_picks_it_for_labelling(panel: ResultsPanel) -> None:
    panel.table.open_button("i1").click()
    detail = panel.detail.value
    assert "<h4>i1</h4>" in detail
    assert "wanted 2" in detail
    assert "calc" in detail
    assert "{&quot;x&quot;:1}" in detail
    assert panel.label_item.value == "i1"


def test_outputs_are_escaped_everywhere(panel: ResultsPanel) -> None:
    assert SCRIPT not in shown_text(panel)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown_text(panel)
    panel.table.open_button("i3").click()
    assert "<script>" not in panel.detail.value
    assert "&lt;script&gt;" in panel.detail.value


def test_a_human_label_with_a_note_is_saved_and_shown(panel: ResultsPanel, run: Run) -> None:
    panel.table.open_button("i1").click()
    panel.label_select.value = "failure_logic_bug"
    panel.label_note.value = "returned -1 <always>"
    panel.label_save.click()
    labels = run.labels()
    assert labels[["item_id", "label", "source", "note"]].values.tolist() == [
        ["i1", "failure_logic_bug", "human", "returned -1 <always>"]
    ]
    assert "Labelled i1 as failure_logic_bug" in panel.label_message.value
    assert next(r for r in panel.table.rows if r["unit"] == "i1")["label"] == "failure_logic_bug"
    assert "returned -1 &lt;always&gt;" in panel.detail.value
    assert ("failure_logic_bug", "failure_logic_bug") in panel.label_filter.options


def test_the_labels_are_one_button_per_label_of_the_store_taxonomy(wb: Workbench, panel: ResultsPanel) -> None:
    assert isinstance(panel.label_select, widgets.ToggleButtons)
    assert panel.label_select.options == OUTCOMES
    assert panel.label_select.value is None
    wb.add_labels("needs_review")
    panel.reload()  # another process (or cell) added a label: the next reload shows its button
    assert panel.label_select.options == (*OUTCOMES, "needs_review")
    panel.table.open_button("i1").click()
    panel.label_select.value = "needs_review"
    panel.label_save.click()
    assert "Labelled i1 as needs_review" in panel.label_message.value
    assert ResultsPanel(wb).label_select.options == (*OUTCOMES, "needs_review")


def test_opening_a_unit_selects_its_label_button(panel: ResultsPanel, run: Run) -> None:
    run.label("i1", "failure_logic_bug")
    run.auto_label(rules=[("failure_timeout_budget", lambda u: u.row["item_id"] == "i2")])  # not in the taxonomy
    panel.reload()
    panel.table.open_button("i1").click()
    assert panel.label_select.value == "failure_logic_bug"
    panel.table.open_button("i2").click()
    assert panel.label_select.value is None  # no button for it
    panel.table.open_button("i3").click()
    assert panel.label_select.value is None


def test_saving_without_a_label_or_for_an_unknown_item_shows_why_and_writes_nothing(
    panel: ResultsPanel, run: Run
) -> None:
    panel.label_item.value = "i2"
    panel.label_save.click()
    assert "Pick a label first." in panel.label_message.value
    assert "wb-msg-error" in panel.label_message.value
    panel.label_item.value = "i9"
    panel.label_select.value = "success"
    panel.label_save.click()
    assert "has no result for item &#x27;i9&#x27;" in panel.label_message.value
    assert run.labels().empty


def test_a_label_removed_from_the_store_file_is_refused_with_the_closest_one(
    wb: Workbench, panel: ResultsPanel, run: Run
) -> None:
    wb.add_labels("needs_review")
    panel.reload()
    panel.label_item.value = "i2"
    panel.label_select.value = "needs_review"
    (wb.root / TAXONOMY_FILE).write_text('{"labels": ["needs_reviews"]}')  # changed behind the panel's back
    panel.label_save.click()
    assert "did you mean &#x27;needs_reviews&#x27;?" in panel.label_message.value
    assert run.labels().empty


def test_typing_an_item_id_shows_it(panel: ResultsPanel) -> None:
    panel.label_item.value = "i4"
    assert "<h4>i4</h4>" in panel.detail.value


def test_filter_by_label(panel: ResultsPanel, run: Run) -> None:
    run.label("i1", "failure_logic_bug")
    run.label("i5", "failure_logic_bug")
    run.label("i2", "success")
    panel.reload()
    panel.label_filter.value = "failure_logic_bug"
    assert sorted(r["unit"] for r in panel.table.rows) == ["i1", "i5"]
    panel.label_filter.value = "__none__"
    assert sorted(r["unit"] for r in panel.table.rows) == ["i0", "i3", "i4"]
    assert "3 of 6 results shown" in panel.summary.value


def test_filter_by_scorer_and_score_range(panel: ResultsPanel) -> None:
    assert panel.score_range.disabled
    panel.scorer.value = "closeness"
    assert not panel.score_range.disabled
    panel.score_range.value = (0.0, 0.5)
    assert sorted(r["unit"] for r in panel.table.rows) == ["i1", "i3", "i5"]
    panel.score_range.value = (0.5, 1.0)
    assert sorted(r["unit"] for r in panel.table.rows) == ["i0", "i2", "i4"]
    panel.table.search.value = "i4"
    assert [r["unit"] for r in panel.table.rows] == ["i4"]


def test_the_run_picker_lists_runs_and_follows_new_ones(wb: Workbench, panel: ResultsPanel, run: Run) -> None:
    other = wb.run_sync("qa", lambda x: x, progress=False)
    panel.show(other.id)
    assert [v for _, v in panel.run.options] == [other.id, run.id]
    assert panel.table.total == 6
    assert panel.scorer.options == (("any", "__any__"),)
    panel.run.value = run.id
    assert [label for label, _ in panel.scorer.options] == ["any", "closeness", "exact"]
    label = {v: k for k, v in panel.run.options}[run.id]
    assert "answer" in label
    assert "qa@v1" in label


def test_errors_and_scorer_errors_are_shown(wb: Workbench) -> None:
    wb.create_dataset("d").add_items([{"item_id": "a", "input": 1}, {"item_id": "b", "input": 2}])

    def boom(x: int) -> int:
        if x == 2:
            raise ValueError("bad <b>input</b>")
        return x

    def picky(output: Any) -> float:
        raise RuntimeError("cannot judge")

    finished = wb.run_sync("d", boom, scorers=[picky], progress=False)
    p = ResultsPanel(wb)
    p.show(finished.id)
    rows = {r["unit"]: r for r in p.table.rows}
    assert "bad <b>input</b>" in rows["b"]["error"]
    assert "picky: error (RuntimeError: cannot judge)" in rows["a"]["scores"]
    assert "bad &lt;b&gt;input&lt;/b&gt;" in shown_text(p)


def test_an_empty_store_and_unknown_runs(wb: Workbench) -> None:
    p = ResultsPanel(wb)
    assert list(p.run.options) == []
    assert p.table.total == 0
    p.label_save.click()
    assert "Pick a run and an item first" in p.label_message.value
    p.label_item.value = "x"
    p.label_save.click()
    assert "Pick a run and an item first" in p.label_message.value
    with pytest.raises(KeyError, match="run 'nope' does not exist"):
        p.show("nope")


def test_a_running_run_fills_in_by_itself(wb: Workbench) -> None:
    wb.create_dataset("d").add_items([{"item_id": f"u{k}", "input": k} for k in range(4)])
    gate = threading.Event()

    def slow(x: int) -> int:
        if x >= 2:
            gate.wait(20)
        return x

    p = ResultsPanel(wb, poll_interval=0.02)
    try:
        run = wb.run("d", slow, progress=False)
        p.show(run.id)
        assert wait_until(lambda: p.table.total == 2)
        assert p.watching
        gate.set()
        assert wait_until(lambda: p.table.total == 4 and not p.watching)
        assert "run completed" in p.summary.value
        shown = {v: k for k, v in p.run.options}[run.id]
        assert "completed" in shown  # the dropdown's text follows the run
        assert "pending" not in shown
    finally:
        gate.set()
        p.close()


def test_the_watchers_quiet_changes_never_swallow_the_users_run_choice(
    wb: Workbench, panel: ResultsPanel, run: Run
) -> None:
    other = wb.run_sync("qa", lambda x: x, progress=False)
    panel.refresh()  # both runs offered; the first is still shown
    assert panel.run.value == run.id
    holding, release = threading.Event(), threading.Event()
    quiet_there: list[bool] = []

    def watcher() -> None:  # what the watcher does while it sets the dropdowns' options
        panel._quiet = True
        try:
            quiet_there.append(panel._quiet)
            holding.set()
            release.wait(10)
        finally:
            panel._quiet = False

    helper = threading.Thread(target=watcher)
    helper.start()
    try:
        assert holding.wait(10)
        assert not panel._quiet  # quiet in the watcher's thread only
        panel.run.value = other.id  # the user picks another run in that window
    finally:
        release.set()
        helper.join(10)
    assert quiet_there == [True]
    assert panel._run is not None
    assert panel._run.id == other.id
    assert panel.scorer.options == (("any", "__any__"),)  # the other run's data (no scorers)
    panel.table.open_button("i1").click()
    panel.label_select.value = "success"
    panel.label_save.click()
    assert run.labels().empty
    assert other.labels()["item_id"].tolist() == ["i1"]


def test_a_label_goes_to_the_run_the_dropdown_shows(wb: Workbench, panel: ResultsPanel, run: Run) -> None:
    other = wb.run_sync("qa", lambda x: x, progress=False)
    panel.refresh()
    panel._quiet = True  # an observer swallowed (as a shared flag could): the dropdown moves, the data stay
    panel.run.value = other.id
    panel._quiet = False
    assert panel._run is not None
    assert panel._run.id == run.id
    panel.label_item.value = "i1"
    panel.label_select.value = "success"
    panel.label_save.click()
    assert "Labelled i1 as success" in panel.label_message.value
    assert run.labels().empty
    assert other.labels()["item_id"].tolist() == ["i1"]
    assert panel._run.id == other.id  # and the panel shows that run's data now


class _GrowingRun:
    """A run going on in fake time: each watcher tick (its stop event's wait) finishes one more unit."""

    def __init__(self, real: Run, ticks: int, poll: float) -> None:
        self.id = real.id
        self.scorers = real.manifest.scorers
        self.ticks = ticks
        self.poll = poll
        self.tick = 0
        self.now = 0.0
        self.loads: list[str] = []

    # the watcher's stop event
    def wait(self, _timeout: float) -> bool:
        self.tick += 1
        self.now += self.poll
        return False

    def is_set(self) -> bool:
        return False

    # the run (and its manifest)
    @property
    def manifest(self) -> _GrowingRun:
        return self

    @property
    def status(self) -> str:
        return "running" if self.tick < self.ticks else "completed"

    def counts(self) -> dict[str, int]:
        return {"done": min(self.tick, self.ticks)}


def test_a_live_run_is_reloaded_at_most_every_four_reload_durations(
    wb: Workbench, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.ui import _results

    p = ResultsPanel(wb, poll_interval=0.25)
    p.show(run.id)
    full, scores = _results.unit_frame(wb, run), _results.unit_scores(run)
    growing = _GrowingRun(run, ticks=200, poll=0.25)

    def counting_frame(_wb: Workbench, shown: Any) -> Any:  # every reload takes 1 (fake) second
        growing.loads.append(shown.status)
        growing.now += 1.0
        return full.iloc[: len(full) * shown.counts()["done"] // shown.ticks]

    monkeypatch.setattr(_results, "unit_frame", counting_frame)
    monkeypatch.setattr(_results, "unit_scores", lambda _run: scores)
    monkeypatch.setattr(wb, "get_run", lambda _run_id: growing)
    p._stop = growing  # type: ignore[assignment]
    p._clock = lambda: growing.now
    p._watched = run.id
    p._poll(run.id)  # in this thread: 200 ticks, each with one more unit done

    assert growing.tick == 200
    # 50 s of ticks + 1 s per reload, a reload at most every 4 s, plus the last: far fewer than 200
    assert 3 <= len(growing.loads) <= 20
    assert growing.loads[-1] == "completed"  # always reloaded once the run ended
    assert p.table.total == 6
    assert "6 of 6 results shown &middot; run completed" in p.summary.value


def test_each_score_is_judged_against_its_scorers_declared_pass_mark(wb: Workbench, run: Run) -> None:
    declare(run, "closeness", direction="lower", pass_mark=0.5)  # as a scorer made with direction="lower" says
    panel = ResultsPanel(wb)
    panel.show(run.id)
    assert [label for label, _ in panel.scorer.options] == ["any", "closeness \u2193", "exact"]
    panel.table.open_button("i1").click()  # wrong: exact 0, closeness 0.25
    detail = panel.detail.value
    assert "<td>exact</td><td>0</td><td>fail (\u2265 0.5)</td>" in detail
    assert "<td>closeness</td><td>0.25</td><td>pass (\u2264 0.5)</td>" in detail
