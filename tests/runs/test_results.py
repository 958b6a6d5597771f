"""A run's results leave as Python values: ``results()``, ``scores()``, ``result()`` and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests._cells import missing, records, text
from workbench import Monitor, NotFoundError, Run, Workbench
from workbench.cli import app
from workbench.records import Result, Score, ToolCall
from workbench.scorers import scorer
from workbench.targets import TargetResult, record_step

OUTPUTS: dict[str, Any] = {
    "text": "30 days",
    "quoted": '"already quoted"',
    "digits": "123",
    "empty": "",
    "unicode": "línea 1\nline 2 \U0001f600",
    "object": {"answer": "Paris", "sources": [1, 2]},
    "list": ["a", {"b": None}],
    "number": 2.5,
    "nothing": None,
}


@scorer
def graded(output: Any) -> Score:
    return Score(1.0 if output else 0.0, "has an output", {"kind": type(output).__name__, "ünï": [1, None]})


def valued_run(wb: Workbench) -> Run:
    wb.create_dataset("d").add_items([{"item_id": key, "input": key} for key in OUTPUTS])

    def target(key: str) -> Any:
        record_step("lookup", key=key)
        if key == "object":
            call = ToolCall("search", {"q": "capital"}, 0, result=["Paris"], latency_s=0.01)
            return TargetResult(output=OUTPUTS[key], tool_calls=[call], cost=0.5)
        if key == "nothing":
            raise ValueError("no answer")
        return OUTPUTS[key]

    return wb.run_sync("d", target, scorers=[graded])


def test_results_hold_python_values_not_json_text(wb: Workbench) -> None:
    df = valued_run(wb).results().set_index("item_id")
    for key, value in OUTPUTS.items():
        assert df.loc[key, "output"] == value, key
        assert type(df.loc[key, "output"]) is type(value), key
    assert df.loc["object", "tool_calls"] == [
        {"name": "search", "arguments": {"q": "capital"}, "step": 0, "result": ["Paris"], "error": None,
         "latency_s": 0.01, "valid": True}
    ]  # fmt: skip
    assert df.loc["text", "tool_calls"] is None
    assert [s["name"] for s in records(df.loc["text", "steps"])] == ["lookup"]
    assert df.loc["text", "input"] is None  # a dataset run keeps its inputs in the dataset version
    assert df.loc["nothing", "error"] == "ValueError: no answer"
    assert df.loc["object", "score_graded"] == 1.0
    assert df.loc["empty", "score_graded"] == 0.0


def test_raw_keeps_the_stored_json_text(wb: Workbench) -> None:
    df = valued_run(wb).results(raw=True).set_index("item_id")
    assert df.loc["text", "output"] == '"30 days"'
    assert df.loc["digits", "output"] == '"123"'
    assert json.loads(text(df.loc["object", "output"])) == OUTPUTS["object"]
    assert json.loads(text(df.loc["object", "tool_calls"]))[0]["name"] == "search"
    assert missing(df.loc["nothing", "output"])


def test_scores_hold_details_as_dicts(wb: Workbench) -> None:
    run = valued_run(wb)
    scores = run.scores().set_index("item_id")
    assert scores.loc["object", "details"] == {"kind": "dict", "ünï": [1, None]}
    assert scores.loc["object", "reason"] == "has an output"
    assert json.loads(text(run.scores(raw=True).set_index("item_id").loc["object", "details"]))["kind"] == "dict"
    assert "nothing" not in scores.index  # a failed target is not scored


def test_result_gives_one_unit_as_a_record(wb: Workbench) -> None:
    run = valued_run(wb)
    unit = run.result("object")
    assert isinstance(unit, Result)
    assert (unit.item_id, unit.repeat, unit.output, unit.cost) == ("object", 0, OUTPUTS["object"], 0.5)
    assert unit.tool_calls == [ToolCall("search", {"q": "capital"}, 0, result=["Paris"], latency_s=0.01)]
    assert unit.scores == [("graded", Score(1.0, "has an output", {"kind": "dict", "ünï": [1, None]}))]
    assert unit.started_at is not None
    assert unit.finished_at is not None
    assert unit.started_at <= unit.finished_at
    failed = run.result("nothing")
    assert (failed.output, failed.error_kind, failed.scores) == (None, "exception", [])
    with pytest.raises(NotFoundError, match="has no result for item 'nope'"):
        run.result("nope")
    with pytest.raises(NotFoundError, match="has no result for repeat 1 of item 'text'"):
        run.result("text", repeat=1)


def test_a_run_without_results_has_the_result_columns(wb: Workbench) -> None:
    with Monitor(wb, [graded], sample_rate=0.0) as monitor:
        monitor.record("q", "a")
    run = monitor.run
    assert run.results().empty
    assert {"item_id", "output", "tool_calls", "score_graded", "scorer_errors"} <= set(run.results().columns)
    assert list(run.scores().columns) == ["item_id", "repeat", "scorer", "score", "reason", "details", "error"]
    with pytest.raises(NotFoundError):
        run.result("x")


def test_the_cli_shows_values_not_json_literals(wb: Workbench, tmp_path: Path) -> None:
    run = valued_run(wb)
    runner = CliRunner()
    shown = runner.invoke(app, ["--root", str(wb.root), "results", run.id, "--limit", "20"])
    assert shown.exit_code == 0, shown.output
    assert "30 days" in shown.output
    assert '"30 days"' not in shown.output
    assert '"already quoted"' in shown.output  # a string that holds quotes keeps them
    assert "search" in shown.output  # tool calls by name
    as_json = runner.invoke(app, ["--root", str(wb.root), "results", run.id, "--json"])
    assert as_json.exit_code == 0, as_json.output
    rows = {row["item_id"]: row for row in json.loads(as_json.output)}
    assert rows["text"]["output"] == "30 days"
    assert rows["object"]["output"] == OUTPUTS["object"]
    assert rows["object"]["tool_calls"][0]["arguments"] == {"q": "capital"}


def test_a_unit_written_twice_reads_as_its_latest_row(wb: Workbench) -> None:
    run = valued_run(wb)
    (part,) = sorted((run.folder / "results").glob("*.parquet"))
    rows = [r for r in Result.from_table(pq.read_table(part)) if r.item_id == "text"]
    assert rows[0].finished_at is not None
    later = replace(rows[0], output="written again", finished_at=rows[0].finished_at + timedelta(seconds=1))
    pq.write_table(Result.to_table([later]), run.folder / "results" / "part-0of1-again-000000.parquet")
    df = run.results().set_index("item_id")
    assert len(df) == len(OUTPUTS)
    assert df.loc["text", "output"] == "written again"
    assert len(run.scores()) == len(OUTPUTS) - 1  # one scorer, every unit but the failed one
    assert run.result("text").output == "written again"
