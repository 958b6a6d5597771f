"""Each builder's spec: marks, encodings, titles, colours and the data it embeds."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.charts import _data
from workbench import charts
from workbench.charts import _theme as th
from workbench.errors import ValidationError


def spec_of(chart: charts.Chart) -> dict[str, Any]:
    return charts.spec(chart)


def view_with(spec: dict[str, Any], mark: str, field: str | None = None, channel: str = "x") -> dict[str, Any]:
    for view in _data.views(spec):
        if _data.mark_type(view) == mark and (field is None or view["encoding"][channel].get("field") == field):
            return view
    raise AssertionError(f"no {mark} view with {channel}={field}")


# -- simulated naming --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "model", "shown"),
    [
        ("openai:sim-1/demo-answer@1", "", "openai:sim-1/demo-answer@1 (simulated)"),
        ("my-bot", "openai:sim-1", "my-bot (simulated)"),
        ("simulated:sim-1/demo-answer", "", "simulated:sim-1/demo-answer"),
        ("openai:gpt-4o/demo-answer@1", "openai:gpt-4o", "openai:gpt-4o/demo-answer@1"),
        ("pipeline-v1", "", "pipeline-v1"),
        ("simian-pipeline", "", "simian-pipeline"),
    ],
)
def test_simulated_models_are_named_as_simulated(name: str, model: str, shown: str) -> None:
    assert charts.display_name(name, model) == shown


# -- scorer bars -------------------------------------------------------------------------------
def test_scorer_bars_of_a_comparison_puts_means_beside_the_change_with_regressions_in_vermillion() -> None:
    spec = spec_of(charts.scorer_bars(_data.comparison()))
    assert len(spec["hconcat"]) == 2
    assert _data.title_text(spec) == "Scores: baseline vs candidate"
    assert "run-base" in _data.subtitle(spec)
    assert "run-cand" in _data.subtitle(spec)
    bars = view_with(spec, "bar", "mean")
    assert bars["encoding"]["yOffset"]["field"] == "run"
    assert bars["encoding"]["color"]["scale"] == {
        "domain": ["baseline", "candidate"],
        "range": [th.BASELINE, th.CANDIDATE],
    }
    means = {(r["scorer"], r["run"]): r["mean"] for r in _data.rows(spec, bars)}
    assert means[("faithfulness", "baseline")] == 0.9
    assert means[("faithfulness", "candidate")] == 0.4
    point = view_with(spec, "point", "delta")
    scale = point["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True))["regression"] == th.REGRESSED
    status = {r["scorer"]: r["status"] for r in _data.rows(spec, point)}
    assert status == {"exact_match": "improvement", "faithfulness": "regression", "tool_use": "no significant change"}
    whisker = view_with(spec, "rule", "ci_low")
    assert whisker["encoding"]["x2"]["field"] == "ci_high"
    assert "tooltip" in point["encoding"]


def test_scorer_bars_respects_lower_is_better_without_significance_columns() -> None:
    df = pd.DataFrame(
        {
            "scorer": ["latency_judge"],
            "direction": ["lower"],
            "baseline_mean": [0.2],
            "candidate_mean": [0.5],
            "delta": [0.3],
            "ci_low": [0.1],
            "ci_high": [0.5],
        }
    )
    spec = spec_of(charts.scorer_bars(df))
    assert _data.rows(spec, view_with(spec, "point", "delta"))[0]["status"] == "regression"


def test_scorer_bars_of_a_summary_draws_means_with_their_intervals() -> None:
    spec = spec_of(charts.scorer_bars(_data.summary()))
    assert sorted(_data.marks(spec)) == ["bar", "rule", "tick", "tick"]
    bars = view_with(spec, "bar", "mean")
    assert bars["encoding"]["x"]["scale"]["domain"] == [0.0, 1.0]
    rule = view_with(spec, "rule", "ci_low")
    assert rule["encoding"]["x2"]["field"] == "ci_high"
    assert {r["scorer"]: (r["ci_low"], r["ci_high"]) for r in _data.rows(spec)} == {
        "exact_match": (0.4, 0.8),
        "faithfulness": (0.7, 0.9),
    }
    assert _data.subtitle(spec) == "simulated:sim-1/demo-answer — run-1"


def test_scorer_bars_of_several_runs_groups_them_by_scorer() -> None:
    other = _data.summary(target="openai:sim-1/answer@1")
    spec = spec_of(charts.scorer_bars({"v1": _data.summary(), "openai:sim-1/answer@2": other}))
    bars = view_with(spec, "bar", "mean")
    assert bars["encoding"]["yOffset"]["field"] == "run"
    assert {r["run"] for r in _data.rows(spec)} == {"v1", "openai:sim-1/answer@2 (simulated)"}


def test_scorer_bars_names_the_missing_column() -> None:
    with pytest.raises(ValidationError, match="'mean'"):
        charts.scorer_bars(pd.DataFrame({"scorer": ["a"]}))
    with pytest.raises(ValidationError, match=r"\.scorers"):
        charts.scorer_bars(42)


# -- item deltas ---------------------------------------------------------------------------------
def test_item_deltas_facets_by_scorer_with_a_diagonal_and_regressions_in_vermillion() -> None:
    spec = spec_of(charts.item_deltas(_data.comparison()))
    assert spec["facet"]["field"] == "scorer"
    dots = view_with(spec, "circle", "x")
    scale = dots["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "regressed": th.REGRESSED,
        "improved": th.IMPROVED,
        "unchanged": th.UNCHANGED,
    }
    points = _data.rows(spec)
    # exact_match: a and b went 0 -> 1, merged into one mark of two items
    merged = [p for p in points if p["scorer"] == "exact_match" and p["change"] == "improved"]
    assert len(merged) == 1
    assert merged[0]["count"] == 2
    regressed = {(p["scorer"], p["example"]) for p in points if p["change"] == "regressed"}
    assert regressed == {("faithfulness", "a"), ("faithfulness", "b"), ("faithfulness", "d")}
    diagonal = next(v for v in _data.views(spec) if _data.mark_type(v) == "rule")
    assert [diagonal["encoding"][c]["field"] for c in ("x", "y", "x2", "y2")] == ["lo", "lo", "hi", "hi"]
    assert "4 regressed" not in _data.subtitle(spec)
    assert "3 regressed" in _data.subtitle(spec)


def test_item_deltas_of_one_scorer_is_a_single_panel() -> None:
    spec = spec_of(charts.item_deltas(_data.comparison(), scorer="faithfulness"))
    assert "facet" not in spec
    assert _data.title_text(spec).endswith("faithfulness")
    assert {r["scorer"] for r in _data.rows(spec)} == {"faithfulness"}
    with pytest.raises(ValidationError, match="no items for scorer 'nope'"):
        charts.item_deltas(_data.comparison(), scorer="nope")


def test_item_deltas_derives_the_change_when_the_frame_has_none() -> None:
    df = _data.comparison().items.drop(columns=["change", "delta"])
    spec = spec_of(charts.item_deltas(df, scorer="exact_match"))
    assert {r["change"] for r in _data.rows(spec)} == {"improved", "unchanged"}


def test_item_deltas_of_100000_items_embeds_at_most_5000_rows() -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    baseline = rng.random(n)
    candidate = np.clip(baseline + rng.normal(0, 0.1, n), 0, 1)
    delta = candidate - baseline
    df = pd.DataFrame(
        {
            "item_id": [f"i{k}" for k in range(n)],
            "scorer": "faithfulness",
            "baseline": baseline,
            "candidate": candidate,
            "change": np.where(delta > 0.02, "improved", np.where(delta < -0.02, "regressed", "unchanged")),
        }
    )
    spec = spec_of(charts.item_deltas(df))
    assert 0 < _data.total_rows(spec) <= charts.MAX_POINTS
    points = _data.rows(spec)
    assert sum(p["count"] for p in points) == n  # every item is in some cell
    regressed = sum(p["count"] for p in points if p["change"] == "regressed")
    assert regressed == int((df["change"] == "regressed").sum())
    assert "binned" in _data.subtitle(spec)
    assert "100,000 items" in _data.subtitle(spec)


# -- latency -------------------------------------------------------------------------------------
def test_latency_hist_marks_p50_p95_p99_at_their_values() -> None:
    spec = spec_of(charts.latency_hist(_data.summary()))
    bars = view_with(spec, "bar", "bin_low")
    assert bars["encoding"]["x"]["bin"] == "binned"
    assert bars["encoding"]["x2"]["field"] == "bin_high"
    rule = view_with(spec, "rule", "value")
    assert {r["percentile"]: r["value"] for r in _data.rows(spec, rule)} == {"p50": 0.7, "p95": 1.4, "p99": 1.9}
    labels = view_with(spec, "text", "value")
    assert [r["label"] for r in _data.rows(spec, labels)] == ["p50 0.7 s", "p95 1.4 s", "p99 1.9 s"]
    assert bars["encoding"]["x"]["title"] == "Latency (s)"


def test_latency_hist_takes_a_plain_histogram_and_percentiles() -> None:
    hist = _data.summary().latency
    spec = spec_of(charts.latency_hist(hist, percentiles={"latency_p50": 0.6, "p99": 1.8}))
    rule = view_with(spec, "rule", "value")
    assert {r["percentile"]: r["value"] for r in _data.rows(spec, rule)} == {"p50": 0.6, "p99": 1.8}


# -- matrix ----------------------------------------------------------------------------------------
def test_pareto_frontier_keeps_the_non_dominated_points() -> None:
    cost = pd.Series([0.0, 0.0, 1.0, 2.0, 2.0, 3.0])
    score = pd.Series([0.5, 0.6, 0.6, 0.8, 0.7, 0.8])
    assert list(charts.pareto_frontier(cost, score)) == [False, True, False, True, False, False]


def test_cost_vs_score_draws_the_frontier_computed_by_hand() -> None:
    spec = spec_of(charts.cost_vs_score(_data.matrix(), "exact_match"))
    line = next(v for v in _data.views(spec) if _data.mark_type(v) == "line")
    frontier = [r["label"] for r in _data.rows(spec, line)]
    assert frontier == [
        "pipeline-v2",
        "openai:sim-1/answer@1 (simulated)",
        "openai:sim-1/answer@2 (simulated)",
        "openai:gpt-x/answer@2",
        "openai:gpt-x/answer@1",
    ]
    dots = view_with(spec, "point", "cost")
    assert dots["encoding"]["color"]["field"] == "label"
    points = _data.rows(spec, dots)
    assert len(points) == 7
    assert {p["label"]: p["cost_recorded"] for p in points}["pipeline-v1"] == "no"
    assert _data.title_text(spec) == "Cost vs exact_match"
    assert any(t["field"] == "run_id" for t in dots["encoding"]["tooltip"])


def test_pareto_frontier_of_a_lower_is_better_score_keeps_the_cheap_low_points() -> None:
    cost = pd.Series([0.0, 1.0, 1.0, 2.0, 3.0, 3.0])
    score = pd.Series([0.9, 0.5, 0.7, 0.3, 0.3, 0.1])
    # lower is better: (1, 0.7) loses to (1, 0.5), (3, 0.3) to (2, 0.3); the rest are each best at their cost
    assert list(charts.pareto_frontier(cost, score, higher_is_better=False)) == [True, True, False, True, False, True]
    # higher is better: (0, 0.9) beats them all
    assert list(charts.pareto_frontier(cost, score)) == [True, False, False, False, False, False]


def frontier_labels(spec: dict[str, Any]) -> list[str]:
    line = next(v for v in _data.views(spec) if _data.mark_type(v) == "line")
    return [r["label"] for r in _data.rows(spec, line)]


def test_cost_vs_score_of_a_lower_is_better_scorer_draws_the_low_frontier() -> None:
    # exact_match read as lower-is-better: pipeline-v1 (cost 0, 0.55) is the cheapest and lowest, and
    # every other target costs at least as much and scores higher
    spec = spec_of(charts.cost_vs_score(_data.matrix(), "exact_match", direction="lower"))
    assert frontier_labels(spec) == ["pipeline-v1"]
    assert "down-left: lower is better" in _data.subtitle(spec)
    # brevity = 1 - exact_match: lower-is-better brevity has exact_match's higher-is-better frontier
    spec = spec_of(charts.cost_vs_score(_data.matrix(), "brevity", direction="lower"))
    assert frontier_labels(spec) == frontier_labels(spec_of(charts.cost_vs_score(_data.matrix(), "exact_match")))
    assert "up-left" in _data.subtitle(spec_of(charts.cost_vs_score(_data.matrix(), "exact_match")))
    with pytest.raises(ValidationError, match="direction"):
        charts.cost_vs_score(_data.matrix(), "exact_match", direction="down")


def test_cost_vs_score_follows_the_direction_the_matrix_reports() -> None:
    # wb.matrix() says each scorer's declared direction: a lower-is-better brevity needs no keyword
    declared = _data.matrix().assign(direction=lambda df: df["scorer"].map({"brevity": "lower"}).fillna("higher"))
    spec = spec_of(charts.cost_vs_score(declared, "brevity"))
    assert "down-left: lower is better" in _data.subtitle(spec)
    assert frontier_labels(spec) == frontier_labels(spec_of(charts.cost_vs_score(declared, "exact_match")))
    assert "up-left" in _data.subtitle(spec_of(charts.cost_vs_score(declared, "brevity", direction="higher")))


def test_cost_vs_score_names_an_unknown_scorer() -> None:
    with pytest.raises(ValidationError, match=r"no scorer 'nope'.*brevity, exact_match"):
        charts.cost_vs_score(_data.matrix(), "nope")


def test_heatmap_colours_model_by_prompt_cells_and_labels_them() -> None:
    spec = spec_of(charts.heatmap(_data.matrix(), "exact_match"))
    rect = view_with(spec, "rect")
    assert rect["encoding"]["x"]["field"] == "column"
    assert rect["encoding"]["y"]["field"] == "row"
    assert rect["encoding"]["color"]["field"] == "mean"
    assert rect["encoding"]["color"]["scale"]["domain"] == [0.0, 1.0]
    text = view_with(spec, "text")
    assert text["encoding"]["text"]["field"] == "text"
    cells = {(r["row"], r["column"]): r["text"] for r in _data.rows(spec)}
    assert cells[("openai:sim-1 (simulated)", "answer@2")] == "0.74"
    assert cells[("pipeline-v1", "(no prompt)")] == "0.55"
    assert _data.title_text(spec) == "Mean exact_match by model and prompt version"


# -- trends ----------------------------------------------------------------------------------------
def test_trends_facets_metrics_with_lines_and_ci_bands() -> None:
    spec = spec_of(charts.trends(_data.trends()))
    assert spec["facet"]["field"] == "metric_title"
    assert spec["facet"]["sort"] == ["Mean exact_match", "Latency p50 (s)"]
    assert spec["resolve"]["scale"]["y"] == "independent"
    assert sorted(_data.marks(spec)) == ["area", "line", "point"]
    band = view_with(spec, "area", "ci_low", channel="y")
    assert band["encoding"]["y2"]["field"] == "ci_high"
    assert band["encoding"]["x"]["field"] == "created_at"
    assert band["encoding"]["x"]["type"] == "temporal"
    targets = {r["target"] for r in _data.rows(spec)}
    assert targets == {"pipeline-v1", "openai:sim-1/answer@1 (simulated)"}


def test_trends_of_one_metric_and_target_is_a_single_panel() -> None:
    spec = spec_of(charts.trends(_data.trends(), metrics=["latency_p50"], target="pipeline-v1"))
    assert "facet" not in spec
    line = view_with(spec, "line", "value", channel="y")
    assert line["encoding"]["y"]["title"] == "Latency p50 (s)"
    assert {(r["metric"], r["target"]) for r in _data.rows(spec)} == {("latency_p50", "pipeline-v1")}
    with pytest.raises(ValidationError, match="no metric 'nope'"):
        charts.trends(_data.trends(), metrics=["nope"])


def test_trends_keeps_the_most_recent_runs_under_the_row_limit() -> None:
    spec = spec_of(charts.trends(_data.trends(runs=1500)))
    assert _data.total_rows(spec) <= 5000
    assert "older runs not shown" in _data.subtitle(spec)
    latest = max(pd.Timestamp(r["created_at"]) for r in _data.rows(spec))
    assert latest == pd.Timestamp("2026-11-01T08:00:00Z") + pd.Timedelta(days=1499)


# -- failure modes -----------------------------------------------------------------------------------
def test_failure_modes_stacks_label_shares_in_taxonomy_colours() -> None:
    spec = spec_of(charts.failure_modes(_data.failure_modes()))
    assert _data.marks(spec) == ["bar"]
    enc = spec["encoding"]
    assert enc["x"]["stack"] == "normalize"
    assert enc["y"]["field"] == "target"
    scale = enc["color"]["scale"]
    assert scale["domain"] == ["success", "failure_hallucination", "failure_format", "my_custom_label"]
    assert scale["range"][:3] == [th.LABEL_COLORS[k] for k in scale["domain"][:3]]
    shares = {(r["target"], r["label"]): r["share"] for r in _data.rows(spec)}
    assert shares[("pipeline-v1", "success")] == pytest.approx(0.6)
    assert shares[("openai:sim-1/answer@1 (simulated)", "failure_hallucination")] == pytest.approx(0.5)


# -- confusion ----------------------------------------------------------------------------------------
def test_confusion_of_an_alignment_shows_counts_and_agreement() -> None:
    result = _data.alignment_result()
    spec = spec_of(charts.confusion(result))
    assert _data.marks(spec) == ["rect", "rect", "text"]
    cells = {(r["human"], r["judge"]): r["count"] for r in _data.rows(spec)}
    assert cells == {("fail", "fail"): 3, ("fail", "pass"): 1, ("pass", "fail"): 1, ("pass", "pass"): 5}
    assert "agreement 0.80" in _data.subtitle(spec)
    assert "10 pairs" in _data.subtitle(spec)
    diagonal = next(v for v in _data.views(spec) if v.get("transform"))
    assert diagonal["transform"] == [{"filter": "datum.agree"}]


def test_confusion_takes_the_matrix_itself_and_refuses_numeric_only_alignments() -> None:
    matrix = _data.alignment_result()["confusion_matrix"]
    assert charts.confusion(matrix).to_dict()["title"]["subtitle"] == "rows: human · columns: judge"
    with pytest.raises(ValidationError, match="no confusion matrix"):
        charts.confusion({"kind": "numeric", "n": 3, "pearson": 0.5})
    with pytest.raises(ValidationError, match="confusion takes"):
        charts.confusion(SimpleNamespace())


def test_every_builder_uses_the_workbench_theme() -> None:
    spec = spec_of(charts.failure_modes(_data.failure_modes()))
    assert spec["config"]["range"]["category"] == list(th.PALETTE)
    assert spec["config"]["title"]["fontSize"] == 16
