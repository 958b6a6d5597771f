"""``wb.compare``: paired tests on shared items, item changes, warnings, metrics and rendering."""

from __future__ import annotations

import json
import math
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from scipy.stats import binom

from tests.analysis._declared import declare, replies
from workbench import NotFoundError, Run, TargetResult, ValidationError, Workbench, targets
from workbench.analysis import Comparison, compare
from workbench.targets import Usage

T975 = {2: 4.302652729911275}


def make(wb: Workbench, n: int, name: str = "d") -> None:
    wb.create_dataset(name).add_items([{"item_id": f"i{k}", "input": k, "expected_output": k} for k in range(n)])


def value(output: float) -> float:
    """The output is the score."""
    return output


def exact(output: Any, expected: Any) -> bool:
    return bool(output == expected)


def returning(values: list[float], name: str) -> Callable[[int], float]:
    def target(k: int) -> float:
        return values[k]

    target.__name__ = name
    return target


def right_except(wrong: set[int], name: str) -> Callable[[int], int]:
    def target(k: int) -> int:
        return -1 if k in wrong else k

    target.__name__ = name
    return target


def test_paired_interval_and_p_value_by_hand(wb: Workbench) -> None:
    make(wb, 3)
    base = wb.run_sync("d", returning([0.5, 0.6, 0.7], "base"), scorers=[value])
    cand = wb.run_sync("d", returning([0.4, 0.4, 0.4], "cand"), scorers=[value])  # deltas -0.1, -0.2, -0.3
    c = wb.compare(base, cand.id)
    row = c.scorers.iloc[0]
    se = 0.1 / math.sqrt(3)
    t = 0.2 / se
    assert (row["scorer"], row["direction"], row["n"], row["test"]) == ("value", "higher", 3, "paired_t")
    assert (row["baseline_mean"], row["candidate_mean"]) == (pytest.approx(0.6), pytest.approx(0.4))
    assert row["delta"] == pytest.approx(-0.2)
    assert row["ci_low"] == pytest.approx(-0.2 - T975[2] * se)
    assert row["ci_high"] == pytest.approx(-0.2 + T975[2] * se)
    assert row["p_value"] == pytest.approx(1 - t / math.sqrt(t * t + 2))  # 0.074: not significant at 0.05
    assert (row["regressed"], row["improved"]) == (3, 0)
    assert not row["significant"]
    assert not row["regression"]
    assert not c.has_regression
    at_10 = wb.compare(base, cand, alpha=0.1)
    assert at_10.has_regression
    assert at_10.level == pytest.approx(0.9)
    assert at_10.scorers.iloc[0]["ci_low"] > row["ci_low"]  # a 90% interval is narrower
    within = wb.compare(base, cand, alpha=0.1, margins={"value": 0.25})
    assert within.scorers.iloc[0]["significant"]
    assert not within.has_regression  # worse by 0.2, less than the 0.25 that matters
    lower = wb.compare(base, cand, alpha=0.1, directions={"value": "lower"})
    assert not lower.has_regression
    assert lower.improved_items == {"value": ["i2", "i1", "i0"]}  # best first


def test_pass_fail_scorers_use_the_exact_sign_test(wb: Workbench) -> None:
    make(wb, 10)
    base = wb.run_sync("d", right_except(set(), "base"), scorers=[exact])
    six = wb.run_sync("d", right_except({1, 3, 5, 7, 8, 9}, "six"), scorers=[exact])
    five = wb.run_sync("d", right_except({1, 3, 5, 7, 9}, "five"), scorers=[exact])
    c = wb.compare(base, six)
    row = c.scorers.iloc[0]
    assert (row["test"], row["improved"], row["regressed"]) == ("sign_test", 0, 6)
    assert row["p_value"] == pytest.approx(2 / 2**6)
    assert row["pass_p_value"] == pytest.approx(2 / 2**6)
    assert (row["baseline_pass_rate"], row["candidate_pass_rate"]) == (1.0, pytest.approx(0.4))
    assert row["pass_rate_delta"] == pytest.approx(-0.6)
    assert c.has_regression
    assert c.regressed_items == {"exact": ["i1", "i3", "i5", "i7", "i8", "i9"]}
    assert c.improved_items == {"exact": []}
    items = c.items.set_index("item_id")
    assert list(c.items.columns) == ["item_id", "scorer", "baseline", "candidate", "delta", "change"]
    assert items.loc["i1", "change"] == "regressed"
    assert items.loc["i0", "change"] == "unchanged"
    # five of ten flipped: p = 2/32 = 0.0625, not significant at 0.05 however narrow the t interval is
    assert not wb.compare(base, five).has_regression
    assert wb.compare(base, five).scorers.iloc[0]["p_value"] == pytest.approx(0.0625)


def test_items_are_compared_on_their_mean_over_repeats(wb: Workbench) -> None:
    make(wb, 8)
    calls: dict[int, int] = {}
    lock = threading.Lock()

    def flaky(k: int) -> int:
        with lock:  # every item: right on its first call, wrong on its second
            calls[k] = calls.get(k, 0) + 1
            return k if calls[k] == 1 else -1

    base = wb.run_sync("d", right_except(set(), "steady"), scorers=[exact], repeats=2)
    cand = wb.run_sync("d", flaky, scorers=[exact], repeats=2)
    c = wb.compare(base, cand)
    row = c.scorers.iloc[0]
    # every item drops by exactly 0.5: no spread, so the exact sign test on 8 of 8 items down
    assert (row["n"], row["test"], row["delta"]) == (8, "sign_test", -0.5)
    assert row["p_value"] == pytest.approx(2 / 2**8)
    assert (row["baseline_pass_rate"], row["candidate_pass_rate"]) == (1.0, 0.5)
    assert c.items["candidate"].tolist() == [0.5] * 8
    assert c.has_regression


def test_identical_deltas_on_two_items_are_not_significant(wb: Workbench) -> None:
    make(wb, 2)
    base = wb.run_sync("d", returning([0.8, 0.9], "base"), scorers=[value])
    cand = wb.run_sync("d", returning([0.5, 0.6], "cand"), scorers=[value])  # both items -0.3
    row = wb.compare(base, cand).scorers.iloc[0]
    assert (row["test"], row["delta"]) == ("sign_test", pytest.approx(-0.3))
    assert row["p_value"] == pytest.approx(0.5)
    assert not row["significant"]
    assert not wb.compare(base, cand).has_regression


def raising_on_odd(name: str) -> Callable[[int], int]:
    def target(k: int) -> int:
        if k % 2:
            raise RuntimeError(f"boom on {k}")
        return k

    target.__name__ = name
    return target


def test_target_errors_are_warned_and_a_significant_rise_is_a_regression(wb: Workbench) -> None:
    make(wb, 20)
    base = wb.run_sync("d", right_except(set(), "base"), scorers=[exact])
    cand = wb.run_sync("d", raising_on_odd("crashy"), scorers=[exact])
    c = wb.compare(base, cand)
    row = c.scorers.iloc[0]
    assert (row["n"], row["regressed"], row["regression"]) == (10, 0, False)  # the scored items are all right
    [w] = [w for w in c.warnings if w.code == "errors"]
    assert w.message == (
        "candidate errored on 10 of 20 shared items (baseline: 0); their scores are excluded from the scorer statistics"
    )
    success = c.metrics.set_index("metric").loc["success_rate"]
    assert (success["baseline"], success["candidate"]) == (1.0, 0.5)
    assert success["p_value"] == pytest.approx(2 / 2**10)  # exact sign test: 10 of 10 discordant items got worse
    assert success["regression"]
    assert c.success_regression
    assert c.has_regression
    assert c.headline.startswith("Regression: success rate")
    assert c.to_dict()["has_regression"] is True
    assert not c.metrics.set_index("metric").loc["latency_s", "regression"]
    md = c.to_markdown()
    assert "Success rate: 100% -> 50% (p=0.002) REGRESSION" in md
    assert "**errors**: candidate errored on 10 of 20" in md
    # the other way round: the baseline's errors are warned, and fewer errors are no regression
    back = wb.compare(cand, base)
    assert [w.message.split(";")[0] for w in back.warnings] == [
        "baseline errored on 10 of 20 shared items (candidate: 0)"
    ]
    assert not back.has_regression
    assert "REGRESSION" not in back.to_markdown()
    # a few errors are warned but not significant
    some = [f"i{k}" for k in range(20) if k % 2 == 0 or k < 4]  # errors on i1 and i3 only
    few = wb.run_sync("d", raising_on_odd("few"), scorers=[exact], item_ids=some)
    small = wb.compare(base, few)
    assert [w.code for w in small.warnings] == ["coverage", "errors"]
    assert small.warnings[0].message.startswith("the candidate covers 12 of the baseline's 20 items")
    assert "candidate errored on 2 of 12 shared items" in small.warnings[1].message
    assert small.metrics.set_index("metric").loc["success_rate", "p_value"] == pytest.approx(0.5)
    assert not small.has_regression


def test_dataset_version_mismatch_says_what_changed(wb: Workbench) -> None:
    make(wb, 4)
    base = wb.run_sync("d", right_except(set(), "a"), scorers=[exact])
    ds = wb.dataset("d")
    ds.add_items([{"item_id": "i8", "input": 8, "expected_output": 8}, {"item_id": "i9", "input": 9}])
    ds.update_item("i1", expected_output=100)
    ds.delete_items(["i3"])
    cand = wb.run_sync("d", right_except(set(), "b"), scorers=[exact])
    c = wb.compare(base, cand)
    w, *coverage = c.warnings
    assert [x.message.split(":")[0] for x in coverage] == [
        "the candidate covers 3 of the baseline's 4 items",
        "the baseline covers 3 of the candidate's 5 items",
    ]
    assert w.code == "dataset_version_mismatch"
    assert "2 items added, 1 item removed, 1 item changed" in w.message
    assert "version 1" in w.message
    assert c.shared_items == 3
    assert c.scorers.iloc[0]["n"] == 3


def test_partial_run_scorer_mismatch_and_no_shared_items_are_warned(wb: Workbench) -> None:
    make(wb, 4)
    base = wb.run_sync("d", right_except(set(), "a"), scorers=[exact])
    half = wb.run_sync("d", right_except(set(), "b"), scorers=[exact, value], run_id="half", shard="0/2")
    c = wb.compare(base, half)
    codes = {w.code: w.message for w in c.warnings}
    assert set(codes) == {"partial_run", "scorer_mismatch", "coverage"}
    assert "candidate run half is partial: 2 of 4 items" in codes["partial_run"]
    assert "the candidate covers 2 of the baseline's 4 items" in codes["coverage"]
    assert "only the candidate has value" in codes["scorer_mismatch"]
    assert c.scorers["scorer"].tolist() == ["exact"]
    assert c.shared_items == 2
    left = wb.run_sync("d", right_except(set(), "left"), scorers=[exact], item_ids=["i0", "i1"])
    right = wb.run_sync("d", right_except(set(), "right"), scorers=[exact], item_ids=["i2", "i3"])
    none = wb.compare(left, right)
    assert [w.code for w in none.warnings] == ["no_shared_items", "dead_scorer"]
    assert none.warnings[1].message == "scorer exact has no score to compare: the runs share no item; the gate fails"
    assert none.scorers.iloc[0]["n"] == 0
    assert none.has_regression  # nothing was compared: the gate cannot pass
    assert not wb.compare(left, right, allow_dead_scorers=True).has_regression
    assert none.items.empty
    assert none.outputs.empty
    json.dumps(none.to_dict(items=True), allow_nan=False)


def costly(cost: float, tokens: int) -> Callable[[int], TargetResult]:
    def target(k: int) -> TargetResult:
        return TargetResult(
            output=f"answer {k}" if cost < 0.02 or k else "other",
            usage=Usage(input_tokens=tokens, output_tokens=5),
            cost=cost,
        )

    target.__name__ = f"costly_{tokens}"
    return target


def test_outputs_labels_and_metrics_of_shared_items(wb: Workbench) -> None:
    make(wb, 4)
    base = wb.run_sync("d", costly(0.01, 10), scorers=[exact])
    cand = wb.run_sync("d", costly(0.03, 20), scorers=[exact])
    base.label("i0", "success")
    cand.label("i0", "failure_format")
    base.label("i1", "success")
    cand.label("i1", "success")
    c = wb.compare(base, cand)
    out = c.outputs.set_index("item_id")
    assert out.loc["i0", "output_changed"]
    assert not out.loc["i1", "output_changed"]
    assert (out.loc["i0", "baseline_output"], out.loc["i0", "candidate_output"]) == ('"answer 0"', '"other"')
    assert out["label_changed"].tolist() == [True, False, False, False]  # i2, i3 have no labels
    assert out.loc["i0", "candidate_label"] == "failure_format"
    assert out["cost_delta"].tolist() == pytest.approx([0.02] * 4)
    assert (out["latency_delta"] == out["candidate_latency"] - out["baseline_latency"]).all()
    metrics = c.metrics.set_index("metric")
    assert list(metrics.index) == ["latency_s", "cost", "tokens", "success_rate"]
    cost = metrics.loc["cost"]
    assert (cost["baseline"], cost["candidate"]) == (pytest.approx(0.01), pytest.approx(0.03))
    assert (cost["delta"], cost["ci_low"], cost["ci_high"]) == (pytest.approx(0.02),) * 3
    assert cost["p_value"] == pytest.approx(2 / 2**4)  # every delta the same: exact sign test, 4 of 4 up
    assert metrics.loc["tokens", "delta"] == 10
    assert metrics.loc["success_rate", "p_value"] == 1.0
    assert not metrics["regression"].any()
    assert list(c.metrics.columns)[-1] == "regression"


def test_runs_without_tokens_have_no_tokens_row(wb: Workbench) -> None:
    make(wb, 3)
    base = wb.run_sync("d", right_except(set(), "a"), scorers=[exact])
    cand = wb.run_sync("d", right_except({1}, "b"), scorers=[exact])
    metrics = wb.compare(base, cand).metrics
    assert "tokens" not in set(metrics["metric"])
    assert "cost" not in set(metrics["metric"])
    assert "latency_s" in set(metrics["metric"])
    assert "success_rate" in set(metrics["metric"])


def noisy(seed: int, shift: float = 0.0) -> Callable[[int], float]:
    """A score per item: the item's difficulty (the same in every run) plus noise of this run."""

    def target(k: int) -> float:
        difficulty = random.Random(f"item-{k}").random()
        noise = random.Random(f"{seed}-{k}").gauss(0, 0.15)
        return min(1.0, max(0.0, 0.2 + 0.6 * difficulty + noise + shift))

    target.__name__ = f"noisy_{seed}"
    return target


NOISE_TRIALS = 20
# under the null each trial is flagged with probability alpha = 5%, independently (a fresh
# baseline and candidate per trial); more than this many flags has probability < 0.1%
NOISE_MAX_FLAGGED = int(binom.ppf(0.999, NOISE_TRIALS, 0.05))


@pytest.mark.slow
def test_pure_noise_is_rarely_flagged_and_a_planted_regression_is(wb: Workbench) -> None:
    make(wb, 12)
    flagged = 0
    for trial in range(NOISE_TRIALS):
        base = wb.run_sync("d", noisy(2 * trial), scorers=[value])
        cand = wb.run_sync("d", noisy(2 * trial + 1), scorers=[value])
        flagged += bool(wb.compare(base, cand).scorers.iloc[0]["significant"])
    assert flagged <= NOISE_MAX_FLAGGED
    planted = wb.run_sync("d", noisy(999, shift=-0.3), scorers=[value])
    c = wb.compare(base, planted)
    assert c.has_regression
    assert c.scorers.iloc[0]["p_value"] < 0.001


def test_markdown_escapes_scorer_names_in_its_html(wb: Workbench) -> None:
    make(wb, 4)

    def scorer(output: Any, expected: Any) -> bool:
        return bool(output == expected)

    scorer.__name__ = "<b>x</b>"
    base = wb.run_sync("d", right_except(set(), "base"), scorers=[scorer])
    cand = wb.run_sync("d", right_except({1}, "cand"), scorers=[scorer])
    md = wb.compare(base, cand).to_markdown()
    assert "<details><summary>1 regressed on &lt;b&gt;x&lt;/b&gt;</summary>" in md
    assert "<b>x</b></summary>" not in md


def test_rendering_is_json_ready_escaped_and_fit_for_a_pull_request(wb: Workbench) -> None:
    make(wb, 10)
    base = wb.run_sync("d", right_except(set(), "base"), scorers=[exact])
    bad = targets.function(right_except({1, 3, 5, 7, 8, 9}, "x"), name="<script>alert(1)</script>")
    cand = wb.run_sync("d", bad, scorers=[exact], run_id="cand")
    c = compare(wb.project, base, cand)
    assert isinstance(c, Comparison)
    data = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert data["has_regression"] is True
    assert data["regressed_items"] == {"exact": ["i1", "i3", "i5", "i7", "i8", "i9"]}
    assert data["warnings"] == []
    assert "items" not in data
    assert len(c.to_dict(items=True)["items"]) == 10
    md = c.to_markdown()
    assert "❌ **Regression: exact" in md
    assert "| exact ↑ | 1 | 0.4 | -0.6 |" in md
    assert "0.031 (sign_test)" in md
    assert "6 regressed on exact" in md
    page = c._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_bad_input_is_a_clear_error(wb: Workbench) -> None:
    make(wb, 3)
    base: Run = wb.run_sync("d", right_except(set(), "a"), scorers=[exact])
    with pytest.raises(NotFoundError, match="nope"):
        wb.compare(base, "nope")
    with pytest.raises(ValidationError, match="unknown scorer 'exactt'"):
        wb.compare(base, base, margins={"exactt": 0.1})
    with pytest.raises(ValidationError, match="at least 0"):
        wb.compare(base, base, margins={"exact": -0.1})
    with pytest.raises(ValidationError, match="'higher' or 'lower'"):
        wb.compare(base, base, directions={"exact": "down"})
    with pytest.raises(ValidationError, match="alpha"):
        wb.compare(base, base, alpha=1.5)


def wrongness(output: Any, expected: Any) -> float:
    """Lower is better: 1 when the output is wrong, 0 when it is right."""
    return float(output != expected)


def test_the_scorers_declared_direction_and_pass_mark_drive_the_comparison(wb: Workbench) -> None:
    make(wb, 10)
    base = wb.run_sync("d", right_except({1, 3, 5, 7, 8, 9}, "base"), scorers=[wrongness])  # wrongness 1 on six
    cand = wb.run_sync("d", right_except(set(), "cand"), scorers=[wrongness])  # all 0: better, when lower is
    assert wb.compare(base, cand).has_regression  # read as higher-is-better, the drop is a regression
    for run in (base, cand):
        declare(run, "wrongness", direction="lower", pass_mark=0.0)
    c = wb.compare(base, cand)
    row = c.scorers.iloc[0]
    assert (row["direction"], row["pass_mark"], row["margin"]) == ("lower", 0.0, 0.0)
    assert not c.has_regression
    assert row["improved"] == 6
    assert (row["baseline_pass_rate"], row["candidate_pass_rate"]) == (pytest.approx(0.4), 1.0)
    assert not c.warnings
    assert wb.compare(base, cand, directions={"wrongness": "higher"}).has_regression  # the override still works
    assert wb.compare(base, cand, pass_marks=0.5).scorers.iloc[0]["pass_mark"] == 0.5
    declare(base, "wrongness", direction="higher", pass_mark=0.5)
    differ = wb.compare(base, cand)
    [w] = differ.warnings
    assert w.code == "scorer_settings_mismatch"
    assert "wrongness is higher-is-better in the baseline, lower in the candidate" in w.message
    assert "wrongness passes at 0.5 in the baseline, 0 in the candidate" in w.message
    assert differ.scorers.iloc[0]["direction"] == "lower"  # the candidate's


def test_cache_hits_are_left_out_of_latency_and_cost_and_a_mix_is_warned(wb: Workbench) -> None:
    make(wb, 6)
    fresh = wb.run_sync("d", replies(lambda k: False), scorers=[exact])
    cached = wb.run_sync("d", replies(lambda k: True), scorers=[exact])
    c = wb.compare(fresh, cached)
    assert (c.baseline_cache_hit_share, c.candidate_cache_hit_share) == (0.0, 1.0)
    metrics = c.metrics.set_index("metric")
    assert "latency_s" not in metrics.index  # no fresh unit on the candidate side: nothing to compare
    assert "cost" not in metrics.index
    assert c.outputs["candidate_latency"].isna().all()
    [w] = [w for w in c.warnings if w.code == "cache_mixed"]
    assert w.message.startswith("the runs differ in their use of the cache")
    assert "candidate: 6 of 6 units from the response cache" in w.message
    assert c.to_dict()["candidate_cache_hit_share"] == 1.0
    assert "Cache hits: baseline 0.0%, candidate 100.0% of units (left out of latency and cost)." in c.to_markdown()
    half = wb.run_sync("d", replies(lambda k: k % 2 == 0), scorers=[exact])  # i1, i3, i5 fresh
    mixed = wb.compare(fresh, half)
    [w] = [w for w in mixed.warnings if w.code == "cache_mixed"]
    assert "the candidate mixes cached and fresh results and the runs differ in their use of the cache" in w.message
    latency = mixed.metrics.set_index("metric").loc["latency_s"]
    assert latency["candidate"] >= 0.05  # only the fresh units: no milliseconds of the cache in the mean
    assert mixed.metrics.set_index("metric").loc["cost", "candidate"] == pytest.approx(0.01)
    assert not [w for w in wb.compare(fresh, fresh).warnings if w.code == "cache_mixed"]


def scorer_failing_on(bad: set[int]) -> Callable[[Any], float]:
    def fragile(output: Any) -> float:
        if output in bad:
            raise ValueError(f"cannot score {output}")
        return 1.0

    return fragile


def test_a_dead_scorer_fails_the_gate_unless_allowed(wb: Workbench) -> None:
    make(wb, 20)
    base = wb.run_sync("d", right_except(set(), "base"), scorers=[scorer_failing_on(set())])
    dead = wb.run_sync("d", right_except(set(), "dead"), scorers=[scorer_failing_on(set(range(20)))])
    c = wb.compare(base, dead)
    row = c.scorers.iloc[0]
    assert (row["n"], row["dead"], row["regression"]) == (0, True, False)
    assert (row["baseline_scorer_error_rate"], row["candidate_scorer_error_rate"]) == (0.0, 1.0)
    assert c.dead_scorers == ["fragile"]
    assert c.has_regression
    assert c.headline.startswith("Dead scorer: fragile")
    [w] = [w for w in c.warnings if w.code == "dead_scorer"]
    assert w.message == (
        "scorer fragile has no score to compare: no shared item has a score on both sides "
        "(scorer errors: baseline 0.0%, candidate 100.0%); the gate fails"
    )
    allowed = wb.compare(base, dead, allow_dead_scorers=True)
    assert not allowed.has_regression
    assert allowed.dead_scorers == ["fragile"]
    assert "allowed by allow_dead_scorers" in next(w.message for w in allowed.warnings if w.code == "dead_scorer")
    assert "dead scorer (allowed)" in allowed.to_markdown()
    # a scorer that still scores some items, but fails on 12 of 20 more: its error rate rose significantly
    some = wb.run_sync("d", right_except(set(), "some"), scorers=[scorer_failing_on(set(range(12)))])
    rose = wb.compare(base, some)
    row = rose.scorers.iloc[0]
    assert (row["n"], row["dead"]) == (8, True)
    assert row["scorer_error_p_value"] == pytest.approx(2 / 2**12)
    assert rose.has_regression
    assert "scorer fragile failed more often: scorer errors 0.0% -> 60.0%" in rose.warnings[-1].message
    # two failures more are not significant: warned nowhere, the gate passes
    two = wb.run_sync("d", right_except(set(), "two"), scorers=[scorer_failing_on({0, 1})])
    assert not wb.compare(base, two).has_regression
    assert not wb.compare(base, two).dead_scorers
    with pytest.raises(ValidationError, match="allow_dead_scorers"):
        wb.compare(base, two, allow_dead_scorers="yes")


def test_a_candidate_over_fewer_items_warns_of_its_coverage(wb: Workbench) -> None:
    make(wb, 300)
    base = wb.run_sync("d", right_except(set(), "all"), scorers=[exact])
    cand = wb.run_sync("d", right_except(set(), "some"), scorers=[exact], item_ids=[f"i{k}" for k in range(100)])
    c = wb.compare(base, cand)
    assert [w.code for w in c.warnings] == ["coverage"]  # both runs are complete: not a partial run
    assert c.warnings[0].message == (
        "the candidate covers 100 of the baseline's 300 items: the comparison leaves 200 out"
    )
    back = wb.compare(cand, base)
    assert back.warnings[0].message.startswith("the baseline covers 100 of the candidate's 300 items")
    assert c.shared_items == 100
