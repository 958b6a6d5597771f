"""``workbench runs-summary``, ``matrix``, ``trends DATASET`` and ``failures``: views over many runs.

Each prints a table, or JSON with ``--json``; bad input (an unknown run or dataset, a
scorer no run has) is a one-line ``error: ...`` and exit code 2, as everywhere.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
import typer

from workbench.analysis._options import parse_directions, parse_pass_marks
from workbench.analysis._views import select_runs
from workbench.cli._analysis import DirectionOption, PassMarkOption
from workbench.cli._app import JsonFlag, _wb, app
from workbench.cli._output import console, print_frame, print_json

DatasetOption = Annotated[str | None, typer.Option("--dataset", "-d", help="Only runs of this dataset.")]
RunsOption = Annotated[
    list[str] | None, typer.Option("--run", "-r", help="Only this run (repeatable; default: every run).")
]
TABLE_COLUMNS = (
    "run_id", "dataset", "target", "status", "partial", "units", "success_rate", "cache_hit_share", "latency_p50",
    "cost_per_item",
)  # fmt: skip
MATRIX_TABLE_HIDES = ("note",)
"""Columns of ``matrix`` the table leaves out (the notes are printed under it; ``--json`` has them)."""


def _number(value: Any) -> Any:
    """Floats to 4 significant digits for reading (JSON keeps full precision)."""
    if isinstance(value, float) and math.isfinite(value) and not float(value).is_integer():
        return f"{value:.4g}"
    return value


def _readable(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(_number).astype(object)
    return out


def _show(df: pd.DataFrame, title: str, empty: str, as_json: bool) -> None:
    if as_json:
        print_json(df)
    elif df.empty:
        console.print(empty, markup=False)
    else:
        print_frame(_readable(df), title=title)


@app.command("runs-summary")
def runs_summary_(dataset: DatasetOption = None, run: RunsOption = None, as_json: JsonFlag = False) -> None:
    """One row per run: status, partial, units, success rate, cache hits, latency, cost, tokens, scorer means.

    Latency and cost leave out cache hits; partial is a run with fewer units than planned.
    """
    df = _wb().runs_summary(run or None, dataset)
    if not as_json:  # the table keeps what fits a terminal; --json has every column
        df = df[[c for c in df.columns if c in TABLE_COLUMNS or c.startswith("score_")]]
    _show(df, "runs", "no runs yet: start one with `workbench run experiment.toml`", as_json)


@app.command("matrix")
def matrix_(
    dataset: DatasetOption = None, run: RunsOption = None, direction: DirectionOption = None, as_json: JsonFlag = False
) -> None:
    """A leaderboard: each target x model x prompt's newest completed run, per scorer (mean, 95% CI), cost, latency.

    Best mean first per scorer: lowest first for a lower-is-better scorer (as it declares, or
    --direction SCORER=lower). A newer run that failed or is unfinished is named under the table.
    """
    df = _wb().matrix(run or None, dataset, directions=parse_directions(direction or []))
    if as_json or df.empty:
        _show(df, "matrix", "no run with results yet", as_json)
        return
    _show(df.drop(columns=list(MATRIX_TABLE_HIDES)), "matrix", "", False)
    notes = df.drop_duplicates(["target", "model", "prompt"])
    for r in notes[notes["note"] != ""].itertuples(index=False):
        console.print(f"note: {r.target}: {r.note}", markup=False, soft_wrap=True)


@app.command("trends")
def trends_(
    dataset: str,
    target: Annotated[str | None, typer.Option("--target", "-t", help="Only runs of this target (its name).")] = None,
    scorer: Annotated[list[str] | None, typer.Option("--scorer", "-s", help="Only this scorer (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """A dataset's runs over time: each scorer's mean (95% CI), latency p50/p95, cost per item, success rate.

    The table has one row per run and a column per metric; --json gives the long rows.
    """
    df = _wb().trends(dataset, target=target, scorers=scorer or None)
    if as_json or df.empty:
        _show(df, "", f"no run of {dataset} has results yet", as_json)
        return
    wide = df.pivot_table(
        index=["created_at", "run_id", "target", "dataset_version", "status", "partial"],
        columns="metric",
        values="value",
        sort=False,
    )
    metrics = list(dict.fromkeys(df["metric"]))
    wide = wide.reindex(columns=metrics).reset_index()
    wide.columns.name = None
    print_frame(_readable(wide), title=f"trends of {dataset}")


@app.command("failures")
def failures_(
    dataset: DatasetOption = None,
    run: RunsOption = None,
    top: Annotated[int, typer.Option("--top", help="How many of the most-failing items to list.")] = 20,
    direction: DirectionOption = None,
    pass_mark: PassMarkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Failure modes: label counts and shares per target, and the items that fail most often.

    An unlabelled unit fails when a scorer's score misses its pass mark: below it, or above it
    for a lower-is-better scorer (each scorer's declared direction and pass mark, else higher
    and 0.5; --direction and --pass-mark override them).
    """
    wb = _wb()
    names = sorted({str(s["name"]) for r in select_runs(wb.project, run or None, dataset) for s in r.manifest.scorers})
    fm = wb.failure_modes(
        run or None,
        dataset,
        top=top,
        directions=parse_directions(direction or []),
        pass_marks=parse_pass_marks(pass_mark or [], names),
    )
    if as_json:
        print_json(fm.to_dict())
        return
    _show(fm.by_target, "labels per target", "no run with results yet", False)
    if not fm.by_target.empty:
        _show(fm.items, f"most failing items (top {top})", "no failing item", False)
