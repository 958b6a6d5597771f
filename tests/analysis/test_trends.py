"""``wb.trends()``: per scorer, latency, cost and success rate across a dataset's runs in time order."""

from __future__ import annotations

import math

import pytest

from tests.analysis._multi_runs import doubler, exact, make_dataset, pending_run, tenth, third_of_input, tripler
from workbench import NotFoundError, ValidationError, Workbench
from workbench.analysis._trends import TREND_COLUMNS
from workbench.runs._manifest import RunManifest, update_manifest

T_975_DF3 = 3.182446305284263  # Student t, 97.5th percentile, 3 degrees of freedom


def test_runs_come_in_time_order_with_every_metric(wb: Workbench) -> None:
    make_dataset(wb)
    first = wb.run_sync("d", tripler, scorers=[exact, tenth])
    second = wb.run_sync("d", doubler, scorers=[exact, tenth])
    pending_run(wb, "pending-1")  # no results yet: left out
    df = wb.trends("d")
    assert list(df.columns) == list(TREND_COLUMNS)
    assert list(dict.fromkeys(df["run_id"])) == [first.id, second.id]
    assert df["created_at"].is_monotonic_increasing
    # a plain function reports no cost: no cost_per_item row for the first run
    assert df[df["run_id"] == first.id]["metric"].tolist() == [
        "exact", "tenth", "latency_p50", "latency_p95", "success_rate",
    ]  # fmt: skip
    assert df[df["run_id"] == second.id]["metric"].tolist() == [
        "exact", "tenth", "latency_p50", "latency_p95", "cost_per_item", "success_rate",
    ]  # fmt: skip
    values = df.set_index(["run_id", "metric"])["value"]
    assert values[(first.id, "exact")] == pytest.approx(0.25)
    assert values[(second.id, "tenth")] == pytest.approx(0.2)
    assert values[(second.id, "cost_per_item")] == pytest.approx(0.015)
    assert values[(second.id, "success_rate")] == pytest.approx(0.75)
    fixed = df[df["metric"].isin(["latency_p50", "success_rate"])]
    assert fixed["ci_low"].isna().all()
    assert fixed["ci_high"].isna().all()
    assert (df["target"].tolist()[0], df["dataset_version"].tolist()[0]) == ("tripler", 1)


def test_a_scorers_interval_is_clustered_by_item_when_there_are_repeats(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[third_of_input], repeats=2)
    row = wb.trends("d", scorers=["third_of_input"]).set_index("metric").loc["third_of_input"]
    assert row["run_id"] == run.id
    # scores 0, 1/3, 2/3, 1, twice each: mean 1/2; per-item deviation sums 2 * (y - 1/2) = -1, -1/3, 1/3, 1
    cluster_ss = 1 + 1 / 9 + 1 / 9 + 1
    se = math.sqrt(4 / 3 * cluster_ss) / 8
    half = T_975_DF3 * se  # 4 items: 3 degrees of freedom, not 7
    assert row["value"] == pytest.approx(0.5)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(0.5 - half), pytest.approx(0.5 + half))


def test_target_and_scorers_narrow_the_rows(wb: Workbench) -> None:
    make_dataset(wb)
    wb.run_sync("d", tripler, scorers=[exact, tenth])
    kept = wb.run_sync("d", doubler, scorers=[exact, tenth])
    df = wb.trends("d", target="doubler", scorers=["tenth"])
    assert set(df["run_id"]) == {kept.id}
    assert df["metric"].tolist() == ["tenth", "latency_p50", "latency_p95", "cost_per_item", "success_rate"]


def test_unknown_dataset_or_scorer_is_an_error_and_a_dataset_without_runs_is_empty(wb: Workbench) -> None:
    make_dataset(wb)
    with pytest.raises(NotFoundError, match="nothing"):
        wb.trends("nothing")
    assert wb.trends("d").empty
    pending_run(wb, "pending-1")
    assert wb.trends("d").empty
    wb.run_sync("d", tripler, scorers=[exact])
    assert wb.trends("d", target="nobody").empty
    with pytest.raises(ValidationError, match=r"'judge'.*scorers: exact"):
        wb.trends("d", scorers=["judge"])


def test_a_failed_or_partial_run_is_marked_in_the_trend(wb: Workbench) -> None:
    make_dataset(wb)
    done = wb.run_sync("d", tripler, scorers=[exact])
    broken = wb.run_sync("d", tripler, scorers=[exact], shard="0/2")

    def fail(m: RunManifest) -> None:
        for shard in m.shards.values():
            shard.status = "failed"

    update_manifest(broken.folder, fail)
    runs = wb.trends("d").drop_duplicates("run_id").set_index("run_id")
    assert (runs.loc[done.id, "status"], runs.loc[done.id, "partial"]) == ("completed", False)
    assert (runs.loc[broken.id, "status"], runs.loc[broken.id, "partial"]) == ("failed", True)
