"""Latency distribution: the run's histogram with p50/p95/p99 marked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from workbench.charts import _theme as th
from workbench.charts._inputs import Chart, display_name, frame, numeric
from workbench.errors import ValidationError

PERCENTILES = ("p50", "p95", "p99")
_RULE_COLORS = {"p50": th.PALETTE[0], "p95": th.PALETTE[1], "p99": th.REGRESSED}


def _percentiles(data: Any, given: Mapping[str, float] | None, df: pd.DataFrame) -> dict[str, float]:
    """p50/p95/p99 from ``given``, else ``data.overview`` (``latency_p50``...), else ``df.attrs``."""
    sources: list[Mapping[str, Any]] = []
    if given is not None:
        sources.append(given)
    overview = getattr(data, "overview", None)
    if isinstance(overview, Mapping):
        sources.append(overview)
    sources.append({str(k): v for k, v in df.attrs.items()})
    out: dict[str, float] = {}
    for name in PERCENTILES:
        for source in sources:
            value = source.get(name, source.get(f"latency_{name}"))
            if value is not None and not pd.isna(value):
                out[name] = float(value)
                break
    return out


def latency_hist(
    data: Any, *, percentiles: Mapping[str, float] | None = None, unit: str = "s", title: str | None = None
) -> Chart:
    """The latency histogram with its p50, p95 and p99 drawn as labelled rules.

    Parameters
    ----------
    data
        A ``Summary`` (its ``latency`` histogram and ``overview['latency_p50'|'latency_p95'|
        'latency_p99']``), or a histogram DataFrame with columns ``bin_low``, ``bin_high``,
        ``count`` (already aggregated: one row per bin).
    percentiles
        ``{"p50": ..., "p95": ..., "p99": ...}`` (keys may also be ``latency_p50``...);
        overrides what ``data`` carries. Percentiles that are missing are not drawn.
    unit
        The latency unit shown on the axis and labels.
    title
        Replaces the default title.
    """
    hist = frame(data, "latency", ["bin_low", "bin_high", "count"], what="latency_hist")
    hist = numeric(hist, ["bin_low", "bin_high", "count"]).dropna(subset=["bin_low", "bin_high"])
    marks = _percentiles(data, percentiles, hist)
    if hist.empty and not marks:
        raise ValidationError("latency_hist: no latency histogram bins and no percentiles")
    bars = (
        alt.Chart(hist[["bin_low", "bin_high", "count"]])
        .mark_bar(color=th.BASELINE, opacity=0.9, binSpacing=1)
        .encode(
            x=alt.X("bin_low:Q", bin="binned", title=f"Latency ({unit})"),
            x2="bin_high:Q",
            y=alt.Y("count:Q", title="Results"),
            tooltip=[
                alt.Tooltip("bin_low:Q", title=f"From ({unit})", format=".3f"),
                alt.Tooltip("bin_high:Q", title=f"To ({unit})", format=".3f"),
                alt.Tooltip("count:Q", title="Results"),
            ],
        )
    )
    rules_df = pd.DataFrame(
        {
            "percentile": list(marks),
            "value": list(marks.values()),
            "label": [f"{k} {v:.3g} {unit}" for k, v in marks.items()],
        }
    )
    top = float(hist["count"].max()) * 1.2 if len(hist) and hist["count"].max() > 0 else 1.0
    rules_df["ypos"] = [top * (1 - 0.09 * i) for i in range(len(marks))]  # staggered: p95/p99 are often close
    scale = alt.Scale(domain=list(PERCENTILES), range=[_RULE_COLORS[p] for p in PERCENTILES])
    color = alt.Color("percentile:N", title="Percentile", scale=scale)
    rules = (
        alt.Chart(rules_df)
        .mark_rule(strokeWidth=2, strokeDash=[6, 3])
        .encode(
            x="value:Q",
            color=color,
            tooltip=[alt.Tooltip("percentile:N", title="Percentile"), alt.Tooltip("value:Q", format=".3f")],
        )
    )
    labels = (
        alt.Chart(rules_df)
        .mark_text(align="left", dx=4, baseline="top", fontWeight="bold")
        .encode(
            x="value:Q",
            y="ypos:Q",
            text="label:N",
            color=alt.Color("percentile:N", scale=scale, legend=None),
        )
    )
    target = display_name(getattr(data, "target", "") or "")
    run_id = getattr(data, "run_id", "") or ""
    subtitle = " — ".join(x for x in (target, run_id) if x) or "dashed lines: p50, p95, p99"
    return alt.layer(bars, rules, labels).properties(
        title=alt.Title(title or "Latency distribution", subtitle=subtitle), width=480, height=260
    )
