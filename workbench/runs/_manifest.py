"""A run's manifest: its configuration snapshot, status and counts (``manifest.json``).

The manifest is small JSON, replaced through the storage layer's conditional update
(serialised), so shards in several processes can each update their own part of it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson

from workbench.errors import NotFoundError
from workbench.secrets import redact_obj
from workbench.specs import RunSpec
from workbench.storage import CorruptFileError, LocalStorage, Storage

MANIFEST = "manifest.json"
Status = Literal["pending", "running", "completed", "failed", "cancelled", "interrupted"]
STATUSES: tuple[Status, ...] = ("pending", "running", "completed", "failed", "cancelled", "interrupted")
FINISHED: tuple[Status, ...] = ("completed", "failed", "cancelled", "interrupted")
"""The statuses a shard ends with: ``interrupted`` is Ctrl-C (resumable, like ``cancelled``)."""


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
    pid_started: int | None = None
    """When the process ``pid`` started (clock ticks since boot): tells a reused pid from the writer."""


@dataclass
class RunManifest:
    """Everything that defines a run, and where it stands.

    The definition is a :class:`~workbench.specs.RunSpec`, kept whole: its keys
    (``dataset``, ``dataset_version``, ``selection``, ``repeats``, ``target``, ``scorers``,
    ``settings``) are the manifest's, in the spec's dict form, and :attr:`spec` reads them
    back as one value. ``target`` and each of ``scorers`` is a spec's flat dict
    (``{"kind", "name", **args}``); a scorer's carries ``direction`` and ``pass_mark``.
    """

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

    @classmethod
    def from_spec(
        cls, run_id: str, spec: RunSpec, *, item_count: int, tags: dict[str, Any] | None = None
    ) -> RunManifest:
        """A new run's manifest: the run's definition ``spec`` and the planned item count."""
        return cls(id=run_id, item_count=item_count, tags=dict(tags or {}), **spec.to_dict())

    @property
    def spec(self) -> RunSpec:
        """The run's whole definition (what resume builds the target and scorers from)."""
        return RunSpec.from_dict(
            {
                "dataset": self.dataset,
                "dataset_version": self.dataset_version,
                "selection": self.selection,
                "repeats": self.repeats,
                "target": self.target,
                "scorers": self.scorers,
                "settings": self.settings,
            }
        )

    @property
    def status(self) -> Status:
        """Overall status: failed/cancelled/interrupted if any shard is, running while any is, completed
        when all are — unless every unit of the run errored: then it is ``failed`` (see :attr:`all_errored`).
        """
        states = {s.status for s in self.shards.values()}
        if not states:
            return "pending"
        ordered: tuple[Status, ...] = ("failed", "cancelled", "interrupted", "running")
        for status in ordered:
            if status in states:
                return status
        n = self.shard_count
        if states == {"completed"} and len(self.shards) == n:
            return "failed" if self.all_errored else "completed"
        return "running" if "completed" in states else "pending"

    @property
    def all_errored(self) -> bool:
        """Whether every planned unit is done and every one errored (such a run is ``failed``, not completed).

        A run with only *some* errors is ``completed``; its counts say how many units errored.
        """
        counts = self.counts()
        return counts["total"] > 0 and counts["errors"] >= counts["total"] and counts["done"] >= counts["total"]

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


def run_storage(folder: Path) -> Storage:
    """The storage of one run folder (paths inside it: ``manifest.json``, ``results/part-...``)."""
    return LocalStorage(folder)


def parse_manifest(raw: bytes, where: str) -> RunManifest:
    """A manifest from its bytes; :class:`CorruptFileError` naming ``where`` and what is wrong."""
    try:
        return RunManifest.from_json(raw)
    except orjson.JSONDecodeError as exc:
        raise CorruptFileError(f"{where}: not valid JSON ({exc})") from None
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        reason = str(exc).replace("RunManifest.__init__() ", "").replace("ShardState.__init__() ", "shard: ")
        raise CorruptFileError(f"{where}: not a run manifest ({reason})") from None


def read_manifest(folder: Path) -> RunManifest:
    """The manifest of the run in ``folder``.

    Raises:
        NotFoundError: there is no run there.
        CorruptFileError: the file is not a readable manifest (the message names it and says why).
    """
    try:
        raw = run_storage(folder).read_bytes(MANIFEST)
    except NotFoundError:
        raise NotFoundError(f"run {folder.name!r} does not exist") from None
    return parse_manifest(raw, str(folder / MANIFEST))


def write_manifest(folder: Path, manifest: RunManifest) -> None:
    """Write a new manifest (at run creation)."""
    run_storage(folder).update(MANIFEST, lambda _: manifest.to_json())


def update_manifest(folder: Path, change: Callable[[RunManifest], None]) -> RunManifest:
    """Read, change and replace the manifest, serialised with every other update; return the new one."""
    changed: list[RunManifest] = []

    def apply(raw: bytes | None) -> bytes:
        if raw is None:
            raise NotFoundError(f"run {folder.name!r} does not exist")
        manifest = parse_manifest(raw, str(folder / MANIFEST))
        change(manifest)
        changed[:] = [manifest]
        return manifest.to_json()

    run_storage(folder).update(MANIFEST, apply)
    return changed[0]
