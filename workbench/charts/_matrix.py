"""The leaderboard as charts: cost against score with its Pareto frontier, and a model x prompt heatmap."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from workbench.charts import _theme as th
from workbench.charts._inputs import MONEY_TOOLTIP, Chart, display_name, frame, money_format, numeric, unit_domain
from workbench.errors import ValidationError

_MATRIX_COLUMNS = ("target", "scorer", "mean")


def _pick_scorer(df: pd.DataFrame, scorer: str | None, what: str) -> tuple[str, pd.DataFrame]:
    scorers = sorted(df["scorer"].dropna().astype(str).unique())
    if not scorers:
        raise ValidationError(f"{what}: the matrix has no scores")
    if scorer is None:
        scorer = scorers[0]
    elif scorer not in scorers:
        raise ValidationError(f"{what}: no scorer {scorer!r} in the matrix (it has {', '.join(scorers)})")
    return scorer, df[df["scorer"].astype(str) == scorer]


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str)


def _label(row: pd.Series) -> str:
    target, model, prompt = str(row["target"]), str(row["model"]), str(row["prompt"])
    name = target or "/".join(x for x in (model, prompt) if x)
    return display_name(name, model)


def pareto_frontier(cost: pd.Series, score: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Which points no other point dominates (costs no more and scores no worse, better in one).

    A score is better when higher, or when lower with ``higher_is_better=False`` (then the
    frontier is the cheap, low-scoring points). Returns a boolean Series aligned with ``cost``.
    """
    c = cost.to_numpy(dtype="float64")
    s = score.to_numpy(dtype="float64")
    if not higher_is_better:
        s = -s
    keep = np.ones(len(c), dtype=bool)
    for i in range(len(c)):
        dominated = (c <= c[i]) & (s >= s[i]) & ((c < c[i]) | (s > s[i]))
        keep[i] = not dominated.any()
    return pd.Series(keep, index=cost.index)


def cost_vs_score(
    data: Any, scorer: str | None = None, *, direction: str | None = None, title: str | None = None
) -> Chart:
    """One point per target (model and prompt) at its cost per item and mean score, with the Pareto frontier.

    The frontier joins the targets nothing beats on both counts: no other target is
    cheaper and at least as good, or better and at most as expensive. A target with no
    recorded cost (a plain function) is placed at cost 0 and says so in its tooltip. For a
    lower-is-better scorer (``direction="lower"``) better means a lower score, so the
    frontier joins the cheap, low-scoring targets (down-left).

    Parameters
    ----------
    data
        ``wb.matrix()`` (long: ``target``, ``model``, ``prompt``, ``scorer``, ``mean``,
        ``cost_per_item`` and optionally ``ci_low``, ``ci_high``, ``latency_p50``, ``run_id``).
    scorer
        Which scorer's mean is the score (default: the first by name).
    direction
        ``"higher"`` or ``"lower"``: which way the score is better. Default: the matrix's
        ``direction`` column for the scorer (what the scorer declares, as ``wb.matrix()``
        reports it), else ``"higher"``; giving it overrides that.
    title
        Replaces the default title.
    """
    if direction is not None and direction not in ("higher", "lower"):
        raise ValidationError(f"cost_vs_score: direction must be 'higher' or 'lower', got {direction!r}")
    df = frame(data, "matrix", [*_MATRIX_COLUMNS, "cost_per_item"], what="cost_vs_score")
    scorer, df = _pick_scorer(df, scorer, "cost_vs_score")
    if direction is None:
        declared: list[str] = sorted(df["direction"].dropna().astype(str).unique()) if "direction" in df else []
        direction = "lower" if declared == ["lower"] else "higher"
    df = numeric(df, ["mean", "cost_per_item", "ci_low", "ci_high", "latency_p50", "n"]).dropna(subset=["mean"])
    if df.empty:
        raise ValidationError(f"cost_vs_score: no target has a mean for {scorer!r}")
    for column in ("model", "prompt", "run_id"):
        df[column] = _text(df[column]) if column in df.columns else ""
    for column in ("latency_p50", "ci_low", "ci_high"):
        if column not in df.columns:
            df[column] = np.nan
    points = pd.DataFrame(
        {
            "label": df.apply(_label, axis=1),
            "model": df["model"],
            "prompt": df["prompt"],
            "run_id": df["run_id"],
            "cost": df["cost_per_item"].fillna(0.0),
            "cost_recorded": np.where(df["cost_per_item"].isna(), "no", "yes"),
            "score": df["mean"],
            "ci_low": df["ci_low"],
            "ci_high": df["ci_high"],
            "latency_p50": df["latency_p50"],
        }
    ).reset_index(drop=True)
    points["frontier"] = pareto_frontier(points["cost"], points["score"], higher_is_better=direction == "higher")
    frontier = points[points["frontier"]].sort_values(["cost", "score"])
    y = alt.Y("score:Q", title=f"Mean {scorer}", scale=alt.Scale(zero=False, nice=True, padding=12))
    money = alt.Axis(format=money_format(points["cost"]))
    x = alt.X("cost:Q", title="Cost per item (USD)", axis=money, scale=alt.Scale(padding=14))
    tooltip = [
        alt.Tooltip("label:N", title="Target"),
        alt.Tooltip("score:Q", title=f"Mean {scorer}", format=".3f"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format=".3f"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format=".3f"),
        alt.Tooltip("cost:Q", title="Cost per item", format=MONEY_TOOLTIP),
        alt.Tooltip("cost_recorded:N", title="Cost recorded"),
        alt.Tooltip("latency_p50:Q", title="Latency p50 (s)", format=".3f"),
        alt.Tooltip("run_id:N", title="Run"),
        alt.Tooltip("frontier:N", title="On the frontier"),
    ]
    base = alt.Chart(points).encode(x=x, y=y)
    line = (
        alt.Chart(frontier)
        .mark_line(color=th.FRONTIER, strokeDash=[6, 3], interpolate="step-after", strokeWidth=2)
        .encode(x=x, y=y, order=alt.Order("cost:Q"))
    )
    color = alt.Color(
        "label:N",
        title="Target",
        sort=list(points.sort_values("cost")["label"]),
        legend=alt.Legend(orient="right", direction="vertical", columns=1),
    )
    ci = base.mark_rule(strokeWidth=2, opacity=0.5).encode(y="ci_low:Q", y2="ci_high:Q", color=color)
    dots = base.mark_point(filled=True, size=140, opacity=1, stroke="white", strokeWidth=1).encode(
        color=color,
        shape=alt.Shape(
            "frontier:N",
            title="Pareto frontier",
            scale=alt.Scale(domain=[True, False], range=["diamond", "circle"]),
            legend=alt.Legend(
                labelExpr="datum.value ? 'on the frontier' : 'dominated'", orient="right", direction="vertical"
            ),
        ),
        tooltip=tooltip,
    )
    corner = "up-left" if direction == "higher" else "down-left: lower is better"
    subtitle = f"dashed line: Pareto frontier (cheaper and better is {corner}) · bars: 95% CI · {len(points)} targets"
    return alt.layer(line, ci, dots).properties(
        title=alt.Title(title or f"Cost vs {scorer}", subtitle=subtitle), width=460, height=320
    )


def heatmap(data: Any, scorer: str | None = None, *, title: str | None = None) -> Chart:
    """Model x prompt-version cells coloured by a scorer's mean, each labelled with its value.

    Parameters
    ----------
    data
        ``wb.matrix()`` (long: ``target``, ``model``, ``prompt``, ``scorer``, ``mean``,
        optionally ``n``, ``run_id``). Targets that are not models (``model == ""``) get a
        row of their own under their target name, in the column "(no prompt)".
    scorer
        Which scorer's mean colours the cells (default: the first by name).
    title
        Replaces the default title.
    """
    df = frame(data, "matrix", [*_MATRIX_COLUMNS, "model", "prompt"], what="heatmap")
    scorer, df = _pick_scorer(df, scorer, "heatmap")
    df = numeric(df, ["mean", "n", "ci_low", "ci_high"])
    model, prompt, target = _text(df["model"]), _text(df["prompt"]), _text(df["target"])
    cells = pd.DataFrame(
        {
            "row": [display_name(m or t, m) for m, t in zip(model, target, strict=True)],
            "column": [p or "(no prompt)" for p in prompt],
            "target": [display_name(t, m) for t, m in zip(target, model, strict=True)],
            "mean": df["mean"].to_numpy(),
            "n": df["n"].to_numpy() if "n" in df.columns else np.nan,
            "run_id": _text(df["run_id"]).to_numpy() if "run_id" in df.columns else "",
        }
    )
    if cells.duplicated(["row", "column"]).any():  # two targets share a cell: keep them apart
        dup = cells.duplicated(["row", "column"], keep=False)
        cells.loc[dup, "row"] = cells.loc[dup, "target"]
    domain = unit_domain(cells["mean"])
    mid = 0.5 if domain else float(cells["mean"].median())
    cells["text"] = cells["mean"].map(lambda v: "n/a" if pd.isna(v) else f"{v:.2f}")
    rows = sorted(cells["row"].unique())
    columns = sorted(cells["column"].unique())
    base = alt.Chart(cells).encode(
        x=alt.X("column:N", title="Prompt version", sort=columns, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("row:N", title="Model", sort=rows),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "mean:Q",
            title=f"Mean {scorer}",
            scale=alt.Scale(scheme=th.SEQUENTIAL, domain=domain) if domain else alt.Scale(scheme=th.SEQUENTIAL),
            legend=alt.Legend(orient="right", direction="vertical"),
        ),
        tooltip=[
            alt.Tooltip("target:N", title="Target"),
            alt.Tooltip("column:N", title="Prompt"),
            alt.Tooltip("mean:Q", title=f"Mean {scorer}", format=".3f"),
            alt.Tooltip("n:Q", title="Items"),
            alt.Tooltip("run_id:N", title="Run"),
        ],
    )
    text = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text="text:N",
        # viridis is dark at the low end: white text there, dark text on the light end
        color=alt.condition(f"datum.mean < {mid}", alt.value("white"), alt.value(th.TEXT)),
    )
    return alt.layer(rect, text).properties(
        title=alt.Title(title or f"Mean {scorer} by model and prompt version", subtitle=f"{len(cells)} targets"),
        width=max(160, 110 * len(columns)),
        height=max(80, 44 * len(rows)),
    )
