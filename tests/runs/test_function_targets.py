"""Plain Python functions as targets: sync or async, what they are given, what they report."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from tests._cells import records
from tests.runs._support import make_dataset
from workbench import RunFailedError, Workbench
from workbench.errors import InvalidTypeError, NotFoundError
from workbench.targets import Item, TargetResult, Usage, record_step


def outputs(run: Any) -> dict[str, Any]:
    df = run.results()
    return dict(zip(df["item_id"], df["output"], strict=True))


def test_a_sync_function_gets_the_input_and_runs_off_the_callers_thread(wb: Workbench) -> None:
    make_dataset(wb, 3)
    threads: set[int] = set()

    def square(x: int) -> int:
        threads.add(threading.get_ident())
        return x * x

    run = wb.run_sync("d", square)
    assert outputs(run) == {"i00": 0, "i01": 1, "i02": 4}
    assert threading.get_ident() not in threads


def test_an_async_function_is_awaited(wb: Workbench) -> None:
    make_dataset(wb, 3)

    async def plus_one(x: int) -> dict[str, int]:
        await asyncio.sleep(0.01)
        return {"value": x + 1}

    run = wb.run_sync("d", plus_one)
    assert run.status == "completed"
    assert outputs(run) == {"i00": {"value": 1}, "i01": {"value": 2}, "i02": {"value": 3}}


def test_a_callable_object_with_an_async_call_is_awaited(wb: Workbench) -> None:
    make_dataset(wb, 2)

    class Pipeline:
        async def __call__(self, x: int) -> int:
            await asyncio.sleep(0.01)
            return x + 1

    run = wb.run_sync("d", Pipeline())
    assert outputs(run) == {"i00": 1, "i01": 2}


def test_a_function_taking_item_gets_the_whole_item(wb: Workbench) -> None:
    make_dataset(wb, 2)
    seen: list[Item] = []

    def look(item: Item) -> str:
        seen.append(item)
        return item.item_id

    run = wb.run_sync("d", look)
    assert outputs(run) == {"i00": "i00", "i01": "i01"}
    got = {i.item_id: i for i in seen}
    assert isinstance(got["i01"], Item)
    assert (got["i01"].input, got["i01"].expected_output, got["i01"].context, got["i01"].metadata) == (
        1,
        2,
        {"k": 1},
        {"m": 1},
    )


def test_a_function_gets_input_and_context_by_name(wb: Workbench) -> None:
    make_dataset(wb, 3)

    def combine(context: dict[str, int], input: int) -> list[int]:  # noqa: A002 - the field's name
        return [input, context["k"] * 10]

    run = wb.run_sync("d", combine)
    assert outputs(run) == {"i00": [0, 0], "i01": [1, 10], "i02": [2, 20]}


def test_steps_recorded_by_a_sync_function_are_kept(wb: Workbench) -> None:
    make_dataset(wb, 2)

    def pipeline(x: int) -> int:
        record_step("retrieve", docs=x)
        record_step("answer")
        return x

    run = wb.run_sync("d", pipeline)
    df = run.results().set_index("item_id")
    steps = records(df.loc["i01", "steps"])
    assert [s["name"] for s in steps] == ["retrieve", "answer"]
    assert steps[0]["docs"] == 1
    assert steps[0]["at_s"] <= steps[1]["at_s"]


def test_steps_recorded_by_an_async_function_stay_with_their_item(wb: Workbench) -> None:
    make_dataset(wb, 6)

    async def pipeline(x: int) -> int:
        record_step("start", n=x)
        await asyncio.sleep(0.01 * (6 - x))
        record_step("end", n=x)
        return x

    run = wb.run_sync("d", pipeline, concurrency=6)
    for item_id, steps in zip(run.results()["item_id"], run.results()["steps"], strict=True):
        n = int(item_id[1:])
        assert [(s["name"], s["n"]) for s in steps] == [("start", n), ("end", n)]


def test_a_returned_target_result_keeps_tokens_and_cost(wb: Workbench) -> None:
    make_dataset(wb, 2)

    def priced(x: int) -> TargetResult:
        return TargetResult(
            output=f"answer {x}",
            usage=Usage(input_tokens=10 + x, output_tokens=5, cached_tokens=1),
            cost=0.25,
            model="m-1",
        )

    run = wb.run_sync("d", priced)
    row = run.results().set_index("item_id").loc["i01"]
    assert row["output"] == "answer 1"
    assert (row["tokens_in"], row["tokens_out"], row["tokens_cached"]) == (11, 5, 1)
    assert row["cost"] == 0.25
    assert row["model"] == "m-1"


def question_dataset(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(
        [
            {"item_id": "q1", "input": {"question": "2+2?"}, "expected_output": "4", "context": "maths"},
            {"item_id": "q2", "input": {"question": "capital of France?"}, "expected_output": "Paris"},
        ]
    )


def test_a_function_of_item_indexes_it_like_a_dict(wb: Workbench) -> None:
    question_dataset(wb)

    def answer(item: Item) -> str:
        return f"{item['input']['question']} -> {item['expected_output']} ({item.get('context')})"

    run = wb.run_sync("qa", answer)
    assert outputs(run) == {"q1": "2+2? -> 4 (maths)", "q2": "capital of France? -> Paris (None)"}


def test_parameters_named_after_input_keys_get_those_keys(wb: Workbench) -> None:
    question_dataset(wb)

    def answer(question: str, context: str | None, item_id: str) -> str:
        return f"{item_id}: {question} / {context}"

    run = wb.run_sync("qa", answer)
    assert outputs(run) == {"q1": "q1: 2+2? / maths", "q2": "q2: capital of France? / None"}


def test_one_parameter_not_named_after_a_field_gets_the_whole_input(wb: Workbench) -> None:
    question_dataset(wb)

    def answer(question: dict[str, str]) -> str:
        return question["question"].upper()

    assert outputs(wb.run_sync("qa", answer)) == {"q1": "2+2?", "q2": "CAPITAL OF FRANCE?"}


def test_a_parameter_that_cannot_be_filled_says_what_to_write(wb: Workbench) -> None:
    question_dataset(wb)

    def answer(question: str, language: str) -> str:
        return question

    with pytest.raises(RunFailedError) as info:
        wb.run_sync("qa", answer, concurrency=1)
    message = str(info.value)
    assert "all 2 items errored; first error (item q1): InvalidTypeError: target answer:" in message
    assert "answer(question, language) asks for 'language'" in message
    assert "item, input, expected_output, context, metadata, item_id, output" in message  # the fields
    assert "a dict with keys question" in message  # what the input has
    assert "write answer(item) and read item['input'], answer(input) for the input alone" in message
    assert "\n" not in message


def test_reading_the_input_as_if_it_were_the_item_is_explained(wb: Workbench) -> None:
    question_dataset(wb)

    def answer(row: Any) -> Any:
        return row["input"]["question"]

    run = wb.run("qa", answer).wait()
    assert run.status == "failed"
    error = run.result("q1").error or ""
    assert "answer(row) is given the item's input (a dict with keys question), not the item" in error
    assert "(KeyError 'input')" in error
    assert "write answer(item) to get the whole item" in error


def test_a_function_taking_nothing_is_refused_with_the_forms_that_work(wb: Workbench) -> None:
    question_dataset(wb)

    def answer() -> str:
        return "x"

    with pytest.raises(InvalidTypeError, match=r"answer\(\) takes no argument; write answer\(input\)"):
        wb.run("qa", answer)
    assert not wb.runs_dir.exists() or not any(wb.runs_dir.iterdir())


def test_asking_the_item_for_an_input_key_points_to_the_input() -> None:
    item = Item("q1", {"question": "2+2?"})
    with pytest.raises(NotFoundError, match=r"the input has it: item\['input'\]\['question'\]"):
        item["question"]
    with pytest.raises(AttributeError, match=r"the input has it: item\['input'\]\['question'\]"):
        item.question  # noqa: B018
    assert item.get("question") is None
    assert dict(item)["input"] == {"question": "2+2?"}
