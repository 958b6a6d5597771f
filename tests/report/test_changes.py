"""Changed-item tables for a reviewer: input and expected output beside both outputs, empty columns left out."""

from __future__ import annotations

from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from workbench.errors import ValidationError
from workbench.report import changed_items, drop_empty_columns, notebook_to_html, table


def comparison() -> SimpleNamespace:
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c", "a"],
            "scorer": ["correct", "correct", "correct", "brief"],
            "baseline": [1.0, 1.0, 0.0, 0.5],
            "candidate": [0.0, 0.5, 1.0, 0.5],
        }
    )
    items["delta"] = items["candidate"] - items["baseline"]
    items["change"] = ["regressed", "regressed", "improved", "unchanged"]
    outputs = pd.DataFrame(
        {
            "item_id": ["a", "b", "c"],
            "baseline_output": ['"Paris"', '"42"', '{"answer": "Tokyo"}'],
            "candidate_output": ['"<b>Lyon</b>"', '"41"', '"Tokyo"'],
            "baseline_label": [None, None, None],
            "candidate_label": [None, "", None],
        }
    )
    return SimpleNamespace(items=items, outputs=outputs)


ITEMS = pd.DataFrame(
    {
        "item_id": ["a", "b", "c"],
        "input": [{"question": "Capital of France?"}, "6 * 7", "Capital of Japan?"],
        "expected_output": ["Paris", "42", None],
    }
)


def test_regressed_items_show_input_and_expected_beside_both_outputs_worst_first() -> None:
    df = changed_items(comparison(), "regressed", ITEMS)
    assert list(df.columns) == [
        "item_id",
        "scorer",
        "input",
        "expected_output",
        "baseline_output",
        "candidate_output",
        "baseline",
        "candidate",
        "delta",
    ]  # the labels hold nothing: left out
    assert list(df["item_id"]) == ["a", "b"]  # -1.0 before -0.5
    first = df.iloc[0]
    assert first["input"] == '{"question":"Capital of France?"}'
    assert first["expected_output"] == "Paris"
    assert first["baseline_output"] == "Paris"  # a JSON string as its text
    assert first["candidate_output"] == "<b>Lyon</b>"


def test_without_the_dataset_the_table_goes_without_input() -> None:
    df = changed_items(comparison(), "improved")
    assert "input" not in df.columns
    assert "expected_output" not in df.columns
    assert df.iloc[0]["baseline_output"] == '{"answer":"Tokyo"}'
    with pytest.raises(ValidationError, match="change must be"):
        changed_items(comparison(), "unchanged")  # type: ignore[arg-type]


def test_drop_empty_columns_keeps_the_columns_asked_for() -> None:
    df = pd.DataFrame({"a": [None, ""], "b": [1, None], "c": [float("nan"), None]})
    assert list(drop_empty_columns(df).columns) == ["b"]
    assert list(drop_empty_columns(df, keep=("a",)).columns) == ["a", "b"]


def test_tables_wrap_long_text_scroll_when_wide_and_can_drop_empty_columns() -> None:
    frame = pd.DataFrame({"item_id": ["a"], "output": ["word " * 20], "label": [None]})
    markup = table(frame, drop_empty=True).markup
    assert "<th>label</th>" not in markup
    assert "<th>output</th>" in markup
    assert '<div class="wb-table-scroll">' in markup
    assert "overflow-x:auto" in markup
    assert "white-space:pre-wrap" in markup
    assert "<th>label</th>" in table(frame).markup  # kept unless asked


def test_the_report_page_keeps_the_table_styles_and_escapes_the_cells() -> None:
    markup = table(changed_items(comparison(), "regressed", ITEMS), drop_empty=True).markup
    nb = new_notebook()  # type: ignore[no-untyped-call]
    cell = new_code_cell("table(...)")  # type: ignore[no-untyped-call]
    cell.outputs = [new_output("display_data", data={"text/html": markup, "text/plain": "table"})]  # type: ignore[no-untyped-call]
    nb.cells = [cell]
    page = notebook_to_html(nbformat.from_dict(nb), title="t", notebook="n.ipynb", params={}, secrets=[])  # type: ignore[no-untyped-call]
    assert "table.wb-table td{white-space:pre-wrap" in page
    assert "&lt;b&gt;Lyon&lt;/b&gt;" in page
    assert "<b>Lyon</b>" not in page


def test_report_pages_drop_widget_views_and_state_but_keep_the_charts_svg() -> None:
    nb = new_notebook()  # type: ignore[no-untyped-call]
    cell = new_code_cell("chart")  # type: ignore[no-untyped-call]
    view = {"version_major": 2, "version_minor": 0, "model_id": "m1"}
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>Live</text></svg>'
    data = {"application/vnd.jupyter.widget-view+json": view, "image/svg+xml": svg, "text/plain": "<chart: Live>"}
    cell.outputs = [new_output("display_data", data=data)]  # type: ignore[no-untyped-call]
    nb.cells = [cell]
    state = {"state": {"m1": {"model_name": "AnyModel", "state": {"_esm": "x"}}}, "version_major": 2}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": state}
    page = notebook_to_html(nbformat.from_dict(nb), title="t", notebook="n.ipynb", params={}, secrets=[])  # type: ignore[no-untyped-call]
    assert "data:image/svg+xml" in page
    assert "widget-view" not in page
    assert "widget-state" not in page
    assert "unpkg" not in page
