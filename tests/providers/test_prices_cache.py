"""The price table and its overrides, and the on-disk response cache."""

from __future__ import annotations

import itertools
import json
import math
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench import ValidationError, Workbench, targets
from workbench.providers import PriceTable
from workbench.records._usage import Usage
from workbench.simulator import SimRequest, SimulatedLLMServer, TextReply, ToolCall, ToolCallReply
from workbench.simulator import Usage as SimUsage

from ._support import ANTHROPIC, OPENAI, Api, add_dataset, only_row, output, tool_calls


@pytest.fixture(params=[OPENAI, ANTHROPIC], ids=["openai", "anthropic"])
def api(request: pytest.FixtureRequest) -> Api:
    """Both wire formats."""
    value: Api = request.param
    return value


def reply(text: str = "hello", tokens_in: int = 1000, tokens_out: int = 200) -> TextReply:
    """A text reply with fixed token counts."""
    return TextReply(text, usage=SimUsage(input_tokens=tokens_in, output_tokens=tokens_out))


def one_run(wb: Workbench, server: SimulatedLLMServer, model: str = "openai:house-model") -> dict[str, object]:
    """One item through an OpenAI-compatible model on the simulator."""
    add_dataset(wb, "hi")
    server.enqueue(reply())
    return only_row(wb.run_sync("qa", targets.model(model, base_url=server.openai_base_url), cache=False))


# -- the price table -------------------------------------------------------------------
def test_shipped_table_prices_input_and_output_per_million_tokens() -> None:
    cost = PriceTable.default().cost("openai", "gpt-4o", Usage(input_tokens=2000, output_tokens=500))
    assert cost == pytest.approx((2000 * 2.50 + 500 * 10.00) / 1e6, rel=1e-12)


def test_cached_tokens_use_the_input_price_when_no_cached_price_is_given() -> None:
    table = PriceTable({"openai:m": {"input": 4.0, "output": 8.0}})
    cost = table.cost("openai", "m", Usage(input_tokens=100, output_tokens=10, cached_tokens=40))
    assert cost == pytest.approx((100 * 4.0 + 10 * 8.0) / 1e6, rel=1e-12)


def test_dated_model_variant_takes_the_longest_matching_price() -> None:
    table = PriceTable.default()
    assert table.lookup("openai", "gpt-4.1-mini-2025-04-14") == table.lookup("openai", "gpt-4.1-mini")
    assert table.lookup("anthropic", "claude-sonnet-4-5-20250929") == table.lookup("anthropic", "claude-sonnet-4-5")


def test_unknown_model_has_no_price() -> None:
    assert PriceTable.default().cost("openai", "gpt-5-turbo", Usage(input_tokens=10)) is None


@pytest.mark.parametrize(
    ("provider", "model"), [("openai", "o3-pro"), ("openai", "gpt-4o-minix"), ("anthropic", "claude-sonnet-4-9")]
)
def test_other_model_sharing_a_name_prefix_is_not_priced_as_the_known_one(provider: str, model: str) -> None:
    # prices.json: "a model name also matches its dated variants (gpt-4o-mini-2024-07-18)"; these are not dated
    assert PriceTable.default().lookup(provider, model) is None


def test_price_entry_without_output_price_is_refused() -> None:
    with pytest.raises(ValidationError, match="openai:m"):
        PriceTable({"openai:m": {"input": 1.0}})


def test_workbench_prices_override_is_used_by_a_run(tmp_path: Path, llm_server: SimulatedLLMServer) -> None:
    wb = Workbench(tmp_path / "store", prices={"openai:house-model": {"input": 3.0, "output": 7.0}})
    row = one_run(wb, llm_server)
    assert row["cost"] == pytest.approx((1000 * 3.0 + 200 * 7.0) / 1e6, rel=1e-9)


def test_workbench_prices_override_replaces_a_shipped_price(tmp_path: Path, llm_server: SimulatedLLMServer) -> None:
    wb = Workbench(tmp_path / "store", prices={"openai:gpt-4o-mini": {"input": 10.0, "output": 20.0}})
    row = one_run(wb, llm_server, "openai:gpt-4o-mini")
    assert row["cost"] == pytest.approx((1000 * 10.0 + 200 * 20.0) / 1e6, rel=1e-9)


def test_root_prices_json_is_used_by_a_run(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    wb.root.mkdir(parents=True, exist_ok=True)
    (wb.root / "prices.json").write_text(json.dumps({"openai:house-model": {"input": 5.0, "output": 9.0}}))
    row = one_run(wb, llm_server)
    assert row["cost"] == pytest.approx((1000 * 5.0 + 200 * 9.0) / 1e6, rel=1e-9)


def test_workbench_prices_win_over_root_prices_json(tmp_path: Path, llm_server: SimulatedLLMServer) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (root / "prices.json").write_text(json.dumps({"openai:house-model": {"input": 5.0, "output": 9.0}}))
    wb = Workbench(root, prices={"openai:house-model": {"input": 1.0, "output": 2.0}})
    row = one_run(wb, llm_server)
    assert row["cost"] == pytest.approx((1000 * 1.0 + 200 * 2.0) / 1e6, rel=1e-9)


def test_prices_file_named_by_the_environment_is_used(
    wb: Workbench, llm_server: SimulatedLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "team-prices.json"
    path.write_text(json.dumps({"openai:house-model": {"input": 6.0, "output": 12.0}}))
    monkeypatch.setenv("WORKBENCH_PRICES", str(path))
    row = one_run(wb, llm_server)
    assert row["cost"] == pytest.approx((1000 * 6.0 + 200 * 12.0) / 1e6, rel=1e-9)


def test_unpriced_model_cost_is_nan_in_the_results(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    row = one_run(wb, llm_server)
    assert math.isnan(row["cost"])  # type: ignore[arg-type]


def test_broken_root_prices_json_refuses_the_run_and_creates_no_run_folder(
    wb: Workbench, llm_server: SimulatedLLMServer
) -> None:
    add_dataset(wb, "hi")
    (wb.root / "prices.json").write_text("{not json")
    with pytest.raises(ValidationError, match=r"prices\.json"):
        wb.run("qa", targets.model(OPENAI.target, base_url=llm_server.openai_base_url))
    assert llm_server.requests == []
    assert not wb.runs_dir.exists() or not any(wb.runs_dir.iterdir())


def test_invalid_price_override_refuses_the_run_and_creates_no_run_folder(
    tmp_path: Path, llm_server: SimulatedLLMServer
) -> None:
    wb = Workbench(tmp_path / "store", prices={"openai:house-model": {"input": 1.0}})
    add_dataset(wb, "hi")
    with pytest.raises(ValidationError, match="house-model"):
        wb.run("qa", targets.model("openai:house-model", base_url=llm_server.openai_base_url))
    assert not wb.runs_dir.exists() or not any(wb.runs_dir.iterdir())


# -- the response cache ----------------------------------------------------------------
def test_same_run_again_is_answered_from_the_cache(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    add_dataset(wb, "hi", "bye")
    target = targets.model(api.target, base_url=api.base_url(llm_server))
    llm_server.set_responder(lambda request: reply(f"re: {request.conversation.last_user_text}"))
    first = wb.run_sync("qa", target, cache=True).results().sort_values("item_id")
    sent = len(llm_server.requests)
    second = wb.run_sync("qa", target, cache=True).results().sort_values("item_id")
    assert sent == 2
    assert len(llm_server.requests) == sent
    assert second["output"].tolist() == first["output"].tolist() == ["re: hi", "re: bye"]
    assert second["cache_hit"].tolist() == [True, True]
    assert second["cost"].tolist() == [0.0, 0.0]
    assert first["cache_hit"].tolist() == [False, False]
    assert (first["cost"] > 0).all()


def test_cache_false_always_calls_the_model(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    add_dataset(wb, "hi")
    target = targets.model(api.target, base_url=api.base_url(llm_server))
    llm_server.set_responder(lambda request: reply())
    wb.run_sync("qa", target, cache=True)  # stores the reply in the cache
    row = only_row(wb.run_sync("qa", target, cache=False))
    assert len(llm_server.requests) == 2
    assert not row["cache_hit"]
    assert row["cost"] > 0


def test_cache_is_kept_under_the_store_root(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.enqueue(reply())
    wb.run_sync("qa", targets.model(OPENAI.target, base_url=llm_server.openai_base_url), cache=True)
    assert [p.suffix for p in (wb.root / "cache").rglob("*") if p.is_file()] == [".json"]


def test_different_request_params_miss_the_cache(wb: Workbench, llm_server: SimulatedLLMServer) -> None:
    add_dataset(wb, "hi")
    llm_server.set_responder(lambda request: reply())
    wb.run_sync("qa", targets.model(OPENAI.target, base_url=llm_server.openai_base_url, seed=1), cache=True)
    target = targets.model(OPENAI.target, base_url=llm_server.openai_base_url, seed=2)
    row = only_row(wb.run_sync("qa", target, cache=True))
    assert len(llm_server.requests) == 2
    assert not row["cache_hit"]


def test_agent_run_again_replays_every_step_from_the_cache(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api
) -> None:
    def double(n: int) -> int:
        """Twice n."""
        return 2 * n

    add_dataset(wb, "double 21")
    target = targets.agent(api.target, tools=[double], base_url=api.base_url(llm_server))
    llm_server.enqueue(ToolCallReply([ToolCall("double", {"n": 21}, id="c1")]), reply("42"))
    wb.run_sync("qa", target, cache=True)
    row = only_row(wb.run_sync("qa", target, cache=True))
    assert len(llm_server.requests) == 2
    assert output(row) == "42"
    assert [c["result"] for c in tool_calls(row)] == [42]
    assert row["cache_hit"]
    assert row["cost"] == 0.0


def counting_responder() -> Callable[[SimRequest], TextReply]:
    """Replies ``reply 1``, ``reply 2``... in the order the requests arrive."""
    count = itertools.count(1)
    lock = threading.Lock()

    def respond(request: SimRequest) -> TextReply:
        with lock:
            n = next(count)
        return reply(f"reply {n}")

    return respond


def test_repeats_are_never_answered_from_the_cache(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    """Issue 12.2: repeats=3 gave 40 cache copies out of 60 units; a repeat is an independent sample."""
    add_dataset(wb, *[f"q{k}" for k in range(5)])
    llm_server.set_responder(counting_responder())
    target = targets.model(api.target, base_url=api.base_url(llm_server))
    df = wb.run_sync("qa", target, repeats=3, concurrency=1, cache=True).results()
    assert len(df) == 15
    assert not df["cache_hit"].any(), "a repeat was answered with another repeat's reply"
    assert len(llm_server.requests) == 15
    assert df["output"].nunique() == 15


def test_a_cached_rerun_gives_each_repeat_its_own_reply(
    wb: Workbench, llm_server: SimulatedLLMServer, api: Api
) -> None:
    add_dataset(wb, "q0", "q1")
    llm_server.set_responder(counting_responder())
    target = targets.model(api.target, base_url=api.base_url(llm_server))
    first = wb.run_sync("qa", target, repeats=3, cache=True).results().sort_values(["item_id", "repeat"])
    second = wb.run_sync("qa", target, repeats=3, cache=True).results().sort_values(["item_id", "repeat"])
    assert len(llm_server.requests) == 6
    assert second["cache_hit"].all()
    assert second["output"].tolist() == first["output"].tolist()


def test_runs_are_uncached_unless_asked(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    """Issue 12.3: the cache was on by default, so a re-run was all cache hits (2 ms, cost 0)."""
    add_dataset(wb, "hi")
    llm_server.set_responder(lambda request: reply())
    target = targets.model(api.target, base_url=api.base_url(llm_server))
    first = wb.run_sync("qa", target)
    second = wb.run_sync("qa", target)
    assert len(llm_server.requests) == 2
    assert not only_row(second)["cache_hit"]
    assert only_row(second)["cost"] > 0
    assert first.manifest.settings["cache"] is False
    assert not (wb.root / "cache").exists()
