"""Statistics for summaries and comparisons: confidence intervals and paired tests.

Small arrays of per-unit or per-item values come in (the aggregation itself is SQL);
numbers go out. Intervals are Student-t intervals:

- :func:`mean_ci` — a mean with a t interval whose standard error is *cluster-robust*
  by item when the values come with cluster ids (repeats of one item are correlated, so
  treating them as independent would make the interval too narrow). With one value per
  cluster, or no clusters, it is the textbook ``s / sqrt(n)`` interval.
- :func:`paired_ci` — the paired t interval and two-sided p-value of per-item deltas (the
  exact sign test when every delta is the same, where the t statistic is undefined).
- :func:`exact_sign_test` — the two-sided exact binomial test on discordant pairs (the
  exact McNemar test when each side is pass/fail).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.errors import ValidationError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
NAN = float("nan")


@dataclass(frozen=True)
class MeanCI:
    """A mean with its confidence interval.

    Attributes:
        mean: the mean of the values (every value weighs the same).
        low: lower end of the interval (NaN when it cannot be computed: fewer than two clusters).
        high: upper end of the interval.
        n: how many values.
        n_clusters: how many clusters (items); equals ``n`` without clusters.
    """

    mean: float
    low: float
    high: float
    n: int
    n_clusters: int


@dataclass(frozen=True)
class PairedTest:
    """The mean of paired deltas with a confidence interval and a two-sided p-value.

    Attributes:
        mean: mean delta (candidate - baseline).
        low: lower end of the interval.
        high: upper end of the interval.
        p_value: two-sided p-value of "the mean delta is 0".
        n: how many pairs.
        test: the test that gave ``p_value``: ``paired_t``, or ``sign_test`` when every delta
            is the same (no spread, so no t statistic).
    """

    mean: float
    low: float
    high: float
    p_value: float
    n: int
    test: str = "paired_t"


def _finite(values: Sequence[float] | FloatArray) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def t_quantile(level: float, df: int) -> float:
    """The two-sided Student-t critical value for ``level`` (e.g. 0.95) with ``df`` degrees of freedom."""
    from scipy import stats  # imported when needed: it costs half a second at start-up

    return float(stats.t.ppf(0.5 + level / 2, df))


def mean_ci(
    values: Sequence[float] | FloatArray,
    clusters: Sequence[Any] | np.ndarray[Any, Any] | None = None,
    level: float = 0.95,
) -> MeanCI:
    """The mean of ``values`` with a ``level`` t interval, clustered when ``clusters`` are given.

    The standard error is the cluster-robust (CR1) one,
    ``se^2 = G / (G - 1) * sum_g (sum_{i in g} (y_i - mean))^2 / n^2`` with ``G`` clusters,
    and the interval uses ``G - 1`` degrees of freedom. Why this and not a t interval over
    per-item means: the mean stays the plain mean of every scored unit (what a reader
    expects, and what the other views report), items with fewer repeats (a partial run,
    scorer errors) do not weigh as much as complete ones, and when every item has the same
    number of repeats it gives exactly the t interval over per-item means. With one value
    per cluster it is the textbook interval ``mean ± t * s / sqrt(n)``.

    NaN values are dropped. Fewer than two clusters give NaN bounds; no values give NaN everywhere.

    Examples:
        >>> r = mean_ci([1.0, 2.0, 3.0])
        >>> round(r.mean, 3), round(r.low, 3), round(r.high, 3)
        (2.0, -0.484, 4.484)
    """
    if not 0 < level < 1:
        raise ValidationError(f"level must be between 0 and 1, got {level}")
    y = _finite(values)
    keep = ~np.isnan(y)
    y = y[keep]
    n = int(y.size)
    if n == 0:
        return MeanCI(NAN, NAN, NAN, 0, 0)
    mean = float(y.mean())
    if clusters is None:
        groups = np.arange(n)
    else:
        ids = np.asarray(clusters)
        if ids.shape[0] != keep.shape[0]:
            raise ValidationError(f"values and clusters differ in length ({keep.shape[0]} vs {ids.shape[0]})")
        _, groups = np.unique(ids[keep], return_inverse=True)
    g = int(groups.max()) + 1
    sums = np.bincount(groups, weights=y - mean, minlength=g)
    return clustered_from_sums(n, mean, g, float(np.sum(sums * sums)), level)


def clustered_from_sums(n: int, mean: float, n_clusters: int, cluster_ss: float, level: float = 0.95) -> MeanCI:
    """:func:`mean_ci` from sums computed in SQL.

    Args:
        n: how many values.
        mean: their mean.
        n_clusters: how many clusters (items).
        cluster_ss: ``sum_g (sum_{i in g} (y_i - mean))^2``, the squared deviation sums per cluster.
        level: the interval's confidence level.
    """
    if n == 0:
        return MeanCI(NAN, NAN, NAN, 0, 0)
    if n_clusters < 2:
        return MeanCI(mean, NAN, NAN, n, n_clusters)
    se = math.sqrt(n_clusters / (n_clusters - 1) * max(cluster_ss, 0.0)) / n
    half = t_quantile(level, n_clusters - 1) * se
    return MeanCI(mean, mean - half, mean + half, n, n_clusters)


def paired_ci(deltas: Sequence[float] | FloatArray, level: float = 0.95) -> PairedTest:
    """Paired t interval and two-sided p-value of per-item ``deltas`` (candidate - baseline).

    ``mean ± t(level, n-1) * s / sqrt(n)``; ``p = 2 * P(T_{n-1} > |mean| / (s / sqrt(n)))``.
    When every delta is the same (``s = 0``) the t statistic is undefined: the interval is
    that value and ``p`` is the exact sign test on the non-zero deltas (all of one sign), so
    ``test`` is ``sign_test``: 1 when every delta is 0, ``2 / 2**n`` otherwise (two pairs
    that both dropped by 0.3 give 0.5, not a certainty). Fewer than two pairs give NaN
    bounds and p-value. NaN deltas are dropped.

    Examples:
        >>> r = paired_ci([0.1, 0.2, 0.3])
        >>> round(r.low, 4), round(r.high, 4), round(r.p_value, 4)
        (-0.0484, 0.4484, 0.0742)
    """
    if not 0 < level < 1:
        raise ValidationError(f"level must be between 0 and 1, got {level}")
    d = _finite(deltas)
    d = d[~np.isnan(d)]
    return paired_from_moments(int(d.size), float(d.mean()) if d.size else NAN, _sd(d), level)


def _sd(d: FloatArray) -> float:
    return float(d.std(ddof=1)) if d.size > 1 else NAN


def paired_from_moments(n: int, mean: float, sd: float, level: float = 0.95) -> PairedTest:
    """:func:`paired_ci` from the count, mean and sample standard deviation of the deltas (from SQL).

    With ``sd`` 0 (every delta equals ``mean``) the p-value is the exact sign test on the
    ``n`` deltas, all on the side of ``mean`` (none when ``mean`` is 0), and ``test`` is
    ``sign_test``; see :func:`paired_ci`.
    """
    if n < 2 or math.isnan(sd):
        return PairedTest(mean if n else NAN, NAN, NAN, NAN, n)
    if sd <= 1e-12 * max(1.0, abs(mean)):
        moved = 0 if abs(mean) <= 1e-12 else n
        up, down = (moved, 0) if mean > 0 else (0, moved)
        return PairedTest(mean, mean, mean, exact_sign_test(up, down), n, "sign_test")
    from scipy import stats

    se = sd / math.sqrt(n)
    half = t_quantile(level, n - 1) * se
    p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    return PairedTest(mean, mean - half, mean + half, min(1.0, p), n)


def exact_sign_test(improved: int, regressed: int) -> float:
    """Two-sided exact binomial p-value of ``improved`` vs ``regressed`` discordant pairs at 1/2.

    This is the exact McNemar test when both sides are pass/fail; ties (unchanged items) do
    not count. No discordant pair gives 1.

    Examples:
        >>> exact_sign_test(0, 5)
        0.0625
    """
    if improved < 0 or regressed < 0:
        raise ValidationError(f"counts must not be negative, got improved={improved}, regressed={regressed}")
    n = improved + regressed
    if n == 0:
        return 1.0
    from scipy import stats

    return float(stats.binomtest(improved, n, 0.5, alternative="two-sided").pvalue)
