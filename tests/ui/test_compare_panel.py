"""The Compare panel: warnings first, per-scorer deltas with intervals, changed items, charts."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest

from tests.analysis._declared import declare
from workbench import Run, Workbench
from workbench.scorers import scorer
from workbench.ui._compare import ComparePanel

N = 20


def cells(html: str) -> list[str]:
    """The text of every table cell in ``html``."""
    return re.findall(r"<td[^>]*>(.*?)</td>", html)


def baseline_target(x: int) -> int:
    return -1 if x == 3 else 2 * x  # wrong on item 3 only


def candidate_target(x: int) -> Any:
    return "<b>oops</b>" if x % 2 == 0 else 2 * x  # right on item 3, wrong on every even item


def exact(output: Any, expected: Any) -> bool:
    return bool(output == expected)


def brevity(output: Any) -> float:
    return 1.0 if len(str(output)) < 20 else 0.0


@pytest.fixture
def runs(wb: Workbench) -> tuple[Run, Run]:
    wb.create_dataset("qa").add_items(
        [{"item_id": f"i{k:02d}", "input": k, "expected_output": 2 * k} for k in range(N)]
    )
    base = wb.run_sync("qa", baseline_target, scorers=[exact], progress=False)
    cand = wb.run_sync("qa", candidate_target, scorers=[exact], progress=False)
    return base, cand


def test_the_pickers_default_to_the_two_newest_runs(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    panel = ComparePanel(wb, charts=False)
    assert (panel.baseline.value, panel.candidate.value) == (base.id, cand.id)
    assert panel.comparison is None


@pytest.mark.usefixtures("runs")
def test_deltas_with_intervals_and_the_changed_items(wb: Workbench) -> None:
    panel = ComparePanel(wb, charts=False)
    panel.go.click()
    comparison = panel.comparison
    assert comparison is not None
    assert comparison.has_regression
    assert panel.warnings.value == ""
    assert "Regression: exact" in panel.headline.value
    assert f"{N} shared items" in panel.headline.value
    row = comparison.scorers.iloc[0]
    scorers = panel.scorers.value
    assert "exact \u2191" in cells(scorers)
    assert f"{row.delta:+.4g}" in cells(scorers)  # -0.45: ten items lost, one gained
    assert f"[{row.ci_low:.4g}, {row.ci_high:.4g}]" in scorers
    assert "+1 / -10" in scorers
    assert "regression" in scorers
    items = panel.items.value
    assert "<b>10 regressed</b> on exact" in items
    assert "<b>1 improved</b> on exact" in items
    assert "i03" in cells(items)
    assert "&lt;b&gt;oops&lt;/b&gt;" in items  # outputs are escaped
    assert "<b>oops</b>" not in items
    assert "latency_s" in panel.metrics.value


@pytest.mark.usefixtures("runs")
def test_changed_items_show_input_and_expected_beside_both_outputs(wb: Workbench) -> None:
    panel = ComparePanel(wb, charts=False)
    panel.go.click()
    items = panel.items.value
    regressed = items.split("regressed</b>", 1)[1].split("</table>", 1)[0]
    header = re.findall(r"<th\b[^>]*>(.*?)</th>", regressed)
    assert header == ["item", "input", "expected", "baseline", "candidate", "baseline output", "candidate output"]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", regressed) if ">i04<" in r)
    assert cells(row) == ["i04", "4", "8", "1", "0", "8", "&lt;b&gt;oops&lt;/b&gt;"]
    assert "overflow-x:auto" in items  # a wide table scrolls
    assert "overflow-wrap:anywhere" in items  # long text wraps


def test_columns_blank_in_every_row_are_left_out(wb: Workbench) -> None:
    wb.create_dataset("open").add_items([{"item_id": f"o{k}", "input": k} for k in range(6)])  # no expected output
    wb.run_sync("open", lambda x: "long " * 3, scorers=[brevity], progress=False)
    wb.run_sync("open", lambda x: "long " * 30 if x % 2 else "ok", scorers=[brevity], progress=False)
    panel = ComparePanel(wb, charts=False)
    panel.go.click()
    header = re.findall(r"<th\b[^>]*>(.*?)</th>", panel.items.value.split("</table>", 1)[0])
    assert "input" in header
    assert "expected" not in header


def test_warnings_stand_at_the_top(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, _ = runs
    wb.dataset("qa").update_item("i01", expected_output=0)
    gate = threading.Event()

    def stuck(x: int) -> int:
        if x >= 5:
            gate.wait(20)
        return 2 * x

    try:
        partial = wb.run("qa", stuck, scorers=[exact], progress=False)
        deadline = time.monotonic() + 20
        while partial.progress["done"] < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        partial.cancel()
    finally:
        gate.set()
    panel = ComparePanel(wb, charts=False)
    panel.show(base.id, partial.id)
    codes = [w.code for w in panel.comparison.warnings] if panel.comparison else []
    assert codes == ["dataset_version_mismatch", "partial_run", "coverage"]
    assert f"the candidate covers 5 of the baseline&#x27;s {N} items" in panel.warnings.value
    assert "the runs use different versions of qa" in panel.warnings.value
    assert re.search(r"\b1 items? changed", panel.warnings.value)
    assert f"the candidate run {partial.id} is partial: 5 of {N} items" in panel.warnings.value
    children = list(panel.widget.children)
    assert children.index(panel.warnings) < children.index(panel.headline) < children.index(panel.scorers)


def test_the_charts_are_inline_svg(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    panel = ComparePanel(wb)
    panel.show(base.id, cand.id)
    charts = panel.charts.value
    assert charts.count("<svg") == 2
    assert "wb-chart-scorer_bars" in charts
    assert "wb-chart-item_deltas" in charts
    assert "<script" not in charts


def test_problems_are_shown_not_raised(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    panel = ComparePanel(wb, charts=False)
    panel.show(base.id, base.id)
    assert "Pick two different runs" in panel.message.value
    panel.show(base.id, "nope")
    assert "run &#x27;nope&#x27; does not exist" in panel.message.value
    assert panel.scorers.value == ""
    panel.show(base.id, cand.id)
    assert panel.message.value == ""
    assert panel.scorers.value


def test_runs_without_a_common_scorer(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, _ = runs
    other = wb.run_sync("qa", baseline_target, progress=False)
    panel = ComparePanel(wb)
    panel.show(base.id, other.id)
    assert "scorer_mismatch" in panel.warnings.value
    assert "No scorer in common" in panel.scorers.value
    assert "No item_deltas chart" in panel.charts.value  # no item has a score on both sides


def test_an_empty_store(wb: Workbench) -> None:
    panel = ComparePanel(wb)
    panel.go.click()
    assert "Pick a baseline run and a candidate run" in panel.message.value


def crashing_target(x: int) -> int:
    if x % 2:
        raise RuntimeError("boom")
    return 2 * x


def test_a_candidate_that_crashes_shows_the_success_rate_regression_and_the_warning(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(
        [{"item_id": f"i{k:02d}", "input": k, "expected_output": 2 * k} for k in range(N)]
    )
    base = wb.run_sync("qa", lambda x: 2 * x, scorers=[exact], progress=False)
    cand = wb.run_sync("qa", crashing_target, scorers=[exact], progress=False)
    panel = ComparePanel(wb, charts=False)
    panel.show(base.id, cand.id)
    assert panel.comparison is not None
    assert panel.comparison.has_regression  # exact is 1.0 on both sides: only the errors regress
    assert "errored on 10 of 20" in panel.warnings.value
    row = cells(panel.metrics.value)
    at = row.index("success_rate")
    assert row[at + 6] == "REGRESSION"


def test_the_settings_row_has_alpha_margins_pass_marks_lower_is_better_and_dead_scorers(wb: Workbench) -> None:
    panel = ComparePanel(wb, charts=False)
    assert panel.alpha.value == 0.05
    assert list(panel.alpha.options) == [("0.01", 0.01), ("0.05", 0.05), ("0.1", 0.1)]
    widgets = (
        (panel.alpha, "alpha"), (panel.margins, "margins"), (panel.pass_marks, "pass-marks"), (panel.lower, "lower"),
        (panel.allow_dead, "allow-dead"),
    )  # fmt: skip
    for widget, css in widgets:
        assert f"wb-compare-{css}" in widget._dom_classes


def test_a_lower_is_better_scorer_flips_the_verdict(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    panel = ComparePanel(wb, charts=False)
    panel.lower.value = " exact , "
    panel.show(base.id, cand.id)
    comparison = panel.comparison
    assert comparison is not None
    assert panel.message.value == ""
    assert comparison.scorers.iloc[0].direction == "lower"
    assert not comparison.has_regression
    assert "No significant regression (alpha 0.05)" in panel.headline.value
    assert "exact \u2193" in cells(panel.scorers.value)
    assert "improved" in cells(panel.scorers.value)


def test_a_smaller_alpha_is_passed_on(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    panel = ComparePanel(wb, charts=False)
    panel.alpha.value = 0.01  # the sign test's p is about 0.012: not significant at 0.01
    panel.show(base.id, cand.id)
    assert panel.comparison is not None
    assert panel.comparison.alpha == 0.01
    assert not panel.comparison.has_regression
    assert "No significant regression (alpha 0.01)" in panel.headline.value
    assert "99% intervals" in panel.scorers.value


def test_a_margin_larger_than_the_delta_removes_the_regression(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    panel = ComparePanel(wb, charts=False)
    panel.margins.value = "exact=0.5"  # the delta is -0.45
    panel.show(base.id, cand.id)
    assert panel.comparison is not None
    assert not panel.comparison.has_regression
    assert panel.comparison.scorers.iloc[0].margin == 0.5
    assert "worse, within margin" in cells(panel.scorers.value)
    panel.margins.value = "0.4"  # one number for every scorer, as on the command line
    panel.compare()
    assert panel.comparison is not None
    assert panel.comparison.has_regression
    assert "regression" in cells(panel.scorers.value)


@pytest.mark.parametrize(
    ("field", "text", "shown"),
    [
        ("margins", "exact=<b>x</b>", "margins &#x27;exact=&lt;b&gt;x&lt;/b&gt;&#x27;: &#x27;&lt;b&gt;x"),
        ("margins", "=0.1", "use SCORER=VALUE or VALUE"),
        ("margins", "exact=inf", "the number must be finite"),
        ("margins", "nope=0.1", "margin for unknown scorer &#x27;nope&#x27;"),
        ("margins", "exact=-0.1", "must be a number of at least 0"),
        ("pass_marks", "exact=high", "pass marks &#x27;exact=high&#x27;: &#x27;high&#x27; is not a number"),
        ("pass_marks", "nope=0.1", "pass mark for unknown scorer &#x27;nope&#x27;"),
        ("lower", "exact=lower", "list scorer names"),
        ("lower", "nope", "direction for unknown scorer &#x27;nope&#x27;"),
    ],
)
def test_bad_settings_show_the_error(wb: Workbench, runs: tuple[Run, Run], field: str, text: str, shown: str) -> None:
    base, cand = runs
    panel = ComparePanel(wb, charts=False)
    getattr(panel, field).value = text
    panel.show(base.id, cand.id)
    assert panel.comparison is None
    assert shown in panel.message.value
    assert "<b>" not in panel.message.value
    assert panel.scorers.value == ""


def test_the_scorers_declared_direction_and_pass_mark_are_used_and_shown(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, cand = runs
    for run in runs:
        declare(run, "exact", direction="lower", pass_mark=0.0)
    panel = ComparePanel(wb, charts=False)
    panel.show(base.id, cand.id)  # the "lower is better" field is empty: the scorer said it
    comparison = panel.comparison
    assert comparison is not None
    assert comparison.scorers.iloc[0].direction == "lower"
    assert not comparison.has_regression
    assert "exact \u2193" in cells(panel.scorers.value)
    assert "5.0% \u2192 50.0% (\u2264 0)" in cells(panel.scorers.value)  # passing = at or below 0: the wrong ones
    panel.pass_marks.value = "exact=1"
    panel.compare()
    assert panel.comparison is not None
    assert panel.comparison.scorers.iloc[0].pass_mark == 1.0


def fragile(output: Any) -> float:
    raise ValueError("broken scorer")


def test_a_dead_scorer_is_warned_and_fails_unless_allowed(wb: Workbench, runs: tuple[Run, Run]) -> None:
    base, _ = runs
    dead = wb.run_sync("qa", baseline_target, scorers=[scorer(fragile, name="exact")], progress=False)
    panel = ComparePanel(wb, charts=False)
    panel.show(base.id, dead.id)
    assert panel.comparison is not None
    assert panel.comparison.has_regression
    assert "dead_scorer" in panel.warnings.value
    assert "Dead scorer: exact" in panel.headline.value
    assert "dead scorer" in cells(panel.scorers.value)
    panel.allow_dead.value = True
    panel.compare()
    assert panel.comparison is not None
    assert not panel.comparison.has_regression
    assert "dead scorer (allowed)" in cells(panel.scorers.value)
