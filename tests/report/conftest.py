"""The report tests' store, built once per session (function targets only: a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report._store import FixtureStore, build_store
from workbench import Workbench


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> FixtureStore:
    """Two versions of a support bot, a later run, a scorer-target run and a run with human labels."""
    return build_store(tmp_path_factory.mktemp("report-store"))


@pytest.fixture(scope="session")
def compare_report(store: FixtureStore) -> Path:
    """The compare_runs report of bot v1 against bot v2 (executed once, read by several tests)."""
    wb = Workbench(store.root)
    return wb.report("compare_runs", {"baseline": store.v1, "candidate": store.v2}, store.root / "out" / "compare.html")
