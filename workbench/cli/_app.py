"""``workbench``: datasets, import and export, versions, history, diff, SQL and the demo.

Every command prints a readable table, or JSON with ``--json``. Bad input gives
a one-line ``error: ...`` on standard error, exit code 2, and writes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import pandas as pd
import typer
from rich.text import Text

from workbench._workbench import Workbench
from workbench.cli._output import (
    console,
    err_console,
    print_frame,
    print_json,
    results_view,
    value_text,
    values_frame,
)
from workbench.cli._root import RootAnywhereGroup
from workbench.errors import ImportValidationError, ValidationError, WorkbenchError
from workbench.records import ITEM_FIELDS
from workbench.runs import Run, UnreadableRunWarning

app = typer.Typer(
    name="workbench",
    help="Eval Workbench: versioned datasets of test cases for evaluating LLM apps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=RootAnywhereGroup,
)
datasets_app = typer.Typer(help="List, create, show and delete datasets.", no_args_is_help=True)
app.add_typer(datasets_app, name="datasets")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class _State:
    root: Path | None = None


def _wb() -> Workbench:
    return Workbench(_State.root)


@app.callback()
def _root(
    root: Annotated[
        Path | None,
        typer.Option("--root", envvar="WORKBENCH_ROOT", help="Store folder (holds datasets/ and runs/)."),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-v, -vv).")] = 0,
) -> None:
    _State.root = root
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


# -- datasets ------------------------------------------------------------------
@datasets_app.command("list")
def datasets_list(as_json: JsonFlag = False) -> None:
    """List every dataset with its latest version and item count."""
    df = _wb().datasets()
    if as_json:
        print_json(df)
    elif df.empty:
        console.print("no datasets yet: create one with `workbench datasets create NAME`")
    else:
        print_frame(df, title="datasets")


def _json_option(text: str | None, what: str) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"{what} is not valid JSON ({exc})") from None


def _schema_file(path: Path | None, what: str) -> Any:
    if path is None:
        return None
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ValidationError(f"{what} {path}: cannot read a JSON Schema ({exc})") from None


@datasets_app.command("create")
def datasets_create(
    name: str,
    description: Annotated[str, typer.Option("--description", "-d")] = "",
    metadata: Annotated[str | None, typer.Option(help="JSON object.")] = None,
    input_schema: Annotated[Path | None, typer.Option(help="JSON Schema file for input.")] = None,
    expected_schema: Annotated[Path | None, typer.Option(help="JSON Schema file for expected_output.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an empty dataset."""
    ds = _wb().create_dataset(
        name,
        description=description,
        metadata=_json_option(metadata, "--metadata"),
        input_schema=_schema_file(input_schema, "--input-schema"),
        expected_schema=_schema_file(expected_schema, "--expected-schema"),
    )
    if as_json:
        print_json({"name": ds.name, "version": ds.version})
    else:
        console.print(f"created dataset {ds.name!r} (version 0)")


@datasets_app.command("show")
def datasets_show(
    name: str,
    version: Annotated[int | None, typer.Option(help="Version to show (default: latest).")] = None,
    limit: Annotated[int, typer.Option(help="Items to show.")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """Show a dataset's description, schemas and first items."""
    ds = _wb().dataset(name)
    items = ds.items(version)
    info = ds.info
    shown = ds.version if version is None else version
    if as_json:
        print_json(
            {
                "name": ds.name,
                "description": info.description,
                "metadata": info.metadata,
                "input_schema": info.input_schema,
                "expected_schema": info.expected_schema,
                "version": shown,
                "latest_version": ds.version,
                "items": len(items),
                "first_items": orjson.loads(items.head(limit).to_json(orient="records")),
            }
        )
        return
    console.print(f"[bold]{ds.name}[/bold] · version {shown} of {ds.version} · {len(items)} items")
    if info.description:
        console.print(info.description)
    if info.metadata:
        console.print(f"metadata: {orjson.dumps(info.metadata).decode()}")
    shown_items = values_frame(items.head(limit), ITEM_FIELDS)
    print_frame(shown_items, title=f"first {min(limit, len(items))} items")


@datasets_app.command("delete")
def datasets_delete(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Delete a dataset and all its versions (asks first unless --yes)."""
    wb = _wb()
    wb.dataset(name)  # fails clearly when absent
    if not yes:
        if not sys.stdin.isatty():
            raise ValidationError(f"deleting {name!r} needs --yes when not run from a terminal")
        typer.confirm(f"Delete dataset {name!r} and every version of it?", abort=True)
    wb.delete_dataset(name)
    if as_json:
        print_json({"deleted": name})
    else:
        console.print(f"deleted dataset {name!r}")


# -- import / export -------------------------------------------------------------
def _parse_maps(maps: list[str]) -> dict[str, str | list[str]] | None:
    if not maps:
        return None
    mapping: dict[str, str | list[str]] = {}
    for m in maps:
        field, sep, cols = m.partition("=")
        if not sep or not field.strip() or not cols.strip():
            raise ValidationError(f"--map {m!r}: write FIELD=COLUMN or FIELD=COL1,COL2")
        names = [c.strip() for c in cols.split(",")]
        mapping[field.strip()] = names[0] if len(names) == 1 else names
    return mapping


@app.command("import")
def import_(
    dataset: str,
    file: Path,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN, or FIELD=COL1,COL2 for an object (repeatable). "
            "Default: guessed from the column names (question -> input, answer -> expected_output, id -> item_id...).",
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="append: add new items (an existing id is an error). upsert: add new ids, update changed items. "
            "sync: upsert, and delete the items whose ids are not in the file. One version; none if nothing changes.",
        ),
    ] = "append",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and print what would change.")] = False,
    json_col: Annotated[list[str] | None, typer.Option("--json-col", help="Parse this column as JSON.")] = None,
    number_col: Annotated[list[str] | None, typer.Option("--number-col", help="Parse this column as a number.")] = None,
    infer_types: Annotated[bool, typer.Option(help="Guess numbers, booleans and JSON in cells.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows, report the rest (not with --mode sync).")
    ] = False,
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl or parquet (default: by extension).")
    ] = None,
    create: Annotated[bool, typer.Option("--create", help="Create the dataset if it does not exist.")] = False,
    message: Annotated[str | None, typer.Option("--message", "-m")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a CSV, JSONL or Parquet file into a dataset as one new version (an export imports back as it was).

    Prints the mapping first, then what the import did: added, updated, unchanged, deleted.
    """
    from workbench.store import describe_mapping, file_columns, guess_mapping

    wb = _wb()
    by_suffix = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
    kind = file_format or by_suffix.get(file.suffix.lower(), "csv")
    if kind not in ("csv", "jsonl", "parquet"):
        raise ValidationError(f"--format {kind!r}: use csv, jsonl or parquet")
    if mode not in ("append", "upsert", "sync"):
        raise ValidationError(f"--mode {mode!r}: use append, upsert or sync")
    mapping = _parse_maps(map_ or [])
    shown = mapping if mapping is not None else guess_mapping(file_columns(file, kind=kind))
    if not as_json:
        console.print(f"mapping: {describe_mapping(shown)}", markup=False, highlight=False)
    exists = wb.project.catalog.exists(dataset)
    created = create and not exists and not dry_run
    ds = wb.create_dataset(dataset) if created else wb.dataset(dataset)
    on_invalid: Literal["abort", "skip"] = "skip" if skip_invalid else "abort"
    options: dict[str, Any] = {
        "mapping": mapping, "mode": mode, "on_invalid": on_invalid, "message": message, "dry_run": dry_run,
    }  # fmt: skip
    try:
        if kind == "csv":
            report = ds.import_csv(
                file,
                json_columns=json_col or [],
                number_columns=number_col or [],
                infer_types=infer_types,
                **options,
            )
        elif kind == "parquet":
            report = ds.import_parquet(file, **options)
        else:
            report = ds.import_jsonl(file, **options)
    except WorkbenchError as exc:
        if created and wb.dataset(dataset).version == 0:
            wb.delete_dataset(dataset)  # nothing was imported: do not leave the empty dataset behind
        if not isinstance(exc, ImportValidationError):
            raise
        if as_json:
            print_json({"error": "invalid rows", "rows": exc.total_rows, "errors": [e.__dict__ for e in exc.errors]})
        else:
            for err in exc.errors[:50]:
                err_console.print(f"  {err}", markup=False, highlight=False)
            if len(exc.errors) > 50:
                err_console.print(f"  ... and {len(exc.errors) - 50} more")
        raise
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(str(report), markup=False, highlight=False)
        if report.ignored_columns:
            console.print(f"columns not mapped (ignored): {', '.join(report.ignored_columns)}", markup=False)


@app.command("export")
def export(
    dataset: str,
    file: Path,
    version: Annotated[int | None, typer.Option(help="Version to export (default: latest).")] = None,
    file_format: Annotated[str | None, typer.Option("--format", help="csv, jsonl or parquet.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Export a version's items to CSV, JSONL or Parquet."""
    ds = _wb().dataset(dataset)
    if file_format not in (None, "csv", "jsonl", "parquet"):
        raise ValidationError(f"--format {file_format!r}: use csv, jsonl or parquet")
    fmt: Any = file_format
    path = ds.export(file, format=fmt, version=version)
    shown = ds.version if version is None else version
    if as_json:
        print_json({"dataset": ds.name, "version": shown, "path": str(path)})
    else:
        console.print(f"exported {ds.name!r} version {shown} to {path}")


# -- versions, history, diff, sql -----------------------------------------------------
@app.command("versions")
def versions(dataset: str, as_json: JsonFlag = False) -> None:
    """List a dataset's versions with what each changed."""
    df = _wb().dataset(dataset).versions()
    print_json(df) if as_json else print_frame(df, title=f"versions of {dataset}")


@app.command("item")
def item(
    dataset: str,
    item_id: str,
    version: Annotated[int | None, typer.Option(help="Version to read (default: latest).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one item in full: each field's value, text with its own line breaks."""
    found = _wb().dataset(dataset).item(item_id, version)
    if as_json:
        print_json({"item_id": found.item_id, **{f: getattr(found, f) for f in ITEM_FIELDS}, "version": found.version})
        return
    console.print(Text.assemble((found.item_id, "bold"), f" · {dataset} · changed in version {found.version}"))
    for field in ITEM_FIELDS:
        value = getattr(found, field)
        if value is None:
            continue
        text = value_text(value)  # user text is never read as markup
        console.print(Text.assemble((f"{field}:", "bold"), "\n" + text if "\n" in text else " " + text))


@app.command("history")
def history(dataset: str, item_id: str, as_json: JsonFlag = False) -> None:
    """Show every state of one item across versions."""
    df = _wb().dataset(dataset).history(item_id)
    if as_json:
        print_json(df)
    else:
        print_frame(values_frame(df, ITEM_FIELDS), title=f"history of {item_id} in {dataset}")


@app.command("diff")
def diff(dataset: str, v1: int, v2: int, as_json: JsonFlag = False) -> None:
    """Show the items added, removed and changed between two versions."""
    df = _wb().dataset(dataset).diff(v1, v2)
    if as_json:
        print_json(df)
        return
    counts = df["change"].value_counts().to_dict() if not df.empty else {}
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("added", "removed", "changed"))
    console.print(f"{dataset}: version {v1} → {v2}: {summary}")
    if not df.empty:
        print_frame(values_frame(df, (), fields=("before", "after")))


@app.command("sql")
def sql(query: str, as_json: JsonFlag = False) -> None:
    """Run SQL over the store's views (datasets, items, item_log, runs, results, scores, labels)."""
    try:
        df = _wb().sql(query)
    except Exception as exc:  # DuckDB's own errors (syntax, unknown column) are bad input here
        if isinstance(exc, WorkbenchError):
            raise
        raise ValidationError(f"SQL failed: {exc}".replace("\n", " ")) from None
    print_json(df) if as_json else print_frame(df)


# -- runs -------------------------------------------------------------------------
def _run_rows(runs: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        m = run.manifest
        rows.append({"run_id": run.id, "target": m.target.get("name"), "status": m.status, **m.counts()})
    return rows


@app.command("run")
def run_(
    config: Annotated[Path | None, typer.Argument(help="Experiment file (TOML).")] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Finish the missing units of this run.")] = None,
    shard: Annotated[str | None, typer.Option("--shard", help="Do only shard i of n, e.g. 0/4.")] = None,
    experiment_id: Annotated[
        str | None, typer.Option("--experiment-id", help="Id shared by every shard of one experiment.")
    ] = None,
    cache: Annotated[
        bool, typer.Option("--cache", help="Answer model calls from the response cache (off unless asked).")
    ] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Run an experiment file (one run per target), or resume a run with --resume RUN_ID.

    Runs call the models afresh; --cache (or ``cache = true`` in the file) answers repeated
    calls from the response cache instead.

    Exits 1 when a run failed (every item errored, or an auth error or a full disk stopped
    it; one line says why, with the first error) or was cancelled; a run with only some
    item errors is completed and counts them. Ctrl-C stops the run as interrupted, prints
    how to resume it and exits 130.
    """
    from workbench.runs import load_experiment, run_experiment

    wb = _wb()
    progress = not no_progress and not as_json
    started: list[Run] = []
    try:
        if resume is not None:
            if config is not None:
                raise ValidationError("give either an experiment file or --resume RUN_ID, not both")
            started.append(wb.resume(resume, shard=shard, progress=progress))
            runs = [started[-1].wait()]
        elif config is None:
            raise ValidationError("give an experiment file (workbench run experiment.toml) or --resume RUN_ID")
        else:
            if shard is not None and experiment_id is None:
                raise ValidationError("--shard needs --experiment-id so every shard writes into the same runs")
            runs = run_experiment(
                wb.project, load_experiment(config), experiment_id=experiment_id, shard=shard, progress=progress,
                cache=True if cache else None, on_start=started.append,
            )  # fmt: skip
    except KeyboardInterrupt:
        _interrupted(started[-1] if started else None, shard)
        raise typer.Exit(130) from None
    rows = _run_rows(runs)
    if as_json:
        print_json(rows)
    else:
        print_frame(pd.DataFrame(rows), title="runs")
    for run in runs:  # why a run failed: every item errored (the first error), or what stopped it
        failure = run.failure
        if failure is not None:
            named = f"run {run.id}: " if len(runs) > 1 else ""
            err_console.print(f"failed: {named}{failure}", markup=False, soft_wrap=True)
    if any(r["status"] in ("failed", "cancelled", "interrupted") for r in rows):
        raise typer.Exit(1)


def _interrupted(run: Run | None, shard: str | None) -> None:
    """Ctrl-C: stop the run as interrupted and say, in one line, how far it got and how to resume it."""
    if run is None:
        err_console.print("interrupted: no run started", markup=False, soft_wrap=True)
        return
    with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: stop waiting for the status to be recorded
        run.interrupt()  # Run.wait did it already when Ctrl-C came while waiting
    counts = run.manifest.counts()
    resume = f"workbench run --resume {run.id}" + (f" --shard {shard}" if shard else "")
    err_console.print(
        f"interrupted: {counts['done']}/{counts['total']} done; resume with: {resume}", markup=False, soft_wrap=True
    )


@app.command("runs")
def runs_list(as_json: JsonFlag = False) -> None:
    """List every run, newest first (an interrupted run's note says how to resume it)."""
    with warnings.catch_warnings(record=True) as skipped:
        warnings.simplefilter("always", UnreadableRunWarning)
        df = _wb().runs()
    for warning in skipped:  # a run whose manifest cannot be read: named, the others listed
        err_console.print(f"warning: {warning.message}", markup=False, soft_wrap=True)
    print_json(df) if as_json else print_frame(df, title="runs")


@app.command("results")
def results(
    run_id: str, limit: Annotated[int, typer.Option(help="Rows to show.")] = 20, as_json: JsonFlag = False
) -> None:
    """Show a run's results (one row per item and repeat, with scores): values, not JSON text."""
    df = _wb().get_run(run_id).results()
    print_json(df) if as_json else print_frame(results_view(df.head(limit)), title=f"results of {run_id}")


@app.command("label")
def label(
    run_id: str,
    item_id: str,
    label_name: Annotated[
        str,
        typer.Argument(
            metavar="LABEL", help="One of the store's labels (`workbench labels` lists them), e.g. failure_refusal."
        ),
    ],
    note: Annotated[str, typer.Option("--note", help="Why this label.")] = "",
    author: Annotated[str | None, typer.Option("--author", help="Who labels (default: $USER).")] = None,
    repeat: Annotated[int, typer.Option("--repeat", help="Which repeat of the item.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Give one result (item and repeat) of a run a human label; the latest human label wins."""
    given = _wb().get_run(run_id).label(item_id, label_name, note=note, author=author, repeat=repeat)
    if as_json:
        print_json(given.to_dict() | {"created_at": given.created_at.isoformat()})
    else:
        console.print(f"labelled {item_id} (repeat {repeat}) of {run_id} as {label_name}", markup=False)


@app.command("labels")
def labels(
    add: Annotated[
        list[str] | None,
        typer.Option("--add", metavar="NAME", help="Add a label to the store's taxonomy (repeatable)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the labels a result can be given (built-in outcomes, then the store's own); --add extends them."""
    wb = _wb()
    taxonomy = wb.add_labels(*add) if add else wb.label_taxonomy()
    if as_json:
        print_json(list(taxonomy))
        return
    added = set(wb.project.taxonomy.added())
    for name in taxonomy:
        console.print(f"{name}{'  (added)' if name in added else ''}", markup=False)


@app.command("demo")
def demo() -> None:
    """Run the offline demo on the store (creates the dataset 'demo-qa')."""
    from workbench.demo import run_demo

    run_demo(_wb())


def main() -> None:
    """Entry point of the ``workbench`` command."""
    try:
        app()
    except WorkbenchError as exc:
        message = " ".join(str(exc).split("\n"))
        err_console.print(f"error: {message}", markup=False, soft_wrap=True)
        raise SystemExit(2) from None
