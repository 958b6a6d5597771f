"""Errors of the storage layer: a file that cannot be written or read, named with its cause."""

from __future__ import annotations

from workbench.errors import CorruptFileError, WorkbenchError


class StorageError(WorkbenchError, OSError):
    """A store file could not be read or written; the message names the file and the cause.

    It is an :class:`OSError` too (``errno`` is kept), so code that handles the file
    system's own errors keeps handling it.
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


def describe(action: str, where: str, exc: OSError) -> StorageError:
    """``could not <action> <where>: <cause>`` as a :class:`StorageError` keeping ``errno``."""
    cause = exc.strerror or str(exc) or type(exc).__name__
    return StorageError(f"could not {action} {where}: {cause}", exc.errno)


__all__ = ["CorruptFileError", "StorageError", "describe"]
