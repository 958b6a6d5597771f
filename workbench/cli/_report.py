"""``workbench report NAME -p key=value --out file.html``: a notebook executed headlessly, written as HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli._app import _wb, app
from workbench.cli._output import console, err_console, print_json
from workbench.report import ReportError, parse_params


def _kept(html_path: Path) -> Path | None:
    for candidate in (html_path.with_suffix(".executed.ipynb"), html_path.with_suffix(".ipynb")):
        if candidate.is_file():
            return candidate
    return None


@app.command("report")
def report_(
    name: Annotated[
        str,
        typer.Argument(help="compare_runs, trends, failure_modes, judge_alignment, explore, or a path to an .ipynb."),
    ],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE for the notebook's parameters (JSON or text; repeatable)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file to write (default: <root>/reports/NAME.html).")
    ] = None,
    keep_notebook: Annotated[
        bool, typer.Option("--keep-notebook", help="Keep the executed notebook next to the HTML (.ipynb).")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds allowed per cell.")] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Execute a report notebook with Papermill and write it as HTML without code (charts work offline).

    Exits 1 when a cell of the notebook fails (the message names the cell and the error),
    2 on bad input (unknown notebook or parameter).
    """
    wb = _wb()
    params = parse_params(param)
    try:
        path = wb.report(name, params, out, keep_notebook=keep_notebook, timeout=timeout)
    except ReportError as exc:
        if as_json:
            print_json({"error": str(exc), "cell_index": exc.cell_index, "ename": exc.ename})
        err_console.print(f"error: {exc}", markup=False, soft_wrap=True)
        if exc.executed is not None:
            err_console.print(f"the executed notebook (with the traceback) is {exc.executed}", markup=False)
        raise typer.Exit(1) from None
    notebook = _kept(path) if keep_notebook else None
    if as_json:
        print_json({"report": str(path), "notebook": None if notebook is None else str(notebook)})
        return
    console.print(f"wrote {path}", markup=False)
    if notebook is not None:
        console.print(f"executed notebook: {notebook}", markup=False)
