"""Meta-scorers: scorers applied to a scorer target's verdicts (judge alignment runs)."""

from __future__ import annotations

from workbench import Workbench, scorers, targets
from workbench.analysis import alignment


def strict_judge(output: str) -> tuple[float, str]:
    return (1.0, "matches the reference") if output == "4" else (0.0, "")


def test_a_meta_scorer_scores_the_judges_verdict_and_alignment_uses_the_human_labels(wb: Workbench) -> None:
    ds = wb.create_dataset("verdicts")
    ds.add_items(
        [
            {"item_id": "a", "input": "2+2?", "output": "4", "expected_output": True},
            {"item_id": "b", "input": "2+2?", "output": "5", "expected_output": False},
            {"item_id": "c", "input": "2+2?", "output": "four", "expected_output": True},
        ]
    )

    def explained(output: dict[str, object]) -> bool:  # a meta-scorer: did the judge give a reason?
        return bool(output.get("reason"))

    run = wb.run_sync(ds, targets.scorer(scorers.scorer(strict_judge)), scorers=[explained])
    results = run.results().set_index("item_id")
    assert {k: v["score"] for k, v in results["output"].items()} == {"a": 1.0, "b": 0.0, "c": 0.0}
    assert results["score_explained"].to_dict() == {"a": 1.0, "b": 0.0, "c": 0.0}
    figures = alignment(run, ds.items(version=run.manifest.dataset_version))
    assert figures["n"] == 3
    assert figures["agreement"] == 2 / 3  # a and b agree with the human; c (human: pass) does not
