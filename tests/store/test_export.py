"""Exporting a version's items: each test states one behaviour of ``Dataset.export``."""

from __future__ import annotations

import csv
import json
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from workbench import Dataset, NotFoundError, ValidationError, Workbench
from workbench.store import ITEM_FIELDS

COLUMNS = ["item_id", *ITEM_FIELDS]

VERSION_1: list[dict[str, Any]] = [
    {
        "item_id": "a",
        "input": {"question": 'line one\nline two, with "quotes"', "choices": [1, 2.5, None, True]},
        "expected_output": "café ✓ 😀",
        "context": [{"doc": "x"}],
        "metadata": {"tags": ["t1"], "nested": {"deep": 1}},
    },
    {"item_id": "007", "input": "", "expected_output": 0, "context": False, "metadata": {}, "output": []},
    {"item_id": "c", "input": 12345678901234567, "expected_output": 1e-7, "output": "a\r\nb"},
]


def items(ds: Dataset, version: int | None = None) -> list[dict[Hashable, Any]]:
    """The items of ``version`` in order, fields decoded, without the ``version`` column."""
    return ds.items(version).drop(columns=["version"]).to_dict("records")


@pytest.fixture
def ds(wb: Workbench) -> Dataset:
    """A dataset whose version 1 is ``VERSION_1`` and whose later versions change it."""
    ds = wb.create_dataset("qa")
    ds.add_items(VERSION_1)  # version 1
    ds.update_item("a", expected_output="changed")  # version 2
    ds.delete_items(["c"])  # version 3
    ds.add_items([{"item_id": "d", "input": "later"}])  # version 4
    return ds


def test_csv_export_of_an_older_version_imports_back_to_the_same_items(
    ds: Dataset, wb: Workbench, tmp_path: Path
) -> None:
    path = ds.export(tmp_path / "v1.csv", version=1)

    copy = wb.create_dataset("copy")
    copy.import_csv(path)  # the default mapping reads an export back

    assert items(copy) == items(ds, 1)
    assert [i["item_id"] for i in items(copy)] == ["a", "007", "c"]


def test_csv_export_holds_text_as_text_and_other_values_as_json(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "v1.csv", version=1)

    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == COLUMNS
    assert json.loads(rows[0]["input"]) == VERSION_1[0]["input"]
    assert rows[0]["expected_output"] == "café ✓ 😀"
    assert rows[1]["input"] == '""'  # the empty text, written as JSON: an empty cell is absent
    assert rows[1]["expected_output"] == "0"
    assert rows[2]["output"] == "a\r\nb"
    assert rows[2]["context"] == ""  # an absent field is an empty cell


def test_jsonl_export_of_an_older_version_imports_back_to_the_same_items(
    ds: Dataset, wb: Workbench, tmp_path: Path
) -> None:
    path = ds.export(tmp_path / "v1.jsonl", version=1)

    copy = wb.create_dataset("copy")
    copy.import_jsonl(path)

    assert items(copy) == items(ds, 1)


def test_jsonl_export_holds_nested_json_values_not_strings(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "v1.jsonl", version=1)

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["item_id"] for line in lines] == ["a", "007", "c"]
    assert lines[0]["input"] == VERSION_1[0]["input"]
    assert lines[0]["metadata"] == {"tags": ["t1"], "nested": {"deep": 1}}
    assert lines[1]["expected_output"] == 0
    assert lines[2]["input"] == 12345678901234567
    assert lines[2]["context"] is None


def test_parquet_export_of_an_older_version_is_readable_by_pyarrow(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "v1.parquet", version=1)

    table = pq.read_table(path)
    assert table.column_names == COLUMNS
    rows = table.to_pylist()
    assert [r["item_id"] for r in rows] == ["a", "007", "c"]
    decoded = [{k: (v if k == "item_id" or v is None else json.loads(v)) for k, v in r.items()} for r in rows]
    assert decoded == items(ds, 1)


def test_export_without_a_version_writes_the_latest(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "latest.jsonl")

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["item_id"], line["expected_output"]) for line in lines] == [
        ("a", "changed"),
        ("007", 0),
        ("d", None),
    ]


def test_csv_export_of_version_0_is_a_header_only(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "v0.csv", version=0)

    assert path.read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS)]


def test_jsonl_export_of_version_0_is_empty(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "v0.jsonl", version=0)

    assert path.read_text(encoding="utf-8").strip() == ""


def test_parquet_export_of_version_0_has_the_columns_and_no_rows(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "v0.parquet", version=0)

    table = pq.read_table(path)
    assert table.column_names == COLUMNS
    assert table.num_rows == 0


def test_export_of_a_version_that_does_not_exist_is_refused(ds: Dataset, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="version 9"):
        ds.export(tmp_path / "v9.csv", version=9)

    assert not (tmp_path / "v9.csv").exists()


def test_export_to_an_unknown_extension_is_refused(ds: Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"items\.txt"):
        ds.export(tmp_path / "items.txt")

    assert list(tmp_path.iterdir()) == [tmp_path / "store"]


def test_the_format_argument_overrides_the_extension(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "items.txt", format="jsonl", version=1)

    assert [json.loads(line)["item_id"] for line in path.read_text(encoding="utf-8").splitlines()] == [
        "a",
        "007",
        "c",
    ]


def test_export_replaces_an_existing_file_and_leaves_no_temporary_file(ds: Dataset, tmp_path: Path) -> None:
    target = tmp_path / "out" / "items.csv"
    target.parent.mkdir(parents=True)
    target.write_text("stale content\n", encoding="utf-8")

    path = ds.export(target, version=1)

    assert path == target
    assert path.read_text(encoding="utf-8").startswith(",".join(COLUMNS) + "\n")
    assert sorted(p.name for p in target.parent.iterdir()) == ["items.csv"]  # no temporary file left


def test_export_creates_missing_parent_folders(ds: Dataset, tmp_path: Path) -> None:
    path = ds.export(tmp_path / "a" / "b" / "items.parquet", version=1)

    assert pq.read_table(path).num_rows == 3
