"""Runs are uncached unless asked: ``cache=True``, ``cache = true`` in an experiment, ``workbench run --cache``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from workbench import Workbench
from workbench.cli._app import app
from workbench.runs import load_experiment, run_experiment
from workbench.simulator import SimulatedLLMServer, TextReply

TOML = """
[experiment]
name = "cached"
dataset = "qa"
{setting}

[[models]]
model = "openai:gpt-4o-mini"
base_url = "{url}"
"""


def experiment(tmp_path: Path, server: SimulatedLLMServer, setting: str = "") -> Path:
    path = tmp_path / "experiment.toml"
    path.write_text(TOML.format(setting=setting, url=server.openai_base_url))
    return path


def store(tmp_path: Path, server: SimulatedLLMServer) -> Workbench:
    wb = Workbench(tmp_path / "store")
    wb.create_dataset("qa").add_items([{"item_id": "a", "input": "hi"}, {"item_id": "b", "input": "bye"}])
    server.set_responder(lambda request: TextReply("ok"))
    return wb


def cache_hits(wb: Workbench, run_id: str) -> list[bool]:
    return [bool(x) for x in wb.get_run(run_id).results()["cache_hit"]]


def test_an_experiment_is_uncached_by_default(tmp_path: Path, llm_server: SimulatedLLMServer) -> None:
    wb = store(tmp_path, llm_server)
    exp = load_experiment(experiment(tmp_path, llm_server))
    run_experiment(wb.project, exp, experiment_id="e1", progress=False)
    [run] = run_experiment(wb.project, exp, experiment_id="e2", progress=False)
    assert len(llm_server.requests) == 4
    assert cache_hits(wb, run.id) == [False, False]


def test_an_experiment_with_cache_true_is_answered_from_the_cache(
    tmp_path: Path, llm_server: SimulatedLLMServer
) -> None:
    wb = store(tmp_path, llm_server)
    exp = load_experiment(experiment(tmp_path, llm_server, "cache = true"))
    run_experiment(wb.project, exp, experiment_id="e1", progress=False)
    [run] = run_experiment(wb.project, exp, experiment_id="e2", progress=False)
    assert len(llm_server.requests) == 2
    assert cache_hits(wb, run.id) == [True, True]
    assert run.manifest.settings["cache"] is True


def test_workbench_run_cache_flag_opts_in(tmp_path: Path, llm_server: SimulatedLLMServer) -> None:
    wb = store(tmp_path, llm_server)
    path = str(experiment(tmp_path, llm_server))
    runner = CliRunner()
    root = ["--root", str(wb.root)]
    first = runner.invoke(app, [*root, "run", path, "--cache", "--json", "--experiment-id", "c1"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, [*root, "run", path, "--cache", "--json", "--experiment-id", "c2"])
    fresh = runner.invoke(app, [*root, "run", path, "--json", "--experiment-id", "c3"])
    assert again.exit_code == fresh.exit_code == 0
    assert len(llm_server.requests) == 4  # c1 and c3 called the model; c2 was answered from the cache
    [cached] = json.loads(again.output)
    [uncached] = json.loads(fresh.output)
    assert cache_hits(wb, cached["run_id"]) == [True, True]
    assert cache_hits(wb, uncached["run_id"]) == [False, False]
