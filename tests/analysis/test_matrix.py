"""``wb.matrix()``: targets x models x prompt versions, each combination's latest run, per scorer."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from tests._cells import missing, number
from tests.analysis._declared import declare
from tests.analysis._multi_runs import doubler, exact, make_dataset, tenth, tripler
from workbench import Run, ValidationError, Workbench, targets
from workbench.analysis._matrix import MATRIX_COLUMNS
from workbench.runs._manifest import RunManifest, update_manifest
from workbench.simulator import SimulatedLLMServer

T_975_DF2 = 4.302652729911275  # Student t, 97.5th percentile, 2 degrees of freedom


def by(df: pd.DataFrame, target: str, scorer: str) -> pd.Series:
    rows = df[(df["target"] == target) & (df["scorer"] == scorer)]
    assert len(rows) == 1, df
    return rows.iloc[0]


def test_each_target_shows_its_latest_runs_scores_with_intervals_cost_and_latency(wb: Workbench) -> None:
    make_dataset(wb)
    wb.run_sync("d", doubler, scorers=[exact])  # older: replaced by the next run of the same target
    newest = wb.run_sync("d", doubler, scorers=[exact, tenth])
    other = wb.run_sync("d", tripler, scorers=[exact, tenth])
    df = wb.matrix()
    assert list(df.columns) == list(MATRIX_COLUMNS)
    assert len(df) == 4
    assert set(df["run_id"]) == {newest.id, other.id}
    row = by(df, "doubler", "tenth")
    # tenth of outputs 0, 2, 4 (item 3 failed): mean 0.2, s = 0.2, se = 0.2 / sqrt(3)
    half = T_975_DF2 * 0.2 / math.sqrt(3)
    assert (row["mean"], row["n"]) == (pytest.approx(0.2), 3)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(0.2 - half), pytest.approx(0.2 + half))
    assert (row["model"], row["prompt"]) == ("", "")
    assert row["cost_per_item"] == pytest.approx(0.06 / 4)
    assert row["success_rate"] == pytest.approx(0.75)
    assert row["latency_p50"] <= row["latency_p95"]
    assert by(df, "doubler", "exact")["mean"] == pytest.approx(1.0)
    assert by(df, "tripler", "exact")["mean"] == pytest.approx(0.25)
    assert math.isnan(by(df, "tripler", "exact")["cost_per_item"])
    # ordered by scorer, best first
    assert df[["scorer", "target"]].values.tolist() == [
        ["exact", "doubler"], ["exact", "tripler"], ["tenth", "tripler"], ["tenth", "doubler"],
    ]  # fmt: skip


def test_model_targets_are_split_by_model_and_prompt_version(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    ds = wb.create_dataset("math")
    ds.add_items(
        [
            {"item_id": "a", "input": {"question": "What is 17 * 23?"}, "expected_output": "391"},
            {"item_id": "b", "input": {"question": "What is 6 * 7?"}, "expected_output": "42"},
        ]
    )
    wb.create_prompt("solve", "{{ question }}")
    wb.create_prompt("solve", "Answer: 0\n{{ question }}")  # version 2 makes the simulator answer 0
    for version in (1, 2):
        target = targets.model("openai:gpt-4o-mini", prompt=f"solve@{version}", base_url=llm_server.openai_base_url)
        wb.run_sync("math", target, scorers=[exact])
    make_dataset(wb)
    wb.run_sync("d", tripler, scorers=[exact])  # another dataset's run must not show below
    df = wb.matrix(dataset="math").set_index("prompt")
    assert set(df.index) == {"solve@1", "solve@2"}
    assert df.loc["solve@1", "model"] == "openai:gpt-4o-mini"
    assert df.loc["solve@1", "target"] == "openai:gpt-4o-mini/solve@1"
    assert (df.loc["solve@1", "mean"], df.loc["solve@2", "mean"]) == (1.0, 0.0)
    assert number(df.loc["solve@1", "cost_per_item"]) > 0
    assert set(wb.matrix()["target"]) == {"openai:gpt-4o-mini/solve@1", "openai:gpt-4o-mini/solve@2", "tripler"}
    views = wb.sql("select kind, model, prompt from runs order by kind, prompt").values.tolist()
    assert views == [
        ["function", "", ""], ["model", "openai:gpt-4o-mini", "solve@1"], ["model", "openai:gpt-4o-mini", "solve@2"],
    ]  # fmt: skip


def test_a_newer_unfinished_run_does_not_replace_a_completed_one(wb: Workbench) -> None:
    make_dataset(wb)
    done = wb.run_sync("d", tripler, scorers=[exact])
    broken = wb.run_sync("d", tripler, scorers=[tenth])

    def fail(m: RunManifest) -> None:
        for shard in m.shards.values():
            shard.status = "failed"

    update_manifest(broken.folder, fail)
    df = wb.matrix()
    assert df["run_id"].tolist() == [done.id]
    assert wb.matrix([broken.id])["run_id"].tolist() == [broken.id]  # alone, it is the latest there is


def test_a_run_without_scorers_gives_one_row_and_empty_selections_give_no_rows(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler)
    df = wb.matrix()
    assert len(df) == 1
    assert df.loc[0, "run_id"] == run.id
    assert missing(df.loc[0, "scorer"])
    assert df.loc[0, "n"] == 0
    assert df.loc[0, "success_rate"] == 1.0
    empty = wb.matrix(dataset="nothing")
    assert empty.empty
    assert list(empty.columns) == list(MATRIX_COLUMNS)


def test_a_lower_is_better_scorer_ranks_its_lowest_mean_first(wb: Workbench) -> None:
    make_dataset(wb)
    wb.run_sync("d", doubler, scorers=[exact, tenth])  # tenth: 0, 0.2, 0.4 (i3 raised): mean 0.2
    wb.run_sync("d", tripler, scorers=[exact, tenth])  # tenth: 0, 0.3, 0.6, 0.9: mean 0.45
    order = ["scorer", "target"]
    assert wb.matrix()[order].values.tolist() == [
        ["exact", "doubler"], ["exact", "tripler"], ["tenth", "tripler"], ["tenth", "doubler"],
    ]  # fmt: skip
    df = wb.matrix(directions={"tenth": "lower"})
    assert df[order].values.tolist() == [
        ["exact", "doubler"], ["exact", "tripler"], ["tenth", "doubler"], ["tenth", "tripler"],
    ]  # fmt: skip
    assert df["mean"].tolist() == pytest.approx([1.0, 0.25, 0.2, 0.45])
    assert list(df.columns) == list(MATRIX_COLUMNS)
    both = wb.matrix(directions={"tenth": "lower", "exact": "lower"})
    assert both[order].values.tolist() == [
        ["exact", "tripler"], ["exact", "doubler"], ["tenth", "doubler"], ["tenth", "tripler"],
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="unknown scorer 'tenht'"):
        wb.matrix(directions={"tenht": "lower"})
    with pytest.raises(ValidationError, match="'higher' or 'lower'"):
        wb.matrix(directions={"tenth": "less"})


def set_status(run: Run, status: str) -> None:
    def change(m: RunManifest) -> None:
        for shard in m.shards.values():
            shard.status = status  # type: ignore[assignment]

    update_manifest(run.folder, change)


def test_a_newer_failed_or_partial_run_is_named_not_silently_hidden_or_shown(wb: Workbench) -> None:
    make_dataset(wb)
    done = wb.run_sync("d", tripler, scorers=[exact])
    broken = wb.run_sync("d", tripler, scorers=[exact], shard="0/2")  # half the items, then it failed
    set_status(broken, "failed")
    [row] = wb.matrix().to_dict("records")
    assert (row["run_id"], row["status"], row["partial"]) == (done.id, "completed", False)
    assert row["note"] == f"newest run {broken.id} is failed (2 of 4 units), not shown"
    # with no completed run, the partial one stands in and says so
    [alone] = wb.matrix([broken.id]).to_dict("records")
    assert (alone["run_id"], alone["status"], alone["partial"]) == (broken.id, "failed", True)
    assert alone["note"] == f"no completed run: showing failed run {broken.id} (2 of 4 units)"
    # a newest completed run needs no note
    latest = wb.run_sync("d", tripler, scorers=[exact])
    [row] = wb.matrix().to_dict("records")
    assert (row["run_id"], row["note"]) == (latest.id, "")


def wrongness(output: Any, expected: Any) -> float:
    """Lower is better: 1 when the output is wrong, 0 when it is right."""
    return float(output != expected)


def test_a_scorers_declared_direction_ranks_the_board(wb: Workbench) -> None:
    make_dataset(wb)
    a = wb.run_sync("d", doubler, scorers=[wrongness])  # wrong nowhere (i3 raised): 0
    b = wb.run_sync("d", tripler, scorers=[wrongness])  # wrong on i1-i3: 0.75
    assert wb.matrix()["target"].tolist() == ["tripler", "doubler"]  # higher first, by default
    for run in (a, b):
        declare(run, "wrongness", direction="lower")
    df = wb.matrix()
    assert df["target"].tolist() == ["doubler", "tripler"]
    assert df["direction"].tolist() == ["lower", "lower"]
    assert wb.matrix(directions={"wrongness": "higher"})["target"].tolist() == ["tripler", "doubler"]
