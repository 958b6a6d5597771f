"""Scores side by side: per-scorer bars with confidence intervals, and per-item deltas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from workbench.charts import _theme as th
from workbench.charts._inputs import Chart, display_name, frame, numeric, require, unit_domain
from workbench.errors import ValidationError

MAX_POINTS = 5000
"""The most marks :func:`item_deltas` draws (Altair refuses to embed more than 5,000 rows)."""

_STATUS_DOMAIN = ("regression", "improvement", "no significant change")
_STATUS_RANGE = (th.REGRESSED, th.IMPROVED, th.UNCHANGED)


def _run_label(obj: Any) -> str:
    target = getattr(obj, "target", None)
    run_id = getattr(obj, "run_id", None)
    if target and run_id:
        return f"{display_name(target)} — {run_id}"
    return display_name(target or run_id or "")


def _x_scale(*series: pd.Series) -> alt.Scale:
    domain = unit_domain(*series)
    return alt.Scale(domain=domain) if domain else alt.Scale(zero=True, nice=True)


def _height(n: int, per: int = 34) -> int:
    return max(120, per * n)


# -- which scorer changed most -----------------------------------------------------------------
def scorers_by_change(data: Any) -> list[str]:
    """The comparison's scorers, the one that changed most first: the smallest p-value, then the largest |delta|.

    ``data`` is a ``Comparison``, its ``scorers`` DataFrame (``scorer``, ``delta`` and
    optionally ``p_value``) or its ``items`` DataFrame (``scorer``, ``baseline``,
    ``candidate``: the mean paired change per scorer decides). Ties keep the names' order.
    Comparison charts use this order, so the scorer that moved is the one seen first.
    """
    df = data if isinstance(data, pd.DataFrame) else getattr(data, "scorers", None)
    if not isinstance(df, pd.DataFrame) or "delta" not in df.columns or "item_id" in df.columns:
        items = data if isinstance(data, pd.DataFrame) else getattr(data, "items", None)
        if not isinstance(items, pd.DataFrame):
            raise ValidationError(f"scorers_by_change takes a Comparison or its DataFrames, not {type(data).__name__}")
        require(items, ["scorer", "baseline", "candidate"], what="scorers_by_change")
        items = numeric(items, ["baseline", "candidate"])
        df = (
            (items["candidate"] - items["baseline"])
            .groupby(items["scorer"].astype(str))
            .mean()
            .rename("delta")
            .reset_index()
        )
    require(df, ["scorer", "delta"], what="scorers_by_change")
    df = numeric(df, ["delta", "p_value"])
    p = df["p_value"] if "p_value" in df.columns else pd.Series(np.nan, index=df.index)
    ranked = pd.DataFrame(
        {
            "scorer": df["scorer"].astype(str),
            "p": p.fillna(np.inf),
            "size": -df["delta"].abs().fillna(-np.inf),
        }
    ).sort_values(["p", "size", "scorer"], kind="stable")
    return list(dict.fromkeys(ranked["scorer"]))


# -- scorer bars ------------------------------------------------------------------------------
def scorer_bars(data: Any, *, title: str | None = None) -> Chart:
    """Per-scorer mean scores with 95% confidence intervals.

    Parameters
    ----------
    data
        - a ``Comparison`` (or its ``scorers`` DataFrame, columns ``scorer``,
          ``baseline_mean``, ``candidate_mean``, ``delta``, ``ci_low``, ``ci_high`` and
          optionally ``direction``, ``significant``, ``regression``): baseline and
          candidate means side by side, next to the paired change with its interval,
          regressions in vermillion;
        - a ``Summary`` (or its ``scorers`` DataFrame: ``scorer``, ``mean``, ``ci_low``,
          ``ci_high``): one run's means with intervals;
        - a mapping ``{label: Summary or scorers DataFrame}``: several runs side by side.
    title
        Replaces the default title.

    Examples
    --------
    >>> chart = scorer_bars(wb.compare(baseline_id, candidate_id))  # doctest: +SKIP
    >>> save(chart, "scores.png")  # doctest: +SKIP
    """
    if isinstance(data, Mapping):
        return _runs_bars(data, title=title)
    df = frame(data, "scorers", ["scorer"], what="scorer_bars")
    if {"baseline_mean", "candidate_mean"} <= set(df.columns):
        return _comparison_bars(df, data, title=title)
    require(df, ["mean"], what="scorer_bars")
    subtitle = _run_label(data) if not isinstance(data, pd.DataFrame) else ""
    return _runs_bars({"": df}, title=title, subtitle=subtitle)


def _runs_bars(runs: Mapping[str, Any], *, title: str | None, subtitle: str = "") -> Chart:
    parts = []
    for label, run in runs.items():
        df = frame(run, "scorers", ["scorer", "mean"], what="scorer_bars")
        part = numeric(df, ["mean", "ci_low", "ci_high", "pass_rate", "n"])
        for column in ("ci_low", "ci_high", "pass_rate", "n"):
            if column not in part.columns:
                part[column] = np.nan
        part["run"] = display_name(label) or _run_label(run) or "run"
        parts.append(part[["scorer", "run", "mean", "ci_low", "ci_high", "pass_rate", "n"]])
    if not parts:
        raise ValidationError("scorer_bars: no runs given")
    long = pd.concat(parts, ignore_index=True)
    long["scorer"] = long["scorer"].astype(str)
    several = long["run"].nunique() > 1
    scorers = sorted(long["scorer"].unique())
    x_scale = _x_scale(long["mean"], long["ci_low"], long["ci_high"])
    y = alt.Y("scorer:N", title="Scorer", sort=scorers)
    color = (
        alt.Color("run:N", title="Run", sort=list(dict.fromkeys(long["run"]))) if several else alt.value(th.PALETTE[0])
    )
    offset: dict[str, Any] = {"yOffset": alt.YOffset("run:N", sort=list(dict.fromkeys(long["run"])))} if several else {}
    tooltip = [
        alt.Tooltip("scorer:N", title="Scorer"),
        alt.Tooltip("run:N", title="Run"),
        alt.Tooltip("mean:Q", title="Mean", format=".3f"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format=".3f"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format=".3f"),
        alt.Tooltip("pass_rate:Q", title="Pass rate", format=".1%"),
        alt.Tooltip("n:Q", title="Items"),
    ]
    base = alt.Chart(long).encode(y=y, tooltip=tooltip, **offset)
    bars = base.mark_bar(opacity=0.9, height={"band": 0.8}).encode(
        x=alt.X("mean:Q", title="Mean score (95% CI)", scale=x_scale), color=color
    )
    ci = base.mark_rule(color=th.TEXT, strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q")
    ticks = base.mark_tick(color=th.TEXT, thickness=1.5, size=10)
    ends = ticks.encode(x="ci_low:Q") + ticks.encode(x="ci_high:Q")
    rows = len(scorers) * (long["run"].nunique() if several else 1)
    return alt.layer(bars, ci, ends).properties(
        title=alt.Title(title or "Mean score by scorer", subtitle=subtitle or "bars: mean · whiskers: 95% CI"),
        width=420,
        height=_height(rows, 26),
    )


def _status(df: pd.DataFrame) -> pd.Series:
    higher = df["direction"].astype(str).str.lower() != "lower" if "direction" in df.columns else True
    if "significant" in df.columns:
        significant = df["significant"].fillna(False).astype(bool)
    else:
        significant = (df["ci_low"] > 0) | (df["ci_high"] < 0)
    better = np.where(higher, df["delta"] > 0, df["delta"] < 0)
    regression = df["regression"].fillna(False).astype(bool) if "regression" in df.columns else significant & ~better
    status = np.where(regression, "regression", np.where(significant & better, "improvement", "no significant change"))
    return pd.Series(status, index=df.index)


def _comparison_bars(df: pd.DataFrame, obj: Any, *, title: str | None) -> Chart:
    require(df, ["delta", "ci_low", "ci_high"], what="scorer_bars")
    df = numeric(df, ["baseline_mean", "candidate_mean", "delta", "ci_low", "ci_high", "p_value", "n"])
    df["scorer"] = df["scorer"].astype(str)
    df["status"] = _status(df)
    if "p_value" not in df.columns:
        df["p_value"] = np.nan
    scorers = scorers_by_change(df)  # the scorer that changed most on top
    side = ("baseline", "candidate")
    long = pd.concat(
        [
            pd.DataFrame({"scorer": df["scorer"], "run": s, "mean": df[f"{s}_mean"], "status": df["status"]})
            for s in side
        ],
        ignore_index=True,
    )
    for s in side:  # per-side intervals, when the frame carries them
        if f"{s}_ci_low" in df.columns and f"{s}_ci_high" in df.columns:
            mask = long["run"] == s
            long.loc[mask, "ci_low"] = pd.to_numeric(df[f"{s}_ci_low"], errors="coerce").to_numpy()
            long.loc[mask, "ci_high"] = pd.to_numeric(df[f"{s}_ci_high"], errors="coerce").to_numpy()
    y = alt.Y("scorer:N", title="Scorer", sort=scorers)
    means_base = alt.Chart(long).encode(
        y=y,
        yOffset=alt.YOffset("run:N", sort=list(side)),
        tooltip=[
            alt.Tooltip("scorer:N", title="Scorer"),
            alt.Tooltip("run:N", title="Run"),
            alt.Tooltip("mean:Q", title="Mean", format=".3f"),
        ],
    )
    means = means_base.mark_bar(height={"band": 0.8}).encode(
        x=alt.X("mean:Q", title="Mean score", scale=_x_scale(long["mean"])),
        color=alt.Color("run:N", title="Run", scale=alt.Scale(domain=list(side), range=[th.BASELINE, th.CANDIDATE])),
    )
    layers: list[alt.Chart] = [means]
    if "ci_low" in long.columns:
        layers.append(means_base.mark_rule(color=th.TEXT, strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q"))
    height = _height(len(scorers) * 2, 22)
    left = alt.layer(*layers).properties(width=300, height=height, title="Means")

    delta_base = alt.Chart(df).encode(
        y=alt.Y("scorer:N", title=None, sort=scorers, axis=alt.Axis(labels=False, ticks=False)),
        tooltip=[
            alt.Tooltip("scorer:N", title="Scorer"),
            alt.Tooltip("delta:Q", title="Change", format="+.3f"),
            alt.Tooltip("ci_low:Q", title="95% CI low", format="+.3f"),
            alt.Tooltip("ci_high:Q", title="95% CI high", format="+.3f"),
            alt.Tooltip("p_value:Q", title="p-value", format=".3g"),
            alt.Tooltip("status:N", title="Verdict"),
        ],
    )
    status_color = alt.Color(
        "status:N", title="Change", scale=alt.Scale(domain=list(_STATUS_DOMAIN), range=list(_STATUS_RANGE))
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color=th.MUTED, strokeDash=[4, 3]).encode(x="zero:Q")
    whisker = delta_base.mark_rule(strokeWidth=2.5).encode(
        x=alt.X("ci_low:Q", title="Change, candidate - baseline (95% CI)"), x2="ci_high:Q", color=status_color
    )
    point = delta_base.mark_point(filled=True, size=110, opacity=1).encode(x="delta:Q", color=status_color)
    right = alt.layer(zero, whisker, point).properties(width=260, height=height, title="Change")

    subtitle = ""
    if not isinstance(obj, pd.DataFrame) and getattr(obj, "baseline_id", None):
        subtitle = f"baseline {obj.baseline_id}  vs  candidate {obj.candidate_id}"
    chart: Chart = (
        alt.hconcat(left, right, spacing=16)
        .resolve_scale(color="independent")
        .properties(title=alt.Title(title or "Scores: baseline vs candidate", subtitle=subtitle))
    )
    return chart


# -- item deltas --------------------------------------------------------------------------------
def _aggregate_items(d: pd.DataFrame, max_points: int) -> tuple[pd.DataFrame, int | None]:
    """Identical points merged (with a count); a grid of cells when there are still too many."""
    keys = ["scorer", "change", "x", "y"]

    def group(frame_: pd.DataFrame) -> pd.DataFrame:
        return (
            frame_.groupby(keys, sort=False, observed=True)
            .agg(count=("item_id", "size"), example=("item_id", "first"))
            .reset_index()
        )

    grouped = group(d)
    bins: int | None = None
    if len(grouped) > max_points:
        lo = float(min(d["x"].min(), d["y"].min()))
        hi = float(max(d["x"].max(), d["y"].max()))
        width = (hi - lo) or 1.0
        for bins in (100, 50, 25, 10, 5):
            step = width / bins
            cells = d.assign(
                x=lo + (np.floor((d["x"] - lo) / step).clip(upper=bins - 1) + 0.5) * step,
                y=lo + (np.floor((d["y"] - lo) / step).clip(upper=bins - 1) + 0.5) * step,
            )
            grouped = group(cells)
            if len(grouped) <= max_points:
                break
    if len(grouped) > max_points:  # many scorers: keep every regression, then the densest cells
        rank = grouped["change"].ne("regressed").astype(int)
        grouped = grouped.assign(_rank=rank).sort_values(["_rank", "count"], ascending=[True, False])
        grouped = grouped.head(max_points).drop(columns="_rank")
    return grouped, bins


def _cell_area(bins: int, width: int = 300) -> float:
    """The largest mark area (px²) that keeps a grid cell's circle inside its cell."""
    side = width / bins
    return max(30.0, side * side * 1.6)


def item_deltas(
    data: Any, *, scorer: str | None = None, max_points: int = MAX_POINTS, columns: int = 3, title: str | None = None
) -> Chart:
    """Each item's baseline score against its candidate score, regressions in vermillion.

    Points above the dashed ``y = x`` line improved, points below it got worse. Items with
    the same pair of scores are drawn once, sized by their count; when more than
    ``max_points`` marks would remain (e.g. 100,000 items with continuous scores), the
    plane is cut into a grid and each cell is one mark, so the embedded data stays small.

    Parameters
    ----------
    data
        A ``Comparison`` or its ``items`` DataFrame (long: ``item_id``, ``scorer``,
        ``baseline``, ``candidate`` and ``change`` in ``{"improved", "regressed",
        "unchanged"}``; without ``change`` the sign of ``candidate - baseline`` decides).
    scorer
        Show only this scorer; by default every scorer gets its own panel, the one
        that changed most first (:func:`scorers_by_change`) and named in the subtitle.
    max_points
        The most marks drawn in total.
    columns
        Panels per row when faceting by scorer.
    title
        Replaces the default title.
    """
    df = frame(data, "items", ["item_id", "scorer", "baseline", "candidate"], what="item_deltas")
    ranking = scorers_by_change(data if isinstance(getattr(data, "scorers", None), pd.DataFrame) else df)
    df = numeric(df, ["baseline", "candidate"])
    if scorer is not None:
        df = df[df["scorer"].astype(str) == scorer]
        if df.empty:
            raise ValidationError(f"item_deltas: no items for scorer {scorer!r}")
    missing = int(df[["baseline", "candidate"]].isna().any(axis=1).sum())
    df = df.dropna(subset=["baseline", "candidate"])
    if df.empty:
        raise ValidationError("item_deltas: no item has a score on both sides")
    if "change" in df.columns:
        change = df["change"].astype(str).to_numpy()
    else:
        diff = (df["candidate"] - df["baseline"]).to_numpy()
        change = np.where(diff > 0, "improved", np.where(diff < 0, "regressed", "unchanged"))
    d = pd.DataFrame(
        {
            "item_id": df["item_id"].astype(str).to_numpy(),
            "scorer": df["scorer"].astype(str).to_numpy(),
            "change": change,
            "x": df["baseline"].to_numpy(),
            "y": df["candidate"].to_numpy(),
        }
    )
    n_items = len(d)
    counts = d["change"].value_counts()
    points, bins = _aggregate_items(d, max_points)
    points["order"] = points["change"].map({"unchanged": 0, "improved": 1, "regressed": 2}).fillna(0)
    domain = unit_domain(points["x"], points["y"])
    # scores in [0, 1]: a little room around the square so the big merged points at the corners show whole
    scale = alt.Scale(domain=[-0.06, 1.06], nice=False) if domain else alt.Scale(zero=False, nice=True)
    axis = alt.Axis(values=[0, 0.2, 0.4, 0.6, 0.8, 1.0], format=".1f") if domain else alt.Axis()
    many = points["count"].max() > 1
    example = "Example item" if many else "Item"
    tooltip = [
        alt.Tooltip("scorer:N", title="Scorer"),
        alt.Tooltip("example:N", title=example),
        alt.Tooltip("x:Q", title="Baseline" + (" (cell centre)" if bins else ""), format=".3f"),
        alt.Tooltip("y:Q", title="Candidate" + (" (cell centre)" if bins else ""), format=".3f"),
        alt.Tooltip("change:N", title="Change"),
        alt.Tooltip("count:Q", title="Items here"),
    ]
    base = alt.Chart().encode(
        x=alt.X("x:Q", title="Baseline score", scale=scale, axis=axis),
        y=alt.Y("y:Q", title="Candidate score", scale=scale, axis=axis),
    )
    dots = base.mark_circle(stroke="white", strokeWidth=0.5 if not bins else 0).encode(
        color=alt.Color(
            "change:N", title="Change", scale=alt.Scale(domain=list(th.CHANGE_DOMAIN), range=list(th.CHANGE_RANGE))
        ),
        size=(
            alt.Size(
                "count:Q",
                title="Items",
                scale=alt.Scale(range=[8, _cell_area(bins)] if bins else [40, 700], domainMin=1),
                legend=alt.Legend(orient="right", direction="vertical", columns=1),
            )
            if many
            else alt.value(70)
        ),
        order=alt.Order("order:Q"),
        # in a grid, darker cells hold more items
        opacity=alt.Opacity("count:Q", scale=alt.Scale(range=[0.3, 1.0], type="log"), legend=None)
        if bins
        else alt.value(0.75),
        tooltip=tooltip,
    )
    diagonal = (
        alt.Chart()
        .transform_aggregate(x0="min(x)", x1="max(x)", y0="min(y)", y1="max(y)", groupby=["scorer"])
        .transform_calculate(lo="min(datum.x0, datum.y0)", hi="max(datum.x1, datum.y1)")
        .mark_rule(color=th.MUTED, strokeDash=[5, 4], strokeWidth=1.2)
        .encode(x="lo:Q", y="lo:Q", x2="hi:Q", y2="hi:Q")
    )
    parts = [f"{n_items:,} items", *(f"{int(counts.get(c, 0)):,} {c}" for c in th.CHANGE_DOMAIN)]
    if bins:
        parts.append(f"binned into a {bins} x {bins} grid")
    if missing:
        parts.append(f"{missing:,} without a score on one side left out")
    present = set(points["scorer"])
    scorers = [s for s in ranking if s in present] + sorted(present - set(ranking))
    if len(scorers) > 1:
        parts.insert(0, f"changed most: {scorers[0]}")
    subtitle = " · ".join(parts)
    heading = title or ("Item scores: baseline vs candidate" + (f" — {scorers[0]}" if len(scorers) == 1 else ""))
    chart_title = alt.Title(heading, subtitle=subtitle)
    layer = alt.layer(dots, diagonal).properties(width=300, height=300)
    if len(scorers) == 1:
        return alt.layer(dots, diagonal, data=points).properties(width=300, height=300, title=chart_title)
    return layer.facet(facet=alt.Facet("scorer:N", title=None, sort=scorers), columns=columns, data=points).properties(
        title=chart_title
    )
