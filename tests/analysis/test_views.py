"""The views over every run in ``wb.connect()`` / ``wb.sql()``: runs, results, scores, labels."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests._cells import text
from tests.analysis._multi_runs import doubler, exact, make_dataset, pending_run, tenth, tripler
from workbench import Workbench
from workbench.analysis._views import RESULT_FIELDS
from workbench.runs._results import RESULT_SCHEMA


def test_runs_view_has_one_row_per_manifest(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", doubler, scorers=[exact], repeats=2, tags={"team": "search"})
    pending_run(wb, "pending-1")
    df = wb.sql("select * from runs order by created_at").set_index("run_id")
    assert list(df.reset_index().columns) == [
        "run_id", "dataset", "dataset_version", "target", "kind", "model", "prompt", "status", "repeats",
        "item_count", "created_at", "tags",
    ]  # fmt: skip
    row = df.loc[run.id]
    assert (row["dataset"], row["dataset_version"], row["target"], row["kind"]) == ("d", 1, "doubler", "function")
    assert (row["model"], row["prompt"], row["status"], row["repeats"], row["item_count"]) == (
        "", "", "completed", 2, 4,
    )  # fmt: skip
    assert json.loads(text(row["tags"])) == {"team": "search"}
    assert df.loc["pending-1", "status"] == "pending"


def test_results_view_has_every_unit_of_every_run_and_no_nested_scores(wb: Workbench) -> None:
    make_dataset(wb)
    a = wb.run_sync("d", doubler, scorers=[exact])
    b = wb.run_sync("d", tripler, repeats=2)
    pending_run(wb, "pending-1")  # no results: must not break the view
    df = wb.sql("select * from results")
    assert list(df.columns) == ["run_id", *RESULT_FIELDS]
    assert df.groupby("run_id").size().to_dict() == {a.id: 4, b.id: 8}
    errors = wb.sql("select run_id, item_id, error from results where error is not null")
    assert errors[["run_id", "item_id"]].values.tolist() == [[a.id, "i3"]]
    assert "three is not allowed" in text(errors.loc[0, "error"])


def test_scores_view_has_a_row_per_unit_and_scorer(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[exact, tenth])
    df = wb.sql("select * from scores order by scorer, item_id")
    assert list(df.columns) == ["run_id", "item_id", "repeat", "scorer", "score", "reason", "details", "error"]
    assert len(df) == 8
    assert set(df["run_id"]) == {run.id}
    tenths = df[df["scorer"] == "tenth"]["score"].tolist()
    assert tenths == pytest.approx([0.0, 0.3, 0.6, 0.9])
    means = wb.sql("select scorer, avg(score) as m from scores group by scorer order by scorer")
    assert means["m"].tolist() == pytest.approx([0.25, 0.45])  # exact: only i0 (0 * 3 == 0 * 2)


def test_labels_view_has_each_units_effective_label(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", doubler, scorers=[exact])
    run.auto_label()
    run.label("i0", "failure_format", note="human says so")
    df = wb.sql("select * from labels order by item_id").set_index("item_id")
    assert df.loc["i0", "label"] == "failure_format"
    assert df.loc["i0", "source"] == "human"
    assert df.loc["i1", "label"] == "success"
    assert df.loc["i1", "source"] == "auto"
    assert set(df["run_id"]) == {run.id}
    assert len(df) == 4


def test_an_empty_store_has_the_views_with_no_rows(wb: Workbench) -> None:
    for view, first in (("runs", "run_id"), ("results", "run_id"), ("scores", "run_id"), ("labels", "run_id")):
        df = wb.sql(f"select * from {view}")
        assert df.empty
        assert df.columns[0] == first
    assert list(wb.sql("select * from results").columns) == ["run_id", *RESULT_FIELDS]


def test_a_run_without_results_beside_none_with_results_keeps_the_views_working(wb: Workbench) -> None:
    pending_run(wb, "pending-1")
    assert wb.sql("select run_id from runs")["run_id"].tolist() == ["pending-1"]
    assert wb.sql("select count(*) as n from results")["n"].tolist() == [0]
    assert wb.sql("select count(*) as n from labels")["n"].tolist() == [0]


def test_each_query_sees_the_parts_written_before_it_and_skips_temporary_files(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler)
    con = wb.connect()  # lists the files now: it keeps seeing the four units
    folder = run.folder / "results"
    (folder / "part-half-written.parquet.tmp-wb").write_bytes(b"PAR1 garbage")
    template = run.results().iloc[0]
    row = dict.fromkeys(RESULT_SCHEMA.names) | {
        "item_id": "i9", "repeat": 0, "finished_at": template["finished_at"], "scores": [],
    }  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row], schema=RESULT_SCHEMA), folder / "part-new.parquet")
    assert wb.sql("select count(*) as n from results")["n"].tolist() == [5]
    assert con.execute("select count(*) from results").fetchall() == [(4,)]
    con.close()


def test_a_unit_written_twice_shows_both_rows_while_the_summary_keeps_the_latest(wb: Workbench) -> None:
    make_dataset(wb)
    run = wb.run_sync("d", tripler, scorers=[tenth])
    first = run.results().sort_values("item_id").iloc[0]
    row = dict.fromkeys(RESULT_SCHEMA.names) | {
        "item_id": "i0", "repeat": 0, "output": "7", "finished_at": first["finished_at"] + pd.Timedelta(seconds=1),
        "scores": [{"scorer": "tenth", "score": 0.7, "reason": None, "details": None, "error": None}],
    }  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row], schema=RESULT_SCHEMA), run.folder / "results" / "part-again.parquet")
    assert sorted(wb.sql("select output from results where item_id = 'i0'")["output"]) == ["0", "7"]
    assert sorted(wb.sql("select score from scores where item_id = 'i0'")["score"]) == [0.0, 0.7]
    assert wb.runs_summary().loc[0, "score_tenth"] == pytest.approx((0.7 + 0.3 + 0.6 + 0.9) / 4)
