"""Widget tables show values, never JSON literals: text without quotes, newlines as line breaks, objects compact.

Each panel is driven on a real store with awkward values, and the HTML of its cells (what the
browser gets) is read back.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

from workbench import Workbench
from workbench.ui import DatasetsPanel, FrameSource, PagedTable
from workbench.ui._compare import ComparePanel
from workbench.ui._results import ResultsPanel
from workbench.ui._run import RunPanel
from workbench.ui._table import cell_html, cell_text, json_values

TWO_LINES = "line one\nline two"
ITEMS: list[dict[str, Any]] = [
    {"item_id": "a", "input": "30 days", "expected_output": TWO_LINES, "metadata": {"tier": "gold", "n": 1}},
    {"item_id": "b", "input": {"q": 'say "hi"'}, "expected_output": ["x", 2], "context": 'it\'s "quoted"'},
    {"item_id": "c", "input": "42", "expected_output": "", "metadata": None},
]


def cells(widgets: Any) -> list[str]:
    """The text a browser shows in each cell of a grid (tags dropped, entities unescaped)."""
    return [html.unescape(re.sub(r"<[^>]+>", "", str(getattr(w, "value", "")))) for w in widgets]


def grid_cells(table: PagedTable) -> list[str]:
    return cells(table.grid.children)


def grid_html(table: PagedTable) -> str:
    return "".join(str(getattr(w, "value", "")) for w in table.grid.children)


def assert_values_shown(shown: list[str], raw_html: str) -> None:
    assert "30 days" in shown
    assert '"30 days"' not in shown
    assert TWO_LINES in shown  # a real line break, not the two characters \ and n
    assert "\\n" not in raw_html
    assert re.search(r"white-space:pre-wrap[^>]*>line one\nline two<", raw_html)  # shown as a line break
    assert '{"q":"say \\"hi\\""}' in shown  # an object as compact JSON
    assert "42" in shown
    assert '"42"' not in shown


def test_cell_text_is_the_value_not_its_json() -> None:
    assert cell_text("30 days") == "30 days"
    assert cell_text({"a": [1, "b"]}) == '{"a":[1,"b"]}'
    assert cell_text(None) == ""
    assert cell_text(pd.NA) == ""
    assert cell_text(float("nan")) == ""
    assert cell_text(True) == "true"


def test_a_cell_keeps_its_line_breaks_and_is_cut_at_a_few_lines() -> None:
    cell = cell_html(TWO_LINES)
    assert "white-space:pre-wrap" in cell
    assert ">line one\nline two<" in cell
    long = "\n".join(f"line {k}" for k in range(20))
    visible = re.sub(r"<[^>]+>", "", cell_html(long))  # the tooltip keeps it all; the cell shows six lines
    assert visible == "\n".join(f"line {k}" for k in range(6)) + "\u2026"


def test_json_values_decodes_stored_text_once() -> None:
    assert json_values(['"30 days"', '{"a":1}', None]) == ["30 days", {"a": 1}, None]
    assert json_values(["30 days", '"quoted"']) == ["30 days", '"quoted"']  # already values: left alone
    assert json_values([{"a": 1}, "[1]"]) == [{"a": 1}, "[1]"]


def test_the_datasets_items_table_shows_values(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(ITEMS)
    panel = DatasetsPanel(wb)
    shown = grid_cells(panel.table)
    assert_values_shown(shown, grid_html(panel.table))
    assert 'it\'s "quoted"' in shown  # quotes inside a string are part of the value
    assert '["x",2]' in shown
    assert '{"tier":"gold","n":1}' in shown


def test_a_frame_source_of_stored_json_shows_values() -> None:
    frame = pd.DataFrame({"item_id": ["a", "b"], "output": ['"30 days"', '"line one\\nline two"']})
    table = PagedTable(FrameSource(frame, json_columns=["output"]))
    assert {"30 days", TWO_LINES} <= set(grid_cells(table))


def test_the_run_panel_items_and_results_show_values(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(ITEMS)
    panel = RunPanel(wb)
    panel.dataset.value = "qa"
    shown = grid_cells(panel.items)
    assert "30 days" in shown
    assert TWO_LINES in shown
    assert '"30 days"' not in shown
    run = wb.run_sync("qa", lambda item_input: TWO_LINES if item_input == "30 days" else "ok", progress=False)
    panel._show_results([run])
    results = grid_cells(panel.results)
    assert TWO_LINES in results
    assert "ok" in results
    assert '"ok"' not in results


def test_the_results_table_shows_values(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(ITEMS)
    run = wb.run_sync("qa", lambda item_input: TWO_LINES if item_input == "30 days" else {"k": "v"}, progress=False)
    panel = ResultsPanel(wb)
    panel.show(run.id)
    shown = grid_cells(panel.table)
    assert_values_shown(shown, grid_html(panel.table))
    assert '{"k":"v"}' in shown


def target_v1(item_input: Any) -> str:
    return "30 days" if item_input == "30 days" else "same"


def target_v2(item_input: Any) -> str:
    return TWO_LINES if item_input == "30 days" else "same"


def right(output: Any) -> bool:
    return bool(output != TWO_LINES)


def test_the_compare_panel_shows_outputs_as_values(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(ITEMS)
    wb.run_sync("qa", target_v1, scorers=[right], progress=False)
    wb.run_sync("qa", target_v2, scorers=[right], progress=False)
    panel = ComparePanel(wb, charts=False)
    panel.go.click()
    tds = re.findall(r"<td[^>]*>(.*?)</td>", panel.items.value, re.S)
    shown = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in tds]
    assert "30 days" in shown
    assert TWO_LINES in shown
    assert '"30 days"' not in shown
    assert "\\n" not in panel.items.value
    assert "white-space:pre-wrap" in panel.items.value
