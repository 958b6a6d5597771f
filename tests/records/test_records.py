"""Records: each owns its Arrow schema and round-trips through its row and through a Parquet file."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench import Monitor, Workbench
from workbench.records import LABEL_SCHEMA, RESULT_SCHEMA, SCORE_TYPE, Label, Result, Score, ToolCall

STARTED = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
FINISHED = datetime(2026, 3, 1, 12, 0, 1, 654321, tzinfo=UTC)

ON_DISK = [
    ("item_id", pa.string()),
    ("repeat", pa.int32()),
    ("shard", pa.string()),
    ("input", pa.string()),
    ("output", pa.string()),
    ("error", pa.string()),
    ("error_kind", pa.string()),
    ("latency_s", pa.float64()),
    ("tokens_in", pa.int64()),
    ("tokens_out", pa.int64()),
    ("tokens_cached", pa.int64()),
    ("cost", pa.float64()),
    ("tool_calls", pa.string()),
    ("steps", pa.string()),
    ("model", pa.string()),
    ("cache_hit", pa.bool_()),
    ("ai_generated", pa.bool_()),
    ("attempts", pa.int32()),
    ("started_at", pa.timestamp("us", tz="UTC")),
    ("finished_at", pa.timestamp("us", tz="UTC")),
    (
        "scores",
        pa.list_(
            pa.struct(
                [
                    ("scorer", pa.string()),
                    ("score", pa.float64()),
                    ("reason", pa.string()),
                    ("details", pa.string()),
                    ("error", pa.string()),
                ]
            )
        ),
    ),
]
"""The result row as stores written before the records existed hold it: it must not change."""

AWKWARD_OUTPUTS: list[Any] = [
    "",
    "30 days",
    '"already quoted"',
    "123",
    "línea 1\nline 2 \u2014 \U0001f600 \u4e2d\u6587",
    {"answer": "Paris", "nested": {"list": [1, 2.5, None, True], "empty": {}}},
    [{"a": 1}, [], "x"],
    0,
    2.5,
    True,
    [],
    {},
]


def rich_result(output: Any = "ok", **overrides: Any) -> Result:
    fields: dict[str, Any] = {
        "item_id": "ünï-1",
        "repeat": 2,
        "shard": "1/3",
        "output": output,
        "latency_s": 0.25,
        "tokens_in": 11,
        "tokens_out": 7,
        "tokens_cached": 3,
        "cost": 0.0125,
        "tool_calls": [
            ToolCall("search", {"q": "café", "k": [1, 2]}, 0, result={"hits": ["a"]}, latency_s=0.01, call_id="c1"),
            ToolCall("lookup", '{"not": "decoded"}', 1, error="error: boom", valid=False),
        ],
        "steps": [{"name": "retrieve", "docs": 2, "at_s": 0.001}, {"name": "answer"}],
        "model": "sim:m-1",
        "cache_hit": True,
        "ai_generated": True,
        "attempts": 3,
        "started_at": STARTED,
        "finished_at": FINISHED,
        "scores": [
            ("exact", Score(1.0, "same", {"steps": {"score": "1"}, "ünï": "ok"})),
            ("judge", Score(None, "", {}, error="JudgeError: unusable reply")),
            ("similarity", Score(0.0)),
        ],
    }
    return Result(**(fields | overrides))


def through_parquet(table: pa.Table, path: Path) -> pa.Table:
    pq.write_table(table, path, compression="zstd")
    return pq.read_table(path)


# -- the schemas -----------------------------------------------------------------------
def test_the_result_schema_is_the_one_stores_already_hold() -> None:
    assert pa.schema(ON_DISK) == RESULT_SCHEMA
    assert Result.SCHEMA is RESULT_SCHEMA
    assert Score.ARROW_TYPE == SCORE_TYPE == RESULT_SCHEMA.field("scores").type.value_type


def test_the_old_names_are_the_records_types() -> None:
    import workbench
    from workbench import scorers, targets
    from workbench.runs._labels import LABEL_SCHEMA as RUNS_LABEL_SCHEMA
    from workbench.runs._results import RESULT_SCHEMA as RUNS_RESULT_SCHEMA

    assert workbench.Score is scorers.Score is Score
    assert targets.ToolCall is ToolCall
    assert RUNS_RESULT_SCHEMA is RESULT_SCHEMA
    assert RUNS_LABEL_SCHEMA is LABEL_SCHEMA


# -- Score -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "verdict",
    [
        Score(1.0, "exact match"),
        Score(0.25, "línea\n\u2014", {"nested": {"a": [1, None]}, "text": "\U0001f600"}),
        Score(None, "", {}, error="ValueError: nope"),
        Score(0.0, ""),
    ],
)
def test_a_score_round_trips_through_its_row(verdict: Score) -> None:
    row = verdict.to_row("s")
    assert set(row) == set(SCORE_TYPE.names)
    assert row["details"] is None or isinstance(row["details"], str)
    assert Score.from_row(row) == ("s", verdict)


def test_a_nan_score_is_stored_as_no_score() -> None:
    row = Score(math.nan, "odd").to_row("s")
    assert row["score"] is None
    assert Score.from_row(row)[1].score is None


# -- ToolCall --------------------------------------------------------------------------
def test_a_tool_call_round_trips_through_its_dict() -> None:
    calls = rich_result().tool_calls
    assert [ToolCall.from_dict(c.to_dict()) for c in calls] == calls
    assert "call_id" not in ToolCall("f", {}, 0).to_dict()  # rows of calls without an id stay as they were


# -- Result ----------------------------------------------------------------------------
@pytest.mark.parametrize("output", AWKWARD_OUTPUTS, ids=repr)
def test_a_result_round_trips_through_its_row_and_a_parquet_file(output: Any, tmp_path: Path) -> None:
    result = rich_result(output)
    row = result.to_row()
    assert list(row) == RESULT_SCHEMA.names
    assert isinstance(row["output"], str)  # JSON text inside the row only
    assert Result.from_row(row) == result
    assert Result.to_table([result, result]).to_pylist() == [row, row]  # the writer's columnar path agrees
    (back,) = Result.from_table(through_parquet(Result.to_table([result]), tmp_path / "r.parquet"))
    assert back == result
    assert type(back.output) is type(output)


def test_none_and_empty_stay_apart(tmp_path: Path) -> None:
    empty = Result("a", output="", error="", error_kind="", model="", scores=[("s", Score(0.0, ""))])
    missing = Result("b", output=None, error=None, model=None)
    table = through_parquet(Result.to_table([empty, missing]), tmp_path / "r.parquet")
    assert table.column("output").to_pylist() == ['""', None]
    assert table.column("error").to_pylist() == ["", None]
    assert Result.from_table(table) == [empty, missing]


def test_a_minimal_result_has_no_json_and_reads_back_with_its_defaults(tmp_path: Path) -> None:
    result = Result("a", started_at=STARTED, finished_at=FINISHED)
    row = result.to_row()
    assert (row["output"], row["tool_calls"], row["steps"], row["scores"]) == (None, None, None, [])
    (back,) = Result.from_table(through_parquet(Result.to_table([result]), tmp_path / "r.parquet"))
    assert back == result
    assert (back.tool_calls, back.steps, back.scores) == ([], [], [])


def test_a_nan_or_infinite_cost_is_stored_as_unknown(tmp_path: Path) -> None:
    results = [Result("a", cost=math.nan), Result("b", cost=math.inf), Result("c", cost=0.0)]
    table = through_parquet(Result.to_table(results), tmp_path / "r.parquet")
    assert table.column("cost").to_pylist() == [None, None, 0.0]
    assert [r.cost for r in Result.from_table(table)] == [None, None, 0.0]


def test_an_object_json_cannot_hold_is_written_as_text_not_lost() -> None:
    result = Result("a", output={"when": STARTED, "path": Path("/x")})
    assert Result.from_row(result.to_row()).output == {"when": STARTED.isoformat(), "path": "/x"}


def test_a_row_from_an_older_part_without_some_columns_reads_with_defaults() -> None:
    result = Result.from_row({"item_id": "a", "output": '"x"'})
    assert (result.output, result.repeat, result.attempts, result.scores) == ("x", 0, 1, [])


def test_plain_values_and_score_lookup() -> None:
    result = rich_result({"k": 1})
    plain = result.to_dict()
    assert plain["tool_calls"][0] == {
        "name": "search", "arguments": {"q": "café", "k": [1, 2]}, "step": 0, "result": {"hits": ["a"]},
        "error": None, "latency_s": 0.01, "valid": True, "call_id": "c1",
    }  # fmt: skip
    assert plain["scores"][1] == {
        "scorer": "judge", "score": None, "reason": "", "details": {}, "error": "JudgeError: unusable reply"
    }  # fmt: skip
    assert result.score("exact") == Score(1.0, "same", {"steps": {"score": "1"}, "ünï": "ok"})
    assert result.score("nope") is None


# -- Label -----------------------------------------------------------------------------
def test_a_label_round_trips_through_its_row_and_a_parquet_file(tmp_path: Path) -> None:
    labels = [
        Label("ünï-1", 0, "success", "auto", "auto_label", "", STARTED, run_id="r1"),
        Label("b", 3, "needs_review_2", "human", None, "línea\n\U0001f600", FINISHED, run_id="r1"),
    ]
    rows = [label.to_row() for label in labels]
    assert all(list(row) == LABEL_SCHEMA.names for row in rows)  # the run is the part's folder, not a column
    assert [Label.from_row(row, run_id="r1") for row in rows] == labels
    table = through_parquet(Label.to_table(labels), tmp_path / "l.parquet")
    assert table.schema == LABEL_SCHEMA
    assert [Label.from_row(row, run_id="r1") for row in table.to_pylist()] == labels
    assert labels[1].to_dict()["run_id"] == "r1"


# -- one writer for the engine and the monitor ------------------------------------------
def test_engine_and_monitor_parts_have_the_same_schema(wb: Workbench) -> None:
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": k} for k in range(3)])

    def short(output: Any) -> bool:
        return len(str(output)) <= 3

    run = wb.run_sync("d", lambda x: {"n": x, "text": "ü" * x}, scorers=[short])
    with Monitor(wb, [short], sample_rate=1.0, flush_seconds=0.05) as monitor:
        monitor.record({"q": "é"}, "answer", {"user": 1})
    engine_parts = sorted((run.folder / "results").glob("*.parquet"))
    monitor_parts = sorted((monitor.run.folder / "results").glob("*.parquet"))
    assert engine_parts
    assert monitor_parts
    schemas = [pq.read_schema(p).remove_metadata() for p in [*engine_parts, *monitor_parts]]
    assert len({str(schema) for schema in schemas}) == 1  # byte-for-byte the same part schema
    assert schemas[0] == RESULT_SCHEMA

    unit = run.result("i2")
    assert (unit.output, unit.input, unit.shard) == ({"n": 2, "text": "üü"}, None, "0/1")
    live = Result.from_table(pq.read_table(monitor_parts[0]))[0]
    assert (live.input, live.output, live.steps) == ({"q": "é"}, "answer", {"metadata": {"user": 1}})
    assert (live.ai_generated, live.scores) == (True, [("short", Score(0.0))])


def test_unit_result_fills_every_field_from_the_target_result() -> None:
    from workbench.records._usage import Usage
    from workbench.runs._results import unit_result
    from workbench.targets import TargetResult

    calls = [ToolCall("f", {"x": 1}, 0)]
    target = TargetResult(
        output={"a": 1}, usage=Usage(input_tokens=5, output_tokens=6, cached_tokens=7), cost=0.5, tool_calls=calls,
        steps=[{"name": "s"}], model="m", cache_hit=True, ai_generated=True, attempts=2,
    )  # fmt: skip
    scores = [("s", Score(1.0))]
    got = unit_result(
        target, item_id="i", repeat=1, shard="0/2", started_at=STARTED, latency_s=0.5, scores=scores,
        error="E", error_kind="timeout", input="q",
    )  # fmt: skip
    assert got.finished_at is not None
    assert got.finished_at >= STARTED
    want = Result(
        item_id="i", repeat=1, shard="0/2", input="q", output={"a": 1}, error="E", error_kind="timeout",
        latency_s=0.5, tokens_in=5, tokens_out=6, tokens_cached=7, cost=0.5, tool_calls=calls,
        steps=[{"name": "s"}], model="m", cache_hit=True, ai_generated=True, attempts=2, started_at=STARTED,
        finished_at=got.finished_at, scores=scores,
    )  # fmt: skip
    assert got == want
    partial = unit_result(target, item_id="i", repeat=0, shard="0/1", started_at=STARTED, latency_s=0.1,
                          scores=[], keep_output=False)  # fmt: skip
    assert partial.output is None
    assert partial.tool_calls == calls
    assert (
        unit_result(None, item_id="i", repeat=0, shard="0/1", started_at=STARTED, latency_s=0.1, scores=[]).output
        is None
    )
