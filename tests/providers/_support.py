"""Helpers shared by the provider tests: the two APIs, a small dataset, reading a run back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench import Workbench
from workbench.runs import Run
from workbench.simulator import SimulatedLLMServer


@dataclass(frozen=True)
class Api:
    """One provider as the tests use it: a priced model, its prices (USD per 1M tokens, copied by hand)."""

    provider: str
    model: str
    price_in: float
    price_out: float
    price_cached: float
    key_var: str
    url_var: str

    @property
    def target(self) -> str:
        """``provider:model``."""
        return f"{self.provider}:{self.model}"

    def base_url(self, server: SimulatedLLMServer) -> str:
        """The simulator's URL for this wire format."""
        return server.openai_base_url if self.provider == "openai" else server.anthropic_base_url


OPENAI = Api("openai", "gpt-4o-mini", 0.15, 0.60, 0.075, "OPENAI_API_KEY", "OPENAI_BASE_URL")
ANTHROPIC = Api("anthropic", "claude-haiku-4-5", 1.00, 5.00, 0.10, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")


def add_dataset(wb: Workbench, *inputs: Any, name: str = "qa") -> None:
    """A dataset whose items ``i0, i1...`` have these inputs."""
    ds = wb.create_dataset(name)
    ds.add_items([{"item_id": f"i{n}", "input": value} for n, value in enumerate(inputs)])


def only_row(run: Run) -> dict[str, Any]:
    """The single result row of a one-item run."""
    df = run.results()
    assert len(df) == 1, df
    return {str(column): value for column, value in df.iloc[0].items()}


def output(row: dict[str, Any]) -> Any:
    """A row's output (``results()`` gives Python values)."""
    return row["output"]


def tool_calls(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A row's recorded tool calls, decoded."""
    calls: list[dict[str, Any]] = row["tool_calls"] or []
    return calls
