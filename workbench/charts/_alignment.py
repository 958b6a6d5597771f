"""Judge alignment: the confusion matrix of human verdicts against the judge's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from workbench.charts import _theme as th
from workbench.charts._inputs import Chart
from workbench.errors import ValidationError


def _matrix(data: Any) -> tuple[pd.DataFrame, str]:
    """The confusion DataFrame (rows: human, columns: judge) and a subtitle from the alignment figures."""
    subtitle = ""
    if isinstance(data, Mapping):
        if "confusion_matrix" not in data:
            raise ValidationError(
                "confusion: this alignment has no confusion matrix (numeric verdicts outside [0, 1]); "
                "pass categorical verdicts or a threshold"
            )
        parts = [f"{data['n']:,} pairs"] if "n" in data else []
        for key, name in (("agreement", "agreement"), ("kappa", "Cohen's κ")):
            value = data.get(key)
            if value is not None and not pd.isna(value):
                parts.append(f"{name} {value:.2f}")
        subtitle = " · ".join(parts)
        data = data["confusion_matrix"]
    if not isinstance(data, pd.DataFrame):
        raise ValidationError(
            f"confusion takes alignment(...)'s dict or confusion_matrix(...)'s DataFrame, not {type(data).__name__}"
        )
    return data, subtitle


def confusion(data: Any, *, title: str | None = None) -> Chart:
    """Counts of (human verdict, judge verdict): agreement on the diagonal.

    Parameters
    ----------
    data
        ``workbench.analysis.alignment(...)``'s result (its ``confusion_matrix``, with
        agreement and kappa in the subtitle) or ``confusion_matrix(human, judge)``'s
        DataFrame (rows: human labels, columns: judge labels).
    title
        Replaces the default title.
    """
    matrix, subtitle = _matrix(data)
    if matrix.empty:
        raise ValidationError("confusion: the confusion matrix is empty")
    labels = [str(x) for x in matrix.index]
    judged = [str(x) for x in matrix.columns]
    cells = pd.DataFrame(
        [
            {"human": str(h), "judge": str(j), "count": int(matrix.loc[h, j])}
            for h in matrix.index
            for j in matrix.columns
        ]
    )
    row_totals = cells.groupby("human")["count"].transform("sum")
    cells["share"] = cells["count"] / row_totals.where(row_totals > 0)
    cells["agree"] = cells["human"] == cells["judge"]
    top = int(cells["count"].max())
    cells["text"] = [
        f"{c}" + (f"\n{s:.0%}" if not pd.isna(s) else "") for c, s in zip(cells["count"], cells["share"], strict=True)
    ]
    base = alt.Chart(cells).encode(
        x=alt.X("judge:N", title="Judge's verdict", sort=judged, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("human:N", title="Human verdict", sort=labels),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("count:Q", title="Pairs", scale=alt.Scale(scheme="blues", domainMin=0)),
        tooltip=[
            alt.Tooltip("human:N", title="Human"),
            alt.Tooltip("judge:N", title="Judge"),
            alt.Tooltip("count:Q", title="Pairs"),
            alt.Tooltip("share:Q", title="Share of the human's row", format=".1%"),
        ],
    )
    outline = base.transform_filter("datum.agree").mark_rect(fill=None, stroke=th.TEXT, strokeWidth=1.5)
    text = base.mark_text(fontSize=13, lineBreak="\n").encode(
        text="text:N",
        color=alt.condition(f"datum.count > {top / 2}", alt.value("white"), alt.value(th.TEXT)),
    )
    return alt.layer(rect, outline, text).properties(
        title=alt.Title(title or "Judge vs human verdicts", subtitle=subtitle or "rows: human · columns: judge"),
        width=max(160, 80 * len(judged)),
        height=max(120, 60 * len(labels)),
    )
