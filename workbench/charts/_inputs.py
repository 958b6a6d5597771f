"""What the builders accept: a DataFrame, or an analysis object carrying one as an attribute.

Builders never see raw results: they take the aggregates the analysis functions compute
in DuckDB (a few rows per scorer, target or bin) and check the columns they need, so a
wrong input fails with an error that names the missing column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any, Final, TypeAlias

import altair as alt
import pandas as pd

from workbench.errors import ValidationError

Chart: TypeAlias = alt.Chart | alt.LayerChart | alt.FacetChart | alt.HConcatChart | alt.VConcatChart
"""What a builder returns: an Altair chart, ready to display, compose or save."""

SIMULATED_MODELS: Final = frozenset({"openai:sim-1", "anthropic:sim-1"})
_SIM_MODEL = re.compile(r"(^|[:/])sim-\d+\b")
SIMULATED_SUFFIX: Final = " (simulated)"


def frame(data: Any, attribute: str, columns: Iterable[str], *, what: str) -> pd.DataFrame:
    """``data`` itself when it is a DataFrame, else ``data.<attribute>``; checked for ``columns``."""
    df = data if isinstance(data, pd.DataFrame) else getattr(data, attribute, None)
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(
            f"{what} takes a DataFrame or an object with a .{attribute} DataFrame, not {type(data).__name__}"
        )
    require(df, columns, what=what)
    return df


def require(df: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    """Raise ``ValidationError`` naming the columns ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(f"{what}: the data has no column(s) {', '.join(map(repr, missing))}")


def is_simulated(*names: object) -> bool:
    """Whether a target or model name is a simulated (offline) model."""
    for name in names:
        text = "" if name is None or (isinstance(name, float) and pd.isna(name)) else str(name)
        if "simulated" in text.lower() or text in SIMULATED_MODELS or _SIM_MODEL.search(text):
            return True
    return False


def display_name(name: object, *also: object) -> str:
    """``name`` as shown in titles and legends: simulated models say so."""
    text = "" if name is None or (isinstance(name, float) and pd.isna(name)) else str(name)
    if is_simulated(text, *also) and "simulated" not in text.lower():
        return text + SIMULATED_SUFFIX
    return text


def numeric(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``df`` with ``columns`` as floats (missing values become NaN)."""
    out = df.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    return out


def unit_domain(*series: pd.Series) -> list[float] | None:
    """``[0, 1]`` when every value lies in it (scores), else ``None`` (let Vega-Lite choose)."""
    values = pd.concat([s.dropna() for s in series]) if series else pd.Series(dtype="float64")
    if len(values) and values.min() >= 0 and values.max() <= 1:
        return [0.0, 1.0]
    return None


def money_format(*series: pd.Series, zero: bool = True) -> str:
    """A d3 format for an axis of US dollars that keeps small amounts apart (``$0.00002``, not ``$0``).

    The number of decimals follows the size of a tick step (about a fifth of the axis'
    span: from 0, or from the smallest amount when the scale leaves out ``zero``): enough
    for neighbouring ticks to differ, trailing zeros trimmed, thousands separated. Steps of
    a cent and more get cents.
    """
    values = pd.concat([pd.to_numeric(s, errors="coerce").dropna() for s in series]) if series else None
    if values is None or values.empty:
        return "$,.2~f"
    top, low = float(values.abs().max()), float(values.min())
    span = top if zero else top - low
    if span <= 0 and not zero:
        span = top
    step = span / 5
    if not math.isfinite(step) or step <= 0 or step >= 0.01:
        return "$,.2~f"
    return f"$,.{min(12, max(2, -math.floor(math.log10(step))))}~f"


MONEY_TOOLTIP: Final = "$,.3~r"
"""Tooltips show amounts of money to three significant digits (``$0.0000234``, ``$12.3``)."""
