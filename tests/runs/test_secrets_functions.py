"""Secrets in what a function target, a scorer, a label, a log line or the command line shows (defect 12.8).

A pipeline that fails with its own key in the message (a key the process knows from the
environment or a ``.env`` file) must not put that key in the store, the logs or the
terminal.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from workbench import Workbench, targets
from workbench.scorers import Judge, Scorer
from workbench.simulator import SimulatedLLMServer, TextReply, ToolCall, ToolCallReply

from ._echo_gateway import EchoGateway, forms, hits, leaks

ENV_KEY = "PIPELINE_API_KEY"
DOTENV_KEY = "VECTOR_DB_TOKEN"


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No provider variables from the environment, and a working folder of the test's own."""
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", ENV_KEY):
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def fresh_key(prefix: str = "sk-fn") -> str:
    """A key no other test (or variable) holds."""
    return f"{prefix}-{uuid.uuid4().hex}"


def test_keys_in_a_function_targets_errors_scores_steps_and_labels_stay_off_disk(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    env_key, dotenv_key = fresh_key(), fresh_key("tok")
    monkeypatch.setenv(ENV_KEY, env_key)
    Path(".env").write_text(f"{DOTENV_KEY}={dotenv_key}\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="workbench")

    def pipeline(input: Any) -> Any:  # noqa: A002 - the name the target passes by
        targets.record_step("retrieve", url=f"https://svc:{dotenv_key}@vectors.example/q")
        logging.getLogger("workbench.pipeline").warning("calling upstream with %s", env_key)
        if input == 0:
            raise RuntimeError(f"upstream refused key {env_key} (token {dotenv_key})")
        return f"answered with {env_key}"

    def judge(output: Any) -> dict[str, Any]:
        return {"score": 0.0, "reason": f"saw {env_key}", "details": {"token": dotenv_key}}

    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": f"i{n}", "input": n} for n in range(2)])
    run = wb.run("qa", targets.function(pipeline), scorers=[judge], cache=False, progress=False).wait()
    run.label("i1", "failure_hallucination", note=f"leaked {env_key} and {dotenv_key}")

    df = run.results()
    assert df["error"].notna().sum() == 1
    secrets = [env_key, dotenv_key]
    assert leaks(wb.root, secrets) == []
    assert hits([caplog.text, *(r.getMessage() for r in caplog.records)], secrets) == []
    assert "calling upstream with [redacted]" in caplog.text
    assert "RuntimeError: upstream refused key [redacted] (token [redacted])" in set(df["error"].dropna())
    labels = run.labels()
    assert hits([str(v) for v in labels.to_dict("records")], secrets) == []


def test_a_key_known_only_from_a_url_is_hidden_by_its_shape(wb: Workbench) -> None:
    """User-info of any URL is blanked out, whether or not the process was handed it."""

    def pipeline(input: Any) -> Any:  # noqa: A002
        raise ConnectionError("cannot reach postgres://app:s3cr3t-passw0rd@db.internal:5432/evals")

    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": "i0", "input": 0}])
    run = wb.run("qa", targets.function(pipeline), cache=False, progress=False).wait()
    assert run.results()["error"].iloc[0] == "ConnectionError: cannot reach postgres://***@db.internal:5432/evals"
    assert leaks(wb.root, ["s3cr3t-passw0rd"]) == []


def cli(root: Path, cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``workbench --root ROOT ARGS...`` as a real process."""
    here = Path(__file__).parents[2]
    env = {**env, "PYTHONPATH": os.pathsep.join([str(here), env.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
def test_the_command_line_prints_no_key(wb: Workbench, tmp_path: Path) -> None:
    """A run from an experiment file whose gateway echoes the key, then listings and a failing query: no key printed."""
    key, url_key = f"sk_cli_{uuid.uuid4().hex}", f"pw_cli_{uuid.uuid4().hex}"  # valid SQL names too
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": f"i{n}", "input": f"question {n}"} for n in range(3)])
    with EchoGateway((400, 400, 401)) as gateway:
        experiment = tmp_path / "experiment.toml"
        experiment.write_text(
            f'[experiment]\nname = "leak"\ndataset = "qa"\nconcurrency = 1\n\n'
            f'[[models]]\nmodel = "openai:gpt-4o-mini"\nbase_url = "{gateway.url("openai", f"user:{url_key}")}"\n',
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_ROOT", "OPENAI_BASE_URL")}
        env["OPENAI_API_KEY"] = key
        ran = cli(wb.root, tmp_path, env, "-v", "run", str(experiment), "--no-progress")
        assert any(key in " ".join(h.values()) for h in gateway.seen) or any(
            forms(url_key)[1] in " ".join(h.values()) for h in gateway.seen
        )
    run_id = wb.runs()["run_id"].iloc[0]
    outputs = [
        ran,
        cli(wb.root, tmp_path, env, "runs"),
        cli(wb.root, tmp_path, env, "results", run_id),
        cli(wb.root, tmp_path, env, "results", run_id, "--json"),
        cli(wb.root, tmp_path, env, "sql", f"select '{key}' as k"),  # the environment's key, printed back
        cli(wb.root, tmp_path, env, "sql", f"select {key}"),  # an error message naming it
    ]
    texts = [o.stdout + o.stderr for o in outputs]
    assert "[redacted]" in texts[4]  # the query's own value, blanked out
    assert outputs[5].returncode == 2
    assert outputs[5].stderr.startswith("error: ")
    secrets = [*forms(key), *forms(url_key)]
    assert [line for t in hits(texts, secrets) for line in t.splitlines() if any(s in line for s in secrets)] == []
    assert leaks(wb.root, secrets) == []


def test_keys_in_tool_errors_and_judge_replies_stay_off_disk(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch, llm_server: SimulatedLLMServer
) -> None:
    """An agent's tool fails with a key in its message; the judge repeats the key in its reason and details."""
    key = fresh_key()
    monkeypatch.setenv("ORDERS_SERVICE_TOKEN", key)

    def lookup(order: str) -> str:
        """Look an order up."""
        raise PermissionError(f"orders service refused token {key} for {order}")

    llm_server.enqueue(
        ToolCallReply([ToolCall("lookup", {"order": "A1"})]),
        TextReply("I could not look it up"),
        TextReply(json.dumps({"score": 2, "reason": f"it leaked the token {key}"})),
    )
    url = llm_server.openai_base_url
    agent = targets.agent("openai:gpt-4o-mini", tools=[lookup], base_url=url)
    judge = Scorer("j", score=Judge("Q: {{ input }}\nA: {{ output }}", model="openai:judge-1", base_url=url))
    ds = wb.create_dataset("qa")
    ds.add_items([{"item_id": "i0", "input": "where is order A1?"}])
    run = wb.run("qa", agent, scorers=[judge], concurrency=1, cache=False, progress=False).wait()
    row = run.results().iloc[0]
    assert "orders service refused token [redacted]" in json.dumps(row["tool_calls"])
    reason = run.scores()["reason"].iloc[0]
    assert reason == "it leaked the token [redacted]"
    assert leaks(wb.root, [key]) == []
