"""A dataset's description, metadata and schemas: ``dataset.json`` beside its item log.

These are not item data, so changing them makes no new dataset version; the file
is replaced atomically, under a lock, so two writers never lose an update.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from workbench._fs import atomic_write_bytes

INFO_FILE = "dataset.json"
LOCK_FILE = ".lock"


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
        """Read the info of the dataset in ``folder``."""
        raw = orjson.loads((folder / INFO_FILE).read_bytes())
        return cls(**{k: raw[k] for k in raw if k in cls.__dataclass_fields__})

    def write(self, folder: Path) -> None:
        """Replace the info of the dataset in ``folder`` atomically."""
        atomic_write_bytes(folder / INFO_FILE, orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the dataset folder's lock (one metadata writer at a time, across processes)."""
    with open(folder / LOCK_FILE, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
