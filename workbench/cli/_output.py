"""Printing results: readable tables for people, JSON for scripts."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import orjson
import pandas as pd
from rich.console import Console
from rich.table import Table

MAX_CELL = 60

console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False)


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
    text = text.replace("\n", "⏎")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def print_frame(df: pd.DataFrame, *, title: str | None = None) -> None:
    """Print a DataFrame as a table (long JSON cut to fit)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in df.columns:
        table.add_column(str(col), overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
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
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, default=str) + "\n")
