"""The CSV import wizard: file, preview, mapping, validation with line numbers, import (the store's own code)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from workbench import Workbench
from workbench.ui import DatasetsPanel


@pytest.fixture
def panel(wb: Workbench) -> DatasetsPanel:
    wb.create_dataset("qa")
    return DatasetsPanel(wb)


def upload(panel: DatasetsPanel, name: str, content: bytes) -> None:
    """What the browser sends when a file is picked (ipywidgets 8: a tuple of dicts)."""
    panel.importer.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.now(UTC),
        },
    )


def test_loads_a_path_previews_and_guesses_the_mapping(panel: DatasetsPanel, qa_csv: Path) -> None:
    wizard = panel.importer
    assert wizard.validate_button.disabled
    wizard.path_box.value = str(qa_csv)
    wizard.load_button.click()
    assert "4 columns" in wizard.file_info.value
    assert "What is the capital of Australia?" in wizard.preview.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in wizard.preview.value
    assert "<script>" not in wizard.preview.value
    assert wizard.mapping() == {"item_id": "id", "input": "question", "expected_output": "answer"}
    assert not wizard.validate_button.disabled


def test_a_missing_path_is_reported(panel: DatasetsPanel, tmp_path: Path) -> None:
    panel.importer.load(str(tmp_path / "nope.csv"))
    assert "no such file" in panel.importer.file_info.value
    assert panel.importer.import_button.disabled


def test_uploads_maps_and_imports(panel: DatasetsPanel, wb: Workbench, qa_csv: Path) -> None:
    wizard = panel.importer
    upload(panel, "qa.csv", qa_csv.read_bytes())
    assert "file qa.csv" in wizard.file_info.value
    wizard.map_input.value = ("question",)
    wizard.input_object.value = True
    wizard.map_metadata.value = ("source",)
    wizard.message.value = "from the wizard"
    assert wizard.validate()
    assert "all 5 rows are valid" in wizard.report.value
    assert wb.dataset("qa").version == 0  # validating writes nothing
    wizard.import_button.click()
    ds = wb.dataset("qa")
    assert ds.version == 1
    assert ds.item("q1")["input"] == {"question": "What is the capital of Australia?"}
    assert ds.item("q1")["metadata"] == {"source": "geo"}
    assert ds.item("q2")["expected_output"] == "Jane Austen"
    assert ds.versions()["message"].iloc[-1] == "from the wizard"
    assert "5 of 5 rows imported" in wizard.report.value
    assert panel.table.total == 5  # the item table follows
    assert "version 1" in panel.version_info.value


def test_several_input_columns_make_an_object(panel: DatasetsPanel, wb: Workbench, tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text("id,question,lang,answer\nm1,Bonjour?,fr,Salut\n", encoding="utf-8")
    wizard = panel.importer
    wizard.load(str(path))
    wizard.map_input.value = ("question", "lang")
    wizard.run_import()
    assert wb.dataset("qa").item("m1")["input"] == {"question": "Bonjour?", "lang": "fr"}


def test_validation_shows_every_bad_line_and_writes_nothing(
    panel: DatasetsPanel, wb: Workbench, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        'id,question,answer,meta\nb1,ok,1,{}\nb2,,2,{}\nb3,fine,3,{"x":\nb1,again,4,{}\nb5,"multi\nline",5,[1]\nb6,x,6\n',
        encoding="utf-8",
    )
    wizard = panel.importer
    wizard.load(str(path))
    wizard.json_columns.value = ("meta",)
    wizard.map_metadata.value = ("meta",)
    assert not wizard.validate()
    lines = {e.line: e for e in wizard.last_errors}
    assert sorted(lines) == [3, 4, 5, 8]
    assert lines[3].field == "input"
    assert lines[4].column == "meta"
    assert "repeats line 2" in lines[5].reason
    assert "has 3 fields" in lines[8].reason  # line 6 holds a quoted newline, so b6 starts on line 8
    assert "4 of 6 rows are invalid" in wizard.report.value
    assert '">8</td>' in wizard.report.value
    wizard.import_button.click()  # abort (the default): nothing is written
    assert wb.dataset("qa").version == 0
    assert "4 of 6 rows are invalid" in wizard.report.value
    wizard.on_invalid.value = "skip"
    wizard.import_button.click()
    assert sorted(wb.dataset("qa").items()["item_id"]) == ["b1", "b5"]
    assert "2 of 6 rows imported" in wizard.report.value


def test_validation_uses_the_dataset_schemas(wb: Workbench, qa_csv: Path) -> None:
    wb.create_dataset("numbers", expected_schema={"type": "number"})
    panel = DatasetsPanel(wb)
    wizard = panel.importer
    wizard.load(str(qa_csv))
    assert not wizard.validate()
    assert {e.line for e in wizard.last_errors} == {2, 3, 4, 5, 6}
    assert all(e.field == "expected_output" for e in wizard.last_errors)
    assert wb.dataset("numbers").version == 0


def test_ids_already_in_the_dataset_are_refused_at_import(panel: DatasetsPanel, wb: Workbench, qa_csv: Path) -> None:
    wb.dataset("qa").add_items([{"item_id": "q3", "input": "taken"}])
    wizard = panel.importer
    wizard.load(str(qa_csv))
    wizard.run_import()
    assert "already exists" in wizard.report.value
    assert '">4</td>' in wizard.report.value
    assert wb.dataset("qa").version == 1


def test_a_mapping_without_input_is_refused(panel: DatasetsPanel, wb: Workbench, qa_csv: Path) -> None:
    wizard = panel.importer
    wizard.load(str(qa_csv))
    wizard.map_input.value = ()
    assert not wizard.validate()
    assert "no column maps to input" in wizard.report.value
    assert wizard.run_import() is None
    assert wb.dataset("qa").version == 0
