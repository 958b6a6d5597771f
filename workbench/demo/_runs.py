"""The demo's runs: pipeline v1, pipeline v2 and a model agent, scored by code scorers and a judge."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from rich.console import Console

from workbench import targets
from workbench._workbench import Workbench
from workbench.cli._output import print_frame
from workbench.demo.pipelines import answer_v1, answer_v2, concise, correct, lookup_order
from workbench.runs import Run
from workbench.scorers import Scorer, judge_correctness, scorer, tool_calls
from workbench.simulator import serve
from workbench.store import Dataset

PROMPT = "demo-answer"
SIMULATED_TARGET = "simulated:sim-large/demo-answer"
SIMULATED_MODEL = "openai:sim-large"
JUDGE_TEMPLATE = """\
Judge whether the answer is correct, compared with the reference answer.
Judge the meaning, not the wording.

Question:
{{ input.question }}

Reference answer:
{{ expected.answer }}

Answer to judge:
{{ output }}
"""


@dataclass
class DemoRuns:
    """The demo's run ids (``model`` is ``""`` for the v1-only first run)."""

    v1: str
    v2: str
    model: str
    simulated: bool
    early_v1: str | None = None


@dataclass
class _Models:
    agent: str
    judge: str
    base_url: str | None
    simulated: bool


@contextmanager
def _models() -> Iterator[_Models]:
    """A real model when a key is set, else the public simulator on 127.0.0.1 (``sim-large``, which also judges)."""
    if os.environ.get("OPENAI_API_KEY"):
        yield _Models("openai:gpt-4o-mini", "openai:gpt-4o-mini", None, simulated=False)
    elif os.environ.get("ANTHROPIC_API_KEY"):
        yield _Models("anthropic:claude-haiku-4-5", "anthropic:claude-haiku-4-5", None, simulated=False)
    else:
        with serve(latency=0.01) as server:
            yield _Models(SIMULATED_MODEL, SIMULATED_MODEL, server.openai_base_url, simulated=True)


def _scorers(models: _Models) -> list[Scorer]:
    judge = judge_correctness(
        model=models.judge,
        base_url=models.base_url,
        template=JUDGE_TEMPLATE,
        name="judge_simulated" if models.simulated else "judge_correctness",
    )
    return [scorer(correct), scorer(concise), tool_calls(name="tool_calls"), judge]


def _run(wb: Workbench, ds: Dataset, target: targets.Target, scorers: list[Scorer]) -> Run:
    return wb.run_sync(ds, target, scorers=scorers, concurrency=8, cache=False, progress=False)


def run_targets(wb: Workbench, ds: Dataset, out: Console, *, only_v1: bool = False) -> DemoRuns:
    """Run pipeline v1 (and unless ``only_v1``, v2 and the model) on the dataset's latest version, auto-labelled."""
    wb.create_prompt(
        PROMPT,
        "Question: {{ question }}{% if context is defined %}\nContext: {{ context }}{% endif %}",
        system="You are a support assistant. Answer in a few words; look orders up with the tool.",
        note="demo prompt",
    )
    with _models() as models:
        scorers = _scorers(models)
        chosen: list[targets.Target] = [targets.function(answer_v1, name="pipeline-v1")]
        if not only_v1:
            chosen.append(targets.function(answer_v2, name="pipeline-v2"))
            name = SIMULATED_TARGET if models.simulated else None
            agent = targets.agent(
                models.agent, tools=[lookup_order], prompt=PROMPT, base_url=models.base_url, name=name, max_steps=4,
                temperature=0,
            )  # fmt: skip
            chosen.append(agent)
        runs = [_run(wb, ds, target, scorers) for target in chosen]
    for run in runs:
        run.auto_label()
    _print_runs(runs, ds, out)
    if models.simulated and not only_v1:
        out.print("the model target and the judge are SIMULATED (no OPENAI_API_KEY or ANTHROPIC_API_KEY): "
                  "an offline server on 127.0.0.1")  # fmt: skip
    ids = [r.id for r in runs]
    if only_v1:
        return DemoRuns(ids[0], "", "", models.simulated)
    return DemoRuns(ids[0], ids[1], ids[2], models.simulated)


def _print_runs(runs: list[Run], ds: Dataset, out: Console) -> None:
    rows = []
    for run in runs:
        results = run.results()
        columns = [c for c in results.columns if c.startswith("score_")]
        scores = {c.removeprefix("score_"): round(float(results[c].mean()), 3) for c in columns}
        labels = run.labels()["label"].value_counts()
        rows.append(
            {
                "run": run.id,
                "target": run.manifest.target.get("name"),
                "status": run.status,
                "items": len(results),
                "errors": int(results["error"].notna().sum()),
                **scores,
                "cost_usd": round(float(results["cost"].fillna(0).sum()), 6),
                "top label": f"{labels.index[0]} ({labels.iloc[0]})" if len(labels) else "",
            }
        )
    print_frame(pd.DataFrame(rows), title=f"runs of {ds.name}@{ds.version}")
    out.print(f"runs are in {runs[0].folder.parent}; look at one with `workbench results RUN_ID`")
