"""Resume builds every kind of target and scorer from the run's spec, in a new process.

Each run is made here, then its results are deleted (as if the process had died before
writing any), then a child process that never saw the objects resumes it from the
manifest alone, calling the simulated LLM server over real HTTP.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.runs._support import child_env, finish_child, part_files, start_child
from tests.specs._kinds import SUPPORT, JudgingModel
from workbench import Workbench, scorers, targets
from workbench.simulator import SimulatedLLMServer

pytestmark = pytest.mark.slow

N = 4
JUDGE = "openai:judge-1"


@pytest.fixture(scope="module")
def support(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    """The folder holding ``kinds_support.py``, and the module imported from it."""
    folder = tmp_path_factory.mktemp("support")
    (folder / "kinds_support.py").write_text(SUPPORT)
    sys.path.insert(0, str(folder))
    try:
        yield folder, importlib.import_module("kinds_support")
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("kinds_support", None)


@pytest.fixture
def judging(llm_server: SimulatedLLMServer) -> SimulatedLLMServer:
    llm_server.set_responder(JudgingModel())
    return llm_server


def _dataset(wb: Workbench) -> None:
    wb.create_dataset("d").add_items(
        [
            {"item_id": f"q{k}", "input": f"What is {k} plus {k}?", "expected_output": str(2 * k), "output": str(2 * k)}
            for k in range(N)
        ]
    )


Make = Callable[[ModuleType, str], targets.Target]

KINDS: dict[str, Make] = {
    "function": lambda m, url: targets.function(m.answer),
    "model": lambda m, url: targets.model("openai:sim-1", base_url=url, system="Answer briefly.", temperature=0),
    "agent": lambda m, url: targets.agent("openai:sim-1", tools=[m.lookup], base_url=url, max_steps=4),
    "scorer-with-judge": lambda m, url: targets.scorer(scorers.answer_relevancy(model=JUDGE, base_url=url)),
    "scorer-with-builtin": lambda m, url: targets.scorer(scorers.regex(r"^\d+$", full=True)),
}


def _scorers(module: ModuleType, url: str) -> list[Any]:
    return [
        scorers.scorer(module.said_something),
        scorers.contains(
            substring=["a", "e", "i", "o", "u", "0", "2", "4", "6", "score"],
            match="substring",
            name="has_vowel_or_digit",
        ),
        scorers.rubric("Is it an answer?", model=JUDGE, base_url=url, name="answers", pass_mark=0.75),
    ]


def _interrupted_run(wb: Workbench, target: targets.Target, module: ModuleType, url: str) -> str:
    run = wb.run_sync("d", target, scorers=_scorers(module, url), cache=False, progress=False)
    assert run.status == "completed"
    assert run.results()["error"].isna().all(), run.results()["error"].tolist()
    for part in part_files(run.folder):  # as if the process had died before writing anything
        part.unlink()
    assert wb.get_run(run.id).results().empty
    return run.id


def _check_resumed(wb: Workbench, run_id: str, before: dict[str, Any]) -> None:
    run = wb.get_run(run_id)
    assert run.status == "completed"
    df = run.results()
    assert sorted(df["item_id"]) == [f"q{k}" for k in range(N)]
    assert df["error"].isna().all(), df["error"].tolist()
    for name in ("said_something", "has_vowel_or_digit", "answers"):
        assert df[f"score_{name}"].notna().all(), (name, df.filter(like=name).to_dict("records"))
    manifest = json.loads((run.folder / "manifest.json").read_text())
    assert (manifest["target"], manifest["scorers"]) == (before["target"], before["scorers"])


@pytest.mark.parametrize("kind", list(KINDS))
def test_workbench_run_resume_builds_every_target_kind_in_a_new_process(
    tmp_path: Path, support: tuple[Path, ModuleType], judging: SimulatedLLMServer, kind: str
) -> None:
    folder, module = support
    wb = Workbench(tmp_path / "store")
    _dataset(wb)
    run_id = _interrupted_run(wb, KINDS[kind](module, judging.openai_base_url), module, judging.openai_base_url)
    before = json.loads((wb.runs_dir / run_id / "manifest.json").read_text())
    assert before["target"]["kind"] == kind.split("-", maxsplit=1)[0]
    command = ["run", "--resume", run_id, "--json", "--no-progress"]
    out = subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(wb.root), *command],
        capture_output=True, text=True, env=child_env(folder), cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["done"] == N
    _check_resumed(wb, run_id, before)


RESUME = """
import sys
from workbench import Workbench

run = Workbench(sys.argv[1]).resume(sys.argv[2], progress=False).wait()
print(run.status)
"""


def test_wb_resume_of_a_judge_scorer_target_in_a_new_process(
    tmp_path: Path, support: tuple[Path, ModuleType], judging: SimulatedLLMServer
) -> None:
    folder, module = support
    wb = Workbench(tmp_path / "store")
    _dataset(wb)
    url = judging.openai_base_url
    target = targets.scorer(scorers.rubric("Is it a number?", model=JUDGE, base_url=url, pass_mark=0.5), name="align")
    run_id = _interrupted_run(wb, target, module, url)
    before = json.loads((wb.runs_dir / run_id / "manifest.json").read_text())
    assert before["target"]["scorer"]["kind"] == "rubric"
    assert before["target"]["scorer"]["pass_mark"] == 0.5
    child = start_child(RESUME, [str(wb.root), run_id], tmp_path, child_env(folder))
    assert finish_child(child).strip() == "completed"
    _check_resumed(wb, run_id, before)
    judged = [json.loads(o) if isinstance(o, str) else o for o in wb.get_run(run_id).results()["output"]]
    assert judged == [{"score": 0.75, "reason": "Mostly there."}] * N


def test_a_notebook_function_cannot_be_rebuilt_and_the_error_says_what_to_do(wb: Workbench) -> None:
    _dataset(wb)
    run = wb.run_sync("d", lambda x: x, progress=False)
    for part in part_files(run.folder):
        part.unlink()
    with pytest.raises(Exception, match=r"cannot be imported again.*\(to resume, pass target=\)"):
        wb.resume(run.id)
