"""Model clients live and die with the run that made them (issue 12.5: Anthropic calls stalled under rate limiting).

The stall: a run's async HTTP clients were never closed. When the garbage collector later
found them on the run loop's thread, it closed their sockets at once and the SDK scheduled
an ``aclose()`` that ran later and unregistered those file descriptors from the event loop;
by then the numbers belonged to the next run's fresh connections, whose replies were
therefore never read (the request hung until the item's timeout).
"""

from __future__ import annotations

import gc
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench import Workbench, targets
from workbench._loop import background_loop
from workbench.providers._clients import open_clients
from workbench.simulator import ErrorReply, Reply, SimRequest, SimulatedLLMServer, TextReply
from workbench.targets import CallContext, Item, TargetResult
from workbench.targets._model import ModelTarget

from ._support import ANTHROPIC, OPENAI, Api


class CollectFirst(ModelTarget):
    """A model target whose first item runs the garbage collector on the run's loop, as a big import does."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._collected = False

    async def run(self, item: Item, ctx: CallContext) -> TargetResult:
        """Collect once, then call the model."""
        if not self._collected:
            self._collected = True
            gc.collect()
        return await super().run(item, ctx)


def chaos(seed: int) -> object:
    """15% 429, 5% 500, 5% 503, else a text reply (a responder for the simulator)."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def respond(request: SimRequest) -> Reply:
        with lock:
            r = rng.random()
        if r < 0.15:
            return ErrorReply(429, headers={"retry-after-ms": "20"})
        if r < 0.20:
            return ErrorReply(500)
        if r < 0.25:
            return ErrorReply(503)
        return TextReply("ok")

    return respond


@pytest.fixture
def chaos_server() -> Iterator[SimulatedLLMServer]:
    """The simulator with 25% injected errors and 20 ms per reply."""
    with SimulatedLLMServer(latency=0.02) as server:
        yield server


def _run(wb: Workbench, target: ModelTarget, timeout: float) -> tuple[float, dict[str, int]]:
    t0 = time.monotonic()
    run = wb.run_sync("qa", target, concurrency=16, timeout=timeout, max_retries=8)
    df = run.results()
    return time.monotonic() - t0, {str(k): int(v) for k, v in df["error_kind"].value_counts().items()}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "second"), [(OPENAI, ANTHROPIC), (ANTHROPIC, OPENAI)], ids=["openai-anthropic", "anthropic-openai"]
)
def test_a_second_run_is_not_stalled_by_the_clients_of_the_first(
    tmp_path: Path, chaos_server: SimulatedLLMServer, first: Api, second: Api
) -> None:
    chaos_server.set_responder(chaos(7))  # type: ignore[arg-type]
    wb = Workbench(tmp_path / "store")
    wb.create_dataset("qa").add_items([{"item_id": f"i{k}", "input": f"q{k}"} for k in range(64)])
    gc.disable()  # the one collection happens on the run loop, at the start of the second run
    try:
        _run(wb, targets.model(first.target, base_url=first.base_url(chaos_server)), timeout=20)
        elapsed, kinds = _run(wb, CollectFirst(second.target, base_url=second.base_url(chaos_server)), timeout=5)
    finally:
        gc.enable()
    assert kinds == {}, f"items failed after {elapsed:.1f}s: {kinds}"


@pytest.mark.parametrize("api", [OPENAI, ANTHROPIC], ids=["openai", "anthropic"])
def test_a_run_closes_the_clients_it_opened(wb: Workbench, llm_server: SimulatedLLMServer, api: Api) -> None:
    wb.create_dataset("qa").add_items([{"item_id": f"i{k}", "input": f"q{k}"} for k in range(8)])
    loop = background_loop().loop
    before = open_clients(loop)
    run = wb.run_sync("qa", targets.model(api.target, base_url=api.base_url(llm_server)), concurrency=4)
    assert run.status == "completed"
    assert open_clients(loop) == before


def test_runs_sharing_a_target_keep_its_client_until_the_last_ends(
    wb: Workbench, llm_server: SimulatedLLMServer
) -> None:
    wb.create_dataset("qa").add_items([{"item_id": f"i{k}", "input": f"q{k}"} for k in range(4)])
    wb.create_dataset("long").add_items([{"item_id": f"i{k}", "input": f"q{k}"} for k in range(100)])
    llm_server.latency = 0.03
    target = targets.model(OPENAI.target, base_url=OPENAI.base_url(llm_server))
    loop = background_loop().loop
    before = open_clients(loop)
    long = wb.run("long", target, concurrency=2)
    short = wb.run_sync("qa", target, concurrency=2)  # ends first, while the long run still calls
    assert open_clients(loop) == before + 1
    long.wait()
    assert short.results()["error"].isna().all()
    assert long.results()["error"].isna().all()
    assert open_clients(loop) == before
