"""Money axes read as money at small amounts; comparison charts lead with the scorer that changed most."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from tests.charts import _data
from workbench import charts

TICK = re.compile(r"<text[^>]*>(\$[^<]*)</text>")


def _find(spec: Any, key: str) -> list[Any]:
    """Every value stored under ``key`` anywhere in the spec."""
    found: list[Any] = []
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == key:
                found.append(v)
            found += _find(v, key)
    elif isinstance(spec, list):
        for v in spec:
            found += _find(v, key)
    return found


def tiny_matrix() -> pd.DataFrame:
    df = _data.matrix()
    df["cost_per_item"] = df["cost_per_item"] / 50  # $0.000008 to $0.00008
    return df


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.00002, 0.00008], "$,.5~f"),
        ([0.0004, 0.004], "$,.4~f"),
        ([0.02, 0.3], "$,.2~f"),
        ([3.0, 1200.0], "$,.2~f"),
        ([], "$,.2~f"),
        ([0.0, 0.0], "$,.2~f"),
    ],
)
def test_the_money_format_has_the_decimals_the_amounts_need(values: list[float], expected: str) -> None:
    assert charts.money_format(pd.Series(values, dtype="float64")) == expected


def test_without_zero_the_span_sets_the_decimals() -> None:
    assert charts.money_format(pd.Series([0.00020, 0.00023]), zero=False) == "$,.6~f"
    assert charts.money_format(pd.Series([0.00020, 0.00023])) == "$,.5~f"


def test_cost_vs_score_labels_tiny_costs_apart() -> None:
    chart = charts.cost_vs_score(tiny_matrix())
    formats = [a.get("format") for a in _find(charts.spec(chart), "axis") if isinstance(a, dict)]
    assert "$,.5~f" in formats
    labels = TICK.findall(charts.to_svg(chart))
    assert len(labels) >= 3
    assert len(set(labels)) == len(labels), labels  # no "$0 $0 $0.0001"
    assert "$0.00002" in labels or "$0.00004" in labels


def test_the_cost_tooltip_shows_significant_digits() -> None:
    tooltips = _find(charts.spec(charts.cost_vs_score(tiny_matrix())), "tooltip")
    cost = [t for group in tooltips if isinstance(group, list) for t in group if t.get("field") == "cost"]
    assert cost
    assert {t["format"] for t in cost} == {"$,.3~r"}


def test_a_trend_of_cost_alone_has_a_money_axis() -> None:
    rows = _data.trends()
    latency = rows[rows["metric"] == "latency_p50"]
    cost = latency.assign(metric="cost_per_item", value=latency["value"] / 10_000)  # $0.00002 to $0.00005
    chart = charts.trends(cost, metrics=["cost_per_item"])
    formats = [a.get("format") for a in _find(charts.spec(chart), "axis") if isinstance(a, dict)]
    assert "$,.7~f" in formats  # ticks 0.0000005 apart on a scale that leaves out zero
    labels = TICK.findall(charts.to_svg(chart))
    assert len(labels) >= 3
    assert len(set(labels)) == len(labels), labels


def test_scorers_by_change_puts_the_smallest_p_then_the_largest_delta_first() -> None:
    comparison = _data.comparison()  # faithfulness p=0.01, exact_match p=0.02, tool_use p=1
    assert charts.scorers_by_change(comparison) == ["faithfulness", "exact_match", "tool_use"]
    no_p = comparison.scorers.drop(columns=["p_value"]).assign(delta=[0.1, -0.5, 0.3])
    assert charts.scorers_by_change(no_p) == ["faithfulness", "tool_use", "exact_match"]
    items = comparison.items.assign(candidate=comparison.items["baseline"])
    items.loc[items["scorer"] == "faithfulness", "candidate"] = 0.0  # only faithfulness moved
    assert charts.scorers_by_change(items) == ["faithfulness", "exact_match"]


def test_comparison_charts_lead_with_the_scorer_that_changed_most() -> None:
    comparison = _data.comparison()
    # make the alphabetically first scorer the one that barely moved
    comparison.scorers["p_value"] = [0.9, 0.001, 0.5]
    bars = charts.spec(charts.scorer_bars(comparison))
    sorts = [enc["sort"] for enc in _find(bars, "y") if isinstance(enc, dict) and "sort" in enc]
    assert sorts
    assert all(order[0] == "faithfulness" for order in sorts)
    deltas = charts.spec(charts.item_deltas(comparison))
    assert deltas["facet"]["sort"][0] == "faithfulness"
    assert "changed most: faithfulness" in deltas["title"]["subtitle"]
