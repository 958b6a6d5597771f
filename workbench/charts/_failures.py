"""Failure modes: each target's outcome labels as shares of its results, stacked."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from workbench.charts import _theme as th
from workbench.charts._inputs import Chart, display_name, frame, numeric


def label_colors(labels: list[str]) -> tuple[list[str], list[str]]:
    """The labels in taxonomy order (unknown ones after, by name) and their fixed colours."""
    known = [label for label in th.LABEL_COLORS if label in labels]
    extra = sorted(label for label in labels if label not in th.LABEL_COLORS)
    colors = [th.LABEL_COLORS[label] for label in known]
    colors += [th.EXTRA_LABEL_COLORS[i % len(th.EXTRA_LABEL_COLORS)] for i in range(len(extra))]
    return known + extra, colors


def failure_modes(data: Any, *, title: str | None = None) -> Chart:
    """One horizontal bar per target, split into its outcome labels' shares.

    Parameters
    ----------
    data
        A ``FailureModes`` (its ``by_target``) or a DataFrame with columns ``target``,
        ``label``, ``count`` and optionally ``share`` (computed from the counts when absent).
        Colours follow the outcome taxonomy: success green, hallucination vermillion,
        tool error orange...
    title
        Replaces the default title.
    """
    df = frame(data, "by_target", ["target", "label", "count"], what="failure_modes")
    df = numeric(df, ["count", "share"])
    bars = pd.DataFrame(
        {
            "target": [display_name(t) for t in df["target"]],
            "label": df["label"].fillna("unlabeled").astype(str),
            "count": df["count"].fillna(0),
        }
    )
    bars = bars.groupby(["target", "label"], as_index=False).agg(count=("count", "sum"))
    bars["share"] = bars["count"] / bars.groupby("target")["count"].transform("sum").replace(0, float("nan"))
    domain, colors = label_colors(list(bars["label"].unique()))
    bars["order"] = bars["label"].map({label: i for i, label in enumerate(domain)})
    targets = sorted(bars["target"].unique())
    chart: Chart = (
        alt.Chart(bars)
        .mark_bar(height={"band": 0.75}, stroke="white", strokeWidth=0.5)
        .encode(
            y=alt.Y("target:N", title="Target", sort=targets),
            x=alt.X("share:Q", title="Share of results", stack="normalize", axis=alt.Axis(format="%")),
            color=alt.Color("label:N", title="Outcome", scale=alt.Scale(domain=domain, range=colors), sort=domain),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("target:N", title="Target"),
                alt.Tooltip("label:N", title="Outcome"),
                alt.Tooltip("count:Q", title="Results"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .properties(
            title=alt.Title(title or "Failure modes by target", subtitle="share of each target's labelled results"),
            width=480,
            height=max(90, 40 * len(targets)),
        )
    )
    return chart
