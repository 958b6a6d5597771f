"""The offline demo that ``make demo`` runs: dataset versions, three targets scored, compared, reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from tests._cells import number, records
from workbench import Workbench
from workbench.demo import DEMO_DATASET, DemoResult, run_demo

SIMULATED = "simulated:sim-large/demo-answer"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbench, DemoResult, str]:
    """The whole demo, reports included, offline (no API key), on a fresh store."""
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("OPENAI_API_KEY", raising=False)
        mp.delenv("ANTHROPIC_API_KEY", raising=False)
        wb = Workbench(root)
        with open(root / "out.txt", "w") as fh:
            result = run_demo(wb, Console(file=fh, width=250))
    return wb, result, (root / "out.txt").read_text()


@pytest.mark.slow
def test_the_dataset_is_imported_edited_and_exported(demo: tuple[Workbench, DemoResult, str]) -> None:
    wb, _, text = demo
    ds = wb.dataset(DEMO_DATASET)
    assert ds.version == 4
    assert len(ds) == 39
    assert ds.versions()["operation"].tolist() == ["create", "import", "update", "delete", "add"]
    assert ds.item("q15")["input"]["question"].count("\n") == 2  # the multi-line quoted field survived
    expected_call = {"name": "lookup_order", "arguments": {"order_id": "D-4471"}}
    assert ds.item("q31")["expected_output"] == {"answer": "shipped", "tool_calls": [expected_call]}
    exported = (wb.root / "reports" / "demo-qa.jsonl").read_text().splitlines()
    assert len(exported) == 39
    assert json.loads(exported[0])["metadata"] == {"source": "geography", "difficulty": "easy"}
    assert "38 of 38 rows imported" in text
    assert "q27" in text


@pytest.mark.slow
def test_three_targets_are_scored_by_code_and_a_simulated_judge(demo: tuple[Workbench, DemoResult, str]) -> None:
    wb, result, text = demo
    runs = wb.runs()
    latest = runs[runs["dataset_version"] == 4]
    assert sorted(latest["target"]) == ["pipeline-v1", "pipeline-v2", SIMULATED]
    assert set(runs["status"]) == {"completed"}
    assert latest["done"].tolist() == [39, 39, 39]
    model = wb.get_run(result.runs.model)
    scorers = [s["name"] for s in model.manifest.scorers]
    assert scorers == ["correct", "concise", "tool_calls", "judge_simulated"]
    assert model.manifest.scorers[-1]["kind"] == "judge_correctness"
    results = model.results().set_index("item_id")
    assert results["error"].isna().all()
    assert (results["tokens_in"] > 0).all()
    assert results["cost"].sum() > 0
    assert results.loc["q06", "output"] == "391"  # 17 * 23, computed by the simulator
    assert results["score_judge_simulated"].notna().all()  # the simulated judge answered every item in JSON
    calls = records(results.loc["q31", "tool_calls"])
    assert [(c["name"], c["arguments"]) for c in calls] == [("lookup_order", {"order_id": "D-4471"})]
    assert set(model.labels()["label"]) >= {"success", "failure_tool_error"}
    assert "SIMULATED" in text


@pytest.mark.slow
def test_v1_and_v2_are_compared_and_the_reports_written(demo: tuple[Workbench, DemoResult, str]) -> None:
    wb, result, text = demo
    comparison = result.comparison
    scores = comparison.scorers.set_index("scorer")
    assert number(scores.loc["correct", "candidate_mean"]) > number(scores.loc["correct", "baseline_mean"])
    assert number(scores.loc["tool_calls", "delta"]) > 0
    assert sorted(comparison.regressed_items["correct"]) == ["q23", "q28"]  # v2 trusts a misleading context
    assert "different versions of demo-qa" in text  # v1 on version 1 against v2 on version 4
    assert sorted(result.reports) == ["compare_runs", "failure_modes", "trends"]
    for path in result.reports.values():
        assert path.parent == wb.root / "reports"
        html = path.read_text()
        assert "https://" not in html
        assert "data:image/svg+xml;base64" in html
        assert str(path.resolve()) in text
    assert "pipeline-v2" in result.reports["compare_runs"].read_text()
    assert SIMULATED in result.reports["trends"].read_text()  # the leaderboard names the model as simulated


@pytest.mark.slow
def test_the_demo_starts_its_dataset_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    wb = Workbench(tmp_path)
    ds = wb.create_dataset(DEMO_DATASET)
    ds.add_items([{"input": {"question": "stale"}}])
    with open(tmp_path / "out.txt", "w") as fh:
        run_demo(wb, Console(file=fh, width=250), reports=False)
    assert wb.dataset(DEMO_DATASET).version == 4
    assert "stale" not in wb.dataset(DEMO_DATASET).items(raw=True)["input"].str.cat()
