"""Keeping secrets out of reports: any API key or token in the environment or a ``.env`` file is blanked out.

The notebooks never print the environment; this is the second line of defence for a
user's own notebook (or a traceback) that shows one anyway. Provider keys can also come
from ``./.env`` and ``<root>/.env`` (see ``workbench.providers._keys``), so the secret
looking values of those files are hidden too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"(API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
MIN_SECRET_LENGTH = 8
"""Shorter values ("1", "true") are not worth hiding and would blank ordinary text."""


def _dotenv_items(folders: Iterable[str | os.PathLike[str] | None]) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of the ``.env`` file in each folder (unreadable files are skipped)."""
    from dotenv import dotenv_values

    items: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for folder in folders:
        if folder is None:
            continue
        env_file = (Path(folder) / ".env").resolve()
        if env_file in seen or not env_file.is_file():
            continue
        seen.add(env_file)
        try:
            values = dotenv_values(env_file)
        except (OSError, UnicodeDecodeError):
            continue
        items += [(k, v) for k, v in values.items() if v is not None]
    return items


def secret_values(
    environ: Mapping[str, str] | None = None, *, env_dirs: Iterable[str | os.PathLike[str] | None] | None = None
) -> list[str]:
    """The values of variables whose names look secret (``*_API_KEY``, ``*TOKEN*``...), longest first (then by value).

    Args:
        environ: the variables to look at (default ``os.environ``).
        env_dirs: folders whose ``.env`` file is read too, as the providers read keys
            (default: the current folder when ``environ`` is ``os.environ``, none otherwise).
    """
    env = os.environ if environ is None else environ
    if env_dirs is None:
        env_dirs = (Path.cwd(),) if environ is None else ()
    pairs = [*env.items(), *_dotenv_items(env_dirs)]
    found = {v for k, v in pairs if _SECRET_NAME.search(k) and len(v.strip()) >= MIN_SECRET_LENGTH}
    return sorted(found, key=lambda v: (-len(v), v))  # longest first, so a key containing another is hidden whole


def redact(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with every secret value replaced by ``[redacted]``."""
    for value in secret_values() if secrets is None else secrets:
        text = text.replace(value, REDACTED)
    return text
