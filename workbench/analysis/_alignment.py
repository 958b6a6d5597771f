"""Judge alignment: how well a scorer (the judge) agrees with human verdicts.

Pure functions over two equal-length sequences, ``human`` and ``judge``:

- categorical (any hashable labels): :func:`agreement`, :func:`cohens_kappa`,
  :func:`confusion_matrix`;
- numeric: :func:`pearson`, :func:`spearman` (ties get their average rank),
  :func:`mean_absolute_error`.

For a run whose target is a scorer (``workbench.targets.scorer``), each item's
``expected_output`` is the human verdict and the run's output ``{"score", "reason"}``
is the judge's. The run does not know its store, so the caller passes the items::

    run = wb.get_run(run_id)
    items = wb.dataset(run.manifest.dataset).items(version=run.manifest.dataset_version)
    report = alignment(run, items)

:func:`alignment` also takes a DataFrame of pairs (columns ``human`` and ``judge``),
and :func:`judge_pairs` gives that frame for a run, to inspect disagreements.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
import pandas as pd

from workbench.errors import ValidationError

if TYPE_CHECKING:
    from workbench.runs._run import Run

PASS_WORDS = frozenset({"pass", "passed", "yes", "true", "correct", "good", "ok", "success", "y"})
FAIL_WORDS = frozenset({"fail", "failed", "no", "false", "incorrect", "bad", "wrong", "failure", "n"})
VERDICT_KEYS = ("score", "label", "verdict", "value")


def _pairs(human: Sequence[Any], judge: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    h, j = list(human), list(judge)
    if len(h) != len(j):
        raise ValidationError(f"human and judge differ in length ({len(h)} vs {len(j)})")
    if not h:
        raise ValidationError("no pairs to compare")
    return h, j


def _numbers(values: Sequence[Any], what: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    try:
        arr = np.asarray([float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} values must be numbers") from None
    if not np.all(np.isfinite(arr)):
        raise ValidationError(f"{what} values must be finite numbers")
    return arr


def agreement(human: Sequence[Hashable], judge: Sequence[Hashable]) -> float:
    """The share of pairs where the judge gives the human's label."""
    h, j = _pairs(human, judge)
    same = sum(1 for a, b in zip(h, j, strict=True) if a == b)
    return same / len(h)


def cohens_kappa(human: Sequence[Hashable], judge: Sequence[Hashable]) -> float:
    """Cohen's kappa, ``(po - pe) / (1 - pe)``, for categorical labels of any kind.

    ``po`` is the observed agreement, ``pe`` the agreement expected by chance from each
    side's label frequencies. When ``pe == 1`` (both sides use one and the same label)
    kappa is undefined and NaN is returned.
    """
    h, j = _pairs(human, judge)
    n = len(h)
    po = agreement(h, j)
    labels = set(h) | set(j)
    pe = sum((h.count(label) / n) * (j.count(label) / n) for label in labels)
    if math.isclose(pe, 1.0):
        return math.nan
    return (po - pe) / (1 - pe)


def _sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, str(value))


def confusion_matrix(human: Sequence[Hashable], judge: Sequence[Hashable]) -> pd.DataFrame:
    """Counts of (human label, judge label): rows are the human's labels, columns the judge's.

    Both axes list every label either side used (sorted), so the matrix is square.
    """
    h, j = _pairs(human, judge)
    labels = sorted(set(h) | set(j), key=_sort_key)
    counts = pd.DataFrame(0, index=pd.Index(labels, name="human"), columns=pd.Index(labels, name="judge"))
    for a, b in zip(h, j, strict=True):
        counts.loc[a, b] += 1
    return counts


def pearson(human: Sequence[float], judge: Sequence[float]) -> float:
    """Pearson's correlation; NaN when either side is constant."""
    h, j = _pairs(human, judge)
    x, y = _numbers(h, "human"), _numbers(j, "judge")
    dx, dy = x - x.mean(), y - y.mean()
    denom = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    return math.nan if denom == 0 else float((dx * dy).sum()) / denom


def rank(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the average of the ranks they span."""
    x = _numbers(values, "rank")
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x), dtype=np.float64)
    i = 0
    while i < len(x):
        k = i
        while k + 1 < len(x) and x[order[k + 1]] == x[order[i]]:
            k += 1
        ranks[order[i : k + 1]] = (i + k) / 2 + 1
        i = k + 1
    return [float(r) for r in ranks]


def spearman(human: Sequence[float], judge: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's on the ranks (ties averaged); NaN if a side is constant."""
    h, j = _pairs(human, judge)
    return pearson(rank(h), rank(j))


def mean_absolute_error(human: Sequence[float], judge: Sequence[float]) -> float:
    """The mean of ``|human - judge|``."""
    h, j = _pairs(human, judge)
    return float(np.abs(_numbers(h, "human") - _numbers(j, "judge")).mean())


# -- verdicts --------------------------------------------------------------------------
def verdict(value: Any) -> float | str | None:
    """A verdict as a number or a label.

    JSON text is decoded; a dict gives its ``score``/``label``/``verdict``/``value``;
    booleans become 1.0/0.0; pass/fail words (``pass``, ``yes``, ``correct``... /
    ``fail``, ``no``, ``wrong``...) become 1.0/0.0; numeric text becomes a number;
    any other text stays a label. Missing values give ``None``.
    """
    if isinstance(value, str | bytes):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            value = value.decode() if isinstance(value, bytes) else value
    if isinstance(value, Mapping):
        for key in VERDICT_KEYS:
            if value.get(key) is not None:
                return verdict(value[key])
        return None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip()
    if text.lower() in PASS_WORDS:
        return 1.0
    if text.lower() in FAIL_WORDS:
        return 0.0
    try:
        return float(text)
    except ValueError:
        return text or None


def judge_pairs(run: Run, items: pd.DataFrame) -> pd.DataFrame:
    """One row per finished unit of a scorer run: item_id, repeat, human, judge.

    ``items`` holds the run's items (``item_id`` and ``expected_output``, JSON text or
    decoded), e.g. ``dataset.items(version=run.manifest.dataset_version)``. Units that
    failed (no output) and items without a human verdict are left out.
    """
    for column in ("item_id", "expected_output"):
        if column not in items.columns:
            raise ValidationError(f"items has no column {column!r}")
    human = {str(i): verdict(v) for i, v in zip(items["item_id"], items["expected_output"], strict=True)}
    results = run.results()
    rows = []
    for item_id, repeat, output in zip(results["item_id"], results["repeat"], results["output"], strict=True):
        h, j = human.get(str(item_id)), verdict(output)
        if h is not None and j is not None:
            rows.append({"item_id": item_id, "repeat": int(repeat), "human": h, "judge": j})
    return pd.DataFrame(rows, columns=["item_id", "repeat", "human", "judge"])


def _categorical(h: list[Any], j: list[Any]) -> dict[str, Any]:
    return {
        "agreement": agreement(h, j),
        "kappa": cohens_kappa(h, j),
        "confusion_matrix": confusion_matrix(h, j),
    }


def alignment(data: Run | pd.DataFrame, items: pd.DataFrame | None = None, *, pass_mark: float = 0.5) -> dict[str, Any]:
    """Judge-vs-human alignment of a scorer run, or of a frame of ``human``/``judge`` pairs.

    ``alignment(run, items)`` builds the pairs with :func:`judge_pairs`;
    ``alignment(pairs_df)`` uses the frame's ``human`` and ``judge`` columns (verdicts
    are normalised with :func:`verdict`).

    Returns ``{"kind", "n", ...}``:

    - ``kind == "numeric"`` (both sides numbers; pass/fail words count as 1/0):
      ``pearson``, ``spearman``, ``mae``; and when every value lies in [0, 1], also
      ``agreement``, ``kappa`` and ``confusion_matrix`` after reading both sides as
      ``"pass"`` (at or above ``pass_mark``) or ``"fail"``.
    - ``kind == "categorical"`` (any label is text): ``agreement``, ``kappa``,
      ``confusion_matrix`` over the labels as given.
    """
    if isinstance(data, pd.DataFrame):
        pairs = data
    else:
        if items is None:
            raise ValidationError("alignment(run, items) needs the run's items (dataset.items(version=...))")
        pairs = judge_pairs(data, items)
    for column in ("human", "judge"):
        if column not in pairs.columns:
            raise ValidationError(f"pairs have no column {column!r}")
    h_all = [verdict(v) for v in pairs["human"]]
    j_all = [verdict(v) for v in pairs["judge"]]
    kept = [(a, b) for a, b in zip(h_all, j_all, strict=True) if a is not None and b is not None]
    if not kept:
        raise ValidationError("no pairs with both a human and a judge verdict")
    h = [a for a, _ in kept]
    j = [b for _, b in kept]
    out: dict[str, Any] = {"n": len(kept), "skipped": len(h_all) - len(kept)}
    hn = [v for v in h if isinstance(v, float)]
    jn = [v for v in j if isinstance(v, float)]
    if len(hn) == len(h) and len(jn) == len(j):
        out |= {
            "kind": "numeric",
            "pearson": pearson(hn, jn),
            "spearman": spearman(hn, jn),
            "mae": mean_absolute_error(hn, jn),
        }
        if all(0.0 <= v <= 1.0 for v in hn + jn):
            out |= _categorical(
                ["pass" if v >= pass_mark else "fail" for v in hn],
                ["pass" if v >= pass_mark else "fail" for v in jn],
            )
        return out
    out |= {"kind": "categorical"} | _categorical([str(v) for v in h], [str(v) for v in j])
    return out
