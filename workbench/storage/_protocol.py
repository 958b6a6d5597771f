"""``Storage``: the small interface through which every read and write of the store goes.

Paths are store-relative POSIX strings (``"runs/<id>/manifest.json"``), never absolute
and never with ``..``. The local implementation is :class:`~workbench.storage.LocalStorage`;
an object-storage one (S3, GCS, Azure) implements the same methods with conditional
writes where the local one takes a lock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

TEMP_SUFFIX = ".tmp-wb"
"""Suffix of every temporary file: no glob of the store (``*.parquet``, ``*.json``) matches it."""


@runtime_checkable
class Storage(Protocol):
    """Read, write atomically, list, update conditionally and lock files of one store."""

    def read_bytes(self, path: str) -> bytes:
        """The file's bytes; :class:`~workbench.errors.NotFoundError` if it does not exist."""
        ...

    def write_atomic(self, path: str, data: bytes) -> None:
        """Replace (or create) the file so that readers see the old bytes or the new, never half."""
        ...

    def open_atomic(self, path: str) -> AbstractContextManager[BinaryIO]:
        """A binary file to write; it appears at ``path`` only when the block exits cleanly.

        On an error nothing appears and no temporary file (``*.tmp-wb``) is left behind.
        """
        ...

    def exists(self, path: str) -> bool:
        """Whether a file (or a folder) is at ``path``."""
        ...

    def list(self, prefix: str, suffix: str = "") -> list[str]:
        """The entries directly under the folder ``prefix`` whose names end with ``suffix``, sorted.

        Entries are store paths (files and sub-folders). Temporary files and hidden
        names (``.lock`` files) are never listed; a missing folder lists as empty.
        """
        ...

    def delete(self, path: str) -> None:
        """Remove the file (or the folder and all it holds); nothing happens if it is absent."""
        ...

    def update(self, path: str, fn: Callable[[bytes | None], bytes]) -> bytes:
        """Read-modify-write, serialised against every other update in ``path``'s folder.

        It holds ``lock(<folder of path>)``, so a caller holding that lock can do
        several reads and updates as one step.

        ``fn`` gets the current bytes (``None`` when the file is absent) and returns the
        new ones, which are written atomically and returned; returning the very object
        it was given writes nothing. An exception from ``fn`` leaves the file as it was.
        """
        ...

    def lock(self, path: str) -> AbstractContextManager[None]:
        """Hold the lock of the folder ``path`` (across threads and processes; re-entrant in a thread)."""
        ...

    def local_path(self, path: str) -> Path:
        """The file on the local disk (for DuckDB and deltalake reading it in place)."""
        ...

    def uri(self, path: str) -> str:
        """Where ``path`` is, as DuckDB and deltalake accept it (a plain path on local disk)."""
        ...


__all__ = ["TEMP_SUFFIX", "Storage"]
