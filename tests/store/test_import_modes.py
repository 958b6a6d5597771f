"""Imports that fit a spreadsheet workflow: guessed mappings and the append, upsert and sync modes.

A spreadsheet is edited and imported again; the import adds the new rows, updates the
changed ones and (``sync``) deletes the missing ones, in one version, and says what it did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench import Dataset, ImportValidationError, ValidationError, Workbench
from workbench.store import describe_mapping, file_columns, guess_mapping, preview_csv

SHEET = b"id,question,answer\nq1,What is 2+2?,4\nq2,Capital of France?,Paris\nq3,Largest planet?,Jupiter\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def state(ds: Dataset, version: int | None = None) -> dict[str, tuple[Any, Any]]:
    """item_id -> (input, expected_output) at ``version``."""
    frame = ds.items(version)
    return {str(r.item_id): (r.input, r.expected_output) for r in frame.itertuples()}


@pytest.fixture
def ds(wb: Workbench, tmp_path: Path) -> Dataset:
    """A dataset at version 1 holding the three rows of SHEET."""
    ds = wb.create_dataset("qa")
    ds.import_csv(write(tmp_path, "first.csv", SHEET))
    return ds


# -- guessing the mapping ---------------------------------------------------------------


def test_guess_mapping_reads_the_usual_column_names() -> None:
    assert guess_mapping(["id", "question", "answer", "passage", "source"]) == {
        "item_id": "id",
        "input": "question",
        "expected_output": "answer",
        "context": "passage",
    }


@pytest.mark.parametrize(
    ("columns", "field", "column"),
    [
        (["Prompt", "Ground Truth"], "input", "Prompt"),
        (["Prompt", "Ground Truth"], "expected_output", "Ground Truth"),
        (["query", "target"], "expected_output", "target"),
        (["query", "label"], "expected_output", "label"),
        (["Item-ID", "query"], "item_id", "Item-ID"),
        (["input", "contexts", "metadata"], "context", "contexts"),
        (["input", "contexts", "metadata"], "metadata", "metadata"),
    ],
)
def test_guess_mapping_ignores_case_spaces_and_dashes(columns: list[str], field: str, column: str) -> None:
    assert guess_mapping(columns)[field] == column


def test_guess_mapping_prefers_the_field_s_own_name_and_uses_a_column_once() -> None:
    guessed = guess_mapping(["question", "input", "answer", "expected_output", "label"])
    assert guessed == {"input": "input", "expected_output": "expected_output"}


def test_guess_mapping_leaves_out_fields_it_finds_no_column_for() -> None:
    assert guess_mapping(["text", "notes"]) == {}


def test_describe_mapping_puts_the_column_first() -> None:
    text = describe_mapping({"input": "question", "expected_output": "answer", "metadata": ["a", "b"]})
    assert text == "question -> input, answer -> expected_output, a+b -> metadata"


def test_an_import_without_a_mapping_uses_the_guess_and_reports_it(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("guess")
    report = ds.import_csv(write(tmp_path, "qa.csv", b"ID,Question,Ground Truth,notes\nk1,Why?,Because,x\n"))
    assert report.mapping == {"item_id": "ID", "input": "Question", "expected_output": "Ground Truth"}
    assert report.ignored_columns == ["notes"]
    assert state(ds) == {"k1": ("Why?", "Because")}


def test_a_jsonl_file_s_keys_are_guessed_too(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("guess")
    data = b'{"id": "j1", "prompt": {"q": 1}}\n{"id": "j2", "prompt": "hi", "ground_truth": [1, 2]}\n'
    report = ds.import_jsonl(write(tmp_path, "qa.jsonl", data))
    assert report.mapping == {"item_id": "id", "input": "prompt", "expected_output": "ground_truth"}
    assert state(ds) == {"j1": ({"q": 1}, None), "j2": ("hi", [1, 2])}


def test_file_columns_and_preview_drop_an_excel_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, "excel.csv", b"\xef\xbb\xbfid,question,answer\r\nq1,Hi?,Hello\r\nq2,x\r\n")
    assert file_columns(path) == ["id", "question", "answer"]
    header, rows = preview_csv(path)
    assert header == ["id", "question", "answer"]
    assert rows[0] == ["q1", "Hi?", "Hello"]
    assert rows[1][0] == "line 3: has 2 fields but the header has 3"


def test_file_columns_of_a_jsonl_file_are_its_keys_in_order_of_appearance(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", b'{"b": 1, "a": 2}\nnot json\n{"c": 3, "a": 4}\n')
    assert file_columns(path) == ["b", "a", "c"]


# -- append (the default) ----------------------------------------------------------------


def test_append_refuses_ids_the_dataset_has_and_writes_nothing(ds: Dataset, tmp_path: Path) -> None:
    with pytest.raises(ImportValidationError, match="already exists"):
        ds.import_csv(write(tmp_path, "again.csv", SHEET))
    assert ds.version == 1


def test_append_reports_what_it_added(wb: Workbench, tmp_path: Path) -> None:
    report = wb.create_dataset("new").import_csv(write(tmp_path, "qa.csv", SHEET))
    assert (report.mode, report.added, report.updated, report.unchanged, report.deleted) == ("append", 3, 0, 0, 0)
    assert str(report) == "3 of 3 rows imported into 'new' as version 1: 3 added"


# -- upsert --------------------------------------------------------------------------------


def test_upsert_adds_updates_and_leaves_unchanged_in_one_version(ds: Dataset, tmp_path: Path) -> None:
    edited = b"id,question,answer\nq1,What is 2+2?,4\nq2,Capital of France?,Paris (France)\nq4,New?,Yes\n"
    report = ds.import_csv(write(tmp_path, "edited.csv", edited), mode="upsert")
    assert (report.version, report.added, report.updated, report.unchanged, report.deleted) == (2, 1, 1, 1, 0)
    assert str(report) == "2 of 3 rows imported into 'qa' as version 2: 1 added, 1 updated, 1 unchanged"
    assert state(ds) == {
        "q1": ("What is 2+2?", "4"),
        "q2": ("Capital of France?", "Paris (France)"),
        "q3": ("Largest planet?", "Jupiter"),  # not in the file: upsert keeps it
        "q4": ("New?", "Yes"),
    }
    last = ds.versions().iloc[-1]
    assert (last["operation"], last["added"], last["updated"], last["deleted"], last["item_count"]) == (
        "import",
        1,
        1,
        0,
        4,
    )
    assert list(ds.history("q2")["op"]) == ["add", "update"]
    assert state(ds, 1)["q2"] == ("Capital of France?", "Paris")  # the earlier version is intact


def test_an_upsert_that_changes_nothing_makes_no_version(ds: Dataset, tmp_path: Path) -> None:
    report = ds.import_csv(write(tmp_path, "same.csv", SHEET), mode="upsert")
    assert (report.version, report.unchanged, report.imported) == (None, 3, 0)
    assert "(no new version): 0 added, 0 updated, 3 unchanged" in str(report)
    assert ds.version == 1


def test_upsert_keeps_the_fields_the_file_does_not_map(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("kept")
    ds.add_items([{"item_id": "q1", "input": "old", "metadata": {"owner": "ana"}, "context": "c"}])
    report = ds.import_csv(write(tmp_path, "qa.csv", b"id,question\nq1,new\n"), mode="upsert")
    assert report.updated == 1
    item = ds.item("q1")
    assert (item["input"], item["metadata"], item["context"]) == ("new", {"owner": "ana"}, "c")


def test_upsert_clears_a_mapped_field_whose_cell_is_empty(ds: Dataset, tmp_path: Path) -> None:
    report = ds.import_csv(write(tmp_path, "qa.csv", b"id,question,answer\nq1,What is 2+2?,\n"), mode="upsert")
    assert report.updated == 1
    assert ds.item("q1")["expected_output"] is None


def test_upsert_compares_json_values_not_their_spelling(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("json")
    ds.add_items([{"item_id": "a", "input": {"x": 1, "y": 2}}, {"item_id": "b", "input": {"n": 1}}])
    data = b'{"item_id": "a", "input": {"y": 2, "x": 1}}\n{"item_id": "b", "input": {"n": 1.0}}\n'
    report = ds.import_jsonl(write(tmp_path, "qa.jsonl", data), mode="upsert")
    assert (report.unchanged, report.updated) == (1, 1)  # key order is no change; 1 -> 1.0 is
    assert ds.item("b")["input"] == {"n": 1.0}


def test_upsert_brings_back_a_deleted_item_as_added(ds: Dataset, tmp_path: Path) -> None:
    ds.delete_items(["q3"])
    report = ds.import_csv(write(tmp_path, "qa.csv", SHEET), mode="upsert")
    assert (report.added, report.unchanged) == (1, 2)
    assert list(ds.items()["item_id"]) == ["q1", "q2", "q3"]


def test_upsert_refuses_a_row_without_an_id_naming_its_line(ds: Dataset, tmp_path: Path) -> None:
    data = b"id,question,answer\nq1,changed,4\n,no id here,5\n"
    with pytest.raises(ImportValidationError) as info:
        ds.import_csv(write(tmp_path, "qa.csv", data), mode="upsert")
    (error,) = info.value.errors
    assert (error.line, error.column, error.field) == (3, "id", "item_id")
    assert "has no item_id" in str(error)
    assert ds.version == 1  # the good row was not written either


def test_upsert_refuses_a_file_with_no_id_column_before_reading_rows(ds: Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"^qa.csv: mode 'upsert' matches rows to items by item_id") as info:
        ds.import_csv(write(tmp_path, "qa.csv", b"question,answer\nx,y\n"), mode="upsert")
    assert "\n" not in str(info.value)
    assert ds.version == 1


def test_a_bad_row_in_an_upsert_writes_nothing(ds: Dataset, tmp_path: Path) -> None:
    data = b"id,question,answer\nq1,changed,4\nq9,new,{bad\n"
    with pytest.raises(ImportValidationError) as info:
        ds.import_csv(write(tmp_path, "qa.csv", data), mode="upsert", json_columns=["answer"])
    assert [(e.line, e.column) for e in info.value.errors] == [(3, "answer")]
    assert ds.version == 1
    assert state(ds)["q1"] == ("What is 2+2?", "4")


def test_upsert_with_skip_writes_the_good_rows_and_lists_the_bad(ds: Dataset, tmp_path: Path) -> None:
    data = b"id,question,answer\nq1,changed,4\n,no id,5\n"
    report = ds.import_csv(write(tmp_path, "qa.csv", data), mode="upsert", on_invalid="skip")
    assert (report.updated, [e.line for e in report.skipped]) == (1, [3])


def test_a_dry_run_counts_the_changes_and_writes_nothing(ds: Dataset, tmp_path: Path) -> None:
    data = b"id,question,answer\nq1,changed,4\nq5,new,5\n"
    report = ds.import_csv(write(tmp_path, "qa.csv", data), mode="sync", dry_run=True)
    assert (report.version, report.added, report.updated, report.unchanged, report.deleted) == (None, 1, 1, 0, 2)
    assert str(report) == "dry run (sync) of 2 rows into 'qa': would be 1 added, 1 updated, 0 unchanged, 2 deleted"
    assert ds.version == 1


# -- sync ------------------------------------------------------------------------------------


def test_sync_also_deletes_the_items_missing_from_the_file(ds: Dataset, tmp_path: Path) -> None:
    data = b"id,question,answer\nq2,Capital of France?,Paris\nq3,Largest planet?,Saturn\nq5,Five?,5\n"
    report = ds.import_csv(write(tmp_path, "qa.csv", data), mode="sync")
    assert (report.version, report.added, report.updated, report.unchanged, report.deleted) == (2, 1, 1, 1, 1)
    assert str(report).endswith("1 added, 1 updated, 1 unchanged, 1 deleted")
    assert state(ds) == {
        "q2": ("Capital of France?", "Paris"),
        "q3": ("Largest planet?", "Saturn"),
        "q5": ("Five?", "5"),
    }
    assert ds.versions().iloc[-1]["item_count"] == 3
    assert list(ds.history("q1")["op"]) == ["add", "delete"]
    assert ds.version == 2


def test_a_sync_with_the_same_rows_makes_no_version(ds: Dataset, tmp_path: Path) -> None:
    report = ds.import_csv(write(tmp_path, "qa.csv", SHEET), mode="sync")
    assert (report.version, report.unchanged, report.deleted) == (None, 3, 0)
    assert ds.version == 1


def test_sync_refuses_skipping_invalid_rows(ds: Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="a skipped row would delete its item"):
        ds.import_csv(write(tmp_path, "qa.csv", SHEET), mode="sync", on_invalid="skip")
    assert ds.version == 1


def test_an_unknown_mode_is_refused(ds: Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="mode must be 'append', 'upsert' or 'sync', not 'merge'"):
        ds.import_csv(write(tmp_path, "qa.csv", SHEET), mode="merge")  # type: ignore[arg-type]


def test_sync_of_a_parquet_file(ds: Dataset, tmp_path: Path) -> None:
    out = ds.export(tmp_path / "all.parquet")
    ds.add_items([{"item_id": "extra", "input": "x"}])
    report = ds.import_parquet(out, mode="sync")
    assert (report.deleted, report.unchanged) == (1, 3)
    assert sorted(ds.items()["item_id"]) == ["q1", "q2", "q3"]


# -- the export's header (a round trip through a spreadsheet) -------------------------------


def test_an_exported_csv_imports_back_unchanged_with_upsert(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("rich")
    ds.add_items(
        [
            {"item_id": "r1", "input": {"question": "2+2?"}, "expected_output": 4, "metadata": {"tags": ["m"]}},
            {"item_id": "r2", "input": "1e3", "expected_output": "true", "context": ["a", "b"]},
        ]
    )
    out = ds.export(tmp_path / "rich.csv")
    report = ds.import_csv(out, mode="sync")
    assert (report.version, report.unchanged) == (None, 2)
    assert report.mapping == {f: f for f in ("item_id", "input", "expected_output", "context", "metadata", "output")}


def test_an_edited_export_updates_only_the_edited_item(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("rich")
    ds.add_items(
        [
            {"item_id": "r1", "input": {"question": "2+2?"}, "expected_output": 4},
            {"item_id": "r2", "input": {"question": "3+3?"}, "expected_output": 6},
        ]
    )
    out = ds.export(tmp_path / "rich.csv")
    text = out.read_text(encoding="utf-8").replace(",6,", ",7,")
    out.write_bytes(b"\xef\xbb\xbf" + text.encode())  # saved again by Excel: with a byte order mark
    report = ds.import_csv(out, mode="upsert")
    assert (report.updated, report.unchanged) == (1, 1)
    assert ds.item("r2")["expected_output"] == 7
    assert ds.item("r2")["input"] == {"question": "3+3?"}  # still an object, not its JSON text


# -- the Workbench verbs ------------------------------------------------------------------------


def test_wb_import_csv_creates_the_dataset_when_asked(wb: Workbench, tmp_path: Path) -> None:
    report = wb.import_csv("fresh", write(tmp_path, "qa.csv", SHEET), create=True)
    assert (report.dataset, report.version, report.added) == ("fresh", 1, 3)
    again = wb.import_csv(wb.dataset("fresh"), write(tmp_path, "qa.csv", SHEET), mode="upsert")
    assert (again.version, again.unchanged) == (None, 3)


def test_a_failed_wb_import_leaves_no_dataset_it_created(wb: Workbench, tmp_path: Path) -> None:
    with pytest.raises(ImportValidationError):
        wb.import_csv("fresh", write(tmp_path, "qa.csv", b"id,question\nq1,\n"), create=True)
    assert "fresh" not in wb.datasets()["name"].tolist()


def test_wb_import_jsonl_upserts(ds: Dataset, wb: Workbench, tmp_path: Path) -> None:
    data = b'{"item_id": "q1", "input": "What is 2+2?", "expected_output": "four"}\n'
    report = wb.import_jsonl("qa", write(tmp_path, "qa.jsonl", data), mode="upsert")
    assert (report.updated, ds.item("q1")["expected_output"]) == (1, "four")
