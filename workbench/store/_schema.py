"""Optional JSON Schemas for item fields, checked on every write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.errors import ValidationError

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


def compile_schema(schema: dict[str, Any] | None, *, field: str) -> Validator | None:
    """Check ``schema`` is a valid JSON Schema and return a validator for it.

    The schema's ``$schema`` picks the draft; draft 2020-12 is the default.

    Raises:
        ValidationError: the schema itself is invalid.
    """
    if schema is None:
        return None
    if not isinstance(schema, dict):
        raise ValidationError(f"{field} schema must be a JSON object, got {type(schema).__name__}")
    # imported when needed: jsonschema pulls in rfc3987_syntax, close to a second at start-up
    import jsonschema
    from jsonschema.exceptions import SchemaError

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        raise ValidationError(f"{field} schema is not a valid JSON Schema: {exc.message}") from exc
    validator: Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def schema_problem(validator: Validator | None, value: Any) -> str | None:
    """Return why ``value`` breaks the schema (the first error, with its path), or ``None``."""
    if validator is None:
        return None
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(value))
    if error is None:
        return None
    path = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.absolute_path)
    return f"{path + ': ' if path else ''}{error.message}"
