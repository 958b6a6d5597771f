"""What report notebooks show besides charts: escaped tables, notes, warnings, and parameter checks.

Everything here escapes the values it is given (outputs, reasons and ids are user data),
so a notebook never renders a model's output as HTML.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import orjson
import pandas as pd

from workbench.errors import ValidationError

Kind = Literal["note", "warning", "ok", "bad"]
_STYLES: dict[str, str] = {
    "note": "border-left:4px solid #7F93A8;background:#F5F7FA",
    "warning": "border-left:4px solid #E69F00;background:#FFF8E6",
    "ok": "border-left:4px solid #009E73;background:#EEF8F4",
    "bad": "border-left:4px solid #D55E00;background:#FDF0EA",
}
MAX_CELL = 120


class HTMLBlock:
    """A piece of HTML the notebook displays (Jupyter calls ``_repr_html_``)."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def require(notebook: str, **params: Any) -> None:
    """Fail with a clear message when a required parameter was not given (is ``None`` or empty).

    Example: ``require("compare_runs", baseline=baseline, candidate=candidate)``.
    """
    missing = [k for k, v in params.items() if v is None or (isinstance(v, str | list | tuple) and not v)]
    if missing:
        flags = " ".join(f"-p {k}=..." for k in missing)
        names = ", ".join(missing)
        raise ValidationError(
            f"{notebook} needs the parameter{'s' if len(missing) > 1 else ''} {names}: "
            f"`workbench report {notebook} {flags}` or wb.report({notebook!r}, {{...}})"
        )


def message(text: str, kind: Kind = "note") -> HTMLBlock:
    """A short escaped paragraph in a coloured box (``note``, ``warning``, ``ok``, ``bad``)."""
    style = _STYLES.get(kind, _STYLES["note"])
    return HTMLBlock(f'<div style="{style};padding:6px 12px;margin:6px 0">{html.escape(text)}</div>')


def messages(texts: Iterable[str], kind: Kind = "warning", *, empty: str | None = None) -> HTMLBlock:
    """Several messages; ``empty`` (as an ``ok`` note) when there are none."""
    blocks = [message(t, kind).markup for t in texts]
    if not blocks and empty is not None:
        blocks = [message(empty, "ok").markup]
    return HTMLBlock("".join(blocks))


def as_text(value: Any) -> Any:
    """A stored JSON value as a reader wants it: a JSON string as its text, other JSON compact, missing as is."""
    if not isinstance(value, str):
        return value
    try:
        decoded = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
    return decoded if isinstance(decoded, str) else orjson.dumps(decoded).decode()


TABLE_STYLE = (
    "<style>.wb-table-scroll{overflow-x:auto;max-width:100%}"
    "table.wb-table td{white-space:pre-wrap;overflow-wrap:anywhere;max-width:28em;"
    "min-width:4em;vertical-align:top;text-align:left}"
    "table.wb-table th{vertical-align:bottom}</style>"
)
"""Cells wrap long text (kept to a readable width); a table wider than the page scrolls."""


def is_blank(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell(value: Any, digits: int) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S") if not pd.isna(value) else value
    if isinstance(value, float):
        return value if math.isnan(value) else round(value, digits)
    if isinstance(value, str) and len(value) > MAX_CELL:
        return value[: MAX_CELL - 1] + "…"
    return value


def table(
    df: pd.DataFrame,
    *,
    title: str | None = None,
    max_rows: int = 50,
    digits: int = 3,
    columns: Iterable[str] | None = None,
    rename: Mapping[str, str] | None = None,
    json_columns: Iterable[str] = (),
    drop_empty: bool = False,
) -> HTMLBlock:
    """A DataFrame as an escaped HTML table: rounded numbers, long text cut, at most ``max_rows`` rows.

    ``json_columns`` hold stored JSON (outputs, inputs): shown decoded, a string as its text.
    ``drop_empty`` leaves out the columns with no value in any row. Long text wraps in its
    cell, and a table wider than the page scrolls sideways instead of being clipped.
    """
    shown = df if columns is None else df[[c for c in columns if c in df.columns]]
    if drop_empty:
        shown = shown[[c for c in shown.columns if not shown[c].map(is_blank).all()]]
    decode = [c for c in json_columns if c in shown.columns]
    if decode:
        shown = shown.assign(**{c: shown[c].map(as_text) for c in decode})
    total = len(shown)
    shown = shown.head(max_rows).map(lambda v: _cell(v, digits))
    if rename:
        shown = shown.rename(columns=dict(rename))
    body = TABLE_STYLE + (
        '<div class="wb-table-scroll">'
        + shown.to_html(index=False, escape=True, na_rep="", border=0, classes="dataframe wb-table")
        + "</div>"
    )
    head = f"<h4>{html.escape(title)}</h4>" if title else ""
    more = f"<p><i>{total - max_rows} more rows not shown.</i></p>" if total > max_rows else ""
    if total == 0:
        body = "<p><i>(none)</i></p>"
    return HTMLBlock(head + body + more)


def facts(values: Mapping[str, Any], *, title: str | None = None, digits: int = 3) -> HTMLBlock:
    """Key/value pairs as a two-column table."""
    frame = pd.DataFrame({"": list(values), "value": [_cell(v, digits) for v in values.values()]})
    return table(frame, title=title, digits=digits)
