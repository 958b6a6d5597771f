"""Importing CSV and JSON Lines files: each test states one behaviour of ``import_csv``/``import_jsonl``.

Every file is written as exact bytes, so its line endings, byte order mark and
encoding are exactly what the test says. Line numbers are 1-based physical
lines of the file where a row starts; the header is line 1.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pytest

from workbench import Dataset, ImportValidationError, RowError, ValidationError, Workbench

# -- helpers ---------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """Write ``data`` byte for byte to ``tmp_path/name`` and return the path."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def items(ds: Dataset, version: int | None = None) -> list[dict[Hashable, Any]]:
    """The items of ``version`` in order, fields decoded, without the ``version`` column."""
    return ds.items(version).drop(columns=["version"]).to_dict("records")


def inputs(ds: Dataset) -> list[Any]:
    """The ``input`` of every item of the latest version, in order."""
    return [item["input"] for item in items(ds)]


def only_item(ds: Dataset) -> dict[Hashable, Any]:
    """The one item of the latest version (fails if there is not exactly one)."""
    (item,) = items(ds)
    return item


def where(errors: list[RowError]) -> list[tuple[int, str | None, str | None]]:
    """(line, column, field) of each row error."""
    return [(e.line, e.column, e.field) for e in errors]


def csv_errors(ds: Dataset, path: Path, **options: Any) -> list[RowError]:
    """The row errors an aborted CSV import reports (and check it wrote nothing)."""
    before = ds.version
    with pytest.raises(ImportValidationError) as info:
        ds.import_csv(path, **options)
    assert ds.version == before
    return info.value.errors


def jsonl_errors(ds: Dataset, path: Path, **options: Any) -> list[RowError]:
    """The row errors an aborted JSONL import reports (and check it wrote nothing)."""
    before = ds.version
    with pytest.raises(ImportValidationError) as info:
        ds.import_jsonl(path, **options)
    assert ds.version == before
    return info.value.errors


@pytest.fixture
def ds(wb: Workbench) -> Dataset:
    """An empty dataset (version 0)."""
    return wb.create_dataset("qa")


QA = {"input": "question", "expected_output": "answer"}


# -- mapping columns to fields ---------------------------------------------------


def test_one_column_mapped_to_a_field_gives_that_cell_as_a_string(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nWhat is 2+2?,4\n")

    ds.import_csv(path, mapping=QA)

    item = only_item(ds)
    assert item["input"] == "What is 2+2?"
    assert item["expected_output"] == "4"


def test_several_columns_mapped_to_a_field_give_an_object_keyed_by_column(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,lang,answer\nhi,en,hello\n")

    ds.import_csv(path, mapping={"input": ["question", "lang"], "expected_output": "answer"})

    assert only_item(ds)["input"] == {"question": "hi", "lang": "en"}


def test_json_columns_are_parsed_as_json(ds: Dataset, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "qa.csv",
        b'question,choices,meta\nPick one,"[""a"", ""b""]","{""tags"": [""x""], ""n"": 1}"\n',
    )

    ds.import_csv(
        path,
        mapping={"input": ["question", "choices"], "metadata": "meta"},
        json_columns=["choices", "meta"],
    )

    item = only_item(ds)
    assert item["input"] == {"question": "Pick one", "choices": ["a", "b"]}
    assert item["metadata"] == {"tags": ["x"], "n": 1}


def test_number_columns_keep_integers_as_ints_and_parse_decimals(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", b"question,score\na,3\nb,3.5\nc,-2\nd,1e3\n")

    ds.import_csv(path, mapping={"input": "question", "expected_output": "score"}, number_columns=["score"])

    scores = [item["expected_output"] for item in items(ds)]
    assert scores == [3, 3.5, -2, 1000.0]
    assert [type(s) for s in scores] == [int, float, int, float]


def test_unmapped_columns_are_ignored_and_listed_in_the_report(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"notes,question,source,answer\nn1,q1,s1,a1\n")

    report = ds.import_csv(path, mapping=QA)

    assert report.ignored_columns == ["notes", "source"]
    item = only_item(ds)
    assert (item["input"], item["expected_output"], item["context"], item["metadata"]) == ("q1", "a1", None, None)


def test_cells_keep_their_text_without_type_guessing_by_default(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", b'a,b,c,d\n42,3.5,true,"{""k"": 1}"\n')

    ds.import_csv(path, mapping={"input": ["a", "b", "c", "d"]})

    assert only_item(ds)["input"] == {"a": "42", "b": "3.5", "c": "true", "d": '{"k": 1}'}


def test_infer_types_guesses_numbers_booleans_and_json(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", b'a,b,c,d,e,f,g\n42,3.5,true,false,"{""k"": [1]}","[1,",hello\n')

    ds.import_csv(path, mapping={"input": ["a", "b", "c", "d", "e", "f", "g"]}, infer_types=True)

    assert only_item(ds)["input"] == {
        "a": 42,
        "b": 3.5,
        "c": True,
        "d": False,
        "e": {"k": [1]},
        "f": "[1,",  # not valid JSON: stays text
        "g": "hello",
    }


def test_infer_types_never_changes_item_ids(ds: Dataset, tmp_path: Path) -> None:
    # Ids are names, not numbers: "007" must not become "7", and "1.0" or "true" must not be refused.
    path = write(tmp_path, "ids.csv", b"id,question\n007,a\n1.0,b\ntrue,c\n")

    ds.import_csv(path, mapping={"item_id": "id", "input": "question"}, infer_types=True)

    assert [item["item_id"] for item in items(ds)] == ["007", "1.0", "true"]


def test_infer_types_keeps_python_only_number_syntax_as_text(ds: Dataset, tmp_path: Path) -> None:
    # "1_000" is a Python literal, not a number a CSV file means; guessing must leave it alone.
    path = write(tmp_path, "t.csv", b"code\n1_000\n")

    ds.import_csv(path, mapping={"input": "code"}, infer_types=True)

    assert only_item(ds)["input"] == "1_000"


def test_infer_types_keeps_integers_too_large_for_json_as_text(ds: Dataset, tmp_path: Path) -> None:
    # A guess may not turn a valid row into an invalid one: a 30-digit account number stays text.
    path = write(tmp_path, "t.csv", b"account\n123456789012345678901234567890\n")

    ds.import_csv(path, mapping={"input": "account"}, infer_types=True)

    assert only_item(ds)["input"] == "123456789012345678901234567890"


def test_number_columns_refuse_python_only_number_syntax(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", b"question,score\na,1_000\n")

    errors = csv_errors(ds, path, mapping={"input": "question", "expected_output": "score"}, number_columns=["score"])

    assert where(errors) == [(2, "score", "expected_output")]


def test_json_and_number_columns_may_be_given_as_any_iterable(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", b'question,meta,score\na,"{""k"": 1}",7\n')

    ds.import_csv(
        path,
        mapping={"input": "question", "metadata": "meta", "expected_output": "score"},
        json_columns=(c for c in ["meta"]),
        number_columns=iter(["score"]),
    )

    item = only_item(ds)
    assert item["metadata"] == {"k": 1}
    assert item["expected_output"] == 7


def test_without_a_mapping_columns_named_like_fields_are_used(ds: Dataset, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "items.csv",
        b"item_id,input,expected_output,context,metadata,output,extra\nq1,in,exp,ctx,meta,out,x\n",
    )

    report = ds.import_csv(path)

    assert only_item(ds) == {
        "item_id": "q1",
        "input": "in",
        "expected_output": "exp",
        "context": "ctx",
        "metadata": "meta",
        "output": "out",
    }
    assert report.ignored_columns == ["extra"]


def test_without_a_mapping_a_column_to_guess_input_from_is_required(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"text,answer\nq,a\n")

    with pytest.raises(ValidationError, match=r"qa.csv: no column to use as input .*columns are text, answer"):
        ds.import_csv(path)

    assert ds.version == 0


def test_item_id_comes_from_the_mapped_column_as_text(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"id,question\nq-1,a\n007,b\n")

    ds.import_csv(path, mapping={"item_id": "id", "input": "question"})

    assert [item["item_id"] for item in items(ds)] == ["q-1", "007"]
    assert ds.item("007").input == "b"


def test_rows_without_an_item_id_get_distinct_generated_ids(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question\na\nb\nc\n")

    ds.import_csv(path, mapping={"input": "question"})

    ids = [item["item_id"] for item in items(ds)]
    assert len(set(ids)) == 3
    assert all(ids)


def test_mapping_a_column_missing_from_the_header_names_it_and_writes_nothing(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq,a\n")

    with pytest.raises(ValidationError, match="'expected'"):
        ds.import_csv(path, mapping={"input": "question", "expected_output": "expected"})

    assert ds.version == 0
    assert len(ds) == 0


def test_mapping_to_an_unknown_field_is_refused(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq,a\n")

    with pytest.raises(ValidationError, match="'answer_field'"):
        ds.import_csv(path, mapping={"input": "question", "answer_field": "answer"})

    assert ds.version == 0


def test_a_json_column_missing_from_the_header_is_refused(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq,a\n")

    with pytest.raises(ValidationError, match="'meta'"):
        ds.import_csv(path, mapping=QA, json_columns=["meta"])

    assert ds.version == 0


def test_a_column_named_twice_in_the_header_is_refused(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer,question\nq,a,q2\n")

    with pytest.raises(ValidationError, match="'question' appears twice"):
        ds.import_csv(path, mapping=QA)

    assert ds.version == 0


def test_another_delimiter_can_be_given(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question;answer\nHello, world;4\n")

    ds.import_csv(path, mapping=QA, delimiter=";")

    item = only_item(ds)
    assert (item["input"], item["expected_output"]) == ("Hello, world", "4")


# -- malformed files and their line numbers ----------------------------------------


def test_a_row_with_too_many_fields_is_reported_at_its_line(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\nq2,a2,extra\nq3,a3\n")

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(3, None, None)]
    assert errors[0].reason == "has 3 fields but the header has 2"


def test_a_row_with_too_few_fields_is_reported_at_its_line(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\nq2,a2\nq3\n")

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(4, None, None)]
    assert errors[0].reason == "has 1 fields but the header has 2"


def test_ragged_rows_are_never_shifted_into_other_columns(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer,context\nq1,a1,c1\nq2,a2\nq3,a3,c3,x\nq4,a4,c4\n")

    report = ds.import_csv(path, mapping={**QA, "context": "context"}, on_invalid="skip")

    assert [(i["input"], i["expected_output"], i["context"]) for i in items(ds)] == [
        ("q1", "a1", "c1"),
        ("q4", "a4", "c4"),
    ]
    assert [e.line for e in report.skipped] == [3, 4]


def test_invalid_json_in_a_json_column_names_the_column(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b'question,meta\nq1,"{""ok"": 1}"\nq2,{not json}\n')

    errors = csv_errors(ds, path, mapping={"input": "question", "metadata": "meta"}, json_columns=["meta"])

    assert where(errors) == [(3, "meta", "metadata")]
    assert errors[0].reason.startswith("is not valid JSON")


def test_a_non_number_in_a_number_column_names_the_column(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,score\nq1,1\nq2,ten\nq3,nan\n")

    errors = csv_errors(ds, path, mapping={"input": "question", "expected_output": "score"}, number_columns=["score"])

    assert where(errors) == [(3, "score", "expected_output"), (4, "score", "expected_output")]
    assert "'ten'" in errors[0].reason
    assert "'nan'" in errors[1].reason


def test_an_empty_input_cell_is_a_row_error_naming_the_field(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\n,a2\n")

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(3, "question", "input")]
    assert "required" in errors[0].reason


def test_an_item_id_repeated_in_the_file_names_the_earlier_line(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"id,question\nx,q1\ny,q2\nx,q3\n")

    errors = csv_errors(ds, path, mapping={"item_id": "id", "input": "question"})

    assert where(errors) == [(4, "id", "item_id")]
    assert "repeats line 2" in errors[0].reason


def test_an_item_id_already_in_the_dataset_is_a_row_error(ds: Dataset, tmp_path: Path) -> None:
    ds.add_items([{"item_id": "y", "input": "old"}])
    path = write(tmp_path, "qa.csv", b"id,question\nx,q1\ny,q2\n")

    errors = csv_errors(ds, path, mapping={"item_id": "id", "input": "question"})

    assert where(errors) == [(3, "id", "item_id")]
    assert "already exists" in errors[0].reason
    assert ds.item("y").input == "old"


def test_an_id_of_a_deleted_item_can_be_imported_again(ds: Dataset, tmp_path: Path) -> None:
    ds.add_items([{"item_id": "y", "input": "old"}])
    ds.delete_items(["y"])
    path = write(tmp_path, "qa.csv", b"id,question\ny,new\n")

    ds.import_csv(path, mapping={"item_id": "id", "input": "question"})

    assert ds.item("y").input == "new"


def test_line_numbers_count_the_newlines_inside_quoted_fields(ds: Dataset, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "qa.csv",
        b"id,question,answer\n"  # line 1
        b'1,"first\nsecond\nthird",a\n'  # lines 2-4
        b"2,too few\n"  # line 5
        b'3,"two\nlines",b,extra\n'  # lines 6-7
        b'4,"",c\n',  # line 8
    )

    errors = csv_errors(ds, path, mapping={"item_id": "id", **QA})

    assert where(errors) == [(5, None, None), (6, None, None), (8, "question", "input")]


def test_a_multi_line_quoted_field_keeps_its_newlines(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b'question,answer\n"first\nsecond",a\n')

    ds.import_csv(path, mapping=QA)

    assert inputs(ds) == ["first\nsecond"]


def test_crlf_line_endings_are_read_like_lf(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\r\nq1,a1\r\nq2,a2\r\n")

    ds.import_csv(path, mapping=QA)

    assert [(i["input"], i["expected_output"]) for i in items(ds)] == [("q1", "a1"), ("q2", "a2")]


def test_crlf_line_numbers_count_physical_lines(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b'question,answer\r\n"a\r\nb",x\r\nq2\r\nq3,y\r\n')

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(4, None, None)]


def test_a_utf8_byte_order_mark_does_not_change_the_first_column_name(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"\xef\xbb\xbfquestion,answer\r\nq1,a1\r\n")

    report = ds.import_csv(path, mapping=QA)

    assert report.ignored_columns == []
    assert inputs(ds) == ["q1"]


def test_a_utf8_byte_order_mark_works_with_the_default_mapping(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "items.csv", b"\xef\xbb\xbfinput,expected_output\nq1,a1\n")

    ds.import_csv(path, encoding="utf-8-sig")

    assert inputs(ds) == ["q1"]


def test_quoted_fields_keep_commas_and_doubled_quotes(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b'question,answer\n"Hello, ""world""",""""\n')

    ds.import_csv(path, mapping=QA)

    item = only_item(ds)
    assert item["input"] == 'Hello, "world"'
    assert item["expected_output"] == '"'


def test_an_empty_cell_leaves_a_single_column_field_absent(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,\n")

    ds.import_csv(path, mapping=QA)

    assert only_item(ds)["expected_output"] is None


def test_an_empty_cell_is_none_inside_an_object_field(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,lang\nq1,\n")

    ds.import_csv(path, mapping={"input": ["question", "lang"]})

    assert only_item(ds)["input"] == {"question": "q1", "lang": None}


def test_empty_cells_in_json_and_number_columns_are_absent_not_errors(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,meta,score\nq1,,\n")

    ds.import_csv(
        path,
        mapping={"input": "question", "metadata": "meta", "expected_output": "score"},
        json_columns=["meta"],
        number_columns=["score"],
    )

    item = only_item(ds)
    assert (item["metadata"], item["expected_output"]) == (None, None)


def test_blank_lines_are_skipped_and_keep_later_line_numbers_physical(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\n\nq1,a1\n\n\nq2\nq3,a3\n\n")

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(6, None, None)]


def test_blank_lines_are_not_counted_as_rows(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\n\nq1,a1\r\n\r\nq2,a2\n\n")

    report = ds.import_csv(path, mapping=QA)

    assert (report.rows, report.imported) == (2, 2)
    assert inputs(ds) == ["q1", "q2"]


def test_non_utf8_bytes_are_refused_with_the_line_named(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\ncaf\xe9,a2\n")  # latin-1 'é' on line 3

    with pytest.raises(ValidationError, match="line 3") as info:
        ds.import_csv(path, mapping=QA)

    assert not isinstance(info.value, ImportValidationError)
    assert "utf-8" in str(info.value)
    assert ds.version == 0


def test_a_single_byte_encoding_can_be_named(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\ncaf\xe9,a\n")

    ds.import_csv(path, mapping=QA, encoding="latin-1")

    assert inputs(ds) == ["café"]


def test_a_utf16_file_imports_when_its_encoding_is_named(ds: Dataset, tmp_path: Path) -> None:
    # What spreadsheet programs write as "Unicode text": UTF-16 with a byte order mark.
    path = write(tmp_path, "qa.csv", "question,answer\r\ncafé,a\r\n".encode("utf-16"))

    ds.import_csv(path, mapping=QA, encoding="utf-16")

    assert inputs(ds) == ["café"]


def test_an_empty_file_is_refused(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"")

    with pytest.raises(ValidationError, match="empty"):
        ds.import_csv(path, mapping=QA)

    assert ds.version == 0


def test_a_file_with_only_a_header_is_refused(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\n\n")

    with pytest.raises(ValidationError, match="no data rows"):
        ds.import_csv(path, mapping=QA)

    assert ds.version == 0


def test_a_missing_file_is_refused(ds: Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        ds.import_csv(tmp_path / "absent.csv", mapping=QA)


def test_bad_quoting_is_a_row_error_at_its_line(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b'question,answer\nq1,a1\n"q2"x,a2\nq3,a3\n')

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(3, None, None)]
    assert errors[0].reason.startswith("is not valid CSV")


def test_an_unclosed_quote_is_a_row_error_at_the_line_it_opens(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b'question,answer\nq1,a1\n"q2,a2\nq3,a3\n')

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(3, None, None)]


# -- abort or skip -----------------------------------------------------------------


def test_abort_writes_nothing_when_a_row_is_invalid(ds: Dataset, tmp_path: Path) -> None:
    ds.add_items([{"item_id": "old", "input": "kept"}])
    before = items(ds)
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\nq2\nq3,a3\n")

    with pytest.raises(ImportValidationError):
        ds.import_csv(path, mapping=QA, on_invalid="abort")

    assert ds.version == 1
    assert items(ds) == before
    assert len(ds.versions()) == 2


def test_abort_is_the_default_and_reports_every_invalid_row(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1\nq2,a2\nq3,a3,x\n,a4\nq5,a5\n")

    with pytest.raises(ImportValidationError) as info:
        ds.import_csv(path, mapping=QA)

    assert [e.line for e in info.value.errors] == [2, 4, 5]
    assert info.value.total_rows == 5
    assert str(info.value).startswith("3 of 5 rows are invalid")
    assert ds.version == 0


def test_skip_imports_the_valid_rows_as_exactly_one_version(ds: Dataset, tmp_path: Path) -> None:
    ds.add_items([{"item_id": "old", "input": "kept"}])
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\nq2\nq3,a3\n,a4\nq5,a5\n")

    report = ds.import_csv(path, mapping=QA, on_invalid="skip")

    assert report.version == ds.version == 2
    assert ds.versions()["version"].tolist() == [0, 1, 2]
    assert inputs(ds) == ["kept", "q1", "q3", "q5"]
    assert (report.rows, report.imported) == (5, 3)
    assert where(report.skipped) == [(3, None, None), (5, "question", "input")]


def test_skip_records_the_import_in_the_version_history(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\nq2\nq3,a3\n")

    ds.import_csv(path, mapping=QA, on_invalid="skip", message="from qa.csv")

    last = ds.versions().iloc[-1]
    assert (last["operation"], last["added"], last["item_count"], last["message"]) == ("import", 2, 2, "from qa.csv")


def test_skip_lists_existing_ids_with_the_other_bad_rows_in_line_order(ds: Dataset, tmp_path: Path) -> None:
    ds.add_items([{"item_id": "b", "input": "old"}])
    path = write(tmp_path, "qa.csv", b"id,question\nx\nb,q2\nc,q3\nc,q4\nd,q5\n")

    report = ds.import_csv(path, mapping={"item_id": "id", "input": "question"}, on_invalid="skip")

    assert where(report.skipped) == [(2, None, None), (3, "id", "item_id"), (5, "id", "item_id")]
    assert [i["item_id"] for i in items(ds)] == ["b", "c", "d"]
    assert ds.item("b").input == "old"
    assert (report.rows, report.imported) == (5, 2)


def test_skip_with_no_valid_row_makes_no_version(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1\n,a2\n")

    report = ds.import_csv(path, mapping=QA, on_invalid="skip")

    assert report.version is None
    assert (report.rows, report.imported) == (2, 0)
    assert [e.line for e in report.skipped] == [2, 3]
    assert ds.version == 0


def test_skip_when_every_id_already_exists_reports_them_and_makes_no_version(ds: Dataset, tmp_path: Path) -> None:
    # Existing ids are row errors; with "skip" they belong in the report like any other bad row.
    ds.add_items([{"item_id": "a", "input": "old"}, {"item_id": "b", "input": "old"}])
    path = write(tmp_path, "qa.csv", b"id,question\na,q1\nb,q2\n")

    report = ds.import_csv(path, mapping={"item_id": "id", "input": "question"}, on_invalid="skip")

    assert report.version is None
    assert report.imported == 0
    assert where(report.skipped) == [(2, "id", "item_id"), (3, "id", "item_id")]
    assert ds.version == 1


def test_an_unknown_on_invalid_choice_is_refused(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,a1\n")

    with pytest.raises(ValidationError, match="on_invalid"):
        ds.import_csv(path, mapping=QA, on_invalid="ignore")  # type: ignore[arg-type]

    assert ds.version == 0


# -- schemas ---------------------------------------------------------------------


def test_rows_breaking_the_input_schema_are_row_errors_naming_the_field(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset(
        "typed",
        input_schema={"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
    )
    path = write(tmp_path, "n.csv", b"n,answer\n1,a\nfoo,b\n3,c\n")

    errors = csv_errors(ds, path, mapping={"input": ["n"], "expected_output": "answer"}, infer_types=True)

    assert where(errors) == [(3, "n", "input")]
    assert "schema" in errors[0].reason


def test_with_skip_rows_matching_the_schema_import_and_the_others_are_listed(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset(
        "typed",
        input_schema={"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
    )
    path = write(tmp_path, "n.csv", b"n,answer\n1,a\nfoo,b\n3,c\n")

    report = ds.import_csv(
        path, mapping={"input": ["n"], "expected_output": "answer"}, infer_types=True, on_invalid="skip"
    )

    assert inputs(ds) == [{"n": 1}, {"n": 3}]
    assert where(report.skipped) == [(3, "n", "input")]


def test_rows_breaking_the_expected_schema_are_row_errors_naming_the_field(wb: Workbench, tmp_path: Path) -> None:
    ds = wb.create_dataset("typed", expected_schema={"type": "string", "enum": ["yes", "no"]})
    path = write(tmp_path, "qa.csv", b"question,answer\nq1,yes\nq2,maybe\n")

    errors = csv_errors(ds, path, mapping=QA)

    assert where(errors) == [(3, "answer", "expected_output")]


# -- large files -----------------------------------------------------------------


@pytest.mark.slow
def test_a_file_larger_than_a_staging_batch_imports_completely_in_file_order(ds: Dataset, tmp_path: Path) -> None:
    n = 120_000  # more than two 50,000-row staging batches
    ids = [f"r{(k * 7919) % n:06d}" for k in range(n)]  # distinct, and not in sorted order
    body = b"".join(f"{i},question {k}\n".encode() for k, i in enumerate(ids))
    path = write(tmp_path, "big.csv", b"id,question\n" + body)

    report = ds.import_csv(path, mapping={"item_id": "id", "input": "question"})

    assert (report.version, report.rows, report.imported) == (1, n, n)
    assert ds.versions()["version"].tolist() == [0, 1]
    assert len(ds) == n
    df = ds.items()
    assert df["item_id"].tolist() == ids
    for k in (0, 49_999, 50_000, 100_000, n - 1):
        assert df["input"].iloc[k] == f"question {k}"


# -- JSON Lines ------------------------------------------------------------------


def test_jsonl_objects_with_field_keys_keep_their_json_values(ds: Dataset, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "qa.jsonl",
        b'{"item_id": "a", "input": {"q": [1, 2.5, null, true]}, "expected_output": 4, "metadata": {"m": "x"}}\n'
        b'{"item_id": 7, "input": "plain", "context": ["c1", "c2"], "output": false}\n',
    )

    report = ds.import_jsonl(path)

    assert (report.rows, report.imported) == (2, 2)
    assert items(ds) == [
        {
            "item_id": "a",
            "input": {"q": [1, 2.5, None, True]},
            "expected_output": 4,
            "context": None,
            "metadata": {"m": "x"},
            "output": None,
        },
        {
            "item_id": "7",
            "input": "plain",
            "expected_output": None,
            "context": ["c1", "c2"],
            "metadata": None,
            "output": False,
        },
    ]


def test_jsonl_keys_can_be_mapped_to_fields(ds: Dataset, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "qa.jsonl",
        b'{"key": "k1", "question": {"text": "hi"}, "answer": ["hello"], "lang": "en", "level": 2, "input": "x"}\n',
    )

    ds.import_jsonl(
        path,
        mapping={"item_id": "key", "input": "question", "expected_output": "answer", "context": ["lang", "level"]},
    )

    assert only_item(ds) == {
        "item_id": "k1",
        "input": {"text": "hi"},
        "expected_output": ["hello"],
        "context": {"lang": "en", "level": 2},
        "metadata": None,
        "output": None,
    }


def test_jsonl_invalid_json_line_is_reported_at_its_line(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'{"input": 1}\n{"input": 2\n{"input": 3}\n')

    errors = jsonl_errors(ds, path)

    assert where(errors) == [(2, None, None)]
    assert errors[0].reason.startswith("is not valid JSON")


def test_jsonl_line_that_is_not_an_object_is_reported_at_its_line(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'{"input": 1}\n[1, 2]\n"text"\n{"input": 4}\n')

    errors = jsonl_errors(ds, path)

    assert where(errors) == [(2, None, None), (3, None, None)]
    assert all("not an object" in e.reason for e in errors)


def test_jsonl_blank_lines_are_skipped_and_keep_later_line_numbers_physical(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'\n{"input": 1}\r\n\r\n  \n{"input": null}\n\n')

    errors = jsonl_errors(ds, path)

    assert where(errors) == [(5, "input", "input")]


def test_jsonl_blank_lines_are_not_counted_as_rows(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'{"input": 1}\r\n\r\n{"input": 2}\n\n')

    report = ds.import_jsonl(path)

    assert (report.rows, report.imported) == (2, 2)
    assert inputs(ds) == [1, 2]


def test_jsonl_string_values_may_hold_unicode_line_separators(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", '{"input": "a\u2028b\u0085c"}\n{"input": "d"}\n'.encode())

    ds.import_jsonl(path)

    assert inputs(ds) == ["a\u2028b\u0085c", "d"]


def test_jsonl_with_a_byte_order_mark_imports(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'\xef\xbb\xbf{"input": "x"}\n')

    ds.import_jsonl(path)

    assert inputs(ds) == ["x"]


def test_jsonl_item_id_repeated_in_the_file_names_the_earlier_line(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'{"item_id": "a", "input": 1}\n\n{"item_id": "a", "input": 2}\n')

    errors = jsonl_errors(ds, path)

    assert where(errors) == [(3, "item_id", "item_id")]
    assert "repeats line 1" in errors[0].reason


def test_jsonl_non_utf8_bytes_are_refused_with_the_line_named(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'{"input": 1}\n{"input": "caf\xe9"}\n')

    with pytest.raises(ValidationError, match="line 2"):
        ds.import_jsonl(path)

    assert ds.version == 0


def test_jsonl_file_without_rows_is_refused(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b"\n\n")

    with pytest.raises(ValidationError, match="no data rows"):
        ds.import_jsonl(path)

    assert ds.version == 0


def test_jsonl_skip_imports_the_valid_lines_as_one_version(ds: Dataset, tmp_path: Path) -> None:
    path = write(tmp_path, "qa.jsonl", b'{"input": 1}\nnot json\n{"input": 3}\n[]\n')

    report = ds.import_jsonl(path, on_invalid="skip")

    assert report.version == ds.version == 1
    assert inputs(ds) == [1, 3]
    assert [e.line for e in report.skipped] == [2, 4]
