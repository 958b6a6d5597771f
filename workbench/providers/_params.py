"""Passing request parameters to an SDK method that may not name them all."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=32)
def _named(fn: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(fn).parameters)


def split_params(method: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``method``: the params it names, the rest in ``extra_body``.

    SDKs drop or add parameters between versions (a client without ``temperature`` still
    talks to a server that takes it), so unknown params travel in the request body.
    """
    named = _named(getattr(method, "__func__", method))
    known = {k: v for k, v in params.items() if k in named}
    extra = {k: v for k, v in params.items() if k not in named}
    if extra:
        known["extra_body"] = {**known.get("extra_body", {}), **extra}
    return known
