"""Trends: each metric per target across runs over time, with confidence bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from workbench.charts._inputs import MONEY_TOOLTIP, Chart, display_name, frame, money_format, numeric
from workbench.errors import ValidationError

MAX_ROWS = 5000
_NAMED = {
    "latency_p50": "Latency p50 (s)",
    "latency_p95": "Latency p95 (s)",
    "cost_per_item": "Cost per item (USD)",
    "success_rate": "Success rate",
}


def metric_title(metric: str) -> str:
    """How a trends metric is titled: operational metrics by name, scorers as "mean <scorer>"."""
    return _NAMED.get(metric, f"Mean {metric}")


def trends(
    data: Any,
    *,
    metrics: Sequence[str] | None = None,
    target: str | Sequence[str] | None = None,
    columns: int = 2,
    title: str | None = None,
) -> Chart:
    """One line per target for each metric over the runs' ``created_at``, with 95% CI bands.

    Parameters
    ----------
    data
        ``wb.trends(dataset)`` (long: ``run_id``, ``created_at``, ``target``, ``metric``,
        ``value`` and optionally ``ci_low``, ``ci_high``, ``dataset_version``); scorer
        metrics carry intervals, operational ones (latency, cost, success rate) do not.
    metrics
        Which metrics to show, in this order (default: scorers by name, then latency,
        cost and success rate).
    target
        Only this target (or these targets).
    columns
        Panels per row; every metric gets its own panel and y scale.
    title
        Replaces the default title.
    """
    df = frame(data, "trends", ["run_id", "created_at", "target", "metric", "value"], what="trends")
    df = numeric(df, ["value", "ci_low", "ci_high", "dataset_version"])
    for column in ("ci_low", "ci_high", "dataset_version"):
        if column not in df.columns:
            df[column] = float("nan")
    if target is not None:
        wanted = {target} if isinstance(target, str) else set(target)
        df = df[df["target"].astype(str).isin(wanted)]
    present = list(dict.fromkeys(df["metric"].astype(str)))
    if metrics is None:
        scorers = sorted(m for m in present if m not in _NAMED)
        order = scorers + [m for m in _NAMED if m in present]
    else:
        unknown = [m for m in metrics if m not in present]
        if unknown:
            raise ValidationError(f"trends: no metric {unknown[0]!r} in the data (it has {', '.join(present)})")
        order = list(metrics)
    df = df[df["metric"].astype(str).isin(order)]
    if df.empty:
        raise ValidationError("trends: nothing to draw (no runs for these metrics and targets)")
    points = pd.DataFrame(
        {
            "run_id": df["run_id"].astype(str),
            "created_at": pd.to_datetime(df["created_at"], utc=True),
            "target": [display_name(t) for t in df["target"]],
            "metric": df["metric"].astype(str),
            "metric_title": [metric_title(m) for m in df["metric"].astype(str)],
            "value": df["value"],
            "ci_low": df["ci_low"],
            "ci_high": df["ci_high"],
            "dataset_version": df["dataset_version"],
        }
    )
    dropped = 0
    if len(points) > MAX_ROWS:  # keep the most recent runs
        runs = points.groupby("run_id")["created_at"].max().sort_values(ascending=False)
        per_run = len(points) / len(runs)
        keep = set(runs.index[: max(1, int(MAX_ROWS / per_run))])
        dropped = len(runs) - len(keep)
        points = points[points["run_id"].isin(keep)]
        while len(points) > MAX_ROWS:  # uneven runs: drop the oldest until it fits
            oldest = points["run_id"].iloc[int(points["created_at"].to_numpy().argmin())]
            points = points[points["run_id"] != oldest]
            dropped += 1
    points = points.sort_values("created_at")
    titles = [metric_title(m) for m in order]
    color = alt.Color(
        "target:N", title="Target", legend=alt.Legend(symbolType="stroke", symbolOpacity=1, symbolStrokeWidth=3)
    )
    x = alt.X("created_at:T", title="Run started (UTC)", axis=alt.Axis(format="%b %d %H:%M", labelAngle=-30))
    y_title = titles[0] if len(order) == 1 else None
    money = order == ["cost_per_item"]  # one panel of dollars: a money axis (facets share one format)
    axis = alt.Axis(format=money_format(points["value"], zero=False)) if money else alt.Axis()
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False), axis=axis)
    tooltip = [
        alt.Tooltip("target:N", title="Target"),
        alt.Tooltip("metric_title:N", title="Metric"),
        alt.Tooltip("value:Q", title="Value", format=MONEY_TOOLTIP if money else ".4~f"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format=".3f"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format=".3f"),
        alt.Tooltip("created_at:T", title="Started", format="%Y-%m-%d %H:%M"),
        alt.Tooltip("run_id:N", title="Run"),
        alt.Tooltip("dataset_version:Q", title="Dataset version"),
    ]
    band = (
        alt.Chart().mark_area(opacity=0.18).encode(x=x, y=alt.Y("ci_low:Q", title=y_title), y2="ci_high:Q", color=color)
    )
    line = alt.Chart().mark_line(point=False).encode(x=x, y=y, color=color)
    dots = alt.Chart().mark_point(filled=True, size=50).encode(x=x, y=y, color=color, tooltip=tooltip)
    n_runs = points["run_id"].nunique()
    subtitle = f"{n_runs} runs · shaded: 95% CI" + (f" · {dropped} older runs not shown" if dropped else "")
    chart_title = alt.Title(title or "Trends across runs", subtitle=subtitle)
    layer = alt.layer(band, line, dots)
    if len(order) == 1:
        return alt.layer(band, line, dots, data=points).properties(title=chart_title, width=520, height=280)
    faceted: Chart = (
        layer.properties(width=340, height=200)
        .facet(facet=alt.Facet("metric_title:N", title=None, sort=titles), columns=columns, data=points)
        .resolve_scale(y="independent")
        .properties(title=chart_title)
    )
    return faceted
