"""Cost of tokens: a price table shipped with the package that users can override."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson

from workbench.errors import ValidationError
from workbench.records._usage import Usage
from workbench.storage import LocalStorage

PRICES_ENV = "WORKBENCH_PRICES"
_DATED = re.compile(r"(.+?)-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)")
"""A dated variant of a model: ``gpt-4o-mini-2024-07-18``, ``claude-3-5-haiku-20241022``, ``...-latest``."""


class PriceTable:
    """USD per 1,000,000 tokens (``input``, ``output``, ``cached_input``) per ``provider:model``."""

    def __init__(self, prices: Mapping[str, Mapping[str, float]]) -> None:
        self.prices: dict[str, dict[str, float]] = {}
        for key, entry in prices.items():
            if key.startswith("_"):
                continue
            if ":" not in key or not isinstance(entry, Mapping) or "input" not in entry or "output" not in entry:
                raise ValidationError(f"price table: {key!r} needs provider:model and input/output prices")
            self.prices[key] = {k: float(v) for k, v in entry.items()}

    @classmethod
    def default(
        cls, root: Path | None = None, overrides: Mapping[str, Mapping[str, float]] | None = None
    ) -> PriceTable:
        """The shipped table, updated by ``<root>/prices.json``, ``$WORKBENCH_PRICES`` and ``overrides``."""
        data: dict[str, Any] = orjson.loads(files("workbench.providers").joinpath("prices.json").read_bytes())
        sources: list[tuple[str, bytes]] = []
        if root is not None and (store := LocalStorage(root)).exists("prices.json"):
            sources.append((store.uri("prices.json"), store.read_bytes("prices.json")))
        team = os.environ.get(PRICES_ENV)  # a file of the user's, outside the store
        if team and Path(team).is_file():
            sources.append((team, Path(team).read_bytes()))
        for path, raw in sources:
            try:
                data |= orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise ValidationError(f"price table {path}: not valid JSON ({exc})") from None
        data |= dict(overrides or {})
        return cls(data)

    def lookup(self, provider: str, model: str) -> dict[str, float] | None:
        """The prices of a model; a dated variant (``name-2024-07-18``) has its base model's prices."""
        key = f"{provider}:{model}"
        if key in self.prices:
            return self.prices[key]
        dated = _DATED.fullmatch(key)
        if dated and dated.group(1) in self.prices:
            return self.prices[dated.group(1)]
        return None

    def cost(self, provider: str, model: str, usage: Usage) -> float | None:
        """USD for ``usage`` on that model, or ``None`` when the model has no price."""
        price = self.lookup(provider, model)
        if price is None:
            return None
        cached = min(usage.cached_tokens, usage.input_tokens)
        cached_price = price.get("cached_input", price["input"])
        total = (usage.input_tokens - cached) * price["input"] + cached * cached_price
        total += usage.output_tokens * price["output"]
        return total / 1_000_000
