"""The offline demo that ``make demo`` runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_demo_runs_two_pipelines_and_a_simulated_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    wb = Workbench(tmp_path)
    with open(tmp_path / "out.txt", "w") as fh:
        run_demo(wb, Console(file=fh, width=250))
    runs = wb.runs()
    assert sorted(runs["target"]) == ["pipeline-v1", "pipeline-v2", "simulated:sim-1/demo-answer"]
    assert set(runs["status"]) == {"completed"}
    assert runs["done"].tolist() == [31, 31, 31]
    model_run = wb.get_run(runs.set_index("target").loc["simulated:sim-1/demo-answer", "run_id"])
    results = model_run.results()
    assert results["error"].isna().all()
    assert (results["tokens_in"] > 0).all()
    assert results["cost"].sum() > 0
    assert results.set_index("item_id").loc["q06", "output"] == '"391"'  # 17 * 23, computed by the simulator
    v2 = wb.get_run(runs.set_index("target").loc["pipeline-v2", "run_id"]).results()
    v1 = wb.get_run(runs.set_index("target").loc["pipeline-v1", "run_id"]).results()
    assert v2["score_correct"].mean() > v1["score_correct"].mean()
    assert "SIMULATED" in (tmp_path / "out.txt").read_text()
