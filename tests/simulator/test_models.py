"""``serve()`` and the named simulated models: ``sim-large``, ``sim-small`` (worse, deterministically), others."""

from __future__ import annotations

from typing import Any

import pytest

from workbench import Workbench, targets
from workbench.scorers import exact_match
from workbench.simulator import MODELS, SimulatedLLMServer, SimulatedModels, serve
from workbench.simulator.__main__ import main

openai = pytest.importorskip("openai")

CITIES = [
    ("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Peru", "Lima"),
    ("Kenya", "Nairobi"), ("Egypt", "Cairo"), ("Chile", "Santiago"), ("Norway", "Oslo"), ("Cuba", "Havana"),
    ("Ghana", "Accra"), ("Nepal", "Kathmandu"), ("Iran", "Tehran"), ("Iraq", "Baghdad"), ("Mali", "Bamako"),
    ("Chad", "N'Djamena"), ("Fiji", "Suva"), ("Oman", "Muscat"), ("Laos", "Vientiane"), ("Togo", "Lome"),
    ("Sweden", "Stockholm"), ("Poland", "Warsaw"), ("Greece", "Athens"), ("Austria", "Vienna"),
    ("Hungary", "Budapest"), ("Ireland", "Dublin"), ("Portugal", "Lisbon"), ("Finland", "Helsinki"),
    ("Denmark", "Copenhagen"), ("Belgium", "Brussels"),
]  # fmt: skip


def question(country: str, capital: str) -> str:
    context = f"{capital} is the capital of {country}. Bananas are yellow."
    return f"Context: {context}\n\nQuestion: What is the capital of {country}?"


def answers(server: SimulatedLLMServer, model: str, template: str = "{q}") -> list[str]:
    client = openai.OpenAI(base_url=server.openai_base_url, api_key="unused", max_retries=0)
    out = []
    for country, capital in CITIES:
        content = template.format(q=question(country, capital))
        reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": content}])
        out.append(reply.choices[0].message.content or "")
    client.close()
    return out


def test_serve_returns_a_started_server_that_stops_on_leaving_its_block() -> None:
    server = serve(latency=0.0)
    try:
        assert server.running
        assert server.port > 0
        assert server.openai_base_url == f"http://127.0.0.1:{server.port}/v1"
        assert server.anthropic_base_url == f"http://127.0.0.1:{server.port}"
        with server as same:
            assert same is server
            assert answers(server, "sim-large")[0] == "Paris is the capital of France."
        assert not server.running
    finally:
        server.stop()


def test_serve_takes_a_port_and_a_latency() -> None:
    with serve(port=0, latency=0.05) as server:
        assert server.latency == 0.05
        again = serve(port=server.port + 1 if server.port < 65535 else server.port - 1)
        again.stop()


def test_sim_large_answers_every_question_and_any_unknown_name_behaves_like_it() -> None:
    with serve() as server:
        large = answers(server, "sim-large")
        assert large == [f"{capital} is the capital of {country}." for country, capital in CITIES]
        assert answers(server, "gpt-4o-mini") == large
        assert answers(server, "SIM-LARGE") == large


def test_sim_small_misses_about_a_third_of_the_questions_the_same_ones_every_time() -> None:
    with serve() as server:
        large = answers(server, "sim-large")
        small = answers(server, "sim-small")
        assert answers(server, "sim-small") == small  # deterministic
    missed = [i for i, (a, b) in enumerate(zip(large, small, strict=True)) if a != b]
    assert 5 <= len(missed) <= 15, missed  # about a third of 30
    for i in missed:
        assert small[i] in ("I don't know.", "Bananas are yellow.")  # "I don't know" or another, wrong sentence
    assert {small[i] for i in missed} == {"I don't know.", "Bananas are yellow."}


def test_a_stable_hash_chooses_the_misses_in_every_process() -> None:
    small = SimulatedModels().model("sim-small")
    # sha256 of the question, not Python's per-process hash(): these are the same on every machine and run
    got = [small.miss(f"question {i}") for i in range(12)]
    assert got == [None, False, None, None, None, None, None, None, True, None, None, False]
    assert small.miss("  QUESTION   8 ") is True  # case and spacing do not matter
    assert SimulatedModels().model("sim-large").miss("question 8") is None


def test_two_prompt_versions_give_sim_small_different_misses() -> None:
    with serve() as server:
        v1 = answers(server, "sim-small", "{q}")
        v2 = answers(server, "sim-small", "Answer briefly.\n{q}")
    assert v1 != v2


def test_sim_small_skips_the_tool_on_a_missed_question() -> None:
    tool: Any = {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Look up an order by its id",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
        },
    }
    with serve() as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="unused", max_retries=0)
        calls = {}
        for model in ("sim-large", "sim-small"):
            made = []
            for n in range(1, 31):
                messages: Any = [{"role": "user", "content": f"Where is order A-{n:04d}?"}]
                reply = client.chat.completions.create(model=model, messages=messages, tools=[tool])
                made.append(bool(reply.choices[0].message.tool_calls))
            calls[model] = made
        client.close()
    assert all(calls["sim-large"])
    assert 5 <= calls["sim-small"].count(False) <= 15


def test_two_model_targets_score_differently_in_a_run(tmp_path: Any) -> None:
    wb = Workbench(tmp_path)
    ds = wb.create_dataset("capitals")
    ds.add_items(
        [{"item_id": country, "input": question(country, capital),
          "expected_output": f"{capital} is the capital of {country}."} for country, capital in CITIES]
    )  # fmt: skip
    means = {}
    with serve() as server:
        for model in ("sim-large", "sim-small"):
            target = targets.model(f"openai:{model}", base_url=server.openai_base_url)
            run = wb.run_sync(ds, target, scorers=[exact_match()], progress=False, cache=False)
            means[model] = float(run.results()["score_exact_match"].mean())
    assert means["sim-large"] == 1.0
    assert 0.5 <= means["sim-small"] <= 0.85


def test_the_models_are_listed_with_what_they_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert list(MODELS) == ["sim-large", "sim-small"]
    assert main(["--model-list"]) == 0
    listed = capsys.readouterr().out
    assert [line.split("\t")[0] for line in listed.splitlines()] == ["sim-large", "sim-small"]
    with pytest.raises(SystemExit):
        main(["--help"])
    helped = capsys.readouterr().out
    assert "sim-small" in helped
    assert "any other name answers as sim-large" in helped
