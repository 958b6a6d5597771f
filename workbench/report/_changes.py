"""The items a comparison found changed, as a reviewer reads them: input and expected output beside both outputs.

``comparison.items`` holds scores and ``comparison.outputs`` the two outputs; the input and
the expected output come from the dataset the candidate ran on (:func:`run_items`). Columns
that hold nothing for any row (a dataset without expected outputs, runs without labels)
are left out (:func:`drop_empty_columns`).
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal

import orjson
import pandas as pd

from workbench.errors import ValidationError, WorkbenchError
from workbench.report._display import as_text, is_blank

CHANGED_COLUMNS: Final = (
    "item_id",
    "scorer",
    "input",
    "expected_output",
    "baseline_output",
    "candidate_output",
    "baseline",
    "candidate",
    "delta",
    "baseline_label",
    "candidate_label",
)
"""The columns of :func:`changed_items`, in reading order (empty ones are left out)."""


def value_text(value: Any) -> Any:
    """A dataset field as a reader wants it: a string as its text, objects as compact JSON, missing as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()
    except TypeError:
        return str(value)


def drop_empty_columns(df: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """``df`` without the columns whose every value is missing or blank (those in ``keep`` stay)."""
    full = [c for c in df.columns if c in keep or not df[c].map(is_blank).all()]
    return df[full]


def run_items(wb: Any, run_id: str) -> pd.DataFrame | None:
    """The items of the dataset version run ``run_id`` used: ``item_id``, ``input``, ``expected_output``.

    ``wb`` is a ``Workbench`` (anything with ``get_run`` and ``dataset``). ``None`` when the run
    names no dataset or it cannot be read (deleted, say): the tables then go without the input.
    """
    try:
        manifest = wb.get_run(run_id).manifest
        if not getattr(manifest, "dataset", None):
            return None
        items = wb.dataset(manifest.dataset).items(manifest.dataset_version)
    except WorkbenchError:
        return None
    frame: pd.DataFrame = items[["item_id", "input", "expected_output"]]
    return frame


def changed_items(
    comparison: Any, change: Literal["regressed", "improved"], items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The items that ``change``-d on some scorer, the largest change first, one row per item and scorer.

    Args:
        comparison: a ``Comparison`` (``wb.compare``).
        change: ``"regressed"`` or ``"improved"``.
        items: the dataset's items (:func:`run_items`); without them there is no input column.

    Returns:
        The :data:`CHANGED_COLUMNS` that hold something: outputs, input and expected output
        as text (a JSON string as its text, objects as compact JSON).
    """
    if change not in ("regressed", "improved"):
        raise ValidationError(f"changed_items: change must be 'regressed' or 'improved', not {change!r}")
    rows = comparison.items[comparison.items["change"] == change]
    wanted = ["item_id", "baseline_output", "candidate_output", "baseline_label", "candidate_label"]
    outputs = comparison.outputs[[c for c in wanted if c in comparison.outputs.columns]]
    merged = rows.merge(outputs, on="item_id", how="left")
    if items is not None and not items.empty:
        fields = items[["item_id", "input", "expected_output"]].drop_duplicates("item_id")
        merged = merged.merge(fields.assign(item_id=fields["item_id"].astype(str)), on="item_id", how="left")
    for column in ("input", "expected_output"):
        merged[column] = merged[column].map(value_text) if column in merged.columns else None
    for column in ("baseline_output", "candidate_output"):
        if column in merged.columns:
            merged[column] = merged[column].map(as_text)
    merged = merged.sort_values("delta", key=lambda d: -d.abs(), kind="stable")
    shown = merged[[c for c in CHANGED_COLUMNS if c in merged.columns]].reset_index(drop=True)
    return drop_empty_columns(shown, keep=("item_id", "scorer"))
