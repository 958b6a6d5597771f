"""The offline demo that ``make demo`` runs."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from workbench import Workbench
from workbench.demo import DEMO_DATASET, run_demo


def test_demo_imports_edits_and_exports_the_sample_dataset(tmp_path: Path) -> None:
    wb = Workbench(tmp_path)
    console = Console(file=open(tmp_path / "out.txt", "w"), width=200)  # noqa: SIM115 - closed below
    run_demo(wb, console)
    run_demo(wb, console)  # runs again on the same store: starts its dataset afresh
    console.file.close()
    ds = wb.dataset(DEMO_DATASET)
    assert ds.version == 4
    assert len(ds) == 31
    assert ds.versions()["operation"].tolist() == ["create", "import", "update", "delete", "add"]
    assert ds.item("q15")["input"]["question"].count("\n") == 2  # the multi-line quoted field survived
    exported = (tmp_path / "reports" / "demo-qa.jsonl").read_text().splitlines()
    assert len(exported) == 31
    assert json.loads(exported[0])["metadata"] == {"source": "geography", "difficulty": "easy"}
    text = (tmp_path / "out.txt").read_text()
    assert "30 of 30 rows imported" in text
    assert "q27" in text
