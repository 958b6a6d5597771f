"""``wb.failure_modes()``: label counts per target, and the items that fail most often across runs."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.analysis._declared import declare
from tests.analysis._multi_runs import doubler, exact, make_dataset, pending_run, tenth, tripler
from workbench import ValidationError, Workbench, targets
from workbench.analysis import FailureModes
from workbench.analysis._failures import BY_TARGET_COLUMNS, ITEM_COLUMNS
from workbench.cli import main


def counts(fm: FailureModes, target: str) -> dict[str, int]:
    rows = fm.by_target[fm.by_target["target"] == target]
    return dict(zip(rows["label"], rows["count"], strict=True))


def test_label_counts_and_shares_per_target(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", doubler, scorers=[exact])
    run.auto_label()  # i0-i2 success, i3 (error) failure_logic_bug
    run.label("i1", "failure_format")
    wb.run_sync("d", tripler, scorers=[exact])  # not labelled
    fm = wb.failure_modes()
    assert list(fm.by_target.columns) == list(BY_TARGET_COLUMNS)
    assert counts(fm, "doubler") == {"success": 2, "failure_format": 1, "failure_logic_bug": 1}
    assert counts(fm, "tripler") == {"unlabelled": 4}
    doubler_rows = fm.by_target[fm.by_target["target"] == "doubler"]
    assert doubler_rows["share"].tolist() == [0.5, 0.25, 0.25]
    assert doubler_rows["label"].tolist() == ["success", "failure_format", "failure_logic_bug"]


def test_items_that_fail_most_often_come_first(wb: Workbench) -> None:
    make_dataset(wb)
    a = wb.run_sync("d", doubler, scorers=[exact])  # fails i3 (error)
    a.auto_label()
    a.label("i0", "partial_success")  # a label that is not a failure
    wb.run_sync("d", tripler, scorers=[exact], repeats=2)  # no labels: exact < 0.5 fails i1, i2, i3
    fm = wb.failure_modes()
    assert list(fm.items.columns) == list(ITEM_COLUMNS)
    rows = fm.items.set_index("item_id")
    assert rows.index.tolist() == ["i3", "i1", "i2"]  # i0 never fails
    # i3: 1 unit of the first run + 2 repeats of the second, all failing
    assert (rows.loc["i3", "runs"], rows.loc["i3", "failures"], rows.loc["i3", "failure_rate"]) == (2, 3, 1.0)
    # i1: passes in the first run, fails both repeats of the second
    assert (rows.loc["i1", "runs"], rows.loc["i1", "failures"]) == (2, 2)
    assert rows.loc["i1", "failure_rate"] == pytest.approx(2 / 3)
    assert rows.loc["i3", "top_label"] == "failure_logic_bug"  # a real label beats 'unlabelled'
    assert rows.loc["i1", "top_label"] == "unlabelled"


def test_a_human_success_label_overrides_a_low_score(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[exact])
    run.label("i2", "success", note="3 * 2 is fine here")
    fm = wb.failure_modes()
    assert fm.items["item_id"].tolist() == ["i1", "i3"]


def test_a_scorer_error_alone_is_not_a_failure(wb: Workbench) -> None:
    make_dataset(wb)

    def broken(output: int) -> float:
        raise RuntimeError("scorer bug")

    def fine(output: int) -> float:
        return 1.0

    wb.run_sync("d", tripler, scorers=[broken, fine])
    fm = wb.failure_modes()
    assert fm.items.empty
    assert counts(fm, "tripler") == {"unlabelled": 4}


def test_html_is_escaped(wb: Workbench) -> None:
    make_dataset(wb)
    wb.run_sync("d", targets.function(tripler, name="<i>t</i>"), scorers=[exact])
    page = wb.failure_modes()._repr_html_()
    assert "&lt;i&gt;t&lt;/i&gt;" in page
    assert "<i>" not in page


def test_top_filters_and_json(wb: Workbench) -> None:
    make_dataset(wb)
    wb.run_sync("d", tripler, scorers=[exact])
    make_dataset(wb, name="other")
    other = wb.run_sync("other", doubler)
    pending_run(wb, "pending-1")
    fm = wb.failure_modes(dataset="d", top=1)
    assert fm.items["item_id"].tolist() == ["i1"]
    assert set(fm.by_target["target"]) == {"tripler"}
    data = json.loads(json.dumps(fm.to_dict()))
    assert data["items"] == [
        {"item_id": "i1", "runs": 1, "failures": 1, "failure_rate": 1.0, "top_label": "unlabelled"}
    ]
    assert wb.failure_modes([other]).items["item_id"].tolist() == ["i3"]  # its error
    with pytest.raises(ValidationError, match="top"):
        wb.failure_modes(top=0)
    empty = wb.failure_modes(dataset="nothing")
    assert empty.by_target.empty
    assert list(empty.items.columns) == list(ITEM_COLUMNS)


def wrongness(output: Any, expected: Any) -> float:
    """Lower is better: 1 when the output is wrong, 0 when it is right."""
    return float(output != expected)


def test_a_lower_is_better_scorer_fails_a_unit_above_the_threshold(wb: Workbench) -> None:
    make_dataset(wb)
    wb.run_sync("d", tripler, scorers=[wrongness])  # right only on i0: wrongness 0 there, 1 on i1-i3
    # read as higher-is-better (the default), the one right item is the one that "fails"
    assert wb.failure_modes().items["item_id"].tolist() == ["i0"]
    fm = wb.failure_modes(directions={"wrongness": "lower"})
    assert fm.items["item_id"].tolist() == ["i1", "i2", "i3"]
    assert fm.items["failure_rate"].tolist() == [1.0, 1.0, 1.0]
    assert wb.failure_modes(directions={"wrongness": "higher"}).items["item_id"].tolist() == ["i0"]
    with pytest.raises(ValidationError, match="unknown scorer 'wrongnes'"):
        wb.failure_modes(directions={"wrongnes": "lower"})
    with pytest.raises(ValidationError, match="'higher' or 'lower'"):
        wb.failure_modes(directions={"wrongness": "down"})
    assert wb.failure_modes(dataset="nothing", directions={"wrongness": "lower"}).items.empty


def test_a_lower_is_better_scorer_mixes_with_higher_is_better_ones(wb: Workbench) -> None:
    make_dataset(wb)
    wb.run_sync("d", doubler, scorers=[exact, wrongness])  # right on i0-i2, raises on i3
    fm = wb.failure_modes(directions={"wrongness": "lower"})
    assert fm.items["item_id"].tolist() == ["i3"]  # its error only: exact 1 and wrongness 0 pass elsewhere


def test_failures_command_takes_direction(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_dataset(wb)
    wb.run_sync("d", tripler, scorers=[wrongness])

    def items(*args: str) -> tuple[int, list[str], str]:
        monkeypatch.setattr(sys, "argv", ["workbench", "--root", str(wb.root), "failures", "--json", *args])
        with pytest.raises(SystemExit) as exit_info:
            main()
        out = capsys.readouterr()
        code = int(exit_info.value.code or 0)
        return code, [r["item_id"] for r in json.loads(out.out)["items"]] if code == 0 else [], out.err

    assert items()[:2] == (0, ["i0"])
    assert items("--direction", "wrongness=lower")[:2] == (0, ["i1", "i2", "i3"])
    code, _, err = items("--direction", "wrongness=down")
    assert code == 2
    assert "'higher' or 'lower'" in err


def test_each_runs_declared_direction_and_pass_mark_decide_what_fails(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[wrongness])  # right only on i0: wrongness 0 there, 1 on i1-i3
    declare(run, "wrongness", direction="lower", pass_mark=0.0)
    fm = wb.failure_modes()
    assert fm.items["item_id"].tolist() == ["i1", "i2", "i3"]  # without directions=: the scorer said it
    higher = wb.failure_modes(directions={"wrongness": "higher"}, pass_marks={"wrongness": 0.5})
    assert higher.items["item_id"].tolist() == ["i0"]
    graded = wb.run_sync("d", tripler, scorers=[tenth])  # tenth: 0, 0.3, 0.6, 0.9
    declare(graded, "tenth", pass_mark=0.7)
    assert wb.failure_modes([graded]).items["item_id"].tolist() == ["i0", "i1", "i2"]  # below 0.7, not 0.5
    assert wb.failure_modes([graded], pass_marks={"tenth": 0.2}).items["item_id"].tolist() == ["i0"]
    assert wb.failure_modes([graded], pass_marks=0.5).items["item_id"].tolist() == ["i0", "i1"]
    with pytest.raises(ValidationError, match="unknown scorer 'tent'"):
        wb.failure_modes([graded], pass_marks={"tent": 0.2})
