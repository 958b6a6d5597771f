"""The leaderboard: targets x models x prompt versions, with scores, cost and latency (``wb.matrix()``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from workbench.analysis._runs_summary import ci_bounds, run_stats, split_stats
from workbench.analysis._summary import lower_is_better
from workbench.analysis._views import RunRef, select_runs
from workbench.runs._run import Run

if TYPE_CHECKING:
    from workbench._workbench import Workbench

MATRIX_COLUMNS = (
    "target", "model", "prompt", "run_id", "scorer", "mean", "ci_low", "ci_high", "n", "cost_per_item",
    "latency_p50", "latency_p95", "success_rate",
)  # fmt: skip


def latest_runs(refs: Sequence[RunRef], units: dict[str, int]) -> list[RunRef]:
    """Each (target, model, prompt)'s latest run with results, preferring completed runs.

    A combination whose newest run is still running (or failed, or was cancelled) shows
    its newest *completed* run, so a half-done run never replaces a finished one on the
    board; with no completed run, the newest run with any result stands in.
    """
    best: dict[tuple[str, str, str], RunRef] = {}
    for ref in refs:  # oldest first: a later run replaces an earlier one of its rank
        if not units.get(ref.id):
            continue
        combo = (ref.target, ref.model, ref.prompt)
        held = best.get(combo)
        if held is None or ref.manifest.status == "completed" or held.manifest.status != "completed":
            best[combo] = ref
    return list(best.values())


def matrix(
    wb: Workbench,
    runs: Sequence[str | Run] | str | Run | None = None,
    dataset: str | None = None,
    *,
    directions: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A leaderboard, long: one row per (target, model, prompt, scorer) from each combination's latest run.

    Columns: ``target, model, prompt, run_id, scorer, mean, ci_low, ci_high, n, cost_per_item,
    latency_p50, latency_p95, success_rate``. ``model`` and ``prompt`` come from a model or
    agent target (``""`` for functions and scorers). ``mean`` is over the units the scorer did
    not fail on, with a 95% t interval clustered by item; ``n`` is how many scores that is. A
    run without scorers gives one row with an empty ``scorer``. Rows are ordered by scorer,
    then best mean first: highest first, or lowest first for a scorer ``directions`` marks
    ``"lower"`` (is better). Runs of several datasets are mixed: pass ``dataset`` to keep one.

    Args:
        wb: the workbench.
        runs: run ids or :class:`Run` handles to choose from (default: every run).
        dataset: only runs of this dataset.
        directions: per scorer, ``"higher"`` (default) or ``"lower"`` is better.

    Examples:
        >>> wb.matrix(dataset="qa").pivot(index=["model", "prompt"], columns="scorer", values="mean")  # doctest: +SKIP
    """
    refs = select_runs(wb, runs, dataset)
    run_rows, scorer_rows = split_stats(run_stats(refs))
    lower = lower_is_better(directions, scorer_rows["scorer"].dropna().astype(str).unique())
    chosen = latest_runs(refs, dict(zip(run_rows["run_id"], run_rows["units"], strict=True)))
    if not chosen:
        return pd.DataFrame(columns=list(MATRIX_COLUMNS))
    combos = pd.DataFrame([{"target": r.target, "model": r.model, "prompt": r.prompt, "run_id": r.id} for r in chosen])
    figures = run_rows[["run_id", "cost_per_item", "latency_p50", "latency_p95", "success_rate"]]
    scored = ci_bounds(scorer_rows[scorer_rows["run_id"].isin(combos["run_id"])])
    scored = scored[["run_id", "scorer", "mean", "ci_low", "ci_high", "n"]]
    df = combos.merge(scored, on="run_id", how="left").merge(figures, on="run_id", how="left")
    df["n"] = df["n"].fillna(0).astype("int64")
    df["_rank"] = df["mean"].where(df["scorer"].isin(lower), -df["mean"])  # best first: ascending
    df = df.sort_values(["scorer", "_rank", "target", "model", "prompt"], na_position="last")
    return df[list(MATRIX_COLUMNS)].reset_index(drop=True)
