"""``PromptStore``: every prompt a folder of immutable, numbered version files."""

from __future__ import annotations

import difflib
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd
from jinja2 import TemplateSyntaxError

from workbench.errors import ConflictError, InvalidNameError, NotFoundError, ValidationError
from workbench.prompts._files import publish, read_version, version_numbers
from workbench.prompts._prompt import Prompt
from workbench.prompts._render import compile_text, variables_of
from workbench.storage import LocalStorage, Storage
from workbench.store import validate_name

PromptRef: TypeAlias = str | tuple[str, int] | Prompt
"""``"name"`` (latest version), ``"name@3"``, ``("name", 3)`` or a :class:`Prompt`."""

log = logging.getLogger("workbench.prompts")
MAX_ATTEMPTS = 1000
_REF = re.compile(r"^(?P<name>.+)@(?P<version>\d+|latest)$")
_PREVIEW = 80


class PromptStore:
    """Prompts in ``folder``: ``<folder>/<name>/v000001.json``, ``v000002.json``...

    A version file is written once (a conditional create through the storage layer)
    and never replaced, so concurrent writers in any number of processes get
    distinct, consecutive versions.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.storage = LocalStorage(self.folder)

    def _prompt_storage(self, name: str) -> Storage:
        """The storage of one prompt's folder (paths inside it: ``v000001.json``...)."""
        return LocalStorage(self.folder / name)

    def __repr__(self) -> str:
        return f"PromptStore({str(self.folder)!r})"

    def create(self, name: str, template: str, system: str | None = None, note: str = "") -> Prompt:
        """Store a new version of prompt ``name`` (version 1 if it is new).

        When ``template`` and ``system`` equal the latest version's (and so do the
        variables, which they determine), nothing is written and the latest version is
        returned, so running the same notebook cell twice does not add a version. A line
        on the ``workbench.prompts`` logger says so: INFO, or WARNING when a different
        ``note`` was given (it is not stored).

        Raises:
            InvalidNameError: ``name`` cannot be a folder name or ends with ``@<number>``.
            ValidationError: a text is not a string, the template is blank, or a
                text is not valid Jinja2 (the message gives the line).
        """
        _check_new(name, template, system, note)
        variables = variables_of(template, system)
        folder = self._prompt_storage(name)
        for _ in range(MAX_ATTEMPTS):
            numbers = version_numbers(folder)
            if numbers:
                latest = read_version(folder, numbers[-1])
                if latest.template == template and latest.system == system:
                    _log_unchanged(latest, note)
                    return latest
            created_at = datetime.now(UTC).isoformat()
            prompt = Prompt(name, (numbers[-1] if numbers else 0) + 1, template, system, note, variables, created_at)
            if publish(folder, prompt):
                return prompt
        raise ConflictError(f"prompt {name!r}: no free version number after {MAX_ATTEMPTS} attempts")

    def get(self, ref: PromptRef) -> Prompt:
        """The version ``ref`` names: ``"name"`` (latest), ``"name@3"`` or ``("name", 3)``.

        Raises:
            NotFoundError: no such prompt or version; the message says what exists.
        """
        name, version = parse_ref(ref)
        folder = self._prompt_storage(name)
        numbers = version_numbers(folder)
        if not numbers:
            raise NotFoundError(self._no_prompt(name))
        if version is None:
            version = numbers[-1]
        elif version not in numbers:
            raise NotFoundError(f"prompt {name!r} has no version {version}; it has versions {_ranges(numbers)}")
        return read_version(folder, version)

    def names(self) -> list[str]:
        """Names of the stored prompts, sorted."""
        return sorted(
            name for name in self.storage.list("") if _usable(name) and version_numbers(self._prompt_storage(name))
        )

    def versions(self, name: str) -> pd.DataFrame:
        """One row per version: version, created_at, note, variables, system and template previews."""
        folder = self._prompt_storage(validate_name(name, what="prompt"))
        numbers = version_numbers(folder)
        if not numbers:
            raise NotFoundError(self._no_prompt(name))
        rows = [_version_row(read_version(folder, n)) for n in numbers]
        return pd.DataFrame(rows, columns=["version", "created_at", "note", "variables", "system", "template"])

    def diff(self, name: str, v1: int, v2: int) -> str:
        """Unified diff of the system text, then the template, from ``v1`` to ``v2`` ("" if equal)."""
        a, b = self.get((name, v1)), self.get((name, v2))
        lines: list[str] = []
        for part, old, new in (("system", a.system, b.system), ("template", a.template, b.template)):
            lines += difflib.unified_diff(
                (old or "").splitlines(),
                (new or "").splitlines(),
                fromfile=f"{a.ref} {part}",
                tofile=f"{b.ref} {part}",
                lineterm="",
            )
        return "\n".join(lines) + ("\n" if lines else "")

    def _no_prompt(self, name: str) -> str:
        names = self.names()
        if not names:
            return f"no prompt {name!r}: there are no prompts yet"
        more = f" and {len(names) - 10} more" if len(names) > 10 else ""
        return f"no prompt {name!r}; prompts: {', '.join(names[:10])}{more}"

    def list(self) -> pd.DataFrame:
        """One row per prompt: name, version (the latest), variables, note, created_at, updated_at."""
        rows = []
        for name in self.names():
            folder = self._prompt_storage(name)
            numbers = version_numbers(folder)
            first, last = read_version(folder, numbers[0]), read_version(folder, numbers[-1])
            rows.append(
                {
                    "name": name,
                    "version": last.version,
                    "variables": ", ".join(last.variables),
                    "note": last.note,
                    "created_at": datetime.fromisoformat(first.created_at),
                    "updated_at": datetime.fromisoformat(last.created_at),
                }
            )
        return pd.DataFrame(rows, columns=["name", "version", "variables", "note", "created_at", "updated_at"])


def _log_unchanged(latest: Prompt, note: str) -> None:
    """An INFO line; a WARNING (shown without any logging set up) when a new note is dropped."""
    dropped = note and note != latest.note
    level = logging.WARNING if dropped else logging.INFO
    tail = f"; the note {note!r} is not stored (change a text to make a new version)" if dropped else ""
    log.log(level, "prompt %s: same template and system text as the latest version, returned it%s", latest.ref, tail)


def parse_ref(ref: PromptRef) -> tuple[str, int | None]:
    """``(name, version)`` of a reference; ``None`` means the latest version."""
    if isinstance(ref, Prompt):
        return ref.name, ref.version
    if isinstance(ref, tuple) and len(ref) == 2:
        name, version = ref
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ValidationError(f"prompt version must be an integer >= 1, got {version!r}")
        return validate_name(name, what="prompt"), version
    if isinstance(ref, str):
        m = _REF.match(ref)
        if m is None:
            return validate_name(ref, what="prompt"), None
        text = m.group("version")
        return validate_name(m.group("name"), what="prompt"), None if text == "latest" else int(text)
    raise ValidationError(f"a prompt reference is 'name', 'name@3' or ('name', 3), got {ref!r}")


def _check_new(name: str, template: str, system: str | None, note: str) -> None:
    validate_name(name, what="prompt")
    if _REF.match(name):
        raise InvalidNameError(f"prompt name {name!r} ends with '@{name.rpartition('@')[2]}', read as a version")
    if not isinstance(template, str) or not template.strip():
        raise ValidationError(f"prompt {name!r}: the template must be a non-blank string, got {template!r}")
    if system is not None and not isinstance(system, str):
        raise ValidationError(f"prompt {name!r}: system must be a string or None, got {type(system).__name__}")
    if not isinstance(note, str):
        raise ValidationError(f"prompt {name!r}: note must be a string, got {type(note).__name__}")
    for part, text in (("system text", system), ("template", template)):
        if text is None:
            continue
        try:
            compile_text(text)
        except TemplateSyntaxError as exc:
            raise ValidationError(
                f"prompt {name!r}: the {part} has a Jinja syntax error on line {exc.lineno}: {exc.message}"
            ) from None


def _usable(name: str) -> bool:
    try:
        validate_name(name, what="prompt")
    except InvalidNameError:
        return False
    return True


def _version_row(p: Prompt) -> dict[str, Any]:
    return {
        "version": p.version,
        "created_at": datetime.fromisoformat(p.created_at),
        "note": p.note,
        "variables": ", ".join(p.variables),
        "system": None if p.system is None else _preview(p.system),
        "template": _preview(p.template),
    }


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
