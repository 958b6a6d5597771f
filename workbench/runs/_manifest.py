"""A run's manifest: its configuration snapshot, status and counts (``manifest.json``).

The manifest is small JSON, replaced atomically under the run folder's lock, so
shards in several processes can each update their own part of it.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson

from workbench._fs import atomic_write_bytes
from workbench.errors import NotFoundError
from workbench.secrets import redact_obj

MANIFEST = "manifest.json"
Status = Literal["pending", "running", "completed", "failed", "cancelled"]
STATUSES: tuple[Status, ...] = ("pending", "running", "completed", "failed", "cancelled")


def now_iso() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat()


@dataclass
class ShardState:
    """Progress of one shard (``"0/1"`` for an unsharded run)."""

    status: Status = "pending"
    total: int = 0
    done: int = 0
    errors: int = 0
    scorer_errors: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    error: str | None = None


@dataclass
class RunManifest:
    """Everything that defines a run, and where it stands."""

    id: str
    dataset: str | None
    dataset_version: int | None
    selection: Literal["all", "item_ids", "live"]
    item_count: int
    repeats: int
    target: dict[str, Any]
    scorers: list[dict[str, Any]]
    settings: dict[str, Any]
    tags: dict[str, Any] = field(default_factory=dict)
    shards: dict[str, ShardState] = field(default_factory=dict)
    created_at: str = field(default_factory=now_iso)

    @property
    def status(self) -> Status:
        """Overall status: failed/cancelled if any shard is, running while any is, completed when all are."""
        states = {s.status for s in self.shards.values()}
        if not states:
            return "pending"
        ordered: tuple[Status, ...] = ("failed", "cancelled", "running")
        for status in ordered:
            if status in states:
                return status
        n = self.shard_count
        if states == {"completed"} and len(self.shards) == n:
            return "completed"
        return "running" if "completed" in states else "pending"

    @property
    def shard_count(self) -> int:
        """How many shards the run is split into."""
        if not self.shards:
            return 1
        return int(next(iter(self.shards)).split("/")[1])

    def counts(self) -> dict[str, int]:
        """Planned units (items x repeats), done, errors, scorer errors, summed over shards."""
        total = self.item_count * self.repeats
        done = sum(s.done for s in self.shards.values())
        errors = sum(s.errors for s in self.shards.values())
        scorer_errors = sum(s.scorer_errors for s in self.shards.values())
        return {"total": total, "done": done, "errors": errors, "scorer_errors": scorer_errors}

    def to_json(self) -> bytes:
        """The manifest as written to disk (with the derived status and counts for readers)."""
        data = asdict(self)
        data["status"] = self.status
        data["counts"] = self.counts()
        data = redact_obj(data)  # no secret on disk: user-info, header values, echoed keys in errors
        return orjson.dumps(data, option=orjson.OPT_INDENT_2)

    @classmethod
    def from_json(cls, raw: bytes) -> RunManifest:
        """Read a manifest written by :meth:`to_json`."""
        data = orjson.loads(raw)
        data.pop("status", None)
        data.pop("counts", None)
        shards = {k: ShardState(**v) for k, v in data.pop("shards", {}).items()}
        return cls(**data, shards=shards)


def read_manifest(folder: Path) -> RunManifest:
    """The manifest of the run in ``folder``."""
    try:
        return RunManifest.from_json((folder / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise NotFoundError(f"run {folder.name!r} does not exist") from None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def write_manifest(folder: Path, manifest: RunManifest) -> None:
    """Write a new manifest (at run creation)."""
    with _locked(folder):
        atomic_write_bytes(folder / MANIFEST, manifest.to_json())


def update_manifest(folder: Path, change: Callable[[RunManifest], None]) -> RunManifest:
    """Read, change and replace the manifest under the run's lock; return the new one."""
    with _locked(folder):
        manifest = read_manifest(folder)
        change(manifest)
        atomic_write_bytes(folder / MANIFEST, manifest.to_json())
        return manifest
