"""A newcomer's first hour: README.md's "Your first evaluation" section, followed to the letter, offline.

The blocks of that section run in order (as tests/test_readme.py runs them all); then the
results are checked for what the walk-through promises: a guessed import, two prompt
versions, two simulated models that differ, functions taking their item both ways, an agent
that calls its tool, built-in scores, an LLM judge giving real verdicts (no errors, both pass
and fail), a comparison, a CI gate whose exit code is what the comparison says, and an HTML
report that loads no script from the internet.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests._readme import blocks, reader_session, run_blocks, section
from workbench.simulator import serve

pytestmark = pytest.mark.slow

FIRST_EVALUATION = "Your first evaluation"


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The namespace and folder of a reader who ran every block of the section."""
    steps = section(blocks(), FIRST_EVALUATION)
    assert len([b for b in steps if b.runs]) >= 12, "the walk-through lost its steps"
    tmp_path = tmp_path_factory.mktemp("newcomer")
    with serve() as server, reader_session(tmp_path, server.openai_base_url) as (namespace, cwd):
        run_blocks(steps, namespace, cwd)
        yield namespace, cwd, dict(os.environ)


def test_the_csv_is_imported_with_a_guessed_mapping(walked: Any) -> None:
    ns, _, _ = walked
    assert ns["report"].mapping == {"item_id": "id", "input": "question", "expected_output": "answer",
                                    "context": "context"}  # fmt: skip
    items = ns["wb"].dataset("support").items()
    assert len(items) == 39
    assert items.set_index("item_id").loc["r1", "input"] == "How long do I have to return an item?"


def test_two_prompt_versions(walked: Any) -> None:
    ns, _, _ = walked
    versions = ns["wb"].prompt_versions("support")
    assert list(versions["version"]) == [1, 2]
    assert "Context: {{ context }}" in ns["wb"].prompt("support@2").template


def test_the_two_models_differ_and_sim_small_is_worse(walked: Any) -> None:
    ns, _, _ = walked
    base = ns["base"].results().set_index("item_id").sort_index()
    cand = ns["cand"].results().set_index("item_id").sort_index()
    assert ns["base"].manifest.target["model"].endswith("sim-large")
    assert ns["cand"].manifest.target["model"].endswith("sim-small")
    assert (base["output"] != cand["output"]).sum() >= 5
    assert base["score_correctness"].mean() > cand["score_correctness"].mean()
    assert base["error"].isna().all()
    assert cand["error"].isna().all()


def test_the_judge_gives_real_verdicts_pass_and_fail(walked: Any) -> None:
    ns, _, _ = walked
    for run in (ns["base"], ns["cand"]):
        judged = run.scores().query("scorer == 'correctness'")
        assert len(judged) == 39
        assert judged["error"].isna().all(), judged["error"].dropna().head().tolist()
        assert set(judged["score"]) == {0.0, 1.0}
    assert ns["summary"].scorers.set_index("scorer").loc["correctness", "errors"] == 0


def test_builtin_scores_follow_the_outputs(walked: Any) -> None:
    ns, _, _ = walked
    rows = ns["base"].results().set_index("item_id")
    assert rows.loc["r1", "score_contains"] == 1.0  # "... within 30 days of delivery." contains "30 days"
    assert rows.loc["o1", "output"] == "I don't know."  # a model without the tool cannot know an order
    assert rows.loc["o1", "score_contains"] == 0.0


def test_functions_take_their_item_both_ways(walked: Any) -> None:
    ns, _, _ = walked
    first = ns["others"]["first_sentence"].results().set_index("item_id").sort_index()
    by_item = ns["others"]["by_item"].results().set_index("item_id").sort_index()
    assert first["error"].isna().all()
    assert by_item["error"].isna().all()
    assert first.loc["r1", "output"] == "Items can be returned within 30 days of delivery"
    assert (first["output"] == by_item["output"]).all()  # f(input, context) and f(item) see the same item
    assert first.loc["o1", "output"] == "I don't know."  # no context
    shouted = ns["others"]["shout"].results().set_index("item_id")
    assert shouted.loc["r1", "output"] == "HOW LONG DO I HAVE TO RETURN AN ITEM?"  # f(question): the input


def test_the_agent_calls_its_tool(walked: Any) -> None:
    ns, _, _ = walked
    rows = ns["others"]["agent"].results().set_index("item_id")
    calls = rows.loc["o2", "tool_calls"]
    assert [c["name"] for c in calls] == ["order_status"]
    assert calls[0]["arguments"] == {"order_id": "A-1002"}
    assert "delivered" in rows.loc["o2", "output"]
    assert rows.loc["o2", "score_contains"] == 1.0


def test_the_gate_exits_as_the_comparison_says(walked: Any) -> None:
    ns, cwd, env = walked
    comparison = ns["comparison"]
    assert comparison.has_regression  # sim-small misses about one question in three: significant on 39
    gate = subprocess.run(["workbench", "compare", ns["base"].id, ns["cand"].id, "--fail-on-regression"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert gate.returncode == (1 if comparison.has_regression else 0), gate.stderr
    same = subprocess.run(["workbench", "compare", ns["base"].id, ns["base"].id, "--fail-on-regression"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert same.returncode == 0, same.stderr  # a run against itself never regresses


def test_the_report_is_offline_html(walked: Any) -> None:
    ns, cwd, _ = walked
    page = Path(cwd, "reports", "first.html")
    assert page.exists()
    html = page.read_text(encoding="utf-8")
    assert ns["cand"].id in html
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html, re.IGNORECASE)
    assert "cdn.jsdelivr" not in html
    assert html.count('src="data:image/svg+xml;base64,') >= 2  # its charts are drawn, inline
