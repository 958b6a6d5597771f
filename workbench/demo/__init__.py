"""The offline demo run by ``make demo``: a dataset's life from import to diff."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import pandas as pd
from rich.console import Console

from workbench import targets
from workbench._workbench import Workbench
from workbench.cli._output import print_frame
from workbench.demo.pipelines import answer_v1, answer_v2, concise, correct
from workbench.scorers import scorer
from workbench.simulator import SimulatedLLMServer
from workbench.store import Dataset

DEMO_DATASET = "demo-qa"


def sample_csv() -> Path:
    """The sample CSV shipped with the package (30 question-answer cases)."""
    return Path(str(files("workbench.demo").joinpath("qa.csv")))


def run_demo(wb: Workbench, console: Console | None = None) -> None:
    """Create the demo dataset, import the sample CSV, edit it, and show versions and a diff."""
    out = console or Console(highlight=False)
    if DEMO_DATASET in wb.datasets()["name"].tolist():
        wb.delete_dataset(DEMO_DATASET)  # the demo's own dataset: start fresh each time
    ds = wb.create_dataset(
        DEMO_DATASET,
        description="Question answering and support cases for the offline demo",
        metadata={"owner": "demo", "domain": "qa"},
        input_schema={"type": "object", "required": ["question"], "properties": {"question": {"type": "string"}}},
    )
    out.rule(f"[bold]1. import {sample_csv().name} into {DEMO_DATASET!r}")
    report = ds.import_csv(
        sample_csv(),
        mapping={
            "item_id": "id",
            "input": ["question"],
            "context": "context",
            "expected_output": "answer",
            "metadata": ["source", "difficulty"],
        },
        message="initial import",
    )
    out.print(str(report))

    out.rule("[bold]2. edit: fix an answer, delete a case, add two cases")
    ds.update_item("q27", expected_output="12.0", message="accept 12.0 as the formatted answer")
    ds.delete_items(["q26"], message="ambiguous question")
    ds.add_items(
        [
            {
                "item_id": "q31",
                "input": {"question": "What is 2 + 2?"},
                "expected_output": "4",
                "metadata": {"source": "math", "difficulty": "easy"},
            },
            {
                "item_id": "q32",
                "input": {"question": "Where is order C-9?"},
                "expected_output": "In transit.",
                "context": "Order C-9: in transit, ETA 2026-12-03.",
                "metadata": {"source": "support", "difficulty": "medium"},
            },
        ],
        message="two more cases",
    )
    out.print(f"{DEMO_DATASET!r} is at version {ds.version} with {len(ds)} items")

    out.rule("[bold]3. versions")
    print_frame(ds.versions())

    out.rule("[bold]4. diff between version 1 and the latest")
    print_frame(ds.diff(1, ds.version))

    out.rule("[bold]5. history of item q27")
    print_frame(ds.history("q27")[["version", "created_at", "op", "expected_output"]])

    out.rule("[bold]6. SQL across the store")
    print_frame(
        wb.sql(
            "select input->>'$.question' as question, metadata->>'$.difficulty' as difficulty "
            "from items where dataset = ? and metadata->>'$.source' = 'support'",
            [DEMO_DATASET],
        )
    )
    export = wb.root / "reports" / "demo-qa.jsonl"
    ds.export(export)
    out.print(f"\nexported version {ds.version} to {export}; the store is in {wb.datasets_dir}")

    out.rule("[bold]7. runs: two pipeline versions and a model, scored")
    _run_targets(wb, ds, out)


def _run_targets(wb: Workbench, ds: Dataset, out: Console) -> None:
    """Run pipeline v1, v2 and a model target (real with a key, else simulated) over the dataset."""
    wb.create_prompt(
        "demo-answer",
        "Question: {{ question }}{% if context is defined %}\nContext: {{ context }}{% endif %}",
        system="Answer in a few words.",
        note="demo prompt",
    )
    simulator = None
    if os.environ.get("OPENAI_API_KEY"):
        model = targets.model("openai:gpt-4o-mini", prompt="demo-answer", temperature=0)
    else:
        simulator = SimulatedLLMServer().start()
        model = targets.model(
            "openai:sim-1", prompt="demo-answer", base_url=simulator.openai_base_url,
            name="simulated:sim-1/demo-answer", temperature=0,
        )  # fmt: skip
    scorers = [scorer(correct), scorer(concise)]
    rows = []
    try:
        for target in (
            targets.function(answer_v1, name="pipeline-v1"),
            targets.function(answer_v2, name="pipeline-v2"),
            model,
        ):
            run = wb.run_sync(ds, target, scorers=scorers, concurrency=8, cache=False, progress=False)
            results = run.results()
            rows.append(
                {
                    "run": run.id,
                    "target": target.name,
                    "status": run.status,
                    "items": len(results),
                    "errors": int(results["error"].notna().sum()),
                    "correct": round(float(results["score_correct"].mean()), 3),
                    "concise": round(float(results["score_concise"].mean()), 3),
                    "cost_usd": round(float(results["cost"].fillna(0).sum()), 6),
                }
            )
    finally:
        if simulator is not None:
            simulator.stop()
    print_frame(pd.DataFrame(rows), title=f"runs of {ds.name}@{ds.version}")
    if simulator is not None:
        out.print("the model target is SIMULATED (no OPENAI_API_KEY): an offline server on 127.0.0.1")
    out.print(f"runs are in {wb.runs_dir}; look at one with `workbench results RUN_ID`")
