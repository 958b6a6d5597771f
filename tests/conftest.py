"""Shared fixtures: every test gets its own store in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import Workbench


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    """An empty store in a temporary folder."""
    return Workbench(tmp_path / "store")
