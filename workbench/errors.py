"""Errors raised by the workbench.

Every error a user can cause derives from :class:`WorkbenchError`, carries a
one-line message that names what is wrong, and is raised before anything is
written. So does every exception the package raises on purpose, wherever its
class lives: ``ProviderError`` (a model call), ``JudgeError`` (an unusable
judge reply), ``PartialResultError`` (a target that failed part-way),
``ReportError`` and ``KernelNotFoundError`` (reports), ``MissingValue`` (a
prompt template). Those that callers catch as a builtin derive from it too
(``NotFoundError`` is a ``KeyError``, ``ValidationError`` a ``ValueError``,
``InvalidTypeError`` a ``TypeError``, ``StateError`` and ``ScorerError`` a
``RuntimeError``).
``tests/test_errors.py`` checks every exception class of the package.
"""

from __future__ import annotations

from dataclasses import dataclass


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on bad input or state."""


class NotFoundError(WorkbenchError, KeyError):
    """A dataset, item or version that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InvalidNameError(WorkbenchError, ValueError):
    """A dataset name that cannot be used as a folder name."""


class ValidationError(WorkbenchError, ValueError):
    """An item or a value that breaks a rule (JSON, schema, duplicate id...)."""


class InvalidLabelError(ValidationError):
    """A label that is not a label name, or not in the store's taxonomy (the message suggests the closest one)."""


class FieldError(ValidationError):
    """A value of one item field that breaks a rule; knows the field and the reason."""

    def __init__(self, where: str, field: str | None, reason: str) -> None:
        self.where = where
        self.field = field
        self.reason = reason
        super().__init__(f"{where}: {'field ' + field + ' ' if field else ''}{reason}")


class InvalidTypeError(WorkbenchError, TypeError):
    """A value of the wrong kind: not a function or a scorer, or a function whose parameters cannot be filled."""


class StateError(WorkbenchError, RuntimeError):
    """A call the current state does not allow (a server already running, a loop waiting on itself)."""


class ScorerError(WorkbenchError, RuntimeError):
    """A scorer that gave an error where its score was needed (a scorer used as a target)."""


class ConflictError(WorkbenchError):
    """A concurrent writer changed the dataset in a way this write cannot re-base onto."""


class CorruptFileError(WorkbenchError, ValueError):
    """A stored file (a Parquet part, a manifest, a Delta log entry) that exists but cannot be read.

    The message names the file and what is wrong with it (truncated, not JSON, not Parquet...).
    """


class WorkbenchWarning(UserWarning):
    """Base class of the warnings the workbench gives."""


class UnreadableFileWarning(WorkbenchWarning):
    """A file left out of a query because it cannot be read (``path`` and ``reason`` say which and why)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: skipped, cannot be read ({reason})")


@dataclass(frozen=True)
class RowError:
    """One invalid row of an import: where it is and why it was refused.

    Attributes:
        line: 1-based line in the file where the row starts (the header is line 1).
        column: the file's column (or JSON key) at fault, when one is.
        field: the item field at fault (``input``, ``expected_output``...), when one is.
        reason: what is wrong, in words.
    """

    line: int
    column: str | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.field is not None and self.field != self.column:
            where += f" (field {self.field})"
        return f"{where}: {self.reason}"


class ImportValidationError(ValidationError):
    """An import refused because some rows are invalid; nothing was written."""

    def __init__(self, errors: list[RowError], total_rows: int) -> None:
        self.errors = errors
        self.total_rows = total_rows
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} of {total_rows} rows are invalid, nothing was imported: {shown}{more}")


__all__ = [
    "ConflictError",
    "FieldError",
    "ImportValidationError",
    "InvalidLabelError",
    "InvalidNameError",
    "InvalidTypeError",
    "NotFoundError",
    "RowError",
    "ScorerError",
    "StateError",
    "ValidationError",
    "WorkbenchError",
]
