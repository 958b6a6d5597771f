"""Shared fixtures: every test gets its own store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench import Workbench
from workbench.simulator import SimulatedLLMServer


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    """An empty store in a temporary folder."""
    return Workbench(tmp_path / "store")


@pytest.fixture
def llm_server() -> Iterator[SimulatedLLMServer]:
    """A simulated LLM server on 127.0.0.1 speaking the OpenAI and Anthropic wire formats."""
    with SimulatedLLMServer(latency=0.0) as server:
        yield server
