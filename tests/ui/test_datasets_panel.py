"""The Datasets panel, driven like a user: set widget values, click buttons, read what is shown and the store."""

from __future__ import annotations

import pytest

from workbench import Workbench
from workbench.ui import DatasetsPanel
from workbench.ui._datasets import LATEST


def shown(panel: DatasetsPanel) -> str:
    """The HTML of every cell of the item table (what the user sees)."""
    return "".join(str(w.value) for w in panel.table.grid.children if hasattr(w, "value"))


def add(panel: DatasetsPanel, item_id: str, input_json: str, expected_json: str = "") -> None:
    panel.editor.clear_button.click()
    panel.editor.item_id.value = item_id
    panel.editor.fields["input"].value = input_json
    panel.editor.fields["expected_output"].value = expected_json
    panel.editor.add_button.click()


@pytest.fixture
def panel(wb: Workbench) -> DatasetsPanel:
    wb.create_dataset("qa", description="questions")
    return DatasetsPanel(wb)


def test_lists_and_creates_datasets(wb: Workbench) -> None:
    wb.create_dataset("first", description="<i>one</i>")
    panel = DatasetsPanel(wb)
    assert panel.select.options == ("first",)
    assert "&lt;i&gt;one&lt;/i&gt;" in panel.listing.value
    panel.new_name.value = "second"
    panel.new_description.value = "two"
    panel.create_button.click()
    assert wb.dataset("second").description == "two"
    assert panel.select.value == "second"
    assert "created" in panel.status.value


def test_a_bad_name_is_refused_with_a_message(wb: Workbench) -> None:
    panel = DatasetsPanel(wb)
    panel.new_name.value = "../escape"
    panel.create_button.click()
    assert "could not create" in panel.status.value
    assert list(wb.datasets()["name"]) == []


def test_renames_and_describes(panel: DatasetsPanel, wb: Workbench) -> None:
    panel.rename_name.value = "qa2"
    panel.rename_button.click()
    assert list(wb.datasets()["name"]) == ["qa2"]
    assert panel.select.value == "qa2"
    panel.description.value = "new words"
    panel.describe_button.click()
    assert wb.dataset("qa2").description == "new words"


def test_delete_asks_for_confirmation(panel: DatasetsPanel, wb: Workbench) -> None:
    panel.confirm_button.click()  # no question asked yet: nothing happens
    assert list(wb.datasets()["name"]) == ["qa"]
    panel.delete_button.click()
    assert panel.confirm_box.layout.display == "flex"
    assert "Delete qa</b> with its 1 version and 0 items?" in panel.confirm_text.value
    panel.cancel_button.click()
    assert panel.confirm_box.layout.display == "none"
    assert list(wb.datasets()["name"]) == ["qa"]
    panel.delete_button.click()
    panel.confirm_button.click()
    assert list(wb.datasets()["name"]) == []
    assert panel.select.value is None
    assert "deleted" in panel.status.value


def test_adds_an_item_and_shows_it(panel: DatasetsPanel, wb: Workbench) -> None:
    add(panel, "a1", '{"question": "2+2?"}', '"4"')
    assert wb.dataset("qa").item("a1")["input"] == {"question": "2+2?"}
    assert "version 1" in panel.editor.message.value
    assert panel.table.total == 1
    assert "2+2?" in shown(panel)


def test_invalid_json_is_named_next_to_its_field_and_nothing_is_written(panel: DatasetsPanel, wb: Workbench) -> None:
    add(panel, "a1", '{"question": ', '"4"')
    assert "input: not valid JSON" in panel.editor.errors["input"].value
    assert panel.editor.errors["expected_output"].value == ""
    assert "nothing was written" in panel.editor.message.value
    assert wb.dataset("qa").version == 0
    add(panel, "a1", '{"q": 1}', "four")
    assert "expected_output: not valid JSON" in panel.editor.errors["expected_output"].value
    assert wb.dataset("qa").version == 0


def test_missing_input_is_refused(panel: DatasetsPanel, wb: Workbench) -> None:
    add(panel, "a1", "", '"4"')
    assert "input: is required" in panel.editor.errors["input"].value
    assert wb.dataset("qa").version == 0


def test_store_errors_are_shown_next_to_the_field(wb: Workbench) -> None:
    wb.create_dataset("typed", input_schema={"type": "object", "required": ["question"]})
    panel = DatasetsPanel(wb)
    add(panel, "a1", '{"prompt": "x"}')
    assert "schema" in panel.editor.errors["input"].value
    assert wb.dataset("typed").version == 0
    add(panel, "a1", '{"question": "x"}')
    add(panel, "a1", '{"question": "again"}')
    assert "already exists" in panel.editor.message.value
    assert wb.dataset("typed").version == 1


def test_edits_an_item_opened_from_the_table(panel: DatasetsPanel, wb: Workbench) -> None:
    add(panel, "a1", '{"question": "2+2?"}', '"5"')
    panel.table.open_button("a1").click()
    assert panel.editor.item_id.value == "a1"
    assert '"question": "2+2?"' in panel.editor.fields["input"].value
    panel.editor.fields["expected_output"].value = '"4"'
    panel.editor.fields["metadata"].value = '{"checked": true}'
    panel.editor.save_button.click()
    item = wb.dataset("qa").item("a1")
    assert item["expected_output"] == "4"
    assert item["metadata"] == {"checked": True}
    assert item["version"] == 2
    panel.editor.fields["context"].value = "{oops"
    panel.editor.save_button.click()
    assert "context: not valid JSON" in panel.editor.errors["context"].value
    assert wb.dataset("qa").version == 2


def test_deletes_an_item(panel: DatasetsPanel, wb: Workbench) -> None:
    add(panel, "a1", '"one"')
    add(panel, "a2", '"two"')
    panel.table.open_button("a1").click()
    panel.editor.delete_button.click()
    assert list(wb.dataset("qa").items()["item_id"]) == ["a2"]
    assert panel.table.total == 1


def test_script_in_an_item_shows_as_text(panel: DatasetsPanel) -> None:
    add(panel, "x", '{"question": "<script>alert(1)</script>"}', '"<img src=x onerror=alert(1)>"')
    html = shown(panel)
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_earlier_version_shows_the_items_as_they_were_and_is_read_only(panel: DatasetsPanel, wb: Workbench) -> None:
    add(panel, "a1", '"first words"')
    panel.table.open_button("a1").click()
    panel.editor.fields["input"].value = '"second words"'
    panel.editor.save_button.click()
    assert [label for label, _ in panel.version_select.options] == ["latest", "v2", "v1", "v0"]
    assert "second words" in shown(panel)
    panel.version_select.value = 1
    assert "first words" in shown(panel)
    assert "second words" not in shown(panel)
    assert panel.editor.save_button.disabled
    assert "read-only" in panel.version_info.value
    panel.table.open_button("a1").click()
    assert panel.editor.fields["input"].value == '"first words"'
    panel.version_select.value = LATEST
    assert not panel.editor.save_button.disabled


def test_diff_between_two_versions(panel: DatasetsPanel, wb: Workbench) -> None:
    add(panel, "a1", '"one"')
    add(panel, "a2", '"two"')
    panel.table.open_button("a1").click()
    panel.editor.fields["input"].value = '"uno"'
    panel.editor.save_button.click()
    panel.diff_from.value = 1
    panel.diff_to.value = 3
    panel.diff_button.click()
    assert "1 added, 0 removed, 1 changed" in panel.diff_summary.value
    rows = {r["item_id"]: r for r in panel.diff_table.rows}
    assert rows["a2"]["change"] == "added"
    assert rows["a1"]["change"] == "changed"
    assert rows["a1"]["after"] == {"input": "uno"}  # diff gives values (issue 11)
    assert "v0" in panel.versions_table.value or ">0<" in panel.versions_table.value


@pytest.mark.slow
def test_a_hundred_thousand_items_render_one_page(big_store: Workbench) -> None:
    panel = DatasetsPanel(big_store)
    assert panel.table.total == 100_000
    assert panel.table.rendered_rows == panel.table.page_size == 25
    assert len(panel.table.grid.children) <= 26 * 5  # header + one page of cells, whatever the size
    panel.table.go(3999)
    assert panel.table.rows[0]["item_id"] == "item-099975"
    assert panel.table.rendered_rows == 25
    panel.table.search.value = "question number 4242"
    assert panel.table.total == 11  # 4242 and 42420-42429
    assert panel.table.rendered_rows == 11
    panel.table.search.value = "question number 1"
    assert panel.table.total == 11_111
    assert panel.table.rendered_rows == 25
    assert "page 1 of 445" in panel.table.page_label.value
