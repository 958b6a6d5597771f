"""``wb.summarize``: every figure of a run's summary, checked against hand-computed values."""

from __future__ import annotations

import json
import math
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.analysis._declared import declare, replies
from workbench import NotFoundError, Run, TargetResult, ValidationError, Workbench, scorers
from workbench.analysis import Summary, summarize
from workbench.runs._manifest import RunManifest, ShardState, write_manifest
from workbench.runs._results import RESULT_SCHEMA
from workbench.targets import ToolCall, Usage

T975 = {3: 3.182446305284263, 4: 2.7764451051977987}


def answer(k: int) -> TargetResult:
    """Item 5 fails; the others answer their number with known tokens and cost."""
    if k == 5:
        raise RuntimeError("boom")
    return TargetResult(output=k, usage=Usage(input_tokens=10, output_tokens=k), cost=0.001 * (k + 1))


def exact(output: Any, expected: Any) -> bool:
    return bool(output == expected)


def quarter(output: int) -> float:
    """output / 4, and a scorer error on item 4."""
    if output == 4:
        raise ValueError("cannot score 4")
    return output / 4


@pytest.fixture
def run(wb: Workbench) -> Run:
    ds = wb.create_dataset("d")
    ds.add_items([{"item_id": f"i{k}", "input": k, "expected_output": 99 if k == 1 else k} for k in range(6)])
    return wb.run_sync("d", answer, scorers=[exact, quarter], repeats=2)


def test_overview_counts_coverage_success_tokens_and_cost(wb: Workbench, run: Run) -> None:
    o = wb.summarize(run.id).overview
    assert (o["items"], o["repeats"], o["units"], o["dataset_items"]) == (6, 2, 12, 6)
    assert o["coverage"] == 1.0
    assert (o["errors"], o["scorer_errors"]) == (2, 2)
    assert o["success_rate"] == pytest.approx(10 / 12)
    assert (o["tokens_in"], o["tokens_out"]) == (100, 2 * (0 + 1 + 2 + 3 + 4))
    assert o["cost_total"] == pytest.approx(2 * 0.001 * (1 + 2 + 3 + 4 + 5))
    assert o["cost_per_item"] == pytest.approx(0.030 / 6)
    assert (o["tool_calls"], o["tool_calls_succeeded_share"], o["tool_calls_missing"]) == (0, None, None)


def test_latency_percentiles_interpolate_between_the_observed_latencies(wb: Workbench, run: Run) -> None:
    latencies = run.results()["latency_s"].to_numpy()
    o = wb.summarize(run).overview
    assert o["latency_mean"] == pytest.approx(latencies.mean())
    for q in (50, 95, 99):
        assert o[f"latency_p{q}"] == pytest.approx(np.percentile(latencies, q))


def test_scorer_means_clustered_intervals_errors_and_pass_rates(wb: Workbench, run: Run) -> None:
    df = wb.summarize(run).scorers.set_index("scorer")
    # exact: item means 1, 0, 1, 1, 1 (item 5 failed, no score) -> sd sqrt(0.2), 5 items
    ex = df.loc["exact"]
    half = T975[4] * math.sqrt(0.2) / math.sqrt(5)
    assert (ex["n"], ex["errors"], ex["pass_mark"]) == (10, 0, 0.5)
    assert ex["mean"] == pytest.approx(0.8)
    assert (ex["ci_low"], ex["ci_high"]) == (pytest.approx(0.8 - half), pytest.approx(0.8 + half))
    assert ex["pass_rate"] == pytest.approx(0.8)
    # quarter: 0, 0.25, 0.5, 0.75 on items 0-3; item 4 is a scorer error (excluded, counted)
    q = df.loc["quarter"]
    sd = float(np.std([0, 0.25, 0.5, 0.75], ddof=1))
    half = T975[3] * sd / 2
    assert (q["n"], q["errors"]) == (8, 2)
    assert q["mean"] == pytest.approx(0.375)
    assert (q["ci_low"], q["ci_high"]) == (pytest.approx(0.375 - half), pytest.approx(0.375 + half))
    assert q["pass_rate"] == pytest.approx(0.5)  # 0.5 and 0.75 pass at 0.5


def test_pass_mark_as_one_number_or_per_scorer(wb: Workbench, run: Run) -> None:
    one = wb.summarize(run, pass_marks=0.3).scorers.set_index("scorer")
    assert one.loc["quarter", "pass_rate"] == pytest.approx(0.5)  # 0.5, 0.75
    assert one.loc["quarter", "pass_mark"] == 0.3
    per = wb.summarize(run, pass_marks={"quarter": 0.6}).scorers.set_index("scorer")
    assert per.loc["quarter", "pass_rate"] == pytest.approx(0.25)
    assert per.loc["exact", "pass_mark"] == 0.5
    lower = wb.summarize(run, pass_marks={"quarter": 0.25}, directions={"quarter": "lower"}).scorers
    assert lower.set_index("scorer").loc["quarter", "pass_rate"] == pytest.approx(0.5)  # 0 and 0.25


def test_histogram_counts_per_bin(wb: Workbench, run: Run) -> None:
    h = wb.summarize(run, bins=4).histogram
    assert list(h.columns) == ["scorer", "bin_low", "bin_high", "count"]
    q = h[h["scorer"] == "quarter"]
    assert q["bin_low"].tolist() == [0.0, 0.25, 0.5, 0.75]
    assert q["bin_high"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert q["count"].tolist() == [2, 2, 2, 2]
    assert h[h["scorer"] == "exact"]["count"].tolist() == [2, 0, 0, 8]  # 1.0 falls in the last bin


def test_labels_count_each_units_effective_label(wb: Workbench, run: Run) -> None:
    assert wb.summarize(run).labels.empty
    run.label("i0", "success")
    run.label("i1", "failure_logic_bug")
    run.label("i1", "failure_logic_bug", repeat=1)
    labels = wb.summarize(run).labels
    assert labels.to_dict("records") == [
        {"label": "failure_logic_bug", "count": 2, "share": pytest.approx(2 / 3)},
        {"label": "success", "count": 1, "share": pytest.approx(1 / 3)},
    ]


def test_a_partial_run_reports_its_coverage(wb: Workbench) -> None:
    ds = wb.create_dataset("d")
    ds.add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(6)])
    half = wb.run_sync("d", answer, scorers=[exact], run_id="half", shard="0/2")
    o = wb.summarize(half).overview
    assert (o["items"], o["units"], o["dataset_items"], o["coverage"]) == (3, 3, 6, 0.5)


def tool_agent(k: int) -> TargetResult:
    calls = [
        ToolCall("search", {"q": "a"}, 0, result="found"),
        ToolCall("search", {"q": "b"}, 0, error="error: boom"),
        ToolCall("nope", {}, 1, error="error: there is no tool named 'nope'", valid=False),
    ]
    return TargetResult(output="done", tool_calls=calls)


def test_tool_calls_count_success_incorrect_and_missing(wb: Workbench) -> None:
    expected = [{"name": "search", "arguments": {"q": "a"}}, {"name": "search", "arguments": {"q": "z"}}, "lookup"]
    wb.create_dataset("t").add_items([{"item_id": f"t{k}", "input": k, "expected_output": expected} for k in range(3)])
    run = wb.run_sync("t", tool_agent, scorers=[scorers.tool_calls()])
    o = wb.summarize(run).overview
    # per unit: 3 calls, 1 succeeded; incorrect = 1 invalid + 1 valid call with wrong arguments; 1 missing
    assert o["tool_calls"] == 9
    assert o["tool_calls_succeeded_share"] == pytest.approx(1 / 3)
    assert (o["tool_calls_incorrect"], o["tool_calls_missing"]) == (6, 3)


def write_run(wb: Workbench, run_id: str, latencies: list[float], *, target: str, scorer: str) -> None:
    """A finished run written directly, with chosen latencies (the runner measures real ones)."""
    folder = wb.runs_dir / run_id
    (folder / "results").mkdir(parents=True)
    n = len(latencies)
    write_manifest(
        folder,
        RunManifest(
            id=run_id, dataset=None, dataset_version=None, selection="all", item_count=n, repeats=1,
            target={"kind": "function", "name": target}, scorers=[{"name": scorer, "kind": "function"}],
            settings={}, shards={"0/1": ShardState(status="completed", total=n, done=n)},
        ),
    )  # fmt: skip
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "item_id": f"i{k}", "repeat": 0, "output": json.dumps(f"<i>{k}</i>"), "latency_s": lat,
            "started_at": t0, "finished_at": t0 + timedelta(seconds=k),
            "scores": [{"scorer": scorer, "score": 1.0, "reason": "", "details": None, "error": None}],
        }
        for k, lat in enumerate(latencies)
    ]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=RESULT_SCHEMA), folder / "results" / "part-0.parquet")


def test_latency_histogram_and_percentiles_by_hand(wb: Workbench) -> None:
    write_run(wb, "lat", [3.0, 1.0, 10.0, 2.0, 4.0], target="t", scorer="s")
    s = wb.summarize("lat", bins=3)
    o = s.overview
    assert (o["latency_mean"], o["latency_p50"]) == (4.0, 3.0)
    assert o["latency_p95"] == pytest.approx(4 + 0.8 * 6)  # position 3.8 between 4 and 10
    assert o["latency_p99"] == pytest.approx(4 + 0.96 * 6)
    assert s.latency.to_dict("list") == {"bin_low": [1.0, 4.0, 7.0], "bin_high": [4.0, 7.0, 10.0], "count": [3, 1, 1]}
    assert (o["dataset_items"], o["coverage"], o["cost_total"]) == (None, 1.0, None)


def test_a_run_without_results_summarizes_to_zeros(wb: Workbench) -> None:
    write_run(wb, "empty", [], target="t", scorer="s")
    s = wb.summarize("empty")
    assert (s.overview["units"], s.overview["items"], s.overview["success_rate"]) == (0, 0, None)
    assert s.scorers["n"].tolist() == [0]
    assert s.histogram.empty
    assert s.latency.empty
    json.dumps(s.to_dict(), allow_nan=False)


def test_rendering_is_json_ready_escaped_and_readable(wb: Workbench) -> None:
    write_run(wb, "x", [1.0, 2.0], target="<script>alert(1)</script>", scorer="a<b>")
    s = summarize(wb.project, wb.get_run("x"))
    assert isinstance(s, Summary)
    data = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert data["target"] == "<script>alert(1)</script>"
    assert data["scorers"][0]["ci_low"] is None or isinstance(data["scorers"][0]["ci_low"], float)
    page = s._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "a&lt;b&gt;" in page
    md = s.to_markdown()
    assert "| a<b> ↑ | 2 | 1 |" in md
    assert "coverage 100.0%" in md


def test_bad_input_is_a_clear_error(wb: Workbench, run: Run) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        wb.summarize("nope")
    with pytest.raises(ValidationError, match="unknown scorer 'exactt'"):
        wb.summarize(run, pass_marks={"exactt": 0.5})
    with pytest.raises(ValidationError, match="finite number"):
        wb.summarize(run, pass_marks=float("nan"))
    with pytest.raises(ValidationError, match="bins"):
        wb.summarize(run, bins=0)
    with pytest.raises(ValidationError, match="direction"):
        wb.summarize(run, directions={"exact": "up"})


def test_item_success_rate_counts_items_none_of_whose_repeats_errored(wb: Workbench) -> None:
    ds = wb.create_dataset("flaky")
    ds.add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(4)])
    lock, seen = threading.Lock(), set()

    def flaky(k: int) -> int:
        """Item 0 always fails; item 1 fails the first time only (one of its two repeats)."""
        with lock:
            first = k not in seen
            seen.add(k)
        if k == 0 or (k == 1 and first):
            raise RuntimeError("flaky")
        return k

    s = wb.run_sync("flaky", flaky, scorers=[exact], repeats=2, max_retries=0)
    o = wb.summarize(s).overview
    # 8 units, 3 errors (i0 twice, i1 once); of 4 items, i0 and i1 had an errored repeat
    assert (o["units"], o["errors"]) == (8, 3)
    assert o["success_rate"] == pytest.approx(5 / 8)
    assert o["item_success_rate"] == pytest.approx(2 / 4)
    md = wb.summarize(s).to_markdown()
    assert "| success rate | 62.5% (3 errors, 0 scorer errors) |" in md
    assert "| item success rate | 50.0% (items with no errored repeat) |" in md
    assert wb.summarize(s).tables()["overview"]["figure"].tolist()[2:4] == ["success rate", "item success rate"]
    single = wb.run_sync("flaky", flaky, scorers=[exact], max_retries=0)  # no repeats: i0 fails, the same rate
    o1 = wb.summarize(single).overview
    assert o1["item_success_rate"] == o1["success_rate"] == pytest.approx(3 / 4)


def wrongness(output: Any, expected: Any) -> float:
    """Lower is better: 1 when the output is wrong, 0 when it is right."""
    return float(output != expected)


def test_a_scorer_declares_its_direction_and_pass_mark_once(wb: Workbench) -> None:
    wb.create_dataset("w").add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(4)])
    run = wb.run_sync("w", lambda k: -1 if k == 1 else k, scorers=[wrongness])  # wrongness 0, 1, 0, 0
    before = wb.summarize(run).scorers.iloc[0]
    assert (before["direction"], before["pass_mark"], before["pass_rate"]) == ("higher", 0.5, 0.25)
    declare(run, "wrongness", direction="lower", pass_mark=0.0)
    row = wb.summarize(run).scorers.iloc[0]
    assert (row["direction"], row["pass_mark"]) == ("lower", 0.0)
    assert row["pass_rate"] == pytest.approx(0.75)  # the three zeros pass at or below 0
    assert "wrongness ↓" in wb.summarize(run).to_markdown()
    assert "75.0% (≤ 0)" in wb.summarize(run).to_markdown()
    # the per-call keywords override what the scorer declares
    over = wb.summarize(run, directions={"wrongness": "higher"}, pass_marks={"wrongness": 1.0}).scorers.iloc[0]
    assert (over["direction"], over["pass_mark"], over["pass_rate"]) == ("higher", 1.0, 0.25)
    declare(run, "wrongness", direction="sideways")
    with pytest.raises(ValidationError, match="scorer 'wrongness' has direction 'sideways'"):
        wb.summarize(run)


def test_cache_hits_are_counted_and_left_out_of_latency_and_cost(wb: Workbench) -> None:
    wb.create_dataset("c").add_items([{"item_id": f"i{k}", "input": k} for k in range(6)])
    run = wb.run_sync("c", replies(lambda k: k % 3 != 0), scorers=[exact])  # i0 and i3 fresh, 4 cache hits
    o = wb.summarize(run).overview
    assert (o["cache_hits"], o["cache_hit_share"]) == (4, pytest.approx(4 / 6))
    assert o["latency_p50"] >= 0.05  # the fresh units' latency, not the cache's milliseconds
    assert o["latency_mean"] >= 0.05
    assert o["cost_total"] == pytest.approx(0.02)
    assert o["cost_per_item"] == pytest.approx(0.01)  # what an item costs uncached, not 0.02 / 6
    assert wb.summarize(run).latency["count"].sum() == 2
    text = wb.summarize(run).to_markdown()
    assert "| cache hits | 4 of 6 units (66.7%), left out of latency and cost |" in text
    fresh = wb.run_sync("c", replies(lambda k: False, fresh_latency=0.0))
    assert (wb.summarize(fresh).overview["cache_hits"], wb.summarize(fresh).overview["cache_hit_share"]) == (0, 0.0)
    assert "| cache hits | none |" in wb.summarize(fresh).to_markdown()
