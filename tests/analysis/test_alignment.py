"""Judge alignment metrics, checked against values worked out by hand."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

from workbench import ValidationError, Workbench
from workbench.analysis import (
    agreement,
    alignment,
    cohens_kappa,
    confusion_matrix,
    judge_pairs,
    mean_absolute_error,
    pearson,
    rank,
    spearman,
    verdict,
)
from workbench.targets import scorer as scorer_target


def test_kappa_of_a_two_by_two_table_matches_the_hand_computation() -> None:
    # table (rows human, columns judge): pass/pass 20, pass/fail 5, fail/pass 10, fail/fail 15; n = 50
    human = ["pass"] * 25 + ["fail"] * 25
    judge = ["pass"] * 20 + ["fail"] * 5 + ["pass"] * 10 + ["fail"] * 15
    # po = (20 + 15) / 50 = 0.7
    # human pass 25/50 = 0.5, judge pass 30/50 = 0.6
    # pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert agreement(human, judge) == pytest.approx(0.7)
    assert cohens_kappa(human, judge) == pytest.approx(0.4)
    cm = confusion_matrix(human, judge)
    assert cm.index.name == "human"
    assert cm.columns.name == "judge"
    assert cm.loc["pass", "pass"] == 20
    assert cm.loc["pass", "fail"] == 5
    assert cm.loc["fail", "pass"] == 10
    assert cm.loc["fail", "fail"] == 15


def test_kappa_with_three_categories() -> None:
    human = ["a", "a", "b", "b", "c", "c"]
    judge = ["a", "b", "b", "b", "c", "a"]
    # po = 4/6 (pairs 1, 3, 4, 5 agree)
    # human: a 2/6, b 2/6, c 2/6; judge: a 2/6, b 3/6, c 1/6
    # pe = (2*2 + 2*3 + 2*1) / 36 = 12/36 = 1/3
    # kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5
    assert cohens_kappa(human, judge) == pytest.approx(0.5)
    cm = confusion_matrix(human, judge)
    assert list(cm.index) == ["a", "b", "c"]
    assert list(cm.columns) == ["a", "b", "c"]
    assert int(cm.to_numpy().sum()) == 6
    assert cm.loc["c", "a"] == 1


def test_perfect_agreement_gives_kappa_one_and_chance_gives_about_zero() -> None:
    labels = ["x", "y", "z", "x", "y"]
    assert cohens_kappa(labels, labels) == 1.0
    assert agreement(labels, labels) == 1.0
    # exactly chance: po = 2/4 = 0.5, pe = 0.5 * 0.5 + 0.5 * 0.5 = 0.5 -> kappa 0
    assert cohens_kappa(["p", "p", "f", "f"], ["p", "f", "p", "f"]) == pytest.approx(0.0)
    rng = random.Random(7)
    human = [rng.choice("pf") for _ in range(4000)]
    judge = [rng.choice("pf") for _ in range(4000)]
    assert abs(cohens_kappa(human, judge)) < 0.05
    # one shared label on both sides: pe = 1, kappa undefined
    assert math.isnan(cohens_kappa(["a", "a"], ["a", "a"]))


def test_pearson_and_mae_match_the_hand_computation() -> None:
    h = [1.0, 2.0, 3.0, 4.0]
    j = [2.0, 4.0, 5.0, 9.0]
    # means 2.5 and 5; dx = -1.5 -0.5 0.5 1.5; dy = -3 -1 0 4
    # sum dx*dy = 4.5 + 0.5 + 0 + 6 = 11; sum dx^2 = 5; sum dy^2 = 26
    assert pearson(h, j) == pytest.approx(11 / math.sqrt(5 * 26))
    assert pearson(h, [x * 3 + 1 for x in h]) == pytest.approx(1.0)
    assert math.isnan(pearson(h, [1.0, 1.0, 1.0, 1.0]))
    # |0 - 0.2| + |1 - 0.7| + |0.5 - 0.5| = 0.5, over 3
    assert mean_absolute_error([0.0, 1.0, 0.5], [0.2, 0.7, 0.5]) == pytest.approx(0.5 / 3)


def test_spearman_averages_tied_ranks() -> None:
    assert rank([10.0, 20.0, 20.0, 5.0]) == [2.0, 3.5, 3.5, 1.0]
    assert rank([1.0, 1.0, 1.0]) == [2.0, 2.0, 2.0]
    h = [1.0, 2.0, 2.0, 3.0]
    j = [10.0, 20.0, 30.0, 40.0]
    # ranks h = 1, 2.5, 2.5, 4 and j = 1, 2, 3, 4 (both mean 2.5)
    # dx = -1.5 0 0 1.5; dy = -1.5 -0.5 0.5 1.5
    # sum dx*dy = 4.5; sum dx^2 = 4.5; sum dy^2 = 5 -> rho = 4.5 / sqrt(22.5) = 3 / sqrt(10)
    assert spearman(h, j) == pytest.approx(3 / math.sqrt(10))
    # monotone but not linear: spearman 1, pearson below 1
    x = [1.0, 2.0, 3.0, 4.0]
    y = [1.0, 8.0, 27.0, 64.0]
    assert spearman(x, y) == pytest.approx(1.0)
    assert pearson(x, y) < 1.0


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError):
        agreement(["a"], ["a", "b"])
    with pytest.raises(ValidationError):
        cohens_kappa([], [])
    with pytest.raises(ValidationError):
        pearson([1.0, "x"], [1.0, 2.0])  # type: ignore[list-item]
    with pytest.raises(ValidationError):
        alignment(pd.DataFrame({"human": [None], "judge": [1.0]}))


def test_verdicts_are_normalised() -> None:
    assert verdict('{"score": 0.8, "reason": "ok"}') == 0.8
    assert verdict(True) == 1.0
    assert verdict("false") == 0.0
    assert verdict("PASS") == 1.0
    assert verdict({"label": "hallucination"}) == "hallucination"
    assert verdict('"0.25"') == 0.25
    assert verdict(None) is None
    assert verdict(float("nan")) is None


def test_alignment_of_pairs_categorical_and_numeric() -> None:
    cat = alignment(pd.DataFrame({"human": ["a", "a", "b", "b", "c", "c"], "judge": ["a", "b", "b", "b", "c", "a"]}))
    assert cat["kind"] == "categorical"
    assert cat["n"] == 6
    assert cat["kappa"] == pytest.approx(0.5)
    assert "pearson" not in cat

    num = alignment(pd.DataFrame({"human": [1.0, 2.0, 3.0, 4.0], "judge": [2.0, 4.0, 5.0, 9.0]}))
    assert num["kind"] == "numeric"
    assert num["pearson"] == pytest.approx(11 / math.sqrt(130))
    assert "kappa" not in num  # values outside [0, 1]: no pass/fail thresholding

    graded = alignment(pd.DataFrame({"human": [1, 0, 1, None], "judge": [0.9, 0.6, 0.4, 0.5]}))
    # thresholded at 0.5: human pass fail pass; judge pass pass fail -> agree 1 of 3
    assert graded["n"] == 3
    assert graded["skipped"] == 1
    assert graded["agreement"] == pytest.approx(1 / 3)
    # |1 - 0.9| + |0 - 0.6| + |1 - 0.4| = 1.3, over 3
    assert graded["mae"] == pytest.approx(1.3 / 3)


def judge(output: str) -> float:
    return 1.0 if output.startswith("good") else 0.0


def test_alignment_of_a_scorer_run(wb: Workbench) -> None:
    ds = wb.create_dataset("judged")
    outputs = ["good a", "good b", "good c", "bad d", "bad e"]
    humans = [True, True, False, False, True]
    ds.add_items(
        [
            {"item_id": f"j{k}", "input": "q", "output": o, "expected_output": h}
            for k, (o, h) in enumerate(zip(outputs, humans, strict=True))
        ]
    )
    run = wb.run_sync("judged", scorer_target(judge, name="startswith_good"))
    items = ds.items(version=run.manifest.dataset_version)
    pairs = judge_pairs(run, items)
    assert sorted(pairs["judge"]) == [0.0, 0.0, 1.0, 1.0, 1.0]
    report = alignment(run, items)
    # judge 1 1 1 0 0, human 1 1 0 0 1: po = 3/5 = 0.6
    # pass rates 3/5 each: pe = 0.6*0.6 + 0.4*0.4 = 0.52; kappa = 0.08 / 0.48 = 1/6
    assert report["kind"] == "numeric"
    assert report["n"] == 5
    assert report["agreement"] == pytest.approx(0.6)
    assert report["kappa"] == pytest.approx(1 / 6)
    # pearson on 0/1 values (phi): dx.dy = 0.2, dx^2 = dy^2 = 1.2 -> 1/6
    assert report["pearson"] == pytest.approx(1 / 6)
    assert report["mae"] == pytest.approx(2 / 5)
    assert report["confusion_matrix"].loc["fail", "pass"] == 1
    with pytest.raises(ValidationError):
        alignment(run)
