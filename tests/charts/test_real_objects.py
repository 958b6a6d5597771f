"""The builders on what the analysis really returns, from small runs on a real store."""

from __future__ import annotations

from typing import Any

import pytest

from tests.charts import _data
from workbench import Run, Workbench, charts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QUESTIONS = {f"q{k:02d}": (f"What is {k} + {k}?", str(2 * k)) for k in range(12)}


def bot_v1(input: Any, item_id: str) -> str:  # noqa: A002 - the item's field
    """Right on the first eight questions."""
    k = int(item_id[1:])
    return QUESTIONS[item_id][1] if k < 8 else "I am not sure"


def bot_v2(input: Any, item_id: str) -> str:  # noqa: A002 - the item's field
    """Right on all but q00 and q01 (a regression there), and wordy."""
    k = int(item_id[1:])
    return "no idea at all, sorry" if k < 2 else f"The answer is {QUESTIONS[item_id][1]}"


def correct(output: Any, expected: Any) -> float:
    return 1.0 if str(expected) in str(output) else 0.0


def brief(output: Any) -> float:
    return 1.0 if len(str(output).split()) <= 2 else 0.5


@pytest.fixture
def runs(wb: Workbench) -> tuple[Run, Run]:
    ds = wb.create_dataset("sums")
    ds.add_items([{"item_id": i, "input": q, "expected_output": a} for i, (q, a) in QUESTIONS.items()])
    first = wb.run_sync("sums", bot_v1, scorers=[correct, brief], progress=False)
    second = wb.run_sync("sums", bot_v2, scorers=[correct, brief], progress=False)
    return first, second


def test_a_real_comparison_charts_its_scores_and_items(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    comparison = wb.compare(base.id, cand.id)
    spec = charts.spec(charts.scorer_bars(comparison))
    point = next(v for v in _data.views(spec) if _data.mark_type(v) == "point")
    status = {r["scorer"]: r["status"] for r in _data.rows(spec, point)}
    expected = comparison.scorers.set_index("scorer")["regression"]
    assert {s for s, v in status.items() if v == "regression"} == {s for s, v in expected.items() if v}
    assert base.id in _data.subtitle(spec)

    deltas = charts.spec(charts.item_deltas(comparison, scorer="correct"))
    points = _data.rows(deltas)
    regressed = {p["example"] for p in points if p["change"] == "regressed"}
    assert sum(p["count"] for p in points if p["change"] == "regressed") == 2
    assert regressed <= {"q00", "q01"}
    assert charts.to_png(charts.item_deltas(comparison)).startswith(PNG_MAGIC)
    assert charts.to_png(charts.scorer_bars(comparison)).startswith(PNG_MAGIC)


def test_a_real_summary_charts_its_scores_and_latency(wb: Workbench, runs: tuple[Run, Run]) -> None:
    summary = wb.summarize(runs[0].id)
    bars = charts.spec(charts.scorer_bars(summary))
    assert {r["scorer"] for r in _data.rows(bars)} == {"correct", "brief"}
    latency = charts.spec(charts.latency_hist(summary))
    rule = next(v for v in _data.views(latency) if _data.mark_type(v) == "rule")
    marked = {r["percentile"]: r["value"] for r in _data.rows(latency, rule)}
    assert marked == pytest.approx({p: summary.overview[f"latency_{p}"] for p in ("p50", "p95", "p99")})
    assert charts.to_svg(charts.latency_hist(summary)).startswith("<svg")


def test_the_real_matrix_charts_cost_and_heatmap(wb: Workbench, runs: tuple[Run, Run]) -> None:
    matrix = wb.matrix(dataset="sums")
    cost = charts.spec(charts.cost_vs_score(matrix, "correct"))
    line = next(v for v in _data.views(cost) if _data.mark_type(v) == "line")
    assert {r["label"] for r in _data.rows(cost, line)} <= {"bot_v1", "bot_v2"} | set(matrix["target"])
    assert charts.to_png(charts.heatmap(matrix, "correct")).startswith(PNG_MAGIC)


def test_real_trends_chart(wb: Workbench, runs: tuple[Run, Run]) -> None:
    trend = charts.trends(wb.trends("sums"))
    assert {r["metric"] for r in _data.rows(charts.spec(trend))} >= {"correct", "brief"}
    assert charts.to_png(trend).startswith(PNG_MAGIC)


def test_real_failure_modes_chart(wb: Workbench, runs: tuple[Run, Run]) -> None:
    modes = charts.failure_modes(wb.failure_modes(dataset="sums"))
    assert charts.to_png(modes).startswith(PNG_MAGIC)
