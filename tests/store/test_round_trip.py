"""An export imports back to the same items, values and types, in every format (issue 11, point 2).

Each case is one awkward value, placed in every field that can hold it. The CSV export writes
text as text and anything else as JSON; a text that would read as JSON is written as a JSON
string, so the default import tells them apart (see ``workbench.store._exports``).
"""

from __future__ import annotations

import csv
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench import Workbench
from workbench.store import ITEM_FIELDS

AWKWARD: list[tuple[str, Any]] = [
    ("plain text", "30 days"),
    ("quotes", "she said \"hi\", then 'bye'"),
    ("a JSON string literal as text", '"quoted"'),
    ("newlines", "line one\nline two\r\nline three\r"),
    ("unicode", "café ✓ 😀 日本 \u2028"),
    ("leading and trailing spaces", "  padded  "),
    ("a number as text", "42"),
    ("a number with leading zeros as text", "007"),
    ("an exponent as text", "1e3"),
    ("a negative number as text", "-3.5"),
    ("true as text", "true"),
    ("null as text", "null"),
    ("an object as text", '{"a": 1}'),
    ("a list as text", "[1, 2]"),
    ("a broken object as text", '{"a": '),
    ("the empty text", ""),
    ("a space", " "),
    ("an integer", 42),
    ("zero", 0),
    ("a large integer", 12345678901234567),
    ("a float", 1000.0),
    ("a small float", 1e-7),
    ("a negative float", -3.5),
    ("true", True),
    ("false", False),
    ("an object with null inside", {"a": None, "b": [None, 1], "c": {"d": None}}),
    ("a nested object", {"question": "x?", "choices": [1, 2.5, "three", True], "meta": {"deep": {"er": []}}}),
    ("an empty object", {}),
    ("an empty list", []),
    ("a list of text", ["a", "", "007"]),
]


def item_with(value: Any) -> dict[str, Any]:
    """An item holding ``value`` in every field (``input`` too, which may not be absent)."""
    return {"item_id": "x", **dict.fromkeys(ITEM_FIELDS, value)}


def plain(ds_items: pd.DataFrame) -> list[dict[Hashable, Any]]:
    return ds_items.drop(columns=["version"]).to_dict("records")


def same_values(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (``1 == 1.0 == True`` does not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_values(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize(("case", "value"), AWKWARD, ids=[c for c, _ in AWKWARD])
def test_an_export_imports_back_to_the_same_values_and_types(
    wb: Workbench, tmp_path: Path, fmt: str, case: str, value: Any
) -> None:
    source = wb.create_dataset("source")
    source.add_items([item_with(value), {"item_id": "missing", "input": "only input"}])
    path = source.export(tmp_path / f"items.{fmt}")

    copy = wb.create_dataset("copy")
    importer = {"csv": copy.import_csv, "jsonl": copy.import_jsonl, "parquet": copy.import_parquet}[fmt]
    assert importer(path).imported == 2

    before, after = plain(source.items()), plain(copy.items())
    assert same_values(after, before), f"{case}: {after!r} != {before!r}"
    assert after[0]["input"] is not None
    assert all(after[1][f] is None for f in ITEM_FIELDS if f != "input")


def test_the_csv_export_writes_text_as_text_and_the_rest_as_json(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("qa")
    ds.add_items(
        [
            {"item_id": "a", "input": "How long?", "expected_output": "30 days", "metadata": {"n": 1}},
            {"item_id": "b", "input": "1e3", "expected_output": 1000, "context": "", "output": True},
        ]
    )
    with open(ds.export(tmp_path / "qa.csv"), newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0] == {
        "item_id": "a", "input": "How long?", "expected_output": "30 days", "context": "",
        "metadata": '{"n":1}', "output": "",
    }  # fmt: skip
    assert rows[1] == {
        "item_id": "b", "input": '"1e3"', "expected_output": "1000", "context": '""',
        "metadata": "", "output": "true",
    }  # fmt: skip


def test_a_csv_with_another_header_keeps_its_cells_as_text(wb: Workbench, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text('input,expected_output\n42,"{""a"": 1}"\n', encoding="utf-8")
    ds = wb.create_dataset("qa")
    ds.import_csv(path)
    assert plain(ds.items())[0] | {"item_id": None} == {
        "item_id": None, "input": "42", "expected_output": '{"a": 1}', "context": None, "metadata": None,
        "output": None,
    }  # fmt: skip


def test_a_parquet_file_of_typed_columns_imports_as_typed_values(wb: Workbench, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "typed.parquet"
    table = pa.table({"input": ["q1", '{"a": 1}'], "expected_output": [1.5, None], "metadata": [{"k": 1}, {"k": 2}]})
    pq.write_table(table, path)
    ds = wb.create_dataset("typed")
    assert ds.import_parquet(path).imported == 2
    got = plain(ds.items())
    assert [r["input"] for r in got] == ["q1", '{"a": 1}']  # text stays text: no metadata says JSON
    assert [r["expected_output"] for r in got] == [1.5, None]
    assert [r["metadata"] for r in got] == [{"k": 1}, {"k": 2}]
