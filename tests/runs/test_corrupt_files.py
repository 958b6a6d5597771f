"""A damaged manifest or result part: an error naming the file and what is wrong; listings skip it (defect 9)."""

from __future__ import annotations

import sys
import warnings

import pytest

from tests.runs._support import make_dataset, part_files
from workbench import Workbench
from workbench.cli import main
from workbench.runs import UnreadableRunWarning, list_runs
from workbench.storage import CorruptFileError


def double(x: int) -> int:
    return x * 2


@pytest.fixture
def two_runs(wb: Workbench) -> Workbench:
    make_dataset(wb, 4)
    wb.run_sync("d", double, run_id="good")
    wb.run_sync("d", double, run_id="bad")
    return wb


def test_a_manifest_that_is_not_json_names_the_file(two_runs: Workbench) -> None:
    path = two_runs.runs_dir / "bad" / "manifest.json"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(CorruptFileError, match=rf"^{path}: not valid JSON \("):
        two_runs.get_run("bad")


def test_a_manifest_with_the_wrong_fields_names_the_file_and_the_field(two_runs: Workbench) -> None:
    path = two_runs.runs_dir / "bad" / "manifest.json"
    path.write_bytes(b'{"id": "bad", "colour": "red"}')
    with pytest.raises(CorruptFileError, match=rf"^{path}: not a run manifest \(.*colour"):
        two_runs.get_run("bad").manifest  # noqa: B018


def test_runs_lists_the_readable_runs_and_warns_naming_the_damaged_manifest(two_runs: Workbench) -> None:
    path = two_runs.runs_dir / "bad" / "manifest.json"
    path.write_bytes(b"\x00\x01garbage")
    with pytest.warns(UnreadableRunWarning, match=rf"skipped run bad: {path}: not valid JSON"):
        df = two_runs.runs()
    assert df["run_id"].tolist() == ["good"]
    with pytest.warns(UnreadableRunWarning):
        assert [m.id for m in list_runs(two_runs.project)] == ["good"]


def test_the_runs_command_lists_the_rest_and_names_the_damaged_manifest(
    two_runs: Workbench, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = two_runs.runs_dir / "bad" / "manifest.json"
    path.write_bytes(b"{")
    monkeypatch.setattr(sys, "argv", ["workbench", "--root", str(two_runs.root), "runs", "--json"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    assert exit_info.value.code in (0, None)
    assert '"good"' in out.out
    assert '"bad"' not in out.out
    assert f"warning: skipped run bad: {path}: not valid JSON" in " ".join(out.err.split())


def test_a_truncated_result_part_names_the_file_in_results_and_on_resume(two_runs: Workbench) -> None:
    part = part_files(two_runs.runs_dir / "bad")[0]
    part.write_bytes(part.read_bytes()[:100])
    run = two_runs.get_run("bad")
    for read in (run.results, run.scores):
        with pytest.raises(CorruptFileError, match=rf"^{part}: not a readable Parquet file \(.*magic bytes"):
            read()
    with pytest.raises(CorruptFileError, match=rf"^{part}: not a readable Parquet file"):
        two_runs.resume("bad").wait()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sorted(two_runs.runs()["run_id"]) == ["bad", "good"]  # the manifest is fine: still listed
    assert two_runs.get_run("good").results()["output"].tolist() == [0, 2, 4, 6]
