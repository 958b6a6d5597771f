"""One corrupt file breaks nothing but itself, and says so (issue 12, defect 9, the SQL side).

``wb.sql`` leaves an unreadable Parquet part or manifest out, with an
``UnreadableFileWarning`` naming it and why; reading the dataset that owns a corrupt
file raises a one-line ``CorruptFileError`` naming the file.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from workbench import Workbench
from workbench.errors import CorruptFileError, UnreadableFileWarning
from workbench.store import _unreadable as unreadable


def shout(text: str) -> str:
    """The input in capitals."""
    return text.upper()


def two_datasets(wb: Workbench) -> Path:
    """Datasets ``good`` (2 items) and ``bad`` (2 items, its data file overwritten); the bad file's path."""
    wb.create_dataset("good").add_items([{"input": "a"}, {"input": "b"}])
    bad = wb.create_dataset("bad")
    bad.add_items([{"input": "c"}, {"input": "d"}])
    (path,) = bad.files()
    Path(path).write_bytes(b"PAR1 this is not a parquet file")
    return Path(path)


def test_a_corrupt_dataset_file_is_left_out_of_wb_sql_with_a_warning_naming_it(wb: Workbench) -> None:
    path = two_datasets(wb)
    with pytest.warns(UnreadableFileWarning) as caught:
        got = wb.sql("select dataset, count(*) as n from items group by dataset")
    assert got.to_dict("records") == [{"dataset": "good", "n": 2}]
    (warning,) = [w.message for w in caught if isinstance(w.message, UnreadableFileWarning)]
    assert warning.path == str(path)
    assert "magic bytes" in warning.reason.lower()
    assert str(path) in str(warning)


def test_reading_the_dataset_that_owns_a_corrupt_file_names_the_file(wb: Workbench) -> None:
    path = two_datasets(wb)
    reads: list[Callable[[], object]] = [lambda: wb.dataset("bad").items(), lambda: wb.dataset("bad").history("x")]
    for read in reads:
        with pytest.raises(CorruptFileError) as caught:
            read()
        message = str(caught.value)
        assert message.startswith(f"{path}: cannot be read: ")
        assert "\n" not in message
    assert len(wb.dataset("good").items()) == 2


def test_a_corrupt_result_part_is_left_out_and_the_other_parts_and_runs_still_count(wb: Workbench) -> None:
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": f"x{k}"} for k in range(3)])
    first = wb.run_sync("d", shout)
    second = wb.run_sync("d", shout)
    (part,) = sorted((first.folder / "results").glob("*.parquet"))
    part.write_bytes(part.read_bytes()[:40])  # truncated: no footer
    with pytest.warns(UnreadableFileWarning, match="results"):
        got = wb.sql("select run_id, count(*) as n from results group by run_id")
    assert got.to_dict("records") == [{"run_id": second.id, "n": 3}]
    with pytest.warns(UnreadableFileWarning):
        assert wb.sql("select count(*) as n from scores")["n"].tolist() == [0]


def test_a_corrupt_manifest_is_left_out_of_the_runs_view(wb: Workbench) -> None:
    wb.create_dataset("d").add_items([{"input": "x"}])
    kept = wb.run_sync("d", shout)
    broken = wb.run_sync("d", shout)
    (broken.folder / "manifest.json").write_text('{"id": "cut sh')
    with pytest.warns(UnreadableFileWarning, match="not valid JSON"):
        assert wb.sql("select run_id from runs")["run_id"].tolist() == [kept.id]


def test_a_query_that_is_wrong_by_itself_fails_as_it_is_and_checks_no_file(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb.create_dataset("good").add_items([{"input": "a"}])
    wb.run_sync("good", shout)

    def no_check(paths: object) -> dict[str, str]:
        raise AssertionError("files were checked on a query error no file can cause")

    monkeypatch.setattr(unreadable, "unreadable_files", no_check)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreadableFileWarning)
        with pytest.raises(duckdb.ParserException):
            wb.sql("selec 1")
        with pytest.raises(duckdb.BinderException):
            wb.sql("select no_such_column from runs")
        assert wb.sql("select count(*) as n from results")["n"].tolist() == [1]


def test_a_corrupt_delta_commit_names_its_file_and_leaves_the_other_datasets_listed(wb: Workbench) -> None:
    wb.create_dataset("good").add_items([{"input": "a"}])
    bad = wb.create_dataset("bad")
    bad.add_items([{"input": "b"}])
    bad.add_items([{"input": "c"}])
    commit = bad.folder / "items" / "_delta_log" / "00000000000000000002.json"
    commit.write_text('{"commitInfo": {"timest')
    with pytest.raises(CorruptFileError, match=f"^{re.escape(str(commit))}: cannot be read: not valid JSON"):
        bad.items()
    with pytest.warns(UnreadableFileWarning, match="00000000000000000002.json"):
        assert wb.datasets()["name"].tolist() == ["good"]
    with pytest.warns(UnreadableFileWarning):
        assert wb.sql("select dataset, count(*) as n from items group by dataset").to_dict("records") == [
            {"dataset": "good", "n": 1}
        ]


def test_reading_a_run_whose_result_part_is_corrupt_names_the_part(wb: Workbench) -> None:
    wb.create_dataset("d").add_items([{"input": "x"}])
    run = wb.run_sync("d", shout)
    (part,) = sorted((run.folder / "results").glob("*.parquet"))
    part.write_bytes(b"")
    for read in (run.results, run.scores):
        unreadable = "(cannot be read|not a readable Parquet file).*(too small|size is 0)"
        with pytest.raises(CorruptFileError, match=f"^{re.escape(str(part))}: {unreadable}"):
            read()
