"""API keys: from the environment, else from a ``.env`` file; never written anywhere."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values


def api_key(variable: str, root: Path | None = None) -> str | None:
    """The value of ``variable`` from the environment, ``./.env`` or ``<root>/.env``."""
    value = os.environ.get(variable)
    if value:
        return value
    for folder in (Path.cwd(), root):
        if folder is None:
            continue
        env_file = folder / ".env"
        if env_file.is_file():
            found = dotenv_values(env_file).get(variable)
            if found:
                return found
    return None
