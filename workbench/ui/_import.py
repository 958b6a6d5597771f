"""``ImportWizard``: upload (or point at) a CSV, preview it, map columns to fields, pick a mode, validate, import.

Everything runs the store's own code: the preview reads the file with the import's reader
(:func:`~workbench.store.preview_csv`: a byte order mark, as Excel writes, is dropped), the
mapping starts as the import's own guess (:func:`~workbench.store.guess_mapping`), and
validating is a dry run of :meth:`~workbench.store.Dataset.import_csv` on the chosen dataset:
every error is the one the real import would give, with its line number, the counts say what
the import would add, update, leave and delete, and nothing is written.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets

from workbench.errors import ImportValidationError, RowError, WorkbenchError
from workbench.store import Dataset, ImportReport, describe_mapping, guess_mapping, preview_csv
from workbench.ui._table import cell_html, message_html, table_html

if TYPE_CHECKING:
    from workbench._workbench import Workbench

PREVIEW_ROWS = 10
MAX_ERRORS_SHOWN = 200
NONE = ""
"""The "no column" choice of a single-column field."""
MODES = [
    ("append: add new items (an id already there is an error)", "append"),
    ("upsert: add new ids, update changed items", "upsert"),
    ("sync: upsert, and delete items not in the file", "sync"),
]


def _uploaded(value: Any) -> tuple[str, bytes] | None:
    """Name and bytes of the first uploaded file (ipywidgets 8: a tuple of dicts)."""
    if not value:
        return None
    first = value[0] if isinstance(value, list | tuple) else next(iter(value.values()))
    content = first["content"]
    return str(first["name"]), bytes(content.tobytes() if hasattr(content, "tobytes") else content)


def read_preview(
    path: Path, *, delimiter: str = ",", encoding: str = "utf-8", rows: int = PREVIEW_ROWS
) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``rows`` data rows of a CSV file, as the import reads them (reads only those)."""
    return preview_csv(path, rows=rows, encoding=encoding, delimiter=delimiter)


def wizard_mapping(
    header: list[str],
    *,
    item_id: str,
    inputs: list[str],
    input_object: bool,
    expected: str,
    context: str,
    metadata: list[str],
    output: str = NONE,
) -> dict[str, str | list[str]]:
    """The mapping the wizard's choices make, as :meth:`Dataset.import_csv` takes it.

    One input column is that cell (several, or ``input_object``: an object keyed by column);
    one metadata column is that cell when the guess would map it so (a column named like
    ``metadata``), else an object keyed by column.
    """
    out: dict[str, str | list[str]] = {}
    if item_id:
        out["item_id"] = item_id
    if inputs:
        out["input"] = inputs[0] if len(inputs) == 1 and not input_object else list(inputs)
    if expected:
        out["expected_output"] = expected
    if context:
        out["context"] = context
    if metadata:
        guessed = guess_mapping(header).get("metadata")
        out["metadata"] = metadata[0] if [guessed] == metadata else list(metadata)
    if output:
        out["output"] = output
    return out


def mapping_to_pass(mapping: dict[str, str | list[str]], header: list[str]) -> dict[str, str | list[str]] | None:
    """``None`` when ``mapping`` is the import's own guess, so the wizard imports exactly as the API does without one.

    That matters for an export's header: without a mapping the store reads it as an export
    (a cell that parses as JSON is that value), so an exported file comes back unchanged.
    """
    return None if "input" in mapping and mapping == guess_mapping(header) else mapping


def errors_html(errors: list[RowError], total_rows: int) -> str:
    """A table of row errors, line by line (escaped; the first ``MAX_ERRORS_SHOWN``)."""
    head = f"<b>{len(errors)} of {total_rows} rows are invalid</b>"
    rows = [
        [str(e.line), html.escape(e.column or ""), html.escape(e.field or ""), html.escape(e.reason)]
        for e in errors[:MAX_ERRORS_SHOWN]
    ]
    more = f"<br>\u2026 and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
    table = table_html(["line", "column", "field", "reason"], rows, "wb-import-errors")
    return f"<div class='wb-msg-error' style='color:#cf222e'>{head}</div>{table}{more}"


class ImportWizard:
    """CSV import in steps: file, preview, mapping, validate, import.

    Args:
        wb: the workbench.
        dataset: returns the dataset to import into (the panel's selected one).
        on_imported: called with a one-line summary after a successful import.
    """

    def __init__(
        self,
        wb: Workbench,
        dataset: Callable[[], Dataset | None],
        on_imported: Callable[[str], None] | None = None,
    ) -> None:
        self.wb = wb
        self._dataset = dataset
        self._on_imported = on_imported
        self._folder = Path(tempfile.mkdtemp(prefix="workbench-ui-upload-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, True)
        self.path: Path | None = None
        self.header: list[str] = []
        self.last_report: ImportReport | None = None
        self.last_errors: list[RowError] = []

        self.upload = widgets.FileUpload(accept=".csv,text/csv", multiple=False, description="Upload CSV")
        self.upload.add_class("wb-import-upload")
        self.upload.observe(lambda _c: self._uploaded(), names="value")
        self.path_box = widgets.Text(placeholder="or a path on the server: data/qa.csv", layout={"width": "360px"})
        self.path_box.add_class("wb-import-path")
        self.load_button = widgets.Button(description="Load path")
        self.load_button.add_class("wb-import-load")
        self.load_button.on_click(lambda _b: self.load(self.path_box.value.strip()))
        self.delimiter = widgets.Text(value=",", description="Delimiter", layout={"width": "140px"})
        self.delimiter.add_class("wb-import-delimiter")
        self.file_info = widgets.HTML()
        self.file_info.add_class("wb-import-file")
        self.preview = widgets.HTML()
        self.preview.add_class("wb-import-preview")

        self.map_item_id = self._dropdown("item_id", "wb-import-map-item-id")
        self.map_input = widgets.SelectMultiple(description="input", options=[], rows=4)
        self.map_input.add_class("wb-import-map-input")
        self.input_object = widgets.Checkbox(
            value=False, description="input as an object (column names as keys) even with one column", indent=False
        )
        self.input_object.add_class("wb-import-input-object")
        self.map_expected = self._dropdown("expected_output", "wb-import-map-expected")
        self.map_context = self._dropdown("context", "wb-import-map-context")
        self.map_output = self._dropdown("output", "wb-import-map-output")
        self.map_metadata = widgets.SelectMultiple(description="metadata", options=[], rows=3)
        self.map_metadata.add_class("wb-import-map-metadata")
        self.json_columns = widgets.SelectMultiple(description="JSON cols", options=[], rows=3)
        self.json_columns.add_class("wb-import-json-columns")
        self.infer_types = widgets.Checkbox(value=False, description="guess numbers, booleans and JSON", indent=False)
        self.infer_types.add_class("wb-import-infer")
        self.on_invalid = widgets.Dropdown(
            description="Invalid rows", options=[("abort: import nothing", "abort"), ("skip them", "skip")]
        )
        self.on_invalid.add_class("wb-import-on-invalid")
        self.mode = widgets.Dropdown(description="Mode", options=MODES, value="append", layout={"width": "460px"})
        self.mode.add_class("wb-import-mode")
        self.message = widgets.Text(description="Message", placeholder="note kept with the version")
        self.message.add_class("wb-import-message")
        self.validate_button = widgets.Button(description="Validate", button_style="info")
        self.validate_button.add_class("wb-import-validate")
        self.validate_button.on_click(lambda _b: self.validate())
        self.import_button = widgets.Button(description="Import", button_style="success")
        self.import_button.add_class("wb-import-run")
        self.import_button.on_click(lambda _b: self.run_import())
        self.report = widgets.HTML()
        self.report.add_class("wb-import-report")

        mapping = widgets.VBox(
            [
                widgets.HTML("<b>2. Map columns to fields</b>"),
                self.map_item_id,
                widgets.HBox([self.map_input, self.input_object]),
                self.map_expected,
                self.map_context,
                self.map_output,
                widgets.HBox([self.map_metadata, self.json_columns]),
                widgets.HBox([self.infer_types, self.on_invalid]),
                self.mode,
                self.message,
            ]
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>1. Pick a CSV file</b>"),
                widgets.HBox([self.upload, self.path_box, self.load_button, self.delimiter]),
                self.file_info,
                self.preview,
                mapping,
                widgets.HTML("<b>3. Validate, then import</b>"),
                widgets.HBox([self.validate_button, self.import_button]),
                self.report,
            ]
        )
        self.widget.add_class("wb-import-wizard")
        self._set_ready(False)

    def _dropdown(self, field: str, css: str) -> Any:
        box = widgets.Dropdown(description=field, options=[("(none)", NONE)], value=NONE)
        box.add_class(css)
        return box

    def _set_ready(self, ready: bool) -> None:
        self.validate_button.disabled = not ready
        self.import_button.disabled = not ready

    def close(self) -> None:
        """Remove the uploaded files' temporary folder (also done when the wizard is garbage-collected)."""
        self._cleanup()

    # -- step 1: the file ------------------------------------------------------------
    def _uploaded(self) -> None:
        upload = _uploaded(self.upload.value)
        if upload is None:
            return
        name, content = upload
        safe = Path(name).name or "upload.csv"
        target = self._folder / safe
        target.write_bytes(content)
        self.upload.value = ()  # the file is on disk now: do not keep its bytes in the widget's state
        self.load(str(target), shown_name=safe)

    def load(self, path: str, *, shown_name: str | None = None) -> None:
        """Use the CSV file at ``path``: preview it and offer its columns for mapping."""
        file = Path(path).expanduser()
        self.report.value = ""
        if not file.is_file():
            self.file_info.value = message_html(f"{path}: no such file", "error")
            self._set_ready(False)
            return
        try:
            header, body = read_preview(file, delimiter=self.delimiter.value or ",")
        except WorkbenchError as exc:
            self.file_info.value = message_html(str(exc), "error")
            self._set_ready(False)
            return
        self.path, self.header = file, header
        guessed = guess_mapping(header)
        note = f"file {shown_name or file.name}: {len(header)} columns; mapping guessed: {describe_mapping(guessed)}"
        if "input" not in guessed:
            note += " (no column looks like the input: pick it below)"
        self.file_info.value = message_html(note, "ok")
        rows = [[cell_html(c, 60) for c in r] for r in body]
        self.preview.value = table_html(header, rows, "wb-preview") + f"<i>first {len(body)} rows</i>"
        self._offer_columns(header)
        self._set_ready(True)

    def _offer_columns(self, header: list[str]) -> None:
        """Offer the file's columns, preselecting the import's own guess (nothing where it has none)."""
        guessed = guess_mapping(header)

        def one(field: str) -> str:
            spec = guessed.get(field)
            return spec if isinstance(spec, str) else NONE

        single = [("(none)", NONE), *[(h, h) for h in header]]
        for box, field in (
            (self.map_item_id, "item_id"),
            (self.map_expected, "expected_output"),
            (self.map_context, "context"),
            (self.map_output, "output"),
        ):
            box.options = single
            box.value = one(field)
        self.map_input.options = header
        self.map_input.value = (one("input"),) if one("input") else ()
        self.map_metadata.options = header
        self.map_metadata.value = (one("metadata"),) if one("metadata") else ()
        self.json_columns.options = header
        self.json_columns.value = ()

    # -- step 2: the mapping -------------------------------------------------------------
    def mapping(self) -> dict[str, str | list[str]]:
        """The mapping as :meth:`Dataset.import_csv` takes it."""
        return wizard_mapping(
            self.header,
            item_id=self.map_item_id.value,
            inputs=list(self.map_input.value),
            input_object=self.input_object.value,
            expected=self.map_expected.value,
            context=self.map_context.value,
            metadata=list(self.map_metadata.value),
            output=self.map_output.value,
        )

    def _import(
        self, dataset: Dataset, on_invalid: Literal["abort", "skip"], message: str | None, *, dry_run: bool = False
    ) -> ImportReport:
        assert self.path is not None
        return dataset.import_csv(
            self.path,
            mapping=mapping_to_pass(self.mapping(), self.header),
            mode=self.mode.value,
            json_columns=list(self.json_columns.value),
            infer_types=self.infer_types.value,
            on_invalid=on_invalid,
            delimiter=self.delimiter.value or ",",
            message=message,
            dry_run=dry_run,
        )

    # -- step 3: validate and import ---------------------------------------------------
    def validate(self) -> bool:
        """Dry run on the dataset: show every invalid line, or what the import would change; write nothing."""
        target = self._dataset()
        if self.path is None or target is None:
            self.report.value = message_html("pick a dataset and a file first", "error")
            return False
        try:
            report = self._import(target, "abort", None, dry_run=True)
        except ImportValidationError as exc:
            self.last_errors = exc.errors
            self.report.value = errors_html(exc.errors, exc.total_rows)
            return False
        except WorkbenchError as exc:
            self.last_errors = []
            self.report.value = message_html(str(exc), "error")
            return False
        self.last_errors = []
        verdict = f"all {report.rows} rows are valid; importing into {target.name!r} ({report.mode}) would give "
        verdict += report.changes
        if not (report.added or report.updated or report.deleted):
            verdict += ": nothing changes, so no new version"
        self.report.value = message_html(verdict, "ok") + _ignored(report)
        return True

    def run_import(self) -> ImportReport | None:
        """Import the file into the dataset as one new version and show the report."""
        target = self._dataset()
        if self.path is None or target is None:
            self.report.value = message_html("pick a dataset and a file first", "error")
            return None
        try:
            report = self._import(target, self.on_invalid.value, self.message.value.strip() or None)
        except ImportValidationError as exc:
            self.last_errors = exc.errors
            self.report.value = errors_html(exc.errors, exc.total_rows)
            return None
        except WorkbenchError as exc:
            self.report.value = message_html(str(exc), "error")
            return None
        self.last_report = report
        self.last_errors = list(report.skipped)
        summary = str(report).splitlines()[0]
        text = message_html(summary, "ok") + _ignored(report)
        if report.skipped:
            text += errors_html(report.skipped, report.rows)
        self.report.value = text
        if self._on_imported is not None and report.version is not None:
            self._on_imported(summary)
            self.report.value = text
        return report

    def dataset_changed(self) -> None:
        """The panel picked another dataset: forget the last report."""
        self.report.value = ""

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _ignored(report: ImportReport) -> str:
    if not report.ignored_columns:
        return ""
    return "<br>" + message_html(f"columns not mapped (ignored): {', '.join(report.ignored_columns)}")


__all__ = ["ImportWizard", "errors_html", "mapping_to_pass", "read_preview", "wizard_mapping"]
