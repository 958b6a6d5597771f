"""The offline demo run by ``make demo``: a dataset's life, three targets scored, compared and reported.

1. import a sample CSV of 38 support and knowledge cases (expected answers and expected
   ``lookup_order`` tool calls) and run pipeline v1 on that first version;
2. edit the dataset (versions, diff, history, SQL, export);
3. run pipeline v1, pipeline v2 and a model agent with the ``lookup_order`` tool — a real
   model when ``OPENAI_API_KEY`` or ``ANTHROPIC_API_KEY`` is set, else the simulated
   OpenAI-wire server on 127.0.0.1 (named "simulated" everywhere) — scored by code
   scorers and an LLM judge (simulated offline), then auto-labelled;
4. compare v1 with v2 (table and warnings) and write HTML reports under ``<root>/reports``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from rich.console import Console

from workbench._workbench import Workbench
from workbench.analysis import Comparison
from workbench.cli._output import print_frame
from workbench.demo._runs import DemoRuns, run_targets
from workbench.report import KernelNotFoundError, check_kernel
from workbench.store import Dataset

DEMO_DATASET = "demo-qa"
REPORTS_DIR = "reports"

__all__ = ["DEMO_DATASET", "DemoResult", "run_demo", "sample_csv"]


def sample_csv() -> Path:
    """The sample CSV shipped with the package (38 support and knowledge cases)."""
    return Path(str(files("workbench.demo").joinpath("qa.csv")))


@dataclass
class DemoResult:
    """What the demo made: the run ids by role, the comparison of v1 and v2, the reports written."""

    runs: DemoRuns
    comparison: Comparison
    reports: dict[str, Path] = field(default_factory=dict)


def run_demo(wb: Workbench, console: Console | None = None, *, reports: bool = True) -> DemoResult:
    """Run the whole demo on ``wb`` (its dataset ``demo-qa`` starts afresh each time)."""
    out = console or Console(highlight=False)
    ds = _import(wb, out)
    out.rule("[bold]2. a first run of pipeline v1 on version 1")
    early = run_targets(wb, ds, out, only_v1=True)
    _edit(wb, ds, out)
    out.rule("[bold]7. runs on the latest version: two pipeline versions and a model, scored and auto-labelled")
    runs = run_targets(wb, ds, out)
    runs.early_v1 = early.v1
    comparison = _compare(wb, runs, out)
    written = _reports(wb, runs, out) if reports else {}
    return DemoResult(runs, comparison, written)


def _import(wb: Workbench, out: Console) -> Dataset:
    if DEMO_DATASET in wb.datasets()["name"].tolist():
        wb.delete_dataset(DEMO_DATASET)  # the demo's own dataset: start fresh each time
    ds = wb.create_dataset(
        DEMO_DATASET,
        description="Support and knowledge questions with expected answers and expected tool calls",
        metadata={"owner": "demo", "domain": "support"},
        input_schema={"type": "object", "required": ["question"], "properties": {"question": {"type": "string"}}},
    )
    out.rule(f"[bold]1. import {sample_csv().name} into {DEMO_DATASET!r}")
    report = ds.import_csv(
        sample_csv(),
        mapping={
            "item_id": "id",
            "input": ["question"],
            "context": "context",
            "expected_output": ["answer", "tool_calls"],
            "metadata": ["source", "difficulty"],
        },
        json_columns=["tool_calls"],
        message="initial import",
    )
    out.print(str(report))
    return ds


def _edit(wb: Workbench, ds: Dataset, out: Console) -> None:
    out.rule("[bold]3. edit: fix an answer, delete a case, add two cases")
    ds.update_item("q27", expected_output={"answer": "12", "tool_calls": []}, message="accept 12 as the answer")
    ds.delete_items(["q26"], message="ambiguous question")
    ds.add_items(
        [
            {
                "item_id": "q39",
                "input": {"question": "What is 2 + 2?"},
                "expected_output": {"answer": "4", "tool_calls": []},
                "metadata": {"source": "math", "difficulty": "easy"},
            },
            {
                "item_id": "q40",
                "input": {"question": "Is order C-9 delivered yet?"},
                "expected_output": {
                    "answer": "in transit",
                    "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "C-9"}}],
                },
                "metadata": {"source": "support", "difficulty": "medium"},
            },
        ],
        message="two more cases",
    )
    out.print(f"{DEMO_DATASET!r} is at version {ds.version} with {len(ds)} items")
    out.rule("[bold]4. versions and the diff between version 1 and the latest")
    print_frame(ds.versions())
    print_frame(ds.diff(1, ds.version))
    out.rule("[bold]5. history of item q27")
    print_frame(ds.history("q27")[["version", "created_at", "op", "expected_output"]])
    out.rule("[bold]6. SQL across the store: the support cases and the tool they expect")
    print_frame(
        wb.sql(
            "select item_id, input->>'$.question' as question, "
            "expected_output->>'$.tool_calls[0].name' as expected_tool "
            "from items where dataset = ? and metadata->>'$.source' = 'support' order by item_id limit 6",
            [DEMO_DATASET],
        )
    )
    export = wb.root / REPORTS_DIR / f"{DEMO_DATASET}.jsonl"
    ds.export(export)
    out.print(f"exported version {ds.version} to {export}; the store is in {wb.datasets_dir}")


def _compare(wb: Workbench, runs: DemoRuns, out: Console) -> Comparison:
    out.rule("[bold]8. compare pipeline v1 (baseline) with pipeline v2 (candidate)")
    comparison = wb.compare(runs.v1, runs.v2)
    columns = ["scorer", "baseline_mean", "candidate_mean", "delta", "ci_low", "ci_high", "p_value"]
    columns += ["improved", "regressed", "regression"]
    print_frame(comparison.scorers[columns].round(3))
    for warning in comparison.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning.message}")
    regressed = sorted({i for items in comparison.regressed_items.values() for i in items})
    out.print(f"items that got worse on some scorer: {', '.join(regressed) or 'none'}")
    out.print("significant regression" if comparison.has_regression else "no significant regression")
    if runs.early_v1 is not None:
        early = wb.compare(runs.early_v1, runs.v2)
        out.print("\npipeline v1 on version 1 vs pipeline v2 on the latest version warns:")
        for warning in early.warnings:
            out.print(f"[yellow]warning:[/yellow] {warning.message}")
    return comparison


def _reports(wb: Workbench, runs: DemoRuns, out: Console) -> dict[str, Path]:
    out.rule("[bold]9. HTML reports (Papermill on the eval-workbench kernel, no code, charts offline)")
    try:
        check_kernel()
    except KernelNotFoundError as exc:
        out.print(f"[yellow]skipping the reports:[/yellow] {exc}")
        return {}
    folder = wb.root / REPORTS_DIR
    wanted: dict[str, tuple[str, dict[str, Any]]] = {
        "compare_runs": ("compare_runs", {"baseline": runs.v1, "candidate": runs.v2}),
        "failure_modes": ("failure_modes", {"dataset": DEMO_DATASET}),
        "trends": ("trends", {"dataset": DEMO_DATASET}),
    }
    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:  # each report runs in its own kernel process
        futures = {key: pool.submit(wb.report, nb, args, folder / f"{key}.html") for key, (nb, args) in wanted.items()}
        written = {key: future.result() for key, future in futures.items()}
    for key, path in written.items():
        out.print(f"{key:<14} {path.resolve()}", markup=False, soft_wrap=True)
    out.print(f"open them in a browser, e.g. file://{written['compare_runs'].resolve()}")
    if runs.simulated:
        out.print("the model target and the judge are SIMULATED (no OPENAI_API_KEY or ANTHROPIC_API_KEY)")
    return written
