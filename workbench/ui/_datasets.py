"""``DatasetsPanel``: list, create, rename, describe and delete datasets; browse, edit and diff their items.

Everything goes through :class:`~workbench.Workbench` and :class:`~workbench.store.Dataset`;
the panel only turns widget values into those calls and their answers (or errors)
into escaped HTML next to the field at fault.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import orjson
import pandas as pd

from workbench.errors import FieldError, ValidationError, WorkbenchError
from workbench.store import Dataset
from workbench.store._table import live_items_sql
from workbench.ui._import import ImportWizard
from workbench.ui._table import FrameSource, PagedTable, SqlSource, message_html, table_html

if TYPE_CHECKING:
    from workbench._workbench import Workbench

EDITABLE_FIELDS = ("input", "expected_output", "context", "metadata")
LATEST = -1
_FIELD_IN_MESSAGE = re.compile(r"\bfield (input|expected_output|context|metadata|output|item_id)\b")


def items_source(dataset: Dataset, version: int | None = None) -> SqlSource | FrameSource:
    """A paged source of a dataset version's items (DuckDB ``limit``/``offset`` over the item log)."""
    files = dataset.files(version)
    if not files:
        return FrameSource(dataset.items(version)[["item_id", *EDITABLE_FIELDS]], json_columns=EDITABLE_FIELDS)
    sql = f"select item_id, {', '.join(EDITABLE_FIELDS)}, version, position from ({live_items_sql(files)})"
    return SqlSource(
        sql, order_by="position", search_columns=["item_id", *EDITABLE_FIELDS], json_columns=EDITABLE_FIELDS
    )


def parse_json_field(field: str, text: str) -> Any:
    """The JSON value typed for ``field`` (``None`` when empty); ``ValidationError`` naming the field otherwise."""
    if not text.strip():
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(
            f"{field}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            'write text in double quotes, e.g. "Paris"'
        ) from None


def _pretty(value: Any) -> str:
    if value is None:
        return ""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()


def _button(description: str, css: str, style: str = "") -> Any:
    button = widgets.Button(description=description, button_style=style, layout={"width": "auto"})
    button.add_class(css)
    return button


class ItemEditor:
    """The add/edit/delete form of one item: a JSON text area per field, each with its own message."""

    def __init__(self, panel: DatasetsPanel) -> None:
        self.panel = panel
        self.item_id = widgets.Text(description="item_id", placeholder="(generated when empty)")
        self.item_id.add_class("wb-item-id")
        self.fields: dict[str, Any] = {}
        self.errors: dict[str, Any] = {}
        rows = [self.item_id]
        for field in EDITABLE_FIELDS:
            area = widgets.Textarea(description=field, layout={"width": "520px", "height": "70px"})
            area.add_class(f"wb-item-{field.replace('_', '-')}")
            error = widgets.HTML()
            error.add_class(f"wb-item-error-{field.replace('_', '-')}")
            self.fields[field], self.errors[field] = area, error
            rows.append(widgets.HBox([area, error], layout={"align_items": "center"}))
        self.add_button = _button("Add item", "wb-item-add", "success")
        self.save_button = _button("Save changes", "wb-item-save", "primary")
        self.delete_button = _button("Delete item", "wb-item-delete", "danger")
        self.clear_button = _button("New / clear", "wb-item-clear")
        self.add_button.on_click(lambda _b: self.add())
        self.save_button.on_click(lambda _b: self.save())
        self.delete_button.on_click(lambda _b: self.delete())
        self.clear_button.on_click(lambda _b: self.clear())
        self.message = widgets.HTML()
        self.message.add_class("wb-item-message")
        buttons = [self.add_button, self.save_button, self.delete_button, self.clear_button]
        self.widget = widgets.VBox([*rows, widgets.HBox(buttons), self.message])
        self.widget.add_class("wb-item-editor")
        self.loaded: str | None = None

    def set_read_only(self, read_only: bool) -> None:
        """Old versions are for reading: no buttons that write."""
        for button in (self.add_button, self.save_button, self.delete_button):
            button.disabled = read_only

    def load(self, item: dict[str, Any]) -> None:
        """Show an item (as stored: decoded JSON) in the form."""
        self.loaded = str(item["item_id"])
        self.item_id.value = self.loaded
        for field in EDITABLE_FIELDS:
            self.fields[field].value = _pretty(item.get(field))
            self.errors[field].value = ""
        self.message.value = message_html(f"editing item {self.loaded!r}")

    def clear(self) -> None:
        """Empty the form (to add a new item)."""
        self.loaded = None
        self.item_id.value = ""
        for field in EDITABLE_FIELDS:
            self.fields[field].value = ""
            self.errors[field].value = ""
        self.message.value = ""

    def _values(self) -> dict[str, Any] | None:
        """The typed values, or ``None`` after showing each bad field's message beside it."""
        values: dict[str, Any] = {}
        ok = True
        for field in EDITABLE_FIELDS:
            self.errors[field].value = ""
            try:
                values[field] = parse_json_field(field, self.fields[field].value)
            except ValueError as exc:
                self.errors[field].value = message_html(str(exc), "error")
                ok = False
        if ok and values["input"] is None:
            self.errors["input"].value = message_html("input: is required", "error")
            ok = False
        if not ok:
            self.message.value = message_html("nothing was written: fix the fields marked in red", "error")
            return None
        return values

    def _failed(self, exc: WorkbenchError) -> None:
        field = exc.field if isinstance(exc, FieldError) else None
        match = _FIELD_IN_MESSAGE.search(str(exc))
        field = field or (match.group(1) if match else None)
        if field in self.errors:
            self.errors[field].value = message_html(f"{field}: {exc}", "error")
        self.message.value = message_html(f"nothing was written: {exc}", "error")

    def add(self) -> None:
        """Add the form's item to the dataset (a new version)."""
        ds = self.panel.dataset
        values = self._values()
        if ds is None or values is None:
            return
        item = {k: v for k, v in values.items() if v is not None}
        if self.item_id.value.strip():
            item["item_id"] = self.item_id.value.strip()
        try:
            version = ds.add_items([item], message="added in the datasets panel")
        except WorkbenchError as exc:
            self._failed(exc)
            return
        self.panel.after_write(f"item added: version {version}")
        self.clear()
        self.message.value = message_html(f"item added: version {version}", "ok")

    def save(self) -> None:
        """Write the form's fields over the loaded item (a new version)."""
        ds = self.panel.dataset
        if ds is None:
            return
        if self.loaded is None:
            self.message.value = message_html("pick an item in the table first (or use Add item)", "error")
            return
        values = self._values()
        if values is None:
            return
        try:
            version = ds.update_item(self.loaded, **values, message="edited in the datasets panel")
        except WorkbenchError as exc:
            self._failed(exc)
            return
        self.panel.after_write(f"item {self.loaded!r} saved: version {version}")
        self.message.value = message_html(f"item {self.loaded!r} saved: version {version}", "ok")

    def delete(self) -> None:
        """Delete the loaded item (a new version)."""
        ds = self.panel.dataset
        if ds is None or self.loaded is None:
            self.message.value = message_html("pick an item in the table first", "error")
            return
        item_id = self.loaded
        try:
            version = ds.delete_items([item_id], message="deleted in the datasets panel")
        except WorkbenchError as exc:
            self._failed(exc)
            return
        self.clear()
        self.panel.after_write(f"item {item_id!r} deleted: version {version}")
        self.message.value = message_html(f"item {item_id!r} deleted: version {version}", "ok")


class DatasetsPanel:
    """Datasets: pick, create, rename, describe, delete; items with paging and search; versions and diff.

    Args:
        wb: the workbench whose store the panel shows.

    Attributes:
        widget: the root widget to display.
    """

    def __init__(self, wb: Workbench) -> None:
        self.wb = wb
        self.dataset: Dataset | None = None
        self.status = widgets.HTML()
        self.status.add_class("wb-datasets-status")
        self.listing = widgets.HTML()
        self.listing.add_class("wb-datasets-list")

        self.select = widgets.Dropdown(description="Dataset", options=[], layout={"width": "360px"})
        self.select.add_class("wb-dataset-select")
        self.select.observe(lambda _c: self._dataset_changed(), names="value")
        self.refresh_button = _button("\u21bb Refresh", "wb-datasets-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())

        self.new_name = widgets.Text(description="New", placeholder="name")
        self.new_name.add_class("wb-dataset-new-name")
        self.new_description = widgets.Text(placeholder="description (optional)")
        self.new_description.add_class("wb-dataset-new-description")
        self.create_button = _button("Create", "wb-dataset-create", "success")
        self.create_button.on_click(lambda _b: self.create())

        self.rename_name = widgets.Text(description="Rename to")
        self.rename_name.add_class("wb-dataset-rename-name")
        self.rename_button = _button("Rename", "wb-dataset-rename")
        self.rename_button.on_click(lambda _b: self.rename())
        self.description = widgets.Textarea(description="Description", layout={"width": "520px", "height": "48px"})
        self.description.add_class("wb-dataset-description")
        self.describe_button = _button("Save description", "wb-dataset-describe")
        self.describe_button.on_click(lambda _b: self.describe())
        self.delete_button = _button("Delete dataset\u2026", "wb-dataset-delete", "danger")
        self.delete_button.on_click(lambda _b: self.ask_delete())
        self.confirm_text = widgets.HTML()
        self.confirm_button = _button("Yes, delete it", "wb-dataset-delete-confirm", "danger")
        self.confirm_button.on_click(lambda _b: self.delete())
        self.cancel_button = _button("Cancel", "wb-dataset-delete-cancel")
        self.cancel_button.on_click(lambda _b: self._hide_confirm())
        self.confirm_box = widgets.HBox([self.confirm_text, self.confirm_button, self.cancel_button])
        self.confirm_box.add_class("wb-dataset-delete-box")
        self.confirm_box.layout.display = "none"

        self.version_select = widgets.Dropdown(description="Version", options=[("latest", LATEST)], value=LATEST)
        self.version_select.add_class("wb-version-select")
        self.version_select.observe(lambda _c: self._version_changed(), names="value")
        self.version_info = widgets.HTML()
        self.version_info.add_class("wb-version-info")
        self.table = PagedTable(
            FrameSource(_empty_items()),
            columns=list(EDITABLE_FIELDS),
            on_row_click=self._open_item,
            css_class="wb-items",
        )
        self.editor = ItemEditor(self)

        self.diff_from = widgets.Dropdown(description="From", options=[], layout={"width": "180px"})
        self.diff_from.add_class("wb-diff-from")
        self.diff_to = widgets.Dropdown(description="To", options=[], layout={"width": "180px"})
        self.diff_to.add_class("wb-diff-to")
        self.diff_button = _button("Show diff", "wb-diff-show")
        self.diff_button.on_click(lambda _b: self.show_diff())
        self.diff_summary = widgets.HTML()
        self.diff_summary.add_class("wb-diff-summary")
        self.diff_table = PagedTable(
            FrameSource(_empty_diff(), key="item_id"),
            columns=["change", "fields", "before", "after"],
            css_class="wb-diff",
        )
        self.versions_table = widgets.HTML()
        self.versions_table.add_class("wb-versions")

        self.importer = ImportWizard(wb, lambda: self.dataset, on_imported=self.after_write)

        manage = widgets.VBox(
            [
                widgets.HBox([self.rename_name, self.rename_button]),
                widgets.HBox([self.description, self.describe_button]),
                widgets.HBox([self.delete_button, self.confirm_box]),
                widgets.HTML("<hr><b>All datasets</b>"),
                self.listing,
            ]
        )
        items = widgets.VBox(
            [widgets.HBox([self.version_select, self.version_info]), self.table.widget, self.editor.widget]
        )
        history = widgets.VBox(
            [
                self.versions_table,
                widgets.HBox([self.diff_from, self.diff_to, self.diff_button]),
                self.diff_summary,
                self.diff_table.widget,
            ]
        )
        self.sections = widgets.Tab(children=[items, self.importer.widget, history, manage])
        for i, title in enumerate(["Items", "Import CSV", "Versions & diff", "Manage"]):
            self.sections.set_title(i, title)
        self.sections.add_class("wb-dataset-sections")
        top = widgets.HBox([self.select, self.refresh_button, self.new_name, self.new_description, self.create_button])
        self.widget = widgets.VBox([top, self.status, self.sections])
        self.widget.add_class("wb-datasets-panel")
        self.refresh()

    # -- datasets ----------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        """Read the list of datasets again (and show ``select`` if given)."""
        listing = self.wb.datasets()
        names = list(listing["name"])
        keep = select if select is not None else self.select.value
        self.select.options = names
        self.select.value = keep if keep in names else (names[0] if names else None)
        rows = [
            [html.escape(str(v)) for v in (r.name, r.description, r.version, r.items)] for r in listing.itertuples()
        ]
        self.listing.value = (
            table_html(["name", "description", "version", "items"], rows)
            if names
            else "<i>No datasets yet: create one above.</i>"
        )
        self._dataset_changed()

    def _dataset_changed(self) -> None:
        name = self.select.value
        self._hide_confirm()
        self.dataset = self.wb.dataset(name) if name else None
        self.rename_name.value = ""
        self.description.value = self.dataset.description if self.dataset else ""
        self._load_versions()
        self.editor.clear()
        self.importer.dataset_changed()

    def _load_versions(self) -> None:
        ds = self.dataset
        versions = ds.versions() if ds is not None else None
        numbers = [int(v) for v in versions["version"]] if versions is not None else []
        options = [("latest", LATEST), *[(f"v{v}", v) for v in reversed(numbers)]]
        self.version_select.unobserve_all("value")
        self.version_select.options = options
        self.version_select.value = LATEST
        self.version_select.observe(lambda _c: self._version_changed(), names="value")
        self.diff_from.options = [(f"v{v}", v) for v in numbers]
        self.diff_to.options = [(f"v{v}", v) for v in numbers]
        if numbers:
            self.diff_from.value = max(numbers[-1] - 1, 0)
            self.diff_to.value = numbers[-1]
        self.versions_table.value = _versions_html(versions) if versions is not None else ""
        self._version_changed()

    def _version_changed(self) -> None:
        ds = self.dataset
        version = None if self.version_select.value == LATEST else int(self.version_select.value)
        if ds is None:
            self.table.set_source(FrameSource(_empty_items()))
            self.version_info.value = ""
            self.editor.set_read_only(True)
            return
        self.table.set_source(items_source(ds, version))
        shown = ds.version if version is None else version
        note = "" if version is None else " (read-only: an earlier version)"
        self.version_info.value = html.escape(f"version {shown} \u00b7 {self.table.total} items{note}")
        self.editor.set_read_only(version is not None)

    def create(self) -> None:
        """Create a dataset named in the "New" box."""
        name = self.new_name.value.strip()
        try:
            self.wb.create_dataset(name, description=self.new_description.value)
        except (WorkbenchError, ValueError) as exc:
            self.status.value = message_html(f"could not create {name!r}: {exc}", "error")
            return
        self.new_name.value = self.new_description.value = ""
        self.refresh(select=name)
        self.status.value = message_html(f"dataset {name!r} created", "ok")

    def rename(self) -> None:
        """Rename the selected dataset to the "Rename to" box's name."""
        if self.dataset is None:
            return
        old, new = self.dataset.name, self.rename_name.value.strip()
        try:
            self.wb.rename_dataset(old, new)
        except (WorkbenchError, ValueError) as exc:
            self.status.value = message_html(f"could not rename {old!r}: {exc}", "error")
            return
        self.refresh(select=new)
        self.status.value = message_html(f"dataset {old!r} renamed to {new!r}", "ok")

    def describe(self) -> None:
        """Save the description box as the selected dataset's description."""
        if self.dataset is None:
            return
        try:
            self.dataset.update(description=self.description.value)
        except WorkbenchError as exc:
            self.status.value = message_html(f"could not save the description: {exc}", "error")
            return
        self.refresh()
        self.status.value = message_html(f"description of {self.dataset.name!r} saved", "ok")

    def ask_delete(self) -> None:
        """First step of deleting: show what would go and a confirm button."""
        if self.dataset is None:
            return
        ds = self.dataset
        versions, items = ds.version + 1, len(ds)
        self.confirm_text.value = (
            f"<b>Delete {html.escape(ds.name)}</b> with its {_plural(versions, 'version')} "
            f"and {_plural(items, 'item')}?"
        )
        self.confirm_box.layout.display = "flex"

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"
        self.confirm_text.value = ""

    def delete(self) -> None:
        """Second step: delete the selected dataset (only after :meth:`ask_delete`)."""
        if self.dataset is None or self.confirm_box.layout.display == "none":
            return
        name = self.dataset.name
        try:
            self.wb.delete_dataset(name)
        except WorkbenchError as exc:
            self.status.value = message_html(f"could not delete {name!r}: {exc}", "error")
            return
        self._hide_confirm()
        self.refresh()
        self.status.value = message_html(f"dataset {name!r} deleted", "ok")

    # -- items ---------------------------------------------------------------------
    def _open_item(self, row: dict[str, Any]) -> None:
        if self.dataset is None:
            return
        version = None if self.version_select.value == LATEST else int(self.version_select.value)
        self.editor.load(self.dataset.item(str(row["item_id"]), version).fields())

    def after_write(self, what: str) -> None:
        """After an item write or an import: new versions, the table on the latest version."""
        page = self.table.page
        self._load_versions()
        self.table.go(page)
        self.status.value = message_html(what, "ok")

    # -- versions ------------------------------------------------------------------
    def show_diff(self) -> None:
        """Show :meth:`Dataset.diff` between the two picked versions."""
        if self.dataset is None or self.diff_from.value is None or self.diff_to.value is None:
            return
        v1, v2 = int(self.diff_from.value), int(self.diff_to.value)
        try:
            diff = self.dataset.diff(v1, v2)
        except WorkbenchError as exc:
            self.diff_summary.value = message_html(str(exc), "error")
            return
        counts = diff["change"].value_counts().to_dict() if len(diff) else {}
        parts = ", ".join(f"{counts.get(c, 0)} {c}" for c in ("added", "removed", "changed"))
        self.diff_summary.value = html.escape(f"v{v1} \u2192 v{v2}: {parts}")
        self.diff_table.set_source(FrameSource(diff, key="item_id", json_columns=("before", "after")))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _versions_html(versions: pd.DataFrame) -> str:
    head = ["version", "created_at", "operation", "added", "updated", "deleted", "items", "message"]
    rows = []
    for r in versions.iloc[::-1].itertuples():
        when = f"{r.created_at:%Y-%m-%d %H:%M:%S}"
        values = (r.version, when, r.operation, r.added, r.updated, r.deleted, r.item_count, r.message)
        rows.append([html.escape(str(v)) for v in values])
    return table_html(head, rows, "wb-versions-table")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _empty_items() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("item_id", *EDITABLE_FIELDS)})


def _empty_diff() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("item_id", "change", "fields", "before", "after")})


__all__ = ["DatasetsPanel", "ItemEditor", "items_source", "parse_json_field"]
