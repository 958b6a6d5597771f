"""Experiments: a TOML file naming a dataset, targets (models x prompt versions, agents,
functions) and scorers; one run per target.

.. code-block:: toml

    [experiment]
    name = "qa-nightly"
    dataset = "qa"            # version = 3, item_ids = [...], repeats = 1, concurrency = 16, timeout = 60

    [[models]]
    model = ["openai:gpt-4o-mini", "anthropic:claude-haiku-4-5"]
    prompts = ["answer@1", "answer@2"]
    params = { temperature = 0 }

    [[agents]]
    model = "openai:gpt-4o-mini"
    prompt = "support@1"
    tools = ["mytools:lookup_order"]
    max_steps = 8

    [[functions]]
    function = "pipeline:answer_v2"
    name = "pipeline-v2"

    [[scorers]]
    function = "myscorers:exact"
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench._objects import import_object
from workbench.errors import ValidationError
from workbench.runs._run import Run
from workbench.scorers._base import FunctionScorer, Scorer
from workbench.targets._base import Target
from workbench.targets._function import FunctionTarget
from workbench.targets._model import AgentTarget, ModelTarget
from workbench.targets._tools import Tool

if TYPE_CHECKING:
    from workbench._workbench import Workbench

RUN_SETTINGS = (
    "version", "item_ids", "repeats", "concurrency", "timeout", "call_timeout", "max_retries", "cache", "tags",
)  # fmt: skip


@dataclass
class Experiment:
    """A parsed experiment file."""

    name: str
    dataset: str
    targets: list[Target]
    scorers: list[Scorer]
    settings: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def _listify(value: Any, where: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ValidationError(f"{where}: expected a string or a list of strings")
    return values


def _import(path: Any, where: str) -> Any:
    if not isinstance(path, str) or ":" not in path:
        raise ValidationError(f"{where}: write module:function, got {path!r}")
    try:
        return import_object(path)
    except (ImportError, AttributeError) as exc:
        raise ValidationError(f"{where}: cannot import {path!r} ({exc})") from None


def _models(entries: list[dict[str, Any]]) -> list[Target]:
    out: list[Target] = []
    for i, entry in enumerate(entries):
        where = f"models[{i}]"
        unknown = set(entry) - {"model", "prompts", "prompt", "params", "base_url", "system", "name"}
        if unknown:
            raise ValidationError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        if "model" not in entry:
            raise ValidationError(f'{where}: needs model = "provider:name"')
        models = _listify(entry["model"], f"{where}.model")
        prompts: list[str | None] = [None]
        if "prompts" in entry or "prompt" in entry:
            prompts = list(_listify(entry.get("prompts", entry.get("prompt")), f"{where}.prompts"))
        params = entry.get("params", {})
        if not isinstance(params, dict):
            raise ValidationError(f"{where}.params: expected a table")
        for model in models:
            for prompt in prompts:
                out.append(
                    ModelTarget(
                        model, prompt=prompt, system=entry.get("system"), base_url=entry.get("base_url"), **params
                    )
                )
    return out


def _agents(entries: list[dict[str, Any]]) -> list[Target]:
    out: list[Target] = []
    for i, entry in enumerate(entries):
        where = f"agents[{i}]"
        unknown = set(entry) - {"model", "prompt", "tools", "max_steps", "params", "base_url", "system", "name"}
        if unknown:
            raise ValidationError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        tools = [
            Tool.from_function(_import(t, f"{where}.tools[{j}]"))
            for j, t in enumerate(_listify(entry.get("tools", []), f"{where}.tools"))
        ]
        if "model" not in entry:
            raise ValidationError(f'{where}: needs model = "provider:name"')
        out.append(
            AgentTarget(
                entry["model"],
                tools=tools,
                max_steps=int(entry.get("max_steps", 8)),
                prompt=entry.get("prompt"),
                system=entry.get("system"),
                base_url=entry.get("base_url"),
                name=entry.get("name"),
                **entry.get("params", {}),
            )
        )
    return out


def _functions(entries: list[dict[str, Any]]) -> list[Target]:
    out: list[Target] = []
    for i, entry in enumerate(entries):
        where = f"functions[{i}]"
        fn: Callable[..., Any] = _import(entry.get("function"), f"{where}.function")
        out.append(FunctionTarget(fn, name=entry.get("name")))
    return out


def _scorers(entries: list[dict[str, Any]]) -> list[Scorer]:
    out: list[Scorer] = []
    for i, entry in enumerate(entries):
        where = f"scorers[{i}]"
        value = _import(entry.get("function"), f"{where}.function")
        out.append(value if isinstance(value, Scorer) else FunctionScorer(value, entry.get("name")))
    return out


def load_experiment(path: str | Path) -> Experiment:
    """Read an experiment file; errors name the file and the key at fault.

    The file's folder is put on ``sys.path`` so its functions, tools and scorers import.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path}: not valid TOML ({exc})") from None
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    head = data.get("experiment")
    if not isinstance(head, dict) or "dataset" not in head:
        raise ValidationError(f'{path}: needs an [experiment] table with dataset = "NAME"')
    unknown = set(head) - {"name", "dataset", *RUN_SETTINGS}
    if unknown:
        raise ValidationError(f"{path}: [experiment] has an unknown key {sorted(unknown)[0]!r}")
    extra = set(data) - {"experiment", "models", "agents", "functions", "scorers"}
    if extra:
        raise ValidationError(f"{path}: unknown table {sorted(extra)[0]!r}")
    try:
        targets = (
            _models(data.get("models", [])) + _agents(data.get("agents", [])) + _functions(data.get("functions", []))
        )
        scorers = _scorers(data.get("scorers", []))
    except ValidationError as exc:
        raise ValidationError(f"{path}: {exc}") from None
    if not targets:
        raise ValidationError(f"{path}: no targets: add [[models]], [[agents]] or [[functions]]")
    return Experiment(
        name=str(head.get("name", path.stem)),
        dataset=str(head["dataset"]),
        targets=targets,
        scorers=scorers,
        settings={k: head[k] for k in RUN_SETTINGS if k in head},
        path=path,
    )


def experiment_run_id(experiment_id: str, target: Target) -> str:
    """The id of one target's run in an experiment: ``<experiment id>--<target>``."""
    slug = re.sub(r"[^A-Za-z0-9.@]+", "-", target.name).strip("-").lower()
    return f"{experiment_id}--{slug}"[:128]


def new_experiment_id(name: str) -> str:
    """``<name>-<UTC timestamp>``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "experiment"
    return f"{slug}-{datetime.now(UTC):%Y%m%d-%H%M%S}"


def _tags(experiment: Experiment) -> dict[str, Any]:
    """The experiment's tags, plus its name and file (so a resume can import from beside it)."""
    tags = {"experiment": experiment.name, **experiment.settings.get("tags", {})}
    if experiment.path is not None:
        tags["experiment_file"] = str(experiment.path.resolve())
    return tags


def import_beside(manifest_tags: dict[str, Any]) -> None:
    """Put a run's experiment file's folder on ``sys.path`` (for resuming it in a new process)."""
    path = manifest_tags.get("experiment_file")
    if isinstance(path, str):
        folder = str(Path(path).parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)


def run_experiment(
    wb: Workbench,
    experiment: Experiment,
    *,
    experiment_id: str | None = None,
    shard: str | None = None,
    progress: bool | None = None,
    cache: bool | None = None,
) -> list[Run]:
    """Run every target of the experiment, one after the other; return the finished runs.

    ``cache=True`` answers model calls from the response cache whatever the file says
    (the file's ``cache = true`` does the same for its own runs; both default to off).
    """
    exp_id = experiment_id or new_experiment_id(experiment.name)
    settings = dict(experiment.settings)
    if cache is not None:
        settings["cache"] = cache
    runs = []
    for target in experiment.targets:
        run = wb.run(
            experiment.dataset,
            target,
            scorers=experiment.scorers,
            run_id=experiment_run_id(exp_id, target),
            shard=shard,
            progress=progress,
            **{**settings, "tags": _tags(experiment)},
        )
        runs.append(run.wait())
    return runs
