"""The import wizard's logic without a browser: the store's reader, the guessed mapping, the modes."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from workbench import Workbench
from workbench.ui import DatasetsPanel
from workbench.ui._import import ImportWizard, mapping_to_pass, wizard_mapping

BOM = b"\xef\xbb\xbf"
EXCEL = BOM + b"ID,Question,Ground Truth,notes\r\nq1,What is 2+2?,4,easy\r\nq2,Capital of France?,Paris,geo\r\n"


@pytest.fixture
def wizard(wb: Workbench) -> ImportWizard:
    wb.create_dataset("qa")
    return DatasetsPanel(wb).importer


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_an_excel_file_with_a_byte_order_mark_shows_clean_column_names(wizard: ImportWizard, tmp_path: Path) -> None:
    wizard.load(str(write(tmp_path, "excel.csv", EXCEL)))
    assert wizard.header == ["ID", "Question", "Ground Truth", "notes"]
    assert "\ufeff" not in wizard.preview.value
    assert "\ufeff" not in str(wizard.map_item_id.options)
    assert ">ID</th>" in wizard.preview.value


def test_the_guessed_mapping_is_preselected_and_shown(wizard: ImportWizard, tmp_path: Path) -> None:
    wizard.load(str(write(tmp_path, "excel.csv", EXCEL)))
    assert (wizard.map_item_id.value, wizard.map_input.value, wizard.map_expected.value) == (
        "ID",
        ("Question",),
        "Ground Truth",
    )
    assert wizard.map_metadata.value == ()
    assert wizard.mapping() == {"item_id": "ID", "input": "Question", "expected_output": "Ground Truth"}
    assert "mapping guessed: ID -&gt; item_id, Question -&gt; input, Ground Truth -&gt; expected_output" in (
        wizard.file_info.value
    )


def test_the_input_is_the_guessed_column_not_the_first_one(wizard: ImportWizard, tmp_path: Path) -> None:
    wizard.load(str(write(tmp_path, "qa.csv", b"notes,prompt,answer\nx,Hi?,Hello\n")))
    assert wizard.map_input.value == ("prompt",)


def test_without_a_guess_for_the_input_nothing_is_preselected_and_the_user_is_told(
    wizard: ImportWizard, tmp_path: Path
) -> None:
    wizard.load(str(write(tmp_path, "qa.csv", b"text,answer\nHi?,Hello\n")))
    assert wizard.map_input.value == ()
    assert "no column looks like the input" in wizard.file_info.value
    assert not wizard.validate()
    assert "no column maps to input" in wizard.report.value


def test_the_wizard_imports_an_excel_file_as_guessed(wizard: ImportWizard, wb: Workbench, tmp_path: Path) -> None:
    wizard.load(str(write(tmp_path, "excel.csv", EXCEL)))
    report = wizard.run_import()
    assert report is not None
    assert report.mapping == {"item_id": "ID", "input": "Question", "expected_output": "Ground Truth"}
    assert wb.dataset("qa").item("q2")["expected_output"] == "Paris"


def test_the_mode_is_offered_and_validating_shows_what_an_upsert_would_change(
    wizard: ImportWizard, wb: Workbench, tmp_path: Path
) -> None:
    assert [value for _label, value in wizard.mode.options] == ["append", "upsert", "sync"]
    assert wizard.mode.value == "append"
    wizard.load(str(write(tmp_path, "excel.csv", EXCEL)))
    wizard.run_import()
    edited = EXCEL.replace(b"Paris,geo", b"Paris (France),geo") + b"q3,Largest planet?,Jupiter,space\r\n"
    wizard.load(str(write(tmp_path, "edited.csv", edited)))
    wizard.mode.value = "upsert"
    assert wizard.validate()
    assert "importing into 'qa' (upsert) would give 1 added, 1 updated, 1 unchanged" in html.unescape(
        wizard.report.value
    )
    assert wb.dataset("qa").version == 1  # a dry run
    report = wizard.run_import()
    assert report is not None
    assert (report.version, report.added, report.updated, report.unchanged) == (2, 1, 1, 1)
    assert "1 added, 1 updated, 1 unchanged" in wizard.report.value


def test_sync_in_the_wizard_deletes_the_missing_items(wizard: ImportWizard, wb: Workbench, tmp_path: Path) -> None:
    wizard.load(str(write(tmp_path, "excel.csv", EXCEL)))
    wizard.run_import()
    wizard.load(str(write(tmp_path, "one.csv", BOM + b"ID,Question,Ground Truth\r\nq1,What is 2+2?,4\r\n")))
    wizard.mode.value = "sync"
    assert wizard.validate()
    assert "0 added, 0 updated, 1 unchanged, 1 deleted" in wizard.report.value
    wizard.run_import()
    assert list(wb.dataset("qa").items()["item_id"]) == ["q1"]


def test_sync_with_skipping_is_refused_with_the_store_s_reason(wizard: ImportWizard, tmp_path: Path) -> None:
    wizard.load(str(write(tmp_path, "excel.csv", EXCEL)))
    wizard.mode.value = "sync"
    wizard.on_invalid.value = "skip"
    assert wizard.run_import() is None
    assert "a skipped row would delete its item" in wizard.report.value


def test_validating_finds_ids_the_dataset_already_has(wizard: ImportWizard, wb: Workbench, tmp_path: Path) -> None:
    wb.dataset("qa").add_items([{"item_id": "q2", "input": "taken"}])
    wizard.load(str(write(tmp_path, "excel.csv", EXCEL)))
    assert not wizard.validate()
    assert [(e.line, e.field) for e in wizard.last_errors] == [(3, "item_id")]
    assert "already exists" in wizard.report.value


def test_an_export_loaded_in_the_wizard_imports_back_unchanged(
    wizard: ImportWizard, wb: Workbench, tmp_path: Path
) -> None:
    ds = wb.dataset("qa")
    ds.add_items([{"item_id": "r1", "input": {"question": "2+2?"}, "expected_output": 4, "metadata": {"k": [1]}}])
    wizard.load(str(ds.export(tmp_path / "export.csv")))
    wizard.mode.value = "upsert"
    assert wizard.validate()
    assert "nothing changes, so no new version" in wizard.report.value
    report = wizard.run_import()
    assert report is not None
    assert (report.version, report.unchanged) == (None, 1)
    assert ds.item("r1")["input"] == {"question": "2+2?"}


def test_wizard_mapping_makes_objects_of_several_columns_and_keeps_a_guessed_metadata_column() -> None:
    header = ["id", "q", "lang", "Metadata", "source"]
    common = {"item_id": "id", "expected": "", "context": ""}
    assert wizard_mapping(header, inputs=["q"], input_object=False, metadata=["Metadata"], **common) == {
        "item_id": "id",
        "input": "q",
        "metadata": "Metadata",
    }
    assert wizard_mapping(header, inputs=["q", "lang"], input_object=False, metadata=["source"], **common) == {
        "item_id": "id",
        "input": ["q", "lang"],
        "metadata": ["source"],
    }
    assert wizard_mapping(header, inputs=["q"], input_object=True, metadata=[], **common)["input"] == ["q"]


def test_the_guessed_mapping_is_passed_as_none_so_the_store_reads_the_file_as_the_api_does() -> None:
    header = ["item_id", "input", "expected_output", "context", "metadata", "output"]
    assert mapping_to_pass({f: f for f in header}, header) is None
    assert mapping_to_pass({"input": "input"}, header) == {"input": "input"}
    assert mapping_to_pass({}, ["text"]) == {}  # no input: the wizard's own words, "no column maps to input"
