"""``ds.item(id)`` is an ``Item``: plain values, its own stored form, readable as a mapping."""

from __future__ import annotations

import pyarrow as pa
import pytest

from workbench import Item, NotFoundError, Workbench
from workbench.records import ITEM_SCHEMA


def test_item_gives_plain_values_and_the_version_that_last_changed_it(wb: Workbench) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": "a", "input": {"q": "2+2?"}, "expected_output": "30 days", "context": ["doc"]}])
    ds.update_item("a", metadata={"n": None})
    item = ds.item("a")
    assert item == Item("a", {"q": "2+2?"}, "30 days", ["doc"], {"n": None}, None, version=2)
    assert item.expected_output == "30 days"  # not '"30 days"'
    assert ds.item("a", 1).metadata is None
    with pytest.raises(NotFoundError, match="item 'nope' does not exist"):
        ds.item("nope")


def test_an_item_owns_its_stored_form() -> None:
    item = Item("a", {"q": [1, "x"]}, "007", None, {"k": True}, 1.5)
    row = item.to_row()
    assert row == {
        "item_id": "a", "input": '{"q":[1,"x"]}', "expected_output": '"007"', "context": None,
        "metadata": '{"k":true}', "output": "1.5",
    }  # fmt: skip
    assert pa.Table.from_pylist([row], schema=ITEM_SCHEMA).num_rows == 1
    assert Item.from_row(row) == item
    assert Item.SCHEMA == ITEM_SCHEMA


def test_an_item_reads_as_a_mapping_of_its_fields() -> None:
    item = Item("a", "hi", version=3)
    assert item["input"] == "hi"
    assert {**item} == {
        "item_id": "a", "input": "hi", "expected_output": None, "context": None, "metadata": None,
        "output": None, "version": 3,
    }  # fmt: skip
    with pytest.raises(KeyError):
        item["nope"]
