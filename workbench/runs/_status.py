"""What a run's stored status means now: is the process behind a ``running`` shard still there?

A manifest says ``running`` from the moment a shard starts until it writes its final
status; a shard whose process was killed (SIGKILL, a crash, a power cut) never writes
it. Each shard records its host, pid and the pid's start time, so on the same host a
listing can tell a live shard from a dead one (a reused pid has another start time).
Another host's process cannot be checked from here: that shard is ``running?``.

Shards executing in this process are registered in :data:`_active` while they run, so
a shard of this process whose engine has stopped (a full disk, a crash of the engine)
is not mistaken for a live one and can be resumed from the same process.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Literal

from workbench.errors import WorkbenchWarning
from workbench.runs._manifest import RunManifest, ShardState, Status

ObservedStatus = Status | Literal["running?"]
"""A stored status (``interrupted`` after Ctrl-C), ``interrupted`` for a stored ``running`` whose process is
gone, or ``running?`` (its process is on another host)."""

_active: set[tuple[str, str]] = set()
_active_lock = threading.Lock()


class UnreadableRunWarning(WorkbenchWarning):
    """A run skipped by a listing because its files cannot be read (the message names the file)."""


def _key(folder: Path, shard: str) -> tuple[str, str]:
    return (os.path.abspath(folder), shard)


def mark_active(folder: Path, shard: str) -> None:
    """Record that this process is executing ``shard`` of the run in ``folder``."""
    with _active_lock:
        _active.add(_key(folder, shard))


def mark_inactive(folder: Path, shard: str) -> None:
    """Record that this process no longer executes ``shard`` of the run in ``folder``."""
    with _active_lock:
        _active.discard(_key(folder, shard))


def process_started(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (``None`` where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:  # not a store file: the kernel's process table
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split()  # the command name may hold spaces
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def shard_alive(folder: Path, shard: str, state: ShardState) -> bool | None:
    """Whether the process that runs ``shard`` is alive: ``None`` when it is on another host."""
    if state.host != socket.gethostname():
        return None
    if state.pid == os.getpid():
        with _active_lock:
            return _key(folder, shard) in _active
    try:
        os.kill(state.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's live process
    if state.pid_started is not None:
        started = process_started(state.pid)
        if started is not None and started != state.pid_started:
            return False  # the pid was reused by another process
    return True


def observed_status(folder: Path, manifest: RunManifest) -> ObservedStatus:
    """The run's status as it is now: a stored ``running`` checked against the shards' processes."""
    status = manifest.status
    if status != "running":
        return status
    alive = [shard_alive(folder, key, s) for key, s in manifest.shards.items() if s.status == "running"]
    if False in alive:
        return "interrupted"
    if None in alive:
        return "running?"
    return "running"


def interrupted_shards(folder: Path, manifest: RunManifest) -> list[str]:
    """The shards stopped by Ctrl-C, and those stored as ``running`` whose process on this host is gone."""
    return [
        key
        for key, s in manifest.shards.items()
        if s.status == "interrupted" or (s.status == "running" and shard_alive(folder, key, s) is False)
    ]


def resume_hint(folder: Path, manifest: RunManifest) -> str:
    """How to resume an interrupted run (``""`` when no shard of it is interrupted)."""
    shards = interrupted_shards(folder, manifest)
    if not shards:
        return ""
    if manifest.shard_count == 1:
        return f"interrupted: resume with `workbench run --resume {manifest.id}` or wb.resume({manifest.id!r})"
    commands = "; ".join(f"`workbench run --resume {manifest.id} --shard {key}`" for key in shards)
    return f"interrupted: resume with {commands}"


__all__ = [
    "ObservedStatus",
    "UnreadableRunWarning",
    "interrupted_shards",
    "mark_active",
    "mark_inactive",
    "observed_status",
    "process_started",
    "resume_hint",
    "shard_alive",
]
