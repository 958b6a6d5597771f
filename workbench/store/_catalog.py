"""The folder of datasets: create, open, list, rename and delete them."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from workbench.errors import CorruptFileError, NotFoundError, ValidationError
from workbench.storage import fsync_dir
from workbench.store._dataset import ITEMS_DIR, Dataset
from workbench.store._info import INFO_FILE, DatasetInfo
from workbench.store._names import check_store_folder, folder_name, name_of_folder, validate_name
from workbench.store._schema import compile_schema
from workbench.store._table import ItemLog
from workbench.store._unreadable import warn_unreadable


class Catalog:
    """The datasets under one folder (``<root>/datasets``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = check_store_folder(folder)

    def _path(self, name: str) -> Path:
        return self.folder / folder_name(validate_name(name))

    def exists(self, name: str) -> bool:
        """Whether a dataset called ``name`` exists."""
        return (self._path(name) / INFO_FILE).is_file()

    def create(
        self,
        name: str,
        *,
        description: str = "",
        metadata: Mapping[str, Any] | None = None,
        input_schema: dict[str, Any] | None = None,
        expected_schema: dict[str, Any] | None = None,
    ) -> Dataset:
        """Create an empty dataset (version 0); everything is checked before a file is made."""
        final = self._path(name)
        if not isinstance(description, str):
            raise ValidationError("description must be a string")
        if metadata is not None and not isinstance(metadata, Mapping):
            raise ValidationError("metadata must be a JSON object")
        compile_schema(input_schema, field="input")
        compile_schema(expected_schema, field="expected_output")
        if final.exists():
            raise ValidationError(f"dataset {name!r} already exists")
        info = DatasetInfo(
            name=name,
            description=description,
            metadata=orjson.loads(orjson.dumps(dict(metadata or {}))),
            input_schema=input_schema,
            expected_schema=expected_schema,
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sweep()
        # Built in a hidden folder, then renamed: a crash leaves no half-made dataset.
        building = self.folder / f".creating-{uuid.uuid4().hex}"
        building.mkdir()
        try:
            ItemLog.create(building / ITEMS_DIR)
            info.write(building)
            try:
                os.rename(building, final)
            except OSError as exc:
                raise ValidationError(f"dataset {name!r} already exists") from exc
            fsync_dir(self.folder)
        finally:
            if building.exists():
                shutil.rmtree(building, ignore_errors=True)
        return Dataset(final)

    def _sweep(self, older_than: float = 3600.0) -> None:
        """Remove what crashed creates and deletes left behind (hidden, older than an hour)."""
        now = time.time()
        for path in self.folder.glob(".*-*"):
            if path.name.startswith((".creating-", ".deleted-")) and now - path.stat().st_mtime > older_than:
                shutil.rmtree(path, ignore_errors=True)

    def open(self, name: str) -> Dataset:
        """The dataset called ``name``."""
        if not self.exists(name):
            known = ", ".join(self.names()) or "none"
            raise NotFoundError(f"dataset {name!r} does not exist (datasets: {known})")
        return Dataset(self._path(name))

    def names(self) -> list[str]:
        """Names of every dataset, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(
            name_of_folder(p.name)
            for p in self.folder.iterdir()
            if not p.name.startswith(".") and (p / INFO_FILE).is_file()
        )

    def list(self) -> pd.DataFrame:
        """One row per dataset: name, description, version, items, created_at, updated_at.

        A dataset whose Delta log cannot be read is left out with an
        :class:`~workbench.errors.UnreadableFileWarning` naming the file.
        """
        rows = []
        for name in self.names():
            ds = Dataset(self._path(name))
            info = ds.info
            log = ds._log  # noqa: SLF001 - the same package
            try:
                last = log.last_commit(log.table())
            except CorruptFileError as exc:
                warn_unreadable(exc)
                continue
            updated = datetime.fromisoformat(info.updated_at)
            if last.timestamp_ms is not None:
                updated = max(updated, datetime.fromtimestamp(last.timestamp_ms / 1000, tz=UTC))
            rows.append(
                {
                    "name": name,
                    "description": info.description,
                    "version": last.version,
                    "items": last.item_count,
                    "created_at": datetime.fromisoformat(info.created_at),
                    "updated_at": updated,
                }
            )
        columns = ["name", "description", "version", "items", "created_at", "updated_at"]
        return pd.DataFrame(rows, columns=columns)

    def rename(self, old: str, new: str) -> Dataset:
        """Give a dataset a new name (its versions and history come along)."""
        src = self._path(old)
        if not self.exists(old):
            raise NotFoundError(f"dataset {old!r} does not exist")
        dst = self._path(new)
        if dst.exists():
            raise ValidationError(f"dataset {new!r} already exists")
        try:
            os.rename(src, dst)
        except OSError as exc:  # another process took the name first
            raise ValidationError(f"dataset {new!r} already exists") from exc
        info = DatasetInfo.read(dst)
        info.name = new
        info.write(dst)
        return Dataset(dst)

    def delete(self, name: str) -> None:
        """Delete a dataset and every version of it."""
        path = self._path(name)
        if not self.exists(name):
            raise NotFoundError(f"dataset {name!r} does not exist")
        # Renamed away first so the dataset disappears in one step, then removed.
        doomed = self.folder / f".deleted-{uuid.uuid4().hex}"
        os.rename(path, doomed)
        fsync_dir(self.folder)
        shutil.rmtree(doomed, ignore_errors=True)
