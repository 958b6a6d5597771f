"""Experiment files declare built-in scorers, LLM judges and functions; mistakes are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.specs._kinds import JudgingModel
from workbench import ValidationError, Workbench
from workbench.runs import load_experiment, run_experiment
from workbench.simulator import SimulatedLLMServer

EXAMPLES = Path(__file__).parents[2] / "examples"

PIPELINE = """
def answer(input):
    return f"{input['n'] * 2} apples"


def wordy(output):
    return min(1.0, len(str(output)) / 100)
"""

EXPERIMENT = """
[experiment]
name = "declared"
dataset = "nums"

[[functions]]
function = "pipeline:answer"
name = "doubler"

[[models]]
model = "openai:sim-1"
base_url = "BASE_URL"
params = { temperature = 0 }

[[scorers]]
builtin = "contains"
substring = ["apples", "pears"]
name = "fruit"

[[scorers]]
builtin = "contains"
substring = "apple"
match = "substring"
name = "apple_inside"

[[scorers]]
builtin = "latency_budget"
seconds = 30

[[scorers]]
builtin = "similarity"
method = "token_f1"
pass_mark = 0.5

[[scorers]]
judge = "rubric"
model = "openai:judge-1"
base_url = "BASE_URL"
criteria = "Gives a number of apples."
pass_mark = 0.75

[[scorers]]
judge = "llm_judge"
name = "mentions_fruit"
model = "openai:judge-1"
base_url = "BASE_URL"
template = "Does this mention fruit? {{ output }}"
output = "pass_fail"

[[scorers]]
function = "pipeline:wordy"
direction = "lower"
pass_mark = 0.3
"""


@pytest.fixture
def folder(tmp_path: Path, llm_server: SimulatedLLMServer) -> Path:
    llm_server.set_responder(JudgingModel())
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    (tmp_path / "experiment.toml").write_text(EXPERIMENT.replace("BASE_URL", llm_server.openai_base_url))
    ds = Workbench(tmp_path / "store").create_dataset("nums")
    ds.add_items([{"item_id": f"n{i}", "input": {"n": i}, "expected_output": f"{i * 2} apples"} for i in range(3)])
    return tmp_path


def test_built_ins_judges_and_functions_are_declared_and_run(folder: Path) -> None:
    wb = Workbench(folder / "store")
    experiment = load_experiment(folder / "experiment.toml")
    assert [t.name for t in experiment.targets] == ["openai:sim-1", "doubler"]  # models, agents, functions
    assert [s.name for s in experiment.scorers] == [
        "fruit", "apple_inside", "latency_budget", "similarity", "rubric", "mentions_fruit", "wordy",
    ]  # fmt: skip
    model, doubler = run_experiment(wb.project, experiment, experiment_id="e1", progress=False)
    assert (model.status, doubler.status) == ("completed", "completed")
    manifest = json.loads((doubler.folder / "manifest.json").read_text())
    marks = {s["name"]: (s["kind"], s["direction"], s["pass_mark"]) for s in manifest["scorers"]}
    assert marks == {
        "fruit": ("contains", "higher", 1.0),
        "apple_inside": ("contains", "higher", 1.0),
        "latency_budget": ("latency_budget", "higher", 1.0),
        "similarity": ("similarity", "higher", 0.5),
        "rubric": ("rubric", "higher", 0.75),
        "mentions_fruit": ("llm_judge", "higher", 1.0),
        "wordy": ("function", "lower", 0.3),
    }
    assert (manifest["scorers"][0]["substring"], manifest["scorers"][0]["match"]) == (["apples", "pears"], "word")
    assert (manifest["scorers"][1]["substring"], manifest["scorers"][1]["match"]) == (["apple"], "substring")
    assert manifest["scorers"][4]["criteria"] == "Gives a number of apples."
    df = doubler.results()
    assert df["error"].isna().all()
    assert df["score_fruit"].tolist() == [1.0, 1.0, 1.0]
    assert df["score_apple_inside"].tolist() == [1.0, 1.0, 1.0]  # "apple" inside "apples"
    assert df["score_rubric"].tolist() == [0.75] * 3  # the simulated judge's 4 on 1..5
    assert df["score_mentions_fruit"].tolist() == [1.0] * 3
    assert (df["score_similarity"] == 1.0).all()
    assert model.results()["score_rubric"].notna().all()


def _write(folder: Path, text: str) -> Path:
    path = folder / "bad.toml"
    path.write_text(text)
    return path


HEAD = '[experiment]\ndataset = "nums"\n[[functions]]\nfunction = "pipeline:answer"\n'


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ('[[scorers]]\nbuiltin = "containz"',
         r"bad.toml: scorers\[0\].builtin: unknown builtin scorer 'containz' \(valid: completeness, contains, "
         r"cost_budget, exact_match, json_schema, keyword_coverage, latency_budget, numeric, regex, similarity, "
         r"tool_calls, valid_json\)$"),
        ('[[scorers]]\nbuiltin = "contains"\nsubstr = "x"',
         r"bad.toml: scorers\[0\]: contains has no parameter 'substr' "
         r"\(valid: substring, normalize, all, match, direction, pass_mark\)$"),
        ('[[scorers]]\njudge = "rubrik"\nmodel = "openai:j"',
         r"bad.toml: scorers\[0\].judge: unknown judge scorer 'rubrik' \(valid: answer_relevancy, faithfulness, "
         r"judge_correctness, llm_judge, rubric\)$"),
        ('[[scorers]]\njudge = "rubric"\nmodel = "openai:j"',
         r"bad.toml: scorers\[0\]: rubric needs 'criteria'$"),
        ('[[scorers]]\nfunction = "workbench.scorers:exact_match"',
         r'bad.toml: scorers\[0\]: scorer \'exact_match\' \(function\): exact_match is a built-in scorer: '
         r'write builtin = "exact_match"'),
        ('[[scorers]]\nbuiltin = "exact_match"\ndirection = "down"',
         r"bad.toml: scorers\[0\]: scorer 'exact_match' \(exact_match\): .*direction must be 'higher' or 'lower'"),
        ('[[scorers]]\nbuiltin = "numeric"\ntolerance = -1',
         r"bad.toml: scorers\[0\]: scorer 'numeric' \(numeric\): tolerance must be >= 0"),
        ('[[scorers]]\nmodel = "openai:j"',
         r'bad.toml: scorers\[0\]: needs one of builtin = "NAME", judge = "NAME" or function = "module:function"$'),
        ('[[models]]\nmodel = "openai:x"\ntemprature = 0',
         r"bad.toml: models\[0\]: unknown key 'temprature' \(valid: model, prompts, prompt, params, base_url, "),
        ("[[judges]]\nmodel = 1", r"bad.toml: unknown table 'judges' \(valid: experiment, models, agents, functions, "),
    ],
)  # fmt: skip
def test_a_wrong_name_or_parameter_is_one_line_naming_file_table_and_choices(
    tmp_path: Path, tables: str, message: str
) -> None:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    with pytest.raises(ValidationError, match=message) as caught:
        load_experiment(_write(tmp_path, HEAD + tables))
    assert "\n" not in str(caught.value)


def test_the_example_experiment_loads() -> None:
    experiment = load_experiment(EXAMPLES / "experiment.toml")
    assert experiment.dataset == "demo-qa"
    assert [s.spec().kind for s in experiment.scorers][:2] == ["function", "contains"]
    assert experiment.scorers[1].spec()["match"] == "substring"  # "orders" counts as mentioning "order"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ('[[scorers]]\nfunction = "workbench.scorers:exact_match"', 'write builtin = "exact_match"'),
        ('[[scorers]]\nbuiltin = "containz"', "unknown builtin scorer 'containz' (valid: completeness, contains,"),
    ],
)
def test_the_cli_prints_one_line_and_exits_2(tmp_path: Path, tables: str, message: str) -> None:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    out = cli(tmp_path / "store", "run", str(_write(tmp_path, HEAD + tables)))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"error: {tmp_path / 'bad.toml'}: scorers[0]")
    assert message in lines[0]
    assert not (tmp_path / "store" / "runs").exists()
