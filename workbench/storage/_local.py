"""``LocalStorage``: the store on a local (POSIX) file system.

Atomic writes go to a temporary file beside the target (fsynced), renamed over it in
one ``os.replace``, then the folder is fsynced so the rename survives a crash. Locks
are ``flock`` on a hidden file in the locked folder (``<folder>/.lock``), taken once
per process and shared re-entrantly by the thread that holds it, so an ``update``
(which holds its folder's lock) inside a ``lock`` of that folder does not deadlock.
"""

from __future__ import annotations

import fcntl
import os
import posixpath
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from workbench.errors import NotFoundError
from workbench.storage._errors import StorageError, describe
from workbench.storage._protocol import TEMP_SUFFIX

LOCK_NAME = ".lock"
"""The file in a folder that ``lock(folder)`` takes (hidden: never listed)."""


class LocalStorage:
    """The store under the local folder ``root``.

    Args:
        root: the folder every store path is relative to.

    Examples:
        >>> import tempfile
        >>> s = LocalStorage(tempfile.mkdtemp())
        >>> s.write_atomic("runs/r1/manifest.json", b"{}")
        >>> s.read_bytes("runs/r1/manifest.json")
        b'{}'
        >>> s.list("runs")
        ['runs/r1']
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    # -- paths --------------------------------------------------------------------
    def local_path(self, path: str) -> Path:
        """The file on disk for the store path ``path`` (``""`` is the root)."""
        if not isinstance(path, str):
            raise StorageError(f"a store path is a string, got {type(path).__name__}")
        parts = PurePosixPath(path).parts
        if path.startswith("/") or "\\" in path or ".." in parts:
            raise StorageError(f"{path!r} is not a store-relative path (no leading '/', no '..')")
        return self.root.joinpath(*parts)

    def uri(self, path: str) -> str:
        """The absolute local path as text (DuckDB and deltalake take it as it is, spaces and all)."""
        return str(self.local_path(path).absolute())

    # -- reading ----------------------------------------------------------------------
    def read_bytes(self, path: str) -> bytes:
        """The file's bytes (``NotFoundError`` if absent; ``StorageError`` naming the cause otherwise)."""
        target = self.local_path(path)
        try:
            return target.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            raise NotFoundError(f"{target} does not exist") from None
        except OSError as exc:
            raise describe("read", str(target), exc) from None

    def exists(self, path: str) -> bool:
        """Whether a file or folder is at ``path``."""
        return self.local_path(path).exists()

    def list(self, prefix: str, suffix: str = "") -> list[str]:
        """Entries directly under the folder ``prefix`` ending with ``suffix`` (no hidden or temporary ones)."""
        folder = self.local_path(prefix)
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise describe("list", str(folder), exc) from None
        base = prefix.strip("/")
        return sorted(
            f"{base}/{n}" if base else n
            for n in names
            if n.endswith(suffix) and not n.startswith(".") and not n.endswith(TEMP_SUFFIX)
        )

    # -- writing ----------------------------------------------------------------------
    @contextmanager
    def open_atomic(self, path: str) -> Iterator[BinaryIO]:
        """A binary file that replaces ``path`` when the block exits cleanly (fsynced, then renamed).

        On any error the temporary file is removed; a file-system error (a full disk, no
        permission) is raised as a :class:`StorageError` naming ``path`` and the cause.
        """
        target = self.local_path(path)
        tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "xb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            if isinstance(exc, StorageError):
                raise
            raise describe("write", str(target), exc) from None
        finally:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
            except OSError:  # pragma: no cover - cleanup is best effort; the error above matters
                pass
        fsync_dir(target.parent)

    def write_atomic(self, path: str, data: bytes) -> None:
        """Replace (or create) ``path`` with ``data`` atomically."""
        with self.open_atomic(path) as fh:
            fh.write(data)

    def delete(self, path: str) -> None:
        """Remove the file or folder at ``path``; nothing happens if it is absent."""
        target = self.local_path(path)
        try:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise describe("delete", str(target), exc) from None

    def update(self, path: str, fn: Callable[[bytes | None], bytes]) -> bytes:
        """Read-modify-write ``path`` under the lock of its folder; ``fn(current or None)`` returns the new bytes.

        Holding the folder's lock (not one per file) needs one lock file per folder and
        lets a caller serialise several reads and updates with one ``lock(folder)``.
        """
        with self.lock(posixpath.dirname(path)):
            try:
                current: bytes | None = self.read_bytes(path)
            except NotFoundError:
                current = None
            new = fn(current)
            if new is not current:
                self.write_atomic(path, new)
            return new

    # -- locking ----------------------------------------------------------------------
    @contextmanager
    def lock(self, path: str) -> Iterator[None]:
        """Hold the lock named ``path`` across threads and processes (re-entrant in a thread).

        The lock is an ``flock`` on the hidden file ``<path>/.lock``: the lock of a folder
        lives in it, moves with it when it is renamed and goes when it is deleted.
        """
        held = _lock_for(os.path.abspath(self.local_path(path) / LOCK_NAME))
        held.acquire()
        try:
            yield
        finally:
            held.release()


class _FileLock:
    """An ``flock`` taken once per process, re-entrant for the thread that holds it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    def acquire(self) -> None:
        self.thread_lock.acquire()
        if self.depth == 0:
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                self.thread_lock.release()
                raise describe("lock", self.path, exc) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                self.thread_lock.release()
                raise
            self.fd = fd
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        self.thread_lock.release()


_registry_lock = threading.Lock()
_file_locks: dict[str, _FileLock] = {}


def _lock_for(path: str) -> _FileLock:
    with _registry_lock:
        lock = _file_locks.get(path)
        if lock is None:
            lock = _file_locks[path] = _FileLock(path)
        return lock


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (renames, new files) to disk where the OS allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a folder that cannot be fsynced (some file systems) is not an error of the write
    finally:
        os.close(fd)


__all__ = ["LocalStorage", "fsync_dir"]
