"""Default target names differ by kind: a model and an agent on the same model and prompt are two names."""

from __future__ import annotations

from pathlib import Path

from workbench import targets
from workbench.runs import load_experiment
from workbench.runs._experiment import experiment_run_id


def lookup(n: int) -> int:
    """Look a number up.

    Args:
        n: the number.
    """
    return n


def test_a_model_and_an_agent_on_the_same_model_and_prompt_have_two_names() -> None:
    model = targets.model("openai:gpt-4o-mini", prompt="answer@1")
    agent = targets.agent("openai:gpt-4o-mini", tools=[lookup], prompt="answer@1")
    assert model.name == "openai:gpt-4o-mini/answer@1"
    assert agent.name == "agent:openai:gpt-4o-mini/answer@1"
    assert targets.agent("openai:gpt-4o-mini", tools=[]).name == "agent:openai:gpt-4o-mini"
    assert targets.agent("openai:gpt-4o-mini", tools=[], name="helper").name == "helper"
    assert targets.default_name("openai:x", "p@2", agent=True) == "agent:openai:x/p@2"


def test_an_experiment_gives_them_two_runs(tmp_path: Path) -> None:
    (tmp_path / "tools.py").write_text("def lookup(n: int) -> int:\n    return n\n")
    path = tmp_path / "experiment.toml"
    path.write_text(
        '[experiment]\ndataset = "d"\n'
        '[[models]]\nmodel = "openai:sim-1"\nprompt = "answer@1"\nbase_url = "http://127.0.0.1:9/v1"\n'
        '[[agents]]\nmodel = "openai:sim-1"\nprompt = "answer@1"\nbase_url = "http://127.0.0.1:9/v1"\n'
        'tools = ["tools:lookup"]\n'
    )
    experiment = load_experiment(path)
    names = [t.name for t in experiment.targets]
    assert names == ["openai:sim-1/answer@1", "agent:openai:sim-1/answer@1"]
    assert [experiment_run_id("e", t) for t in experiment.targets] == [
        "e--openai-sim-1-answer@1",
        "e--agent-openai-sim-1-answer@1",
    ]
