"""``wb.runs_summary()``: one row per run, hand-computed figures, and the per-run stats cache."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests._cells import number
from tests.analysis._declared import replies
from tests.analysis._multi_runs import doubler, exact, make_dataset, pending_run, tenth, third_of_input, tripler
from workbench import NotFoundError, Run, ValidationError, Workbench
from workbench._loop import settle_later
from workbench.analysis._runs_summary import STATS_FILE
from workbench.runs._manifest import RunManifest, update_manifest
from workbench.runs._results import RESULT_SCHEMA


def test_each_run_gets_its_hand_computed_figures(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", doubler, scorers=[exact, tenth])
    row = wb.runs_summary().set_index("run_id").loc[run.id]
    assert (row["dataset"], row["dataset_version"], row["target"], row["kind"]) == ("d", 1, "doubler", "function")
    assert (row["model"], row["prompt"], row["status"]) == ("", "", "completed")
    assert (row["units"], row["items"]) == (4, 4)
    assert row["success_rate"] == pytest.approx(0.75)  # item 3 raised
    assert row["cost_total"] == pytest.approx(0.01 + 0.02 + 0.03)
    assert row["cost_per_item"] == pytest.approx(0.06 / 4)
    assert (row["tokens_in"], row["tokens_out"]) == (30, 0 + 1 + 2)
    assert row["score_exact"] == pytest.approx(1.0)  # the failed unit has no score
    assert row["score_tenth"] == pytest.approx((0 + 0.2 + 0.4) / 3)
    latencies = run.results()["latency_s"].to_numpy(dtype=float)
    assert row["latency_p50"] == pytest.approx(np.quantile(latencies, 0.5))
    assert row["latency_p95"] == pytest.approx(np.quantile(latencies, 0.95))


def test_runs_newest_first_with_a_column_per_scorer_of_any_run(wb: Workbench) -> None:
    make_dataset(wb)
    first = wb.run_sync("d", doubler, scorers=[exact])
    second = wb.run_sync("d", tripler, scorers=[tenth])
    df = wb.runs_summary()
    assert list(df["run_id"]) == [second.id, first.id]
    assert list(df.columns[-2:]) == ["score_exact", "score_tenth"]
    assert math.isnan(number(df.loc[0, "score_exact"]))
    assert df.loc[0, "score_tenth"] == pytest.approx((0 + 0.3 + 0.6 + 0.9) / 4)
    assert math.isnan(number(df.loc[0, "cost_total"]))  # a plain function reports no cost


def test_repeats_count_as_units_of_the_same_items(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[third_of_input], repeats=3)
    row = wb.runs_summary([run.id]).iloc[0]
    assert (row["units"], row["items"]) == (12, 4)
    assert row["score_third_of_input"] == pytest.approx(0.5)


def test_a_run_without_results_has_zero_units_and_empty_figures(wb: Workbench) -> None:
    make_dataset(wb)
    pending_run(wb, "pending-1")
    row = wb.runs_summary().iloc[0]
    assert (row["run_id"], row["status"], row["units"], row["items"]) == ("pending-1", "pending", 0, 0)
    assert math.isnan(row["success_rate"])
    assert math.isnan(row["score_exact"])


def test_filters_by_runs_and_dataset_and_rejects_unknown_runs(wb: Workbench) -> None:
    make_dataset(wb)
    make_dataset(wb, 2, name="other")
    a = wb.run_sync("d", tripler)
    b = wb.run_sync("other", tripler)
    assert list(wb.runs_summary(dataset="other")["run_id"]) == [b.id]
    assert list(wb.runs_summary([a])["run_id"]) == [a.id]
    assert wb.runs_summary(dataset="nothing").empty
    with pytest.raises(NotFoundError, match="nope"):
        wb.runs_summary(["nope"])
    with pytest.raises(ValidationError, match="empty"):
        wb.runs_summary([])
    assert list(wb.runs_summary().columns[:3]) == ["run_id", "dataset", "dataset_version"]


def test_figures_are_cached_beside_the_run_and_refreshed_when_a_part_is_added(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[tenth])
    assert wb.runs_summary().loc[0, "units"] == 4
    cache = run.folder / STATS_FILE
    assert cache.is_file()
    before = cache.stat().st_mtime_ns
    assert wb.runs_summary().loc[0, "units"] == 4
    assert cache.stat().st_mtime_ns == before  # read, not written again
    extra = run.results().iloc[[0]]
    row = dict.fromkeys(RESULT_SCHEMA.names) | {
        "item_id": "i9", "repeat": 0, "error": "late", "finished_at": extra["finished_at"].iloc[0], "scores": [],
    }  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row], schema=RESULT_SCHEMA), run.folder / "results" / "part-late.parquet")
    df = wb.runs_summary()
    assert (df.loc[0, "units"], df.loc[0, "items"]) == (5, 5)
    assert df.loc[0, "success_rate"] == pytest.approx(4 / 5)


def test_a_completed_run_caches_its_figures_when_it_finishes(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[tenth])
    settle_later()  # the run hands the caching to the after thread: wait() does not wait for it
    cache = run.folder / STATS_FILE
    assert cache.is_file()  # written by the run itself, before any summary was asked for
    stats = pq.read_table(cache).to_pylist()
    assert {r["scorer"] for r in stats} == {None, "tenth"}
    assert next(r for r in stats if r["scorer"] is None)["units"] == 4
    before = cache.stat().st_mtime_ns
    assert wb.runs_summary().loc[0, "units"] == 4
    assert cache.stat().st_mtime_ns == before  # the summary used it as it was


def test_a_damaged_cache_file_is_recomputed(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[tenth])
    wb.runs_summary()
    (run.folder / STATS_FILE).write_bytes(b"not parquet")
    assert wb.runs_summary().loc[0, "score_tenth"] == pytest.approx(0.45)
    assert pq.read_table(run.folder / STATS_FILE).num_rows == 2  # the run's row and its scorer's


@pytest.mark.parametrize("part", ["part-again.parquet", "part-0of1-0badcafe-000000.parquet"])
def test_a_unit_written_twice_counts_once_with_its_latest_row(wb: Workbench, part: str) -> None:
    # a second writer of shard 0/1 (a doubled shard), or a part named otherwise
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[tenth])
    first = run.results().sort_values("item_id").iloc[0]
    later = first["finished_at"] + np.timedelta64(1, "s")
    row = dict.fromkeys(RESULT_SCHEMA.names) | {
        "item_id": "i0", "repeat": 0, "output": "5", "finished_at": later,
        "scores": [{"scorer": "tenth", "score": 0.5, "reason": None, "details": None, "error": None}],
    }  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row], schema=RESULT_SCHEMA), run.folder / "results" / part)
    df = wb.runs_summary()
    assert (df.loc[0, "units"], df.loc[0, "items"]) == (4, 4)
    assert df.loc[0, "score_tenth"] == pytest.approx((0.5 + 0.3 + 0.6 + 0.9) / 4)


def test_a_cache_that_cannot_be_written_is_skipped(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[tenth])
    settle_later()
    (run.folder / STATS_FILE).unlink()  # written when the run completed
    (run.folder / STATS_FILE).mkdir()  # os.replace onto a folder fails, as on a read-only store
    assert wb.runs_summary().loc[0, "score_tenth"] == pytest.approx(0.45)
    assert wb.runs_summary().loc[0, "units"] == 4
    assert not any(p.name.endswith(".tmp-wb") for p in run.folder.iterdir())


def fail(run: Run) -> None:
    """Mark every shard of the run failed (as a run that crashed part-way ends)."""

    def change(m: RunManifest) -> None:
        for shard in m.shards.values():
            shard.status = "failed"

    update_manifest(run.folder, change)


def test_a_partial_run_says_so_and_cache_hits_are_shown_and_left_out_of_latency_and_cost(wb: Workbench) -> None:
    make_dataset(wb, 6)
    half = wb.run_sync("d", tripler, scorers=[exact], shard="0/2")  # 3 of 6 items: still "running"
    broken = wb.run_sync("d", tripler, scorers=[exact], shard="1/2")
    fail(broken)
    cached = wb.run_sync("d", replies(lambda k: k % 3 != 0), scorers=[exact])  # i0, i3 fresh; 4 cache hits
    df = wb.runs_summary().set_index("run_id")
    assert list(df.columns[7:12]) == ["created_at", "partial", "units", "items", "success_rate"]
    assert (df.loc[half.id, "status"], df.loc[half.id, "partial"], df.loc[half.id, "units"]) == ("running", True, 3)
    assert (df.loc[broken.id, "status"], df.loc[broken.id, "partial"]) == ("failed", True)
    row = df.loc[cached.id]
    assert (row["status"], row["partial"]) == ("completed", False)
    assert row["cache_hit_share"] == pytest.approx(4 / 6)
    assert df.loc[half.id, "cache_hit_share"] == 0.0
    assert row["latency_p50"] >= 0.05  # the two fresh units only
    assert row["cost_total"] == pytest.approx(0.02)
    assert row["cost_per_item"] == pytest.approx(0.01)
    runs = wb.runs().set_index("run_id")
    assert runs.loc[cached.id, "cache_hit_share"] == pytest.approx(4 / 6)
    assert runs.loc[half.id, "cache_hit_share"] == 0.0
