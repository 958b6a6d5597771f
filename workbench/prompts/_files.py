"""Version files of one prompt: ``<folder>/<name>/v000001.json``, written once, never replaced."""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path

import orjson

from workbench._fs import TEMP_SUFFIX, fsync_dir
from workbench.errors import ValidationError
from workbench.prompts._prompt import Prompt

_VERSION_FILE = re.compile(r"^v(\d+)\.json$")


def version_path(folder: Path, version: int) -> Path:
    """The file of ``version`` in a prompt's folder."""
    return folder / f"v{version:06d}.json"


def version_numbers(folder: Path) -> list[int]:
    """The prompt's versions, ascending (empty when the folder does not exist)."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(int(m.group(1)) for n in names if (m := _VERSION_FILE.match(n)))


def read_version(folder: Path, version: int) -> Prompt:
    """Read one version file."""
    path = version_path(folder, version)
    try:
        raw = orjson.loads(path.read_bytes())
        return Prompt(
            name=str(raw["name"]),
            version=int(raw["version"]),
            template=str(raw["template"]),
            system=None if raw["system"] is None else str(raw["system"]),
            note=str(raw["note"]),
            variables=[str(v) for v in raw["variables"]],
            created_at=str(raw["created_at"]),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"prompt file {path} is damaged: {exc}") from None


def _encode(prompt: Prompt) -> bytes:
    fields = {
        "name": prompt.name,
        "version": prompt.version,
        "template": prompt.template,
        "system": prompt.system,
        "note": prompt.note,
        "variables": prompt.variables,
        "created_at": prompt.created_at,
    }
    return orjson.dumps(fields, option=orjson.OPT_INDENT_2)


def publish(folder: Path, prompt: Prompt) -> bool:
    """Write ``prompt``'s version file unless that version exists; ``False`` if it does.

    The bytes go to a temporary file (fsynced, read-only) that is then hard-linked
    to the version's name: the link fails when another writer took the number
    first, so no version is ever overwritten and none is seen half-written. Where
    the file system has no hard links, an ``O_EXCL`` create does the same check.
    """
    data = _encode(prompt)
    target = version_path(folder, prompt.version)
    tmp = folder / f".{target.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}"
    try:
        _write_new(tmp, data)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:  # no hard links here (some network and FUSE file systems)
            try:
                _write_new(target, data)
            except FileExistsError:
                return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(folder)
    return True


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (``FileExistsError`` if it exists), write ``data``, fsync; read-only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o444)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
