"""Trends: each scorer, latency, cost and success rate across a dataset's runs over time (``wb.trends()``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.analysis._runs_summary import ci_bounds, run_stats, split_stats
from workbench.analysis._views import select_runs
from workbench.errors import NotFoundError, ValidationError
from workbench.store._names import folder_name

if TYPE_CHECKING:
    from workbench.project import Project

TREND_COLUMNS = (
    "run_id", "created_at", "target", "dataset_version", "status", "partial", "metric", "value", "ci_low", "ci_high",
)  # fmt: skip
RUN_METRICS = ("latency_p50", "latency_p95", "cost_per_item", "success_rate")
"""The metrics every run has besides its scorers (they carry no interval)."""


def trends(
    project: Project, dataset: str, target: str | None = None, scorers: Sequence[str] | None = None
) -> pd.DataFrame:
    """A dataset's runs in time order, long: one row per run and metric.

    Columns: ``run_id, created_at, target, dataset_version, status, partial, metric, value,
    ci_low, ci_high``. ``metric`` is a scorer's name (``value`` its mean, with a 95% interval
    clustered by item), or ``latency_p50``, ``latency_p95``, ``cost_per_item`` (cache hits
    left out), ``success_rate`` (no interval). Every run with a result is a point, a failed,
    cancelled or running one too: ``status`` says which and ``partial`` is True when it has
    fewer units than planned, so such a point is never read as a finished run's. Runs with
    no result yet are left out, and so are figures a run does not have (no cost for a plain
    function, a scorer that failed on every unit).

    Args:
        project: the workbench.
        dataset: the dataset's name (``NotFoundError`` when neither it nor a run of it exists).
        target: only runs of the target with this name.
        scorers: only these scorers (default: all); a name no run has is a ``ValidationError``.

    Examples:
        >>> df = wb.trends("qa", target="openai:gpt-4o-mini/answer@2")  # doctest: +SKIP
        >>> df[df.metric == "exact"][["created_at", "value", "ci_low", "ci_high"]]  # doctest: +SKIP
    """
    refs = select_runs(project, None, dataset)
    if not refs and not (project.datasets_dir / folder_name(dataset)).is_dir():  # the dataset's folder (escaped names)
        raise NotFoundError(f"dataset {dataset!r} does not exist and no run used it")
    if target is not None:
        refs = [r for r in refs if r.target == target]
    wanted = None if scorers is None else [scorers] if isinstance(scorers, str) else list(scorers)
    if wanted is not None:
        known = {str(s["name"]) for r in refs for s in r.manifest.scorers}
        unknown = sorted(set(wanted) - known)
        if unknown:
            where = f" of target {target!r}" if target is not None else ""
            raise ValidationError(
                f"no run of dataset {dataset!r}{where} has scorer(s) {', '.join(map(repr, unknown))}; "
                f"scorers: {', '.join(sorted(known)) or 'none'}"
            )
    if not refs:
        return pd.DataFrame(columns=list(TREND_COLUMNS))
    run_rows, scorer_rows = split_stats(run_stats(refs))
    if wanted is not None:
        scorer_rows = scorer_rows[scorer_rows["scorer"].isin(wanted)]
    info = pd.DataFrame(
        [
            {"run_id": r.id, "created_at": pd.Timestamp(r.manifest.created_at), "target": r.target,
             "dataset_version": r.manifest.dataset_version, "status": r.manifest.status,
             "planned": r.manifest.item_count * r.manifest.repeats, "order": k}
            for k, r in enumerate(refs)
        ],
        columns=["run_id", "created_at", "target", "dataset_version", "status", "planned", "order"],
    )  # fmt: skip
    units = dict(zip(run_rows["run_id"], run_rows["units"], strict=True))
    info["partial"] = (info["run_id"].map(units).fillna(0) < info.pop("planned")).astype("bool")
    scored = ci_bounds(scorer_rows).rename(columns={"scorer": "metric", "mean": "value"})
    scored = scored[["run_id", "metric", "value", "ci_low", "ci_high"]].assign(rank=0)
    fixed = run_rows.melt(id_vars=["run_id"], value_vars=list(RUN_METRICS), var_name="metric", value_name="value")
    ranks = {m: k + 1 for k, m in enumerate(RUN_METRICS)}
    fixed = fixed.assign(ci_low=np.nan, ci_high=np.nan, rank=fixed["metric"].map(ranks).astype("int64"))
    long = pd.concat([scored, fixed], ignore_index=True) if len(scored) else fixed
    long = long[long["value"].notna()].astype({"value": "float64", "ci_low": "float64", "ci_high": "float64"})
    df = info.merge(long, on="run_id", how="inner")
    df = df.sort_values(["order", "rank", "metric"], kind="stable")
    df["dataset_version"] = df["dataset_version"].astype("Int64")
    return df[list(TREND_COLUMNS)].reset_index(drop=True)
