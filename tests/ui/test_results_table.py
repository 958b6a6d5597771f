"""The Results panel's table: one column per scorer with pass/fail, sorting by any column, status and text filters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.analysis._declared import declare
from workbench import Run, Workbench
from workbench.ui._results import CELL_COLOURS, DESCENDING, ResultsPanel

from .test_results_panel import answer, closeness, exact, shown_text

RIGHT, WRONG = ["i0", "i2", "i4"], ["i1", "i3", "i5"]


@pytest.fixture
def run(wb: Workbench) -> Run:
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": f"i{k}", "input": k, "expected_output": 2 * k} for k in range(6)])
    return wb.run_sync("qa", answer, scorers=[exact, closeness], progress=False)


@pytest.fixture
def panel(wb: Workbench, run: Run) -> ResultsPanel:
    p = ResultsPanel(wb)
    p.show(run.id)
    return p


def units(panel: ResultsPanel) -> list[str]:
    """Every unit the table pages through, in the table's order."""
    return [str(u) for u in panel.rows["unit"]]


def test_one_column_per_scorer_with_its_value_and_verdict(panel: ResultsPanel) -> None:
    columns = panel.table.columns or []
    assert columns[:5] == ["input", "expected_output", "output", "score_exact", "score_closeness"]
    assert "scores" not in columns
    assert (panel.table.labels["score_exact"], panel.table.labels["score_closeness"]) == ("exact", "closeness")
    rows = {r["unit"]: r for r in panel.table.rows}
    assert (rows["i2"]["score_exact"], rows["i2"]["score_closeness"]) == ("1 \u2713 pass", "1 \u2713 pass")
    assert (rows["i1"]["score_exact"], rows["i1"]["score_closeness"]) == ("0 \u2717 fail", "0.25 \u2717 fail")
    assert 'title="0.25 \u2717 fail"' in shown_text(panel)  # what the colour rules select on


def test_the_colours_are_rules_on_the_score_cells_text(panel: ResultsPanel) -> None:
    def texts(widget: Any) -> list[str]:
        found = [str(widget.value)] if hasattr(widget, "value") and isinstance(widget.value, str) else []
        return found + [t for child in getattr(widget, "children", ()) for t in texts(child)]

    assert CELL_COLOURS in texts(panel.widget)
    assert '.wb-results-table .wb-cell[title$="\u2717 fail"]{color:#cf222e' in CELL_COLOURS
    assert '.wb-results-table .wb-cell[title$="\u2713 pass"]{color:#1a7f37' in CELL_COLOURS


def test_a_declared_pass_mark_and_direction_decide_the_verdict(wb: Workbench, run: Run) -> None:
    declare(run, "closeness", direction="lower", pass_mark=0.3)
    p = ResultsPanel(wb)
    p.show(run.id)
    rows = {r["unit"]: r for r in p.table.rows}
    assert (rows["i1"]["score_closeness"], rows["i2"]["score_closeness"]) == ("0.25 \u2713 pass", "1 \u2717 fail")


def test_a_scorer_error_shows_in_its_column_and_the_error_status_finds_it(wb: Workbench) -> None:
    wb.create_dataset("d").add_items([{"item_id": "a", "input": 1}, {"item_id": "b", "input": 2}])

    def picky(output: Any) -> float:
        if output == 2:
            raise RuntimeError("cannot judge")
        return 1.0

    finished = wb.run_sync("d", lambda x: x, scorers=[picky], progress=False)
    p = ResultsPanel(wb)
    p.show(finished.id)
    rows = {r["unit"]: r for r in p.table.rows}
    assert rows["b"]["score_picky"] == "\u26a0 error: RuntimeError: cannot judge"
    assert rows["a"]["score_picky"] == "1 \u2713 pass"
    p.status.value = "error"
    assert units(p) == ["b"]
    p.status.value = "pass"
    assert units(p) == ["a"]


@pytest.mark.parametrize(
    ("column", "descending", "first", "last"),
    [
        ("score_closeness", False, WRONG, RIGHT),
        ("score_exact", True, RIGHT, WRONG),
        ("tokens", True, ["i5"], ["i0"]),  # 10 + x tokens in, 5 out
        ("expected_output", True, ["i5"], ["i0"]),
        ("unit", True, ["i5"], ["i0"]),
    ],
)
def test_the_table_sorts_by_any_column(
    panel: ResultsPanel, column: str, descending: bool, first: list[str], last: list[str]
) -> None:
    assert column in [v for _, v in panel.sort.options]
    panel.sort.value = column
    if descending:
        panel.sort_order.value = DESCENDING
    order = units(panel)
    assert sorted(order[: len(first)]) == sorted(first)
    assert sorted(order[-len(last) :]) == sorted(last)
    assert [r["unit"] for r in panel.table.rows] == order[: panel.table.page_size]  # the page shows that order


def test_sorting_numbers_is_numeric_and_missing_values_go_last(wb: Workbench) -> None:
    wb.create_dataset("n").add_items([{"item_id": f"k{k}", "input": k} for k in (2, 10, 1)])

    def size(output: Any) -> float:
        if output == 1:
            raise RuntimeError("no score")
        return float(output) / 20  # 0.1 and 0.5; k1 has no score

    finished = wb.run_sync("n", lambda x: x, scorers=[size], progress=False)
    p = ResultsPanel(wb)
    p.show(finished.id)
    p.sort.value = "score_size"
    assert units(p) == ["k2", "k10", "k1"]
    p.sort_order.value = DESCENDING
    assert units(p) == ["k10", "k2", "k1"]


def test_the_status_filter_over_every_scorer_or_the_one_chosen(panel: ResultsPanel) -> None:
    assert [v for _, v in panel.status.options] == ["__any__", "pass", "fail", "error"]
    panel.status.value = "pass"
    assert sorted(units(panel)) == RIGHT
    panel.status.value = "fail"
    assert sorted(units(panel)) == WRONG
    panel.scorer.value = "closeness"
    assert sorted(units(panel)) == WRONG
    panel.score_range.value = (0.0, 0.5)  # the range narrows the same scorer
    assert sorted(units(panel)) == WRONG
    panel.status.value = "error"
    assert units(panel) == []
    assert "0 of 6 results shown" in panel.summary.value


def test_the_text_filter_looks_in_input_and_output(panel: ResultsPanel) -> None:
    panel.table.search.value = "script"  # item 3's output
    assert [r["unit"] for r in panel.table.rows] == ["i3"]
    panel.table.search.value = "5"  # item 5's input
    assert "i5" in [r["unit"] for r in panel.table.rows]
    panel.status.value = "pass"
    panel.table.search.value = "4"  # i2's output 4, i4's input 4: both pass
    assert sorted(r["unit"] for r in panel.table.rows) == ["i2", "i4"]
