"""A run's fixed cost (issue 13.13): what a run no longer does before its first request or before ``wait()`` returns.

Wall times are measured by ``bench/bench_run_overhead.py``; these tests check the work itself:
no new DuckDB database per run, no count query for a fresh run, one TLS context per process,
the figures cached after ``wait()`` (and a summary asked for meanwhile waits for them).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import openai
import pytest

import workbench.providers._sdk as sdk
from workbench import Workbench, targets
from workbench._loop import run_later, settle_later
from workbench.analysis import _runs_summary
from workbench.analysis._runs_summary import STATS_FILE
from workbench.providers._openai import OpenAIProvider
from workbench.runs import _engine
from workbench.simulator import SimulatedLLMServer
from workbench.store._table import connect


def echo(question: str) -> str:
    return question.upper()


def test_plan_cursors_share_one_bounded_database_per_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    real = duckdb.connect

    def counting(*args: Any, **kwargs: Any) -> duckdb.DuckDBPyConnection:
        opened.append(kwargs.get("config"))
        return real(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    monkeypatch.setattr("workbench.store._table._bounded", {})
    first, second = connect(memory_limit="64MB"), connect(memory_limit="64MB")
    first.execute("create temp table t as select 1 as x")  # a cursor's own temporary objects
    with pytest.raises(duckdb.CatalogException):
        second.execute("select * from t")
    assert len(opened) == 1  # one database, two cursors
    (limit,) = second.execute("select current_setting('memory_limit')").fetchone() or ("",)
    assert limit in {"64.0 MB", "61.0 MiB"}
    connect(memory_limit="32MB")
    assert len(opened) == 2  # another limit: another database


def test_a_fresh_shard_counts_its_units_without_a_query(wb: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": f"q{k}"} for k in range(10)])
    queries: list[str] = []
    real = connect

    def watched(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
        con = real(memory_limit=memory_limit)
        queries.append("connect")
        return con

    monkeypatch.setattr(_engine, "connect", watched)
    run = wb.run("d", echo, repeats=2, shard="1/3", run_id="sharded", progress=False).wait()
    assert queries == ["connect"]  # the producer's plan only
    state = run.manifest.shards["1/3"]
    assert (state.total, state.done, state.errors) == (6, 6, 0)  # items 1, 4, 7, twice each
    assert sorted(run.results()["item_id"]) == ["i1", "i1", "i4", "i4", "i7", "i7"]
    resumed = wb.resume("sharded", target=echo, shard="1/3").wait()  # parts on disk: counted by query
    assert resumed.manifest.shards["1/3"].total == 6


def test_clients_share_one_tls_context_per_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    library = sdk._http_library(openai)
    assert library is not None
    built: list[object] = []
    real = library[1].create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> Any:
        context = real(*args, **kwargs)
        if not args and not kwargs:  # a context built from the system's certificates, not one passed through
            built.append(context)
        return context

    monkeypatch.setattr(library[1], "create_ssl_context", counting)
    monkeypatch.setattr(sdk, "_tls", {})
    clients = [OpenAIProvider("m", api_key="x", base_url=f"http://127.0.0.1:{k}/v1")._new_client() for k in range(3)]
    assert len(built) == 1
    assert all(c._client is not None for c in clients)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # another trust store: another context

    def rebuilt(*args: Any, **kwargs: Any) -> Any:
        built.append("rebuilt")
        return real()

    monkeypatch.setattr(library[1], "create_ssl_context", rebuilt)
    OpenAIProvider("m", api_key="x", base_url="http://127.0.0.1:1/v1")._new_client()
    assert built[-1] == "rebuilt"


def test_wait_returns_before_the_figures_are_cached_and_a_summary_waits_for_them(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": f"q{k}"} for k in range(3)])
    settle_later()
    gate = threading.Event()

    def busy() -> None:
        gate.wait(30)

    run_later(busy)  # the after thread is busy: the run's caching queues behind this
    run = wb.run_sync("d", echo)
    assert run.status == "completed"
    assert not (run.folder / STATS_FILE).exists()  # wait() did not wait for the figures
    computed: list[str] = []
    real = _runs_summary._compute

    def watched(runs: Any, keys: Any) -> Any:
        computed.append(threading.current_thread().name)
        return real(runs, keys)

    monkeypatch.setattr(_runs_summary, "_compute", watched)
    threading.Timer(0.2, gate.set).start()
    assert wb.runs_summary().set_index("run_id").loc[run.id, "units"] == 3
    assert (run.folder / STATS_FILE).is_file()
    assert len(computed) == 1  # computed once: by the run's caching, not again by the summary
    assert computed[0].startswith("workbench-after")


@pytest.mark.slow
def test_a_model_run_without_a_prompt_reads_no_item_before_it_starts(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb.create_dataset("d").add_items([{"item_id": f"i{k}", "input": f"q{k}"} for k in range(3)])
    checked: list[str] = []
    real = targets.ModelTarget.check

    def watched(self: targets.ModelTarget, item: Any) -> str | None:
        checked.append(item.item_id)
        return real(self, item)

    monkeypatch.setattr(targets.ModelTarget, "check", watched)
    with SimulatedLLMServer(latency=0.0) as server:
        plain = wb.run_sync("d", targets.model("openai:sim-large", base_url=server.openai_base_url))
        assert checked == []
        wb.create_prompt("ask", "Answer: {{ input }}")
        prompted = wb.run_sync("d", targets.model("openai:sim-large", prompt="ask", base_url=server.openai_base_url))
    assert checked == ["i0", "i1", "i2"]  # a prompt can refuse an item: every item is checked first
    assert plain.status == prompted.status == "completed"


def test_preparing_a_target_again_keeps_its_provider_unless_the_key_changed(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a second run of one target must not swap the provider (and client) under a run still going on it
    monkeypatch.setenv("OPENAI_API_KEY", "sk-first-key-000")
    target = targets.model("openai:m", base_url="http://127.0.0.1:9/v1")
    target.prepare(wb.project)
    first = target.provider
    target.prepare(wb.project)
    assert target.provider is first
    monkeypatch.setenv("OPENAI_API_KEY", "sk-second-key-111")  # a fixed key is picked up by the next run
    target.prepare(wb.project)
    assert target.provider is not first
