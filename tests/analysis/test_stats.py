"""Confidence intervals and tests: hand-computed cases, edge cases and calibration under the null."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from workbench.analysis import exact_sign_test, mean_ci, paired_ci
from workbench.analysis._stats import clustered_from_sums, paired_from_moments

# Student-t 0.975 quantiles from a printed table
T975 = {2: 4.302652729911275, 4: 2.7764451051977987, 5: 2.570581835636314}


def test_mean_ci_without_clusters_is_the_textbook_t_interval() -> None:
    r = mean_ci([1.0, 2.0, 3.0])
    half = T975[2] * 1.0 / math.sqrt(3)  # s = 1
    assert (r.mean, r.n, r.n_clusters) == (2.0, 3, 3)
    assert r.low == pytest.approx(2.0 - half)
    assert r.high == pytest.approx(2.0 + half)


def test_clustered_ci_with_equal_repeats_is_the_t_interval_over_item_means() -> None:
    # items a, b, c with two repeats each; item means 0.5, 1, 0
    r = mean_ci([1, 0, 1, 1, 0, 0], clusters=["a", "a", "b", "b", "c", "c"])
    half = T975[2] * 0.5 / math.sqrt(3)  # sd of (0.5, 1, 0) is 0.5
    assert (r.mean, r.n, r.n_clusters) == (0.5, 6, 3)
    assert r.low == pytest.approx(0.5 - half)
    assert r.high == pytest.approx(0.5 + half)


def test_clustered_ci_with_unequal_repeats_uses_the_cluster_robust_error() -> None:
    # a: 1, 1, 1   b: 0   c: 0, 1   -> mean 4/6; deviation sums per item 1, -2/3, -1/3
    r = mean_ci([1, 1, 1, 0, 0, 1], clusters=[1, 1, 1, 2, 3, 3])
    ss = 1.0 + (2 / 3) ** 2 + (1 / 3) ** 2
    se = math.sqrt(3 / 2 * ss) / 6
    assert r.mean == pytest.approx(4 / 6)
    assert r.low == pytest.approx(4 / 6 - T975[2] * se)
    assert r.high == pytest.approx(4 / 6 + T975[2] * se)
    assert clustered_from_sums(6, 4 / 6, 3, ss) == r


def test_repeats_of_one_item_do_not_narrow_the_interval_as_if_independent() -> None:
    items = np.repeat(np.arange(10), 5)
    values = np.repeat(np.linspace(0, 1, 10), 5)  # repeats agree exactly: 10 items' worth of evidence
    clustered = mean_ci(values, clusters=items)
    naive = mean_ci(values)
    assert clustered.high - clustered.low > 2 * (naive.high - naive.low)


def test_mean_ci_edge_cases() -> None:
    assert math.isnan(mean_ci([]).mean)
    one = mean_ci([0.7])
    assert one.mean == 0.7
    assert math.isnan(one.low)
    assert math.isnan(one.high)
    single_item = mean_ci([1.0, 0.0], clusters=["a", "a"])
    assert (single_item.mean, single_item.n_clusters) == (0.5, 1)
    assert math.isnan(single_item.low)
    with_nan = mean_ci([1.0, float("nan"), 3.0])
    assert (with_nan.mean, with_nan.n) == (2.0, 2)
    same = mean_ci([0.4, 0.4, 0.4])
    assert same.low == pytest.approx(0.4)
    assert same.high == pytest.approx(0.4)
    with pytest.raises(ValueError, match="differ in length"):
        mean_ci([1.0, 2.0], clusters=["a"])
    with pytest.raises(ValueError, match="level"):
        mean_ci([1.0, 2.0], level=95)


def test_paired_ci_and_p_value_by_hand() -> None:
    r = paired_ci([0.1, 0.2, 0.3])
    se = 0.1 / math.sqrt(3)
    t = 0.2 / se
    # with 2 degrees of freedom the t distribution has a closed form: P(|T| > t) = 1 - t / sqrt(t^2 + 2)
    assert r.p_value == pytest.approx(1 - t / math.sqrt(t * t + 2))
    assert r.low == pytest.approx(0.2 - T975[2] * se)
    assert r.high == pytest.approx(0.2 + T975[2] * se)
    assert (r.n, r.test) == (3, "paired_t")


def test_paired_ci_at_another_level() -> None:
    deltas = [-0.2, 0.0, 0.1, -0.3, -0.1]
    r = paired_ci(deltas, level=0.95)
    sd = float(np.std(deltas, ddof=1))
    assert r.mean == pytest.approx(-0.1)
    assert r.high == pytest.approx(-0.1 + T975[4] * sd / math.sqrt(5))
    wider = paired_ci(deltas, level=0.99)
    assert wider.low < r.low
    assert wider.p_value == r.p_value


def test_paired_ci_edge_cases() -> None:
    same = paired_ci([0.5, 0.5, 0.5])
    assert (same.low, same.high, same.test) == (0.5, 0.5, "sign_test")
    assert same.p_value == pytest.approx(2 / 2**3)  # no spread: the exact sign test, 3 of 3 up
    none = paired_ci([0.0, 0.0])
    assert none.p_value == 1.0
    one = paired_ci([0.3])
    assert one.mean == 0.3
    assert math.isnan(one.p_value)
    assert math.isnan(one.low)
    assert paired_ci([]).n == 0


def test_identical_non_zero_deltas_fall_back_to_the_exact_sign_test() -> None:
    two = paired_from_moments(2, -0.3, 0.0)  # two items, both down by 0.3: not a certainty
    assert (two.mean, two.low, two.high, two.test) == (-0.3, -0.3, -0.3, "sign_test")
    assert two.p_value == pytest.approx(0.5)
    twenty = paired_ci([-0.3] * 20)
    assert twenty.test == "sign_test"
    assert twenty.p_value == pytest.approx(2 / 2**20)  # ~1.9e-6
    assert paired_ci([0.3] * 20).p_value == pytest.approx(2 / 2**20)
    zero = paired_from_moments(5, 0.0, 0.0)
    assert (zero.p_value, zero.test) == (1.0, "sign_test")
    assert paired_ci([0.1, 0.2, 0.3]).test == "paired_t"


def test_exact_sign_test_by_hand() -> None:
    assert exact_sign_test(0, 5) == pytest.approx(2 / 32)
    assert exact_sign_test(1, 9) == pytest.approx(2 * 11 / 1024)
    assert exact_sign_test(9, 1) == pytest.approx(2 * 11 / 1024)
    assert exact_sign_test(3, 3) == 1.0
    assert exact_sign_test(0, 0) == 1.0
    with pytest.raises(ValueError, match="negative"):
        exact_sign_test(-1, 2)


# one independent trial per seed; under the null each is flagged with probability ALPHA, so the
# count is Binomial(TRIALS, ALPHA): 50 expected, more than MAX_FLAGGED with probability < 0.1%
TRIALS, ALPHA = 1000, 0.05
MAX_FLAGGED = int(binom.ppf(0.999, TRIALS, ALPHA))


@pytest.mark.slow
def test_paired_t_flags_pure_noise_at_no_more_than_the_nominal_rate() -> None:
    flagged = detected = 0
    for seed in range(TRIALS):
        rng = np.random.default_rng(seed)
        difficulty = rng.random(30)  # both runs share the items' difficulty
        base = difficulty + rng.normal(0, 0.2, 30)
        cand = difficulty + rng.normal(0, 0.2, 30)
        flagged += paired_ci(cand - base).p_value < ALPHA
        detected += paired_ci(cand - 0.15 - base).p_value < ALPHA  # the same with a real drop
    assert flagged <= MAX_FLAGGED
    assert detected >= TRIALS * 0.6


@pytest.mark.slow
def test_sign_test_flags_pass_fail_noise_at_no_more_than_the_nominal_rate() -> None:
    flagged = 0
    for seed in range(TRIALS):
        rng = np.random.default_rng(10_000 + seed)
        p = rng.random(40)
        base = rng.random(40) < p
        cand = rng.random(40) < p
        flagged += exact_sign_test(int(np.sum(cand & ~base)), int(np.sum(base & ~cand))) < ALPHA
    assert flagged <= MAX_FLAGGED


@pytest.mark.slow
def test_clustered_interval_covers_the_true_mean_at_the_nominal_rate_with_repeats() -> None:
    missed = naive_missed = 0
    for seed in range(TRIALS):
        rng = np.random.default_rng(20_000 + seed)
        item_effect = rng.normal(0, 1, 25)  # strong item effect: repeats are correlated
        values = np.repeat(item_effect, 4) + rng.normal(0, 0.3, 100)
        r = mean_ci(values, clusters=np.repeat(np.arange(25), 4))
        missed += not r.low <= 0.0 <= r.high
        naive = mean_ci(values)
        naive_missed += not naive.low <= 0.0 <= naive.high
    assert missed <= MAX_FLAGGED
    assert naive_missed > 2 * MAX_FLAGGED  # treating repeats as independent would be overconfident
