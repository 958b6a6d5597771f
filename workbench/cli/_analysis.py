"""``workbench summary`` and ``workbench compare``: a run's figures, and two runs compared (a CI gate).

``compare --fail-on-regression`` exits 1 when a scorer regressed (its change is significant
against 0 at ``--alpha`` and worse than its ``--margin``), the success rate dropped
significantly (more target errors), or a scorer is dead (no score to compare, or its
scorer-error rate rose significantly; ``--allow-dead-scorers`` lets that pass), else 0; bad
input (an unknown run, a malformed ``--margin``) is a one-line error with exit code 2, like
every command. Each scorer's direction and pass mark are what it declares in the run's
manifest; ``--direction`` and ``--pass-mark`` override them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from workbench.analysis._options import parse_directions, parse_margins, parse_pass_marks
from workbench.cli._app import JsonFlag, _wb, app
from workbench.cli._output import console, err_console, print_frame, print_json
from workbench.errors import ValidationError

if TYPE_CHECKING:
    from workbench.analysis._compare import Comparison

MarkdownFlag = Annotated[bool, typer.Option("--markdown", help="Print markdown (e.g. for a pull-request comment).")]


DirectionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--direction", help="SCORER=lower or SCORER=higher: override the scorer's declared direction (repeatable)."
    ),
]
PassMarkOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pass-mark",
        help="Override a scorer's pass mark: SCORER=NUMBER, or NUMBER for every scorer (repeatable; "
        "default: what the scorer declares, else 0.5).",
    ),
]


def _mode(as_json: bool, markdown: bool) -> str:
    if as_json and markdown:
        raise ValidationError("give --json or --markdown, not both")
    return "json" if as_json else "markdown" if markdown else "table"


def _print_tables(tables: dict[str, pd.DataFrame], first_title: str) -> None:
    for k, (name, table) in enumerate(tables.items()):
        print_frame(table, title=first_title if k == 0 else name)


@app.command("summary")
def summary(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="The run's id.")],
    pass_mark: PassMarkOption = None,
    bins: Annotated[int, typer.Option("--bins", help="Histogram bins.")] = 10,
    direction: DirectionOption = None,
    as_json: JsonFlag = False,
    markdown: MarkdownFlag = False,
) -> None:
    """Summarize a run: coverage, success, scores with 95% intervals, pass rates, cache hits, latency, cost, tools.

    A lower-is-better scorer passes at or below its pass mark. Latency and cost leave out cache hits.
    """
    mode = _mode(as_json, markdown)
    wb = _wb()
    run = wb.get_run(run_id)
    names = [str(s["name"]) for s in run.manifest.scorers]
    result = wb.summarize(
        run,
        pass_marks=parse_pass_marks(pass_mark or [], names),
        bins=bins,
        directions=parse_directions(direction or []),
    )
    if mode == "json":
        print_json(result.to_dict())
    elif mode == "markdown":
        sys.stdout.write(result.to_markdown())  # as is: a console would wrap long table rows
    else:
        _print_tables(result.tables(), result.title)


def _print_comparison(c: Comparison) -> None:
    console.print(c.title, markup=False)
    console.print(c.headline, markup=False, style="bold red" if c.has_regression else "bold")
    for name, table in c.tables().items():
        print_frame(table, title=name)
    for scorer, ids in c.regressed_items.items():
        if ids:
            more = f" (and {len(ids) - 10} more)" if len(ids) > 10 else ""
            console.print(f"regressed on {scorer}: {', '.join(ids[:10])}{more}", markup=False)
    if c.cache_line is not None:
        console.print(c.cache_line, markup=False)


@app.command("compare")
def compare(
    baseline: Annotated[str, typer.Argument(metavar="BASE", help="The baseline run's id.")],
    candidate: Annotated[str, typer.Argument(metavar="CAND", help="The candidate run's id.")],
    margin: Annotated[
        list[str] | None,
        typer.Option(
            "--margin",
            help=(
                "Smallest worsening that counts: SCORER=NUMBER, or NUMBER for all (repeatable). A scorer regresses"
                " when its change is significant against 0 at --alpha (paired t, or exact sign test for pass/fail)"
                " AND the mean delta is worse than -NUMBER in its direction; default 0."
            ),
        ),
    ] = None,
    direction: DirectionOption = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level.")] = 0.05,
    pass_mark: PassMarkOption = None,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression",
            help=(
                "Exit 1 when a scorer regressed (significant against 0 at --alpha and worse than its --margin),"
                " the success rate dropped significantly (exact sign test on target errors), or a scorer is dead"
                " (no score to compare, or its scorer-error rate rose significantly)."
            ),
        ),
    ] = False,
    allow_dead_scorers: Annotated[
        bool,
        typer.Option(
            "--allow-dead-scorers",
            help="Let --fail-on-regression pass with a dead scorer (it is still warned).",
        ),
    ] = False,
    as_json: JsonFlag = False,
    markdown: MarkdownFlag = False,
) -> None:
    """Compare a candidate run with a baseline on their shared items: paired intervals, p-values, warnings.

    Exits 1 with --fail-on-regression when a scorer got worse significantly (its change is
    significant against 0 at --alpha: paired t, or the exact sign test for pass/fail) and by more
    than its --margin, when the success rate dropped significantly (the target raised on
    more items: exact sign test on the items whose error share differs), or when a scorer is
    dead (no item scored on both sides, or its scorer-error rate rose significantly; pass
    --allow-dead-scorers to let that through); otherwise 0.
    """
    mode = _mode(as_json, markdown)
    wb = _wb()
    runs = [wb.get_run(baseline), wb.get_run(candidate)]
    names: list[str] = []
    for run in runs:
        names += [str(s["name"]) for s in run.manifest.scorers if str(s["name"]) not in names]
    options: dict[str, Any] = {
        "margins": parse_margins(margin or [], names),
        "directions": parse_directions(direction or []),
        "pass_marks": parse_pass_marks(pass_mark or [], names),
        "alpha": alpha,
        "allow_dead_scorers": allow_dead_scorers,
    }
    result = wb.compare(runs[0], runs[1], **options)
    if mode == "json":
        print_json(result.to_dict())
    elif mode == "markdown":
        sys.stdout.write(result.to_markdown())  # as is: a console would wrap long table rows
    else:
        for w in result.warnings:
            err_console.print(f"warning ({w.code}): {w.message}", markup=False, soft_wrap=True)
        _print_comparison(result)
    if fail_on_regression and result.has_regression:
        raise typer.Exit(1)
