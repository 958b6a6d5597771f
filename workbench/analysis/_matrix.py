"""The leaderboard: targets x models x prompt versions, with scores, cost and latency (``wb.matrix()``).

Each (target, model, prompt) shows its newest *completed* run: a failed, cancelled or still
running run never stands in for the latest good one. What the board shows is said in the
row, not left to guess: ``status`` and ``partial`` (fewer units than planned) of the run
shown, and a ``note`` when a newer run was not shown (it failed, was cancelled or is still
going) or when no completed run exists and an unfinished one stands in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from workbench.analysis._runs_summary import ci_bounds, run_stats, split_stats
from workbench.analysis._summary import declared_settings, lower_is_better
from workbench.analysis._views import RunRef, select_runs
from workbench.runs._run import Run

if TYPE_CHECKING:
    from workbench.project import Project

MATRIX_COLUMNS = (
    "target", "model", "prompt", "run_id", "status", "partial", "note", "scorer", "direction", "mean", "ci_low",
    "ci_high", "n", "cost_per_item", "latency_p50", "latency_p95", "success_rate", "cache_hit_share",
)  # fmt: skip


@dataclass(frozen=True)
class Shown:
    """The run a combination shows, and why in words (``note``, empty when it is simply the newest)."""

    ref: RunRef
    partial: bool
    note: str


def _units_text(ref: RunRef, units: dict[str, int]) -> str:
    planned = ref.manifest.item_count * ref.manifest.repeats
    return f"{units.get(ref.id, 0)} of {planned} units"


def latest_runs(refs: Sequence[RunRef], units: dict[str, int]) -> list[Shown]:
    """Each (target, model, prompt)'s newest completed run with results, with a note on what it hides.

    A combination whose newest run failed, was cancelled or is still running shows its newest
    *completed* run, and the note names the newer run and its status; with no completed run,
    the newest run with any result stands in and the note says it is not completed.
    ``refs`` are oldest first; a combination none of whose runs has a result has no row.
    """
    combos: dict[tuple[str, str, str], list[RunRef]] = {}
    for ref in refs:
        combos.setdefault((ref.target, ref.model, ref.prompt), []).append(ref)
    out = []
    for runs in combos.values():
        with_units = [r for r in runs if units.get(r.id)]
        if not with_units:
            continue
        completed = [r for r in with_units if r.manifest.status == "completed"]
        shown = (completed or with_units)[-1]
        planned = shown.manifest.item_count * shown.manifest.repeats
        partial = units.get(shown.id, 0) < planned
        notes = []
        if not completed:
            status = shown.manifest.status
            notes.append(f"no completed run: showing {status} run {shown.id} ({_units_text(shown, units)})")
        elif partial:
            notes.append(f"partial: {_units_text(shown, units)}")
        newer = runs[runs.index(shown) + 1 :]
        if newer:
            newest = newer[-1]
            notes.append(
                f"newest run {newest.id} is {newest.manifest.status} ({_units_text(newest, units)}), not shown"
            )
        out.append(Shown(shown, partial, "; ".join(notes)))
    return out


def matrix(
    project: Project,
    runs: Sequence[str | Run] | str | Run | None = None,
    dataset: str | None = None,
    *,
    directions: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A leaderboard, long: one row per (target, model, prompt, scorer) from each combination's latest good run.

    Columns: ``target, model, prompt, run_id, status, partial, note, scorer, direction, mean,
    ci_low, ci_high, n, cost_per_item, latency_p50, latency_p95, success_rate, cache_hit_share``.
    ``model`` and ``prompt`` come from a model or agent target (``""`` for functions and scorers).
    The run shown is the combination's newest completed one; ``status`` and ``partial`` (fewer
    units than planned) describe it, and ``note`` says when a newer run is not shown (failed,
    cancelled, running) or when no completed run exists (see the module docstring). ``mean``
    is over the units the scorer did not fail on, with a 95% t interval clustered by item;
    ``n`` is how many scores that is. Latency and cost leave out cache hits. A run without
    scorers gives one row with an empty ``scorer``. Rows are ordered by scorer, then best mean
    first: highest first, or lowest first for a lower-is-better scorer (``direction``: what
    the scorer declares in the runs' manifests, the newest run's when they differ, unless
    ``directions`` overrides it). Runs of several datasets are mixed: pass ``dataset`` to keep one.

    Args:
        project: the workbench.
        runs: run ids or :class:`Run` handles to choose from (default: every run).
        dataset: only runs of this dataset.
        directions: override, per scorer, ``"higher"`` or ``"lower"`` is better.

    Examples:
        >>> wb.matrix(dataset="qa").pivot(index=["model", "prompt"], columns="scorer", values="mean")  # doctest: +SKIP
    """
    refs = select_runs(project, runs, dataset)
    run_rows, scorer_rows = split_stats(run_stats(refs))
    names = scorer_rows["scorer"].dropna().astype(str).unique()
    declared, _ = declared_settings(r.manifest for r in refs)
    lower = lower_is_better(directions, names, declared)
    units = {str(k): int(v) for k, v in zip(run_rows["run_id"], run_rows["units"], strict=True)}
    chosen = latest_runs(refs, units)
    if not chosen:
        return pd.DataFrame(columns=list(MATRIX_COLUMNS))
    combos = pd.DataFrame(
        [
            {"target": s.ref.target, "model": s.ref.model, "prompt": s.ref.prompt, "run_id": s.ref.id,
             "status": s.ref.manifest.status, "partial": s.partial, "note": s.note}
            for s in chosen
        ]
    )  # fmt: skip
    figures = run_rows[["run_id", "cost_per_item", "latency_p50", "latency_p95", "success_rate", "cache_hit_share"]]
    scored = ci_bounds(scorer_rows[scorer_rows["run_id"].isin(combos["run_id"])])
    scored = scored[["run_id", "scorer", "mean", "ci_low", "ci_high", "n"]]
    df = combos.merge(scored, on="run_id", how="left").merge(figures, on="run_id", how="left")
    df["n"] = df["n"].fillna(0).astype("int64")
    df["partial"] = df["partial"].astype("bool")
    df["direction"] = df["scorer"].map(lambda s: None if pd.isna(s) else "lower" if s in lower else "higher")
    df["_rank"] = df["mean"].where(df["scorer"].isin(lower), -df["mean"])  # best first: ascending
    df = df.sort_values(["scorer", "_rank", "target", "model", "prompt"], na_position="last")
    return df[list(MATRIX_COLUMNS)].reset_index(drop=True)
