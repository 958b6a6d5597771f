"""Keeping secrets out of reports: any API key or token in the environment is blanked out of the output.

The notebooks never print the environment; this is the second line of defence for a
user's own notebook (or a traceback) that shows one anyway.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"(API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
MIN_SECRET_LENGTH = 8
"""Shorter values ("1", "true") are not worth hiding and would blank ordinary text."""


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of environment variables whose names look secret (``*_API_KEY``, ``*TOKEN*``...), longest first."""
    env = os.environ if environ is None else environ
    found = {v for k, v in env.items() if _SECRET_NAME.search(k) and len(v.strip()) >= MIN_SECRET_LENGTH}
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with every secret value replaced by ``[redacted]``."""
    for value in secret_values() if secrets is None else secrets:
        text = text.replace(value, REDACTED)
    return text
