"""Version files of one prompt: ``<folder>/<name>/v000001.json``, written once, never replaced.

Every function takes the :class:`~workbench.storage.Storage` of one prompt's folder
(paths inside it are the version files' names).
"""

from __future__ import annotations

import re

import orjson

from workbench.errors import NotFoundError, ValidationError
from workbench.prompts._prompt import Prompt
from workbench.storage import Storage

_VERSION_FILE = re.compile(r"^v(\d+)\.json$")


def version_path(version: int) -> str:
    """The file of ``version`` in a prompt's folder."""
    return f"v{version:06d}.json"


def version_numbers(storage: Storage) -> list[int]:
    """The prompt's versions, ascending (empty when the folder does not exist)."""
    return sorted(int(m.group(1)) for n in storage.list("", ".json") if (m := _VERSION_FILE.match(n)))


def read_version(storage: Storage, version: int) -> Prompt:
    """Read one version file."""
    path = version_path(version)
    try:
        raw = orjson.loads(storage.read_bytes(path))
        return Prompt(
            name=str(raw["name"]),
            version=int(raw["version"]),
            template=str(raw["template"]),
            system=None if raw["system"] is None else str(raw["system"]),
            note=str(raw["note"]),
            variables=[str(v) for v in raw["variables"]],
            created_at=str(raw["created_at"]),
        )
    except NotFoundError:
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"prompt file {storage.uri(path)} is damaged: {exc}") from None


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


def publish(storage: Storage, prompt: Prompt) -> bool:
    """Write ``prompt``'s version file unless that version exists; ``False`` if it does.

    A conditional update that only creates: when another writer took the number
    first, nothing is written, so no version is ever overwritten and none is seen
    half-written (the write itself is atomic).
    """
    data = _encode(prompt)
    taken = False

    def create(current: bytes | None) -> bytes:
        nonlocal taken
        if current is not None:
            taken = True
            return current  # unchanged: nothing is written
        return data

    storage.update(version_path(prompt.version), create)
    return not taken
