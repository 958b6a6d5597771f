"""Checking and encoding items before they are written."""

from __future__ import annotations

import math
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.errors import FieldError, ValidationError
from workbench.store._json import encode
from workbench.store._schema import schema_problem
from workbench.store._table import ITEM_FIELDS

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

ITEM_KEYS = ("item_id", *ITEM_FIELDS)
MAX_ID_LENGTH = 256


@dataclass(frozen=True)
class Validators:
    """The dataset's compiled schemas for ``input`` and ``expected_output``."""

    input: Validator | None = None
    expected_output: Validator | None = None

    def problem(self, field: str, value: Any) -> str | None:
        """Why ``value`` breaks ``field``'s schema, or ``None``."""
        if field == "input":
            return schema_problem(self.input, value)
        if field == "expected_output":
            return schema_problem(self.expected_output, value)
        return None


def new_item_id() -> str:
    """A fresh random item id (16 hex digits)."""
    return uuid.uuid4().hex[:16]


def check_item_id(value: object, *, where: str) -> str:
    """Return ``value`` if it is a usable item id."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(f"{where}: item_id must be a string, got {type(value).__name__}")
    item_id = str(value)
    if not item_id or item_id != item_id.strip():
        raise ValidationError(f"{where}: item_id {item_id!r} is empty or has surrounding white space")
    if len(item_id) > MAX_ID_LENGTH:
        raise ValidationError(f"{where}: item_id is longer than {MAX_ID_LENGTH} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in item_id):
        raise ValidationError(f"{where}: item_id {item_id!r} contains a control character")
    return item_id


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def describe(index: int, raw: Mapping[str, Any]) -> str:
    """How an error names an item: its position in the batch and its id when given."""
    item_id = raw.get("item_id")
    return f"item {index}" + (f" (item_id {item_id!r})" if isinstance(item_id, str | int) and item_id != "" else "")


def encode_new_item(raw: Mapping[str, Any], *, index: int, validators: Validators) -> dict[str, str | None]:
    """Check a new item and return its stored form (``item_id`` plus JSON text fields).

    Raises:
        ValidationError: naming the item (position and id) and the field at fault.
    """
    where = describe(index, raw)
    if not isinstance(raw, Mapping):
        raise ValidationError(f"item {index}: must be a mapping of fields, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in ITEM_KEYS]
    if unknown:
        raise FieldError(where, None, f"unknown field {unknown[0]!r} (fields are {', '.join(ITEM_KEYS)})")
    item_id = raw.get("item_id")
    try:
        out: dict[str, str | None] = {
            "item_id": new_item_id() if _missing(item_id) else check_item_id(item_id, where=where)
        }
    except ValidationError as exc:
        raise FieldError(where, "item_id", str(exc).split(": ", 1)[-1]) from exc
    if _missing(raw.get("input")):
        raise FieldError(where, "input", "is required (missing or empty)")
    for field in ITEM_FIELDS:
        value = raw.get(field)
        value = None if _missing(value) else value
        problem = validators.problem(field, value) if value is not None else None
        if problem:
            raise FieldError(where, field, f"does not match the dataset's schema: {problem}")
        try:
            out[field] = encode(value, where=where)
        except ValidationError as exc:
            raise FieldError(where, field, "is not JSON-serialisable") from exc
    return out


def check_patch(item_id: str, patch: Mapping[str, Any], validators: Validators) -> dict[str, str | None]:
    """Check the fields an update sets and return them encoded."""
    where = f"item {item_id!r}"
    out: dict[str, str | None] = {}
    for field, given in patch.items():
        if field not in ITEM_FIELDS:
            raise ValidationError(f"{where}: unknown field {field!r} (fields are {', '.join(ITEM_FIELDS)})")
        value = None if _missing(given) else given
        if field == "input" and value is None:
            raise ValidationError(f"{where}: field input cannot be removed")
        problem = validators.problem(field, value) if value is not None else None
        if problem:
            raise ValidationError(f"{where}: field {field} does not match the dataset's schema: {problem}")
        out[field] = encode(value, where=f"{where}: field {field}")
    return out
