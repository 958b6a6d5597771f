"""Fixtures for the widget panels: CSV files and a 100,000-item dataset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench import Workbench

QA_CSV = (
    "id,question,answer,source\n"
    "q1,What is the capital of Australia?,Canberra,geo\n"
    "q2,Who wrote Pride and Prejudice?,Jane Austen,books\n"
    'q3,"What is the chemical symbol for sodium, please?",Na,chem\n'
    "q4,Which currency is used in Japan?,yen,money\n"
    "q5,<script>alert(1)</script>,none,xss\n"
)
BIG = 100_000


@pytest.fixture
def qa_csv(tmp_path: Path) -> Path:
    """Five questions with ids, answers and a source column (one holds a script tag)."""
    path = tmp_path / "qa.csv"
    path.write_text(QA_CSV, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Workbench:
    """A store whose dataset ``big`` has 100,000 items (built once per session)."""
    wb = Workbench(tmp_path_factory.mktemp("big") / "store")
    ds = wb.create_dataset("big", description="100k items")
    frame = pd.DataFrame(
        {
            "item_id": [f"item-{i:06d}" for i in range(BIG)],
            "input": [{"question": f"question number {i}"} for i in range(BIG)],
            "expected_output": [str(i) for i in range(BIG)],
        }
    )
    ds.add_items(frame)
    return wb
