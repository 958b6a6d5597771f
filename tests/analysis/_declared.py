"""Test helpers: scorers that declare their direction and pass mark in the run's manifest, and cached replies.

A scorer made with ``direction=`` / ``pass_mark=`` writes ``"direction"`` and ``"pass_mark"`` into
its dict in ``manifest.scorers``; :func:`declare` writes the same keys into a finished run's manifest,
which is what the analysis reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from workbench import Run, TargetResult
from workbench.runs._manifest import RunManifest, update_manifest


def declare(run: Run, scorer: str, *, direction: str | None = None, pass_mark: float | None = None) -> None:
    """Set ``direction`` and ``pass_mark`` on the run's scorer ``scorer``, as the scorer itself would."""

    def change(m: RunManifest) -> None:
        [spec] = [s for s in m.scorers if s["name"] == scorer]
        spec["direction"] = direction
        spec["pass_mark"] = pass_mark

    update_manifest(run.folder, change)


def replies(cached: Callable[[int], bool], *, fresh_latency: float = 0.05, cost: float = 0.01) -> Callable[[int], Any]:
    """A target answering its input, from the "cache" (no cost, instant) when ``cached(k)``, else fresh.

    A fresh reply takes ``fresh_latency`` seconds and costs ``cost``; a cached one is instant and free,
    as a reply served from the response cache is.
    """

    def target(k: int) -> TargetResult:
        if cached(k):
            return TargetResult(output=k, cost=0.0, cache_hit=True)
        time.sleep(fresh_latency)
        return TargetResult(output=k, cost=cost)

    return target
