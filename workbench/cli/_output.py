"""Printing results: readable tables for people, JSON for scripts; never a known secret.

Everything printed goes through :func:`workbench.secrets.redact`: error messages, table
cells and JSON (a key echoed in an error, or typed into a query, is shown as
``[redacted]``).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from typing import Any

import orjson
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from workbench.secrets import REDACTED, redact, redact_obj

MAX_CELL = 60


class RedactingConsole(Console):
    """A rich console whose printed texts hold no known secret."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Print like :meth:`rich.console.Console.print`, strings redacted first."""
        markup = kwargs.get("markup")
        markup = self._markup if markup is None else markup
        super().print(*(self._redact(o, markup=markup) if isinstance(o, str) else o for o in objects), **kwargs)

    @staticmethod
    def _redact(text: str, *, markup: bool) -> str:
        text = redact(text)
        return text.replace(REDACTED, "\\" + REDACTED) if markup else text  # not a markup tag


console = RedactingConsole(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err_console = RedactingConsole(stderr=True, highlight=False)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dict) or (isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value)):
        text = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()  # structure, compactly
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, pd.Timestamp):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
    else:
        text = str(value)
    text = redact(text).replace("\n", "⏎")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def value_text(value: Any) -> str:
    """An item field's value as a person reads it: text as it is, other values as compact JSON, absent as ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def fields_text(fields: Any) -> str:
    """A dict of item fields (a diff's ``before``/``after``) as ``field: value; ...``."""
    if not isinstance(fields, dict):
        return value_text(fields)
    return "; ".join(f"{k}: {value_text(v)}" for k, v in fields.items())


def values_frame(df: pd.DataFrame, columns: Iterable[str], *, fields: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``df`` for display: ``columns`` hold item values, ``fields`` dicts of them."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(value_text).astype(object)
    for col in fields:
        if col in out.columns:
            out[col] = out[col].map(fields_text).astype(object)
    return out


def print_frame(df: pd.DataFrame, *, title: str | None = None) -> None:
    """Print a DataFrame as a table (long JSON cut to fit)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in df.columns:
        table.add_column(str(col), overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*(Text(_cell(v)) for v in row))  # text, not markup: "[redacted]" stays visible
    console.print(table)


def _names(entries: Any, *, flag_errors: bool = False) -> str | None:
    """``a, b!`` for a list of dicts with a ``name`` (``!`` marks a failed or invalid tool call)."""
    if not isinstance(entries, list) or not entries:
        return None
    names = []
    for entry in entries:
        if isinstance(entry, dict):
            failed = flag_errors and (entry.get("error") or entry.get("valid") is False)
            names.append(f"{entry.get('name')}{'!' if failed else ''}")
    return ", ".join(names)


RESULT_TABLE = ("item_id", "repeat", "input", "output", "error", "tool_calls", "latency_s", "tokens_out", "cost")
"""The columns of ``workbench results`` as a table, before the scores (``--json`` has them all)."""


def results_view(df: pd.DataFrame) -> pd.DataFrame:
    """A run's results as a person reads them: the columns that say what happened, tool calls by name.

    ``df`` is ``Run.results()`` (plain values): text prints as text, never as a JSON literal.
    ``input`` is shown only when the run kept it (a live monitor run).
    """
    columns = [c for c in RESULT_TABLE if c in df.columns and (c != "input" or df[c].notna().any())]
    columns += [c for c in df.columns if c.startswith("score_")]
    view = df[columns].copy()
    if "tool_calls" in view.columns:
        view["tool_calls"] = [_names(calls, flag_errors=True) for calls in view["tool_calls"]]
    if "latency_s" in view.columns:
        view["latency_s"] = view["latency_s"].round(3)
    return view


def to_jsonable(value: Any) -> Any:
    """Plain JSON-ready data from DataFrames, timestamps and the like."""
    if isinstance(value, pd.DataFrame):
        return json.loads(value.to_json(orient="records", date_format="iso", date_unit="ms"))
    return value


def print_json(value: Any) -> None:
    """Print ``value`` as JSON on standard output."""
    sys.stdout.write(json.dumps(redact_obj(to_jsonable(value)), ensure_ascii=False, default=str) + "\n")
