"""A dataset's description, metadata and schemas: ``dataset.json`` beside its item log.

These are not item data, so changing them makes no new dataset version; the file
is replaced atomically through the storage layer, under the dataset's lock, so two
writers never lose an update.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from workbench.errors import NotFoundError
from workbench.storage import CorruptFileError, LocalStorage, Storage

INFO_FILE = "dataset.json"


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the microsecond."""
    return datetime.now(UTC).isoformat()


@dataclass
class DatasetInfo:
    """What ``dataset.json`` holds."""

    name: str
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    input_schema: dict[str, Any] | None = None
    expected_schema: dict[str, Any] | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    @classmethod
    def read(cls, folder: Path) -> DatasetInfo:
        """Read the info of the dataset in ``folder``.

        Raises:
            NotFoundError: there is no ``dataset.json``.
            CorruptFileError: it is not a readable dataset description (named, with the reason).
        """
        storage = dataset_storage(folder)
        try:
            raw_bytes = storage.read_bytes(INFO_FILE)
        except NotFoundError:
            raise NotFoundError(f"dataset {folder.name!r} does not exist") from None
        try:
            raw = orjson.loads(raw_bytes)
            return cls(**{k: raw[k] for k in raw if k in cls.__dataclass_fields__})
        except (orjson.JSONDecodeError, TypeError) as exc:
            raise CorruptFileError(f"{storage.uri(INFO_FILE)}: not a dataset description ({exc})") from None

    def write(self, folder: Path) -> None:
        """Replace the info of the dataset in ``folder`` atomically."""
        data = orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2)
        dataset_storage(folder).write_atomic(INFO_FILE, data)


def dataset_storage(folder: Path) -> Storage:
    """The storage of one dataset's folder (paths inside it: ``dataset.json``, ``items/``)."""
    return LocalStorage(folder)


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the dataset's lock (one metadata writer or commit at a time, across processes)."""
    with dataset_storage(folder).lock(""):
        yield
