"""``LocalStorage``: the store's files on a local folder, through the ``Storage`` interface."""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from workbench.errors import NotFoundError, WorkbenchError
from workbench.storage import TEMP_SUFFIX, LocalStorage, Storage, StorageError


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "store")


def every_file(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_it_is_a_storage(storage: LocalStorage) -> None:
    assert isinstance(storage, Storage)


def test_write_then_read_back_creating_folders(storage: LocalStorage) -> None:
    storage.write_atomic("runs/r1/manifest.json", b'{"a": 1}')
    assert storage.read_bytes("runs/r1/manifest.json") == b'{"a": 1}'
    storage.write_atomic("runs/r1/manifest.json", b"{}")
    assert storage.read_bytes("runs/r1/manifest.json") == b"{}"
    assert storage.exists("runs/r1")
    assert storage.exists("runs/r1/manifest.json")
    assert not storage.exists("runs/r2")


def test_reading_a_missing_file_names_it(storage: LocalStorage) -> None:
    with pytest.raises(NotFoundError, match=r"store/runs/nope/manifest.json does not exist"):
        storage.read_bytes("runs/nope/manifest.json")


def test_open_atomic_is_invisible_until_the_block_ends(storage: LocalStorage) -> None:
    with storage.open_atomic("a/part.parquet") as fh:
        fh.write(b"half")
        assert not storage.exists("a/part.parquet")
        assert storage.list("a") == []  # the temporary file is never listed
    assert storage.read_bytes("a/part.parquet") == b"half"


def test_an_error_inside_open_atomic_leaves_nothing(storage: LocalStorage) -> None:
    storage.write_atomic("a/keep.json", b"old")

    def write_then_fail() -> None:
        with storage.open_atomic("a/keep.json") as fh:
            fh.write(b"new")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert storage.read_bytes("a/keep.json") == b"old"
    assert every_file(storage.root) == ["a/keep.json"]


def test_list_gives_direct_entries_by_suffix_without_hidden_or_temporary_ones(storage: LocalStorage) -> None:
    for path in ("runs/r2/manifest.json", "runs/r1/results/p-1.parquet", "runs/r1/results/p-2.parquet"):
        storage.write_atomic(path, b"x")
    (storage.root / "runs/r1/results" / f"p-3.parquet.abc{TEMP_SUFFIX}").write_bytes(b"half")
    with storage.lock("runs/r1/results"):
        pass  # leaves its .lock file
    assert storage.list("runs") == ["runs/r1", "runs/r2"]
    assert storage.list("runs/r1/results", ".parquet") == ["runs/r1/results/p-1.parquet", "runs/r1/results/p-2.parquet"]
    assert storage.list("runs/r9") == []
    assert storage.list("") == ["runs"]


def test_delete_files_and_folders_and_ignore_missing(storage: LocalStorage) -> None:
    storage.write_atomic("a/b/c.json", b"x")
    storage.write_atomic("a/d.json", b"x")
    storage.delete("a/d.json")
    storage.delete("a/d.json")
    assert not storage.exists("a/d.json")
    storage.delete("a")
    assert not storage.exists("a")


@pytest.mark.parametrize("path", ["../outside", "/etc/passwd", "a/../../b", "a\\b"])
def test_paths_outside_the_store_are_refused(storage: LocalStorage, path: str) -> None:
    with pytest.raises(StorageError, match="not a store-relative path"):
        storage.read_bytes(path)


def test_uri_and_local_path_keep_spaces_and_unicode(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "My Projects" / "données")
    storage.write_atomic("runs/a b/x.json", b"1")
    assert storage.local_path("runs/a b/x.json").read_bytes() == b"1"
    assert storage.uri("runs/a b/x.json") == str((tmp_path / "My Projects" / "données" / "runs/a b/x.json").absolute())


def test_update_reads_modifies_and_writes_and_an_error_changes_nothing(storage: LocalStorage) -> None:
    assert storage.update("c/n", lambda old: b"1" if old is None else old + b"1") == b"1"
    assert storage.update("c/n", lambda old: b"1" if old is None else old + b"1") == b"11"

    def fail(old: bytes | None) -> bytes:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        storage.update("c/n", fail)
    assert storage.read_bytes("c/n") == b"11"


def test_update_returning_the_current_bytes_writes_nothing(storage: LocalStorage) -> None:
    storage.write_atomic("c/n", b"1")
    before = (storage.root / "c/n").stat().st_mtime_ns
    assert storage.update("c/n", lambda old: old if old is not None else b"2") == b"1"
    assert (storage.root / "c/n").stat().st_mtime_ns == before


def test_update_inside_the_lock_of_its_folder_does_not_deadlock(storage: LocalStorage) -> None:
    with storage.lock("c"), storage.lock("c"):
        storage.update("c/n", lambda old: b"x")
    assert storage.read_bytes("c/n") == b"x"


def _increment(old: bytes | None) -> bytes:
    return str(int(old or b"0") + 1).encode()


def test_concurrent_updates_from_threads_lose_nothing(storage: LocalStorage) -> None:
    def work() -> None:
        for _ in range(50):
            storage.update("c/n", _increment)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert storage.read_bytes("c/n") == b"200"


def _increment_in_process(root: str, times: int) -> None:
    storage = LocalStorage(root)
    for _ in range(times):
        storage.update("c/n", _increment)


@pytest.mark.slow
def test_concurrent_updates_from_processes_lose_nothing(storage: LocalStorage) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_increment_in_process, args=(str(storage.root), 100)) for _ in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert storage.read_bytes("c/n") == b"200"


def test_a_file_system_error_names_the_file_and_the_cause(storage: LocalStorage) -> None:
    storage.write_atomic("a/file", b"x")
    with pytest.raises(StorageError, match=r"could not write .*a/file/b: (File exists|Not a directory)$") as info:
        storage.write_atomic("a/file/b", b"y")
    assert isinstance(info.value, WorkbenchError)
    assert isinstance(info.value, OSError)
    assert every_file(storage.root) == ["a/file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_a_read_only_folder_is_a_storage_error(storage: LocalStorage) -> None:
    storage.write_atomic("ro/x", b"x")
    (storage.root / "ro").chmod(0o555)
    try:
        with pytest.raises(StorageError, match="Permission denied"):
            storage.write_atomic("ro/y", b"y")
    finally:
        (storage.root / "ro").chmod(0o755)
