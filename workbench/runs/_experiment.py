"""Experiments: a TOML file naming a dataset, targets (models x prompt versions, agents,
functions) and scorers (built-ins, LLM judges, functions); one run per target.

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
    builtin = "contains"          # a built-in code scorer, with its parameters
    substring = "30 days"
    name = "mentions_window"

    [[scorers]]
    judge = "rubric"              # an LLM judge
    model = "openai:gpt-4o-mini"
    base_url = "http://127.0.0.1:8765/v1"
    criteria = "Polite, and names the refund window."
    pass_mark = 0.75

    [[scorers]]
    function = "myscorers:exact"  # a Python function (or Scorer object)
    direction = "higher"

Every table becomes a :class:`~workbench.specs.Spec` and is built through the one registry
(:func:`workbench.specs.build`). A wrong name, key or parameter is one line naming the file,
the table and the valid choices.
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

from workbench._objects import import_declared
from workbench.errors import ValidationError
from workbench.runs._run import Run
from workbench.runs._runner import start_run
from workbench.scorers import build_scorer
from workbench.scorers._base import Scorer
from workbench.specs import Spec, scorer_spec_from_table
from workbench.targets import build_target, default_name
from workbench.targets._base import Target

if TYPE_CHECKING:
    from workbench.project import Project

RUN_SETTINGS = (
    "version", "item_ids", "repeats", "concurrency", "timeout", "call_timeout", "max_retries", "cache", "tags",
)  # fmt: skip
TABLES = ("experiment", "models", "agents", "functions", "scorers")
MODEL_KEYS = ("model", "prompts", "prompt", "params", "base_url", "system", "name")
AGENT_KEYS = ("model", "prompt", "tools", "max_steps", "params", "base_url", "system", "name")
FUNCTION_KEYS = ("function", "name")


@dataclass
class Experiment:
    """A parsed experiment file: its targets and scorers built, with the specs they were built from."""

    name: str
    dataset: str
    targets: list[Target]
    scorers: list[Scorer]
    settings: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    target_specs: list[Spec] = field(default_factory=list)
    scorer_specs: list[Spec] = field(default_factory=list)


def _listify(value: Any, where: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ValidationError(f"{where}: expected a string or a list of strings")
    return values


def _import(path: Any, where: str) -> Any:
    return import_declared(path, where)


def _keys(entry: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValidationError(f"{where}: expected a table")
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise ValidationError(f"{where}: unknown key {unknown[0]!r} (valid: {', '.join(allowed)})")
    return entry


def _params(entry: dict[str, Any], where: str) -> dict[str, Any]:
    params = entry.get("params", {})
    if not isinstance(params, dict):
        raise ValidationError(f"{where}.params: expected a table")
    return params


def _name(entry: dict[str, Any], where: str) -> str | None:
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ValidationError(f"{where}.name: expected non-empty text, got {name!r}")
    return name


def _model_specs(entries: list[Any]) -> list[tuple[str, Spec]]:
    out: list[tuple[str, Spec]] = []
    for i, raw in enumerate(entries):
        where = f"models[{i}]"
        entry = _keys(raw, where, MODEL_KEYS)
        if "model" not in entry:
            raise ValidationError(f'{where}: needs model = "provider:name"')
        models = _listify(entry["model"], f"{where}.model")
        prompts: list[str | None] = [None]
        if "prompts" in entry or "prompt" in entry:
            prompts = list(_listify(entry.get("prompts", entry.get("prompt")), f"{where}.prompts"))
        name = _name(entry, where)
        if name is not None and len(models) * len(prompts) > 1:
            raise ValidationError(f"{where}.name: a name needs one model and one prompt (this table makes several)")
        common = {"base_url": entry.get("base_url"), "system": entry.get("system"), "params": _params(entry, where)}
        for model in models:
            for prompt in prompts:
                args = {"model": model, "prompt": prompt, **common}
                out.append((where, Spec("model", name or default_name(model, prompt), args)))
    return out


def _agent_specs(entries: list[Any]) -> list[tuple[str, Spec]]:
    out: list[tuple[str, Spec]] = []
    for i, raw in enumerate(entries):
        where = f"agents[{i}]"
        entry = _keys(raw, where, AGENT_KEYS)
        if "model" not in entry or not isinstance(entry["model"], str):
            raise ValidationError(f'{where}: needs model = "provider:name"')
        tools = _listify(entry.get("tools", []), f"{where}.tools")
        for j, path in enumerate(tools):
            _import(path, f"{where}.tools[{j}]")
        prompt = entry.get("prompt")
        args = {
            "model": entry["model"],
            "prompt": prompt,
            "system": entry.get("system"),
            "base_url": entry.get("base_url"),
            "params": _params(entry, where),
            "tools": [{"function": path} for path in tools],
            "max_steps": entry.get("max_steps", 8),
        }
        name = _name(entry, where) or default_name(entry["model"], prompt, agent=True)
        out.append((where, Spec("agent", name, args)))
    return out


def _function_specs(entries: list[Any]) -> list[tuple[str, Spec]]:
    out: list[tuple[str, Spec]] = []
    for i, raw in enumerate(entries):
        where = f"functions[{i}]"
        entry = _keys(raw, where, FUNCTION_KEYS)
        fn: Callable[..., Any] = _import(entry.get("function"), f"{where}.function")
        own = fn.name if isinstance(fn, Target) else getattr(fn, "__name__", entry["function"].rsplit(":", 1)[1])
        name = _name(entry, where) or str(own)
        out.append((where, Spec("function", name, {"function": entry["function"]})))
    return out


def _build_all(data: dict[str, Any]) -> tuple[list[Spec], list[Target], list[Spec], list[Scorer]]:
    """Every table as a spec, then built; an error names the file and the table."""
    for table in ("models", "agents", "functions", "scorers"):
        if not isinstance(data.get(table, []), list):
            raise ValidationError(f"{table}: write [[{table}]] (an array of tables)")
    declared = (
        _model_specs(data.get("models", []))
        + _agent_specs(data.get("agents", []))
        + _function_specs(data.get("functions", []))
    )
    scorer_specs = [
        (f"scorers[{i}]", scorer_spec_from_table(t, f"scorers[{i}]")) for i, t in enumerate(data.get("scorers", []))
    ]
    targets: list[Target] = []
    for where, spec in declared:
        try:
            targets.append(build_target(spec))
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None
    scorers: list[Scorer] = []
    for where, spec in scorer_specs:
        try:
            scorers.append(build_scorer(spec))
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None
    return [s for _, s in declared], targets, [s for _, s in scorer_specs], scorers


def load_experiment(path: str | Path) -> Experiment:
    """Read an experiment file and build its targets and scorers.

    The file's folder is put on ``sys.path`` so its functions, tools and scorers import.

    Raises:
        ValidationError: one line naming the file, the table (``scorers[1]``...) and what is
            wrong; for a wrong name, key or parameter, the valid choices.
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
    unknown = sorted(set(head) - {"name", "dataset", *RUN_SETTINGS})
    if unknown:
        valid = ", ".join(("name", "dataset", *RUN_SETTINGS))
        raise ValidationError(f"{path}: [experiment] has an unknown key {unknown[0]!r} (valid: {valid})")
    extra = sorted(set(data) - set(TABLES))
    if extra:
        raise ValidationError(f"{path}: unknown table {extra[0]!r} (valid: {', '.join(TABLES)})")
    try:
        target_specs, targets, scorer_specs, scorers = _build_all(data)
    except ValidationError as exc:
        raise ValidationError(f"{path}: {exc}") from None
    if not targets:
        raise ValidationError(f"{path}: no targets: add [[models]], [[agents]] or [[functions]]")
    names = [s.name for s in scorer_specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValidationError(f"{path}: two [[scorers]] are named {dupes[0]!r}; give one a name")
    return Experiment(
        name=str(head.get("name", path.stem)),
        dataset=str(head["dataset"]),
        targets=targets,
        scorers=scorers,
        settings={k: head[k] for k in RUN_SETTINGS if k in head},
        path=path,
        target_specs=target_specs,
        scorer_specs=scorer_specs,
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
    project: Project,
    experiment: Experiment,
    *,
    experiment_id: str | None = None,
    shard: str | None = None,
    progress: bool | None = None,
    cache: bool | None = None,
    on_start: Callable[[Run], None] | None = None,
) -> list[Run]:
    """Run every target of the experiment, one after the other; return the finished runs.

    ``cache=True`` answers model calls from the response cache whatever the file says
    (the file's ``cache = true`` does the same for its own runs; both default to off).
    ``on_start`` is called with each run as it starts (the CLI names the run Ctrl-C stopped).
    """
    exp_id = experiment_id or new_experiment_id(experiment.name)
    settings = dict(experiment.settings)
    if cache is not None:
        settings["cache"] = cache
    runs = []
    for target in experiment.targets:
        run = start_run(
            project,
            experiment.dataset,
            target,
            scorers=experiment.scorers,
            run_id=experiment_run_id(exp_id, target),
            shard=shard,
            progress=progress,
            **{**settings, "tags": _tags(experiment)},
        )
        if on_start is not None:
            on_start(run)
        runs.append(run.wait())
    return runs
