"""Datasets, items and versions: the store's public API on a real temp folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench import InvalidNameError, NotFoundError, ValidationError, Workbench

QA: list[dict[str, Any]] = [
    {"item_id": "a", "input": {"question": "2+2?"}, "expected_output": "4", "metadata": {"level": 1}},
    {"item_id": "b", "input": {"question": "Capital of France?"}, "expected_output": "Paris"},
    {"item_id": "c", "input": "plain text input", "context": ["doc 1", "doc 2"], "output": "judged text"},
]


def test_create_dataset_starts_at_version_zero_with_no_items(wb: Workbench) -> None:
    ds = wb.create_dataset("qa", description="questions", metadata={"owner": "me"})
    assert ds.version == 0
    assert len(ds) == 0
    assert ds.items().empty
    assert list(ds.items().columns) == [
        "item_id",
        "input",
        "expected_output",
        "context",
        "metadata",
        "output",
        "version",
    ]
    assert ds.description == "questions"
    assert ds.metadata == {"owner": "me"}


def test_datasets_lists_name_description_version_and_item_count(wb: Workbench) -> None:
    wb.create_dataset("qa", description="questions").add_items(QA)
    wb.create_dataset("empty")
    df = wb.datasets()
    assert df["name"].tolist() == ["empty", "qa"]
    row = df.set_index("name").loc["qa"]
    assert (row["description"], row["version"], row["items"]) == ("questions", 1, 3)
    assert {"created_at", "updated_at"} <= set(df.columns)


def test_store_root_defaults_to_env_then_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_ROOT", str(tmp_path / "env-root"))
    Workbench().create_dataset("x")
    assert (tmp_path / "env-root" / "datasets" / "x").is_dir()
    monkeypatch.delenv("WORKBENCH_ROOT")
    monkeypatch.chdir(tmp_path)
    Workbench().create_dataset("y")
    assert (tmp_path / "datasets" / "y").is_dir()


def test_add_items_is_one_new_version_and_keeps_any_json(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    assert ds.add_items(QA) == 1
    items = ds.items().set_index("item_id")
    assert items.loc["a", "input"] == {"question": "2+2?"}
    assert items.loc["a", "metadata"] == {"level": 1}
    assert items.loc["c", "input"] == "plain text input"
    assert items.loc["c", "context"] == ["doc 1", "doc 2"]
    assert items.loc["c", "output"] == "judged text"
    assert items.loc["b", "context"] is None
    assert ds.item("a").expected_output == "4"


def test_items_keep_the_order_they_were_added_in(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": f"id{i:02d}", "input": i} for i in (5, 3, 9)])
    ds.add_items([{"item_id": "id01", "input": 1}])
    ds.update_item("id03", input=33)
    assert ds.items()["item_id"].tolist() == ["id05", "id03", "id09", "id01"]


def test_missing_item_ids_are_generated_unique(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items([{"input": i} for i in range(50)])
    ids = ds.items()["item_id"]
    assert ids.is_unique
    assert all(isinstance(i, str) and len(i) == 16 for i in ids)


def test_duplicate_item_id_is_rejected_and_nothing_written(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    with pytest.raises(ValidationError, match=r"item 1 \(item_id 'a'\).*already exists"):
        ds.add_items([{"item_id": "new", "input": 1}, {"item_id": "a", "input": 2}])
    with pytest.raises(ValidationError, match="repeats item 0"):
        ds.add_items([{"item_id": "z", "input": 1}, {"item_id": "z", "input": 2}])
    assert ds.version == 1
    assert sorted(ds.items()["item_id"]) == ["a", "b", "c"]


def test_a_deleted_item_id_can_be_added_again(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    ds.delete_items(["a"])
    ds.add_items([{"item_id": "a", "input": "back"}])
    assert ds.item("a").input == "back"
    assert ds.history("a")["op"].tolist() == ["add", "delete", "readd"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"expected_output": 1}, "item 0: field input is required"),
        ({"input": None}, "field input is required"),
        ({"input": 1, "answer": 2}, "unknown field 'answer'"),
        ({"input": {1, 2}}, "field input is not JSON-serialisable"),
        ({"item_id": "", "input": 1}, "field item_id"),
        ({"item_id": "a\nb", "input": 1}, "control character"),
        ({"item_id": 3.5, "input": 1}, "item_id must be a string"),
    ],
)
def test_invalid_items_name_the_item_and_field(wb: Workbench, item: dict[str, object], message: str) -> None:
    ds = wb.create_dataset("qa")
    with pytest.raises(ValidationError, match=message):
        ds.add_items([item])
    assert ds.version == 0


def test_add_items_accepts_a_dataframe_with_nan_as_missing(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    df = pd.DataFrame({"input": ["x", "y"], "expected_output": ["X", float("nan")]})
    ds.add_items(df)
    assert ds.items()["expected_output"].tolist() == ["X", None]


def test_update_item_changes_only_the_given_fields(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    assert ds.update_item("a", expected_output="four", metadata=None) == 2
    item = ds.item("a")
    assert item.expected_output == "four"
    assert item.metadata is None
    assert item.input == {"question": "2+2?"}
    assert item.version == 2
    assert ds.item("b").version == 1


def test_update_of_missing_or_deleted_item_is_a_clear_error(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    ds.delete_items(["b"])
    with pytest.raises(NotFoundError, match="'nope' does not exist"):
        ds.update_item("nope", input=1)
    with pytest.raises(NotFoundError, match="'b' was deleted"):
        ds.update_item("b", input=1)
    with pytest.raises(ValidationError, match="input cannot be removed"):
        ds.update_item("a", input=None)
    with pytest.raises(ValidationError, match="no field to change"):
        ds.update_item("a")
    assert ds.version == 2


def test_update_items_is_one_version_for_a_batch(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    v = ds.update_items([{"item_id": "a", "expected_output": "4!"}, {"item_id": "b", "context": "France"}])
    assert v == 2
    assert ds.versions().iloc[-1][["operation", "updated"]].tolist() == ["update", 2]


def test_delete_items_is_one_version_and_all_must_exist(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    with pytest.raises(NotFoundError, match="'zz' does not exist"):
        ds.delete_items(["a", "zz"])
    assert ds.version == 1
    assert ds.delete_items(["a", "c"]) == 2
    assert ds.items()["item_id"].tolist() == ["b"]
    assert len(ds) == 1


def test_every_earlier_version_stays_readable_exactly(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    snapshot = ds.items(1)
    ds.update_item("a", expected_output="changed")
    ds.delete_items(["b"])
    ds.add_items([{"item_id": "d", "input": 4}])
    pd.testing.assert_frame_equal(ds.items(1), snapshot)
    assert ds.items(0).empty
    assert sorted(ds.items(2)["item_id"]) == ["a", "b", "c"]
    assert sorted(ds.items(3)["item_id"]) == ["a", "c"]
    assert sorted(ds.items()["item_id"]) == ["a", "c", "d"]
    with pytest.raises(NotFoundError, match="version 9 does not exist"):
        ds.items(9)


def test_versions_list_what_each_version_did(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA, message="first batch")
    ds.update_item("a", expected_output="x")
    ds.delete_items(["b", "c"], message="cleanup")
    v = ds.versions()
    assert v["version"].tolist() == [0, 1, 2, 3]
    assert v["operation"].tolist() == ["create", "add", "update", "delete"]
    assert v["added"].tolist() == [0, 3, 0, 0]
    assert v["updated"].tolist() == [0, 0, 1, 0]
    assert v["deleted"].tolist() == [0, 0, 0, 2]
    assert v["item_count"].tolist() == [0, 3, 3, 1]
    assert v["message"].tolist() == ["", "first batch", "", "cleanup"]
    assert v["created_at"].is_monotonic_increasing


def test_history_lists_an_items_states_across_versions(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    ds.update_item("a", expected_output="four")
    ds.update_item("b", expected_output="Paris!")
    ds.delete_items(["a"])
    h = ds.history("a")
    assert h["version"].tolist() == [1, 2, 4]
    assert h["op"].tolist() == ["add", "update", "delete"]
    assert h["expected_output"].tolist() == ["4", "four", None]
    assert ds.history("a", raw=True)["expected_output"].tolist()[:2] == ['"4"', '"four"']
    with pytest.raises(NotFoundError):
        ds.history("never")


def test_diff_lists_added_removed_and_changed_items(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    ds.update_item("a", expected_output="four")
    ds.delete_items(["b"])
    ds.add_items([{"item_id": "d", "input": 4}])
    ds.update_item("c", output="judged text")  # same value: not a change
    d = ds.diff(1, ds.version).set_index("item_id")
    assert d["change"].to_dict() == {"a": "changed", "b": "removed", "d": "added"}
    assert d.loc["a", "fields"] == ["expected_output"]
    assert d.loc["a", "before"] == {"expected_output": "4"}
    assert d.loc["a", "after"] == {"expected_output": "four"}
    assert d.loc["b", "after"] is None
    assert ds.diff(1, ds.version, raw=True).set_index("item_id").loc["a", "before"] == '{"expected_output":"4"}'
    back = ds.diff(ds.version, 1).set_index("item_id")
    assert back["change"].to_dict() == {"a": "changed", "b": "added", "d": "removed"}
    assert ds.diff(2, 2).empty


def test_diff_ignores_an_item_added_and_deleted_between_the_versions(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    ds.add_items([{"item_id": "tmp", "input": 0}])
    ds.delete_items(["tmp"])
    assert ds.diff(1, 3).empty


def test_input_schema_is_enforced_on_every_write(wb: Workbench) -> None:
    schema = {"type": "object", "required": ["question"], "properties": {"question": {"type": "string"}}}
    ds = wb.create_dataset("qa", input_schema=schema, expected_schema={"type": "string"})
    ds.add_items([{"item_id": "ok", "input": {"question": "q"}, "expected_output": "a"}])
    with pytest.raises(ValidationError, match=r"item 0 \(item_id 'bad'\): field input .*'question' is a required"):
        ds.add_items([{"item_id": "bad", "input": {"q": 1}}])
    with pytest.raises(ValidationError, match=r"field input.*\['question'\]: 5 is not of type 'string'"):
        ds.add_items([{"input": {"question": 5}}])
    with pytest.raises(ValidationError, match="field expected_output"):
        ds.update_item("ok", expected_output=3)
    assert ds.version == 1


def test_a_new_schema_is_checked_against_current_items(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": "n", "input": 5}])
    with pytest.raises(ValidationError, match="item 'n': field input does not match the new schema"):
        ds.update(input_schema={"type": "string"})
    assert ds.input_schema is None
    ds.update(input_schema={"type": "integer"}, description="numbers")
    assert ds.input_schema == {"type": "integer"}
    assert ds.description == "numbers"
    assert ds.version == 1  # metadata changes make no item version


def test_an_invalid_schema_is_refused_at_creation(wb: Workbench) -> None:
    with pytest.raises(ValidationError, match="not a valid JSON Schema"):
        wb.create_dataset("qa", input_schema={"type": "nonsense"})
    assert wb.datasets().empty


@pytest.mark.parametrize(
    "name", ["", "a/b", "..", "../x", "a\\b", ".hidden", "_delta", " padded", "tab\tname", "x" * 129, "a:b"]
)
def test_bad_dataset_names_are_refused_and_nothing_created(wb: Workbench, name: str) -> None:
    with pytest.raises(InvalidNameError):
        wb.create_dataset(name)
    assert wb.datasets().empty
    assert not wb.datasets_dir.exists() or os.listdir(wb.datasets_dir) == []


def test_unicode_and_punctuated_names_are_fine(wb: Workbench) -> None:
    for name in ["qa-v2.1", "évaluation", "support tickets"]:
        wb.create_dataset(name)
    assert wb.datasets()["name"].tolist() == ["qa-v2.1", "support tickets", "évaluation"]


def test_create_twice_open_missing_and_delete(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(QA)
    with pytest.raises(ValidationError, match="already exists"):
        wb.create_dataset("qa")
    with pytest.raises(NotFoundError, match="'other' does not exist"):
        wb.dataset("other")
    wb.delete_dataset("qa")
    assert wb.datasets().empty
    with pytest.raises(NotFoundError):
        wb.delete_dataset("qa")
    assert os.listdir(wb.datasets_dir) == []


def test_rename_keeps_versions_and_history(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(QA)
    ds.update_item("a", expected_output="x")
    renamed = wb.rename_dataset("qa", "qa-archive")
    assert renamed.name == "qa-archive"
    assert renamed.version == 2
    assert len(renamed.items(1)) == 3
    assert wb.datasets()["name"].tolist() == ["qa-archive"]


def test_sql_sees_items_of_every_dataset_with_json_operators(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(QA)
    wb.create_dataset("other").add_items([{"input": {"question": "x"}}])
    df = wb.sql("select dataset, count(*) as n from items group by dataset order by dataset")
    assert df.to_dict("records") == [{"dataset": "other", "n": 1}, {"dataset": "qa", "n": 3}]
    q = wb.sql("select input->>'$.question' as q from items where dataset = ? and item_id = 'b'", ["qa"])
    assert q["q"].tolist() == ["Capital of France?"]
    log = wb.sql("select count(*) as n from item_log")
    assert log["n"].tolist() == [4]
    assert wb.sql("select name, items from datasets order by name")["items"].tolist() == [1, 3]


def test_sql_on_an_empty_store_has_the_views(wb: Workbench) -> None:
    assert wb.sql("select count(*) as n from items")["n"].tolist() == [0]
    assert wb.sql("select * from datasets").empty


def test_an_edit_writes_one_small_file_not_the_dataset(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items([{"input": {"question": f"question {i}" * 5}} for i in range(20_000)])
    item_id = ds.items()["item_id"].iloc[0]
    before = {p: p.stat().st_size for p in (ds.folder / "items").glob("*.parquet")}
    ds.update_item(item_id, expected_output="x")
    after = {p: p.stat().st_size for p in (ds.folder / "items").glob("*.parquet")}
    new = set(after) - set(before)
    assert len(new) == 1
    assert after[new.pop()] < 10_000
    assert all(after[p] == size for p, size in before.items())
