"""Provider tests run without real keys, base URLs, price files or a ``.env`` in the working folder."""

from __future__ import annotations

from pathlib import Path

import pytest

VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "WORKBENCH_PRICES",
)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No provider variables from the environment, and a working folder without ``.env``."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
