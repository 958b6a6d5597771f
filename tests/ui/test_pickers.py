"""Run pickers: runs by name (target, dataset@version, time, status), filtered as you type, the choice kept."""

from __future__ import annotations

import re

import pytest

from workbench import Run, Workbench
from workbench.ui._pickers import RunPicker, run_options
from workbench.ui._results import ResultsPanel


def double(x: int) -> int:
    return 2 * x


def triple(x: int) -> int:
    return 3 * x


@pytest.fixture
def runs(wb: Workbench) -> list[Run]:
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": f"i{k}", "input": k} for k in range(3)])
    first = wb.run_sync("qa", double, progress=False)
    ds.add_items([{"item_id": "i9", "input": 9}])
    second = wb.run_sync("qa", triple, progress=False)
    wb.create_dataset("other").add_items([{"item_id": "o", "input": 1}])
    third = wb.run_sync("other", double, progress=False)
    return [first, second, third]


def test_a_run_is_named_by_target_dataset_version_time_and_status(wb: Workbench, runs: list[Run]) -> None:
    options = run_options(wb)
    assert [v for _, v in options] == [r.id for r in reversed(runs)]  # newest first
    names = [label for label, _ in options]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    assert re.fullmatch(rf"double \u00b7 other@v1 \u00b7 {stamp} \u00b7 completed \(1/1\)", names[0])
    assert re.fullmatch(rf"triple \u00b7 qa@v2 \u00b7 {stamp} \u00b7 completed \(4/4\)", names[1])
    assert re.fullmatch(rf"double \u00b7 qa@v1 \u00b7 {stamp} \u00b7 completed \(3/3\)", names[2])
    assert not any(r.id in name for r in runs for name in names)  # names, not ids


def test_runs_with_the_same_name_are_told_apart(wb: Workbench, runs: list[Run]) -> None:
    again = wb.run_sync("other", double, progress=False)
    options = {v: label for label, v in run_options(wb)}
    if options[again.id].split(" \u00b7 ")[:4] == options[runs[2].id].split(" \u00b7 ")[:4]:  # the same minute
        assert options[again.id] != options[runs[2].id]
        assert options[again.id].endswith(again.id.rsplit("-", 1)[-1])
    assert len(set(options.values())) == len(options)


def test_typing_filters_the_list_and_keeps_the_choice(wb: Workbench, runs: list[Run]) -> None:
    picker = RunPicker("Run")
    picker.options = run_options(wb)
    assert picker.value == runs[2].id  # the newest
    picked: list[str | None] = []
    picker.observe(lambda change: picked.append(change["new"]), names="value")
    picker.filter.value = "QA V2"  # every word, any case
    assert [v for _, v in picker.shown] == [runs[2].id, runs[1].id]  # the choice stays listed
    assert picker.value == runs[2].id
    assert picked == []
    assert picker.count.value == "2 of 3 runs"
    picker.list.value = runs[1].id  # a click
    assert picker.value == runs[1].id
    assert picked == [runs[1].id]
    picker.filter.value = "double qa"
    assert [v for _, v in picker.shown] == [runs[1].id, runs[0].id]
    picker.filter.value = "no such run"
    assert [v for _, v in picker.shown] == [runs[1].id]
    picker.filter.value = ""
    assert len(picker.shown) == 3
    assert picker.count.value == ""


def test_new_options_keep_the_choice_or_fall_back_to_the_first(wb: Workbench, runs: list[Run]) -> None:
    picker = RunPicker("Run")
    picker.options = run_options(wb)
    picker.value = runs[0].id
    picker.options = run_options(wb)[:2]
    assert picker.value == runs[2].id
    picker.options = []
    assert picker.value is None
    assert picker.shown == []


def test_the_results_panel_picks_its_run_by_name_as_you_type(wb: Workbench, runs: list[Run]) -> None:
    panel = ResultsPanel(wb)
    assert panel.run.value == runs[2].id
    panel.run.filter.value = "triple"
    assert [v for _, v in panel.run.shown] == [runs[2].id, runs[1].id]
    panel.run.list.value = runs[1].id
    assert panel.table.total == 4
    assert "wb-results-run" in panel.run._dom_classes
