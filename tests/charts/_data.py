"""Small hand-made inputs shaped like the analysis results, and helpers to read specs."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis import alignment


def comparison() -> SimpleNamespace:
    """A Comparison-like object: faithfulness regressed, exact_match improved, tool_use unchanged."""
    scorers = pd.DataFrame(
        {
            "scorer": ["exact_match", "faithfulness", "tool_use"],
            "direction": ["higher", "higher", "higher"],
            "n": [4, 4, 4],
            "baseline_mean": [0.25, 0.9, 0.5],
            "candidate_mean": [0.75, 0.4, 0.5],
            "delta": [0.5, -0.5, 0.0],
            "ci_low": [0.1, -0.8, -0.2],
            "ci_high": [0.9, -0.2, 0.2],
            "p_value": [0.02, 0.01, 1.0],
            "significant": [True, True, False],
            "regression": [False, True, False],
        }
    )
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c", "d"] * 2,
            "scorer": ["exact_match"] * 4 + ["faithfulness"] * 4,
            "baseline": [0.0, 0.0, 1.0, 0.0, 0.9, 0.8, 1.0, 0.9],
            "candidate": [1.0, 1.0, 1.0, 0.0, 0.2, 0.3, 1.0, 0.1],
        }
    )
    items["delta"] = items["candidate"] - items["baseline"]
    items["change"] = np.where(items["delta"] > 0, "improved", np.where(items["delta"] < 0, "regressed", "unchanged"))
    return SimpleNamespace(scorers=scorers, items=items, baseline_id="run-base", candidate_id="run-cand")


def summary(target: str = "simulated:sim-1/demo-answer") -> SimpleNamespace:
    """A Summary-like object with two scorers, a latency histogram and its percentiles."""
    return SimpleNamespace(
        run_id="run-1",
        target=target,
        scorers=pd.DataFrame(
            {
                "scorer": ["exact_match", "faithfulness"],
                "n": [10, 10],
                "mean": [0.6, 0.8],
                "ci_low": [0.4, 0.7],
                "ci_high": [0.8, 0.9],
                "pass_rate": [0.6, 0.9],
            }
        ),
        latency=pd.DataFrame(
            {"bin_low": [0.0, 0.5, 1.0, 1.5], "bin_high": [0.5, 1.0, 1.5, 2.0], "count": [3, 9, 4, 1]}
        ),
        overview={"latency_p50": 0.7, "latency_p95": 1.4, "latency_p99": 1.9},
    )


def matrix() -> pd.DataFrame:
    """wb.matrix()-shaped: two pipelines, two simulated prompt versions, two real ones; G is dominated."""
    rows = [
        # target, model, prompt, mean, cost
        ("pipeline-v1", "", "", 0.55, None),  # dominated by pipeline-v2 (same cost 0, lower score)
        ("pipeline-v2", "", "", 0.62, None),
        ("openai:sim-1/answer@1", "openai:sim-1", "answer@1", 0.70, 0.0004),
        ("openai:sim-1/answer@2", "openai:sim-1", "answer@2", 0.74, 0.0005),
        ("openai:gpt-x/answer@1", "openai:gpt-x", "answer@1", 0.86, 0.004),
        ("openai:gpt-x/answer@2", "openai:gpt-x", "answer@2", 0.83, 0.003),
        ("openai:gpt-y/answer@1", "openai:gpt-y", "answer@1", 0.70, 0.002),  # dominated by sim-1 @2
    ]
    df = pd.DataFrame(rows, columns=["target", "model", "prompt", "mean", "cost_per_item"])
    df["scorer"] = "exact_match"
    df["run_id"] = [f"run-{i}" for i in range(len(df))]
    df["n"] = 20
    df["latency_p50"] = 0.5
    df["latency_p95"] = 0.9
    df["success_rate"] = 1.0
    other = df.assign(scorer="brevity", mean=1 - df["mean"])
    both = pd.concat([df, other], ignore_index=True)
    return both.assign(ci_low=both["mean"] - 0.05, ci_high=both["mean"] + 0.05)


def trends(runs: int = 4) -> pd.DataFrame:
    """wb.trends()-shaped: two targets, a scorer with intervals and latency without."""
    start = pd.Timestamp("2026-11-01T08:00:00Z")
    rows: list[dict[str, Any]] = []
    for k in range(runs):
        for target, base in (("pipeline-v1", 0.5), ("openai:sim-1/answer@1", 0.7)):
            run_id = f"{target[:4]}-{k}"
            when = start + pd.Timedelta(days=k)
            value = base + 0.01 * k
            common = {"run_id": run_id, "created_at": when, "target": target, "dataset_version": 1}
            rows.append(
                common | {"metric": "exact_match", "value": value, "ci_low": value - 0.1, "ci_high": value + 0.1}
            )
            rows.append(common | {"metric": "latency_p50", "value": 0.2 + k / 100, "ci_low": None, "ci_high": None})
    return pd.DataFrame(rows)


def failure_modes() -> SimpleNamespace:
    return SimpleNamespace(
        by_target=pd.DataFrame(
            {
                "target": [
                    "pipeline-v1",
                    "pipeline-v1",
                    "pipeline-v1",
                    "openai:sim-1/answer@1",
                    "openai:sim-1/answer@1",
                ],
                "label": ["success", "failure_format", "my_custom_label", "success", "failure_hallucination"],
                "count": [6, 3, 1, 5, 5],
            }
        )
    )


def alignment_result() -> dict[str, Any]:
    human = ["pass"] * 6 + ["fail"] * 4
    judge = ["pass"] * 5 + ["fail"] + ["fail"] * 3 + ["pass"]
    return alignment(pd.DataFrame({"human": human, "judge": judge}))


# -- reading specs ------------------------------------------------------------------------------
def _walk(node: Any, data: Any = None) -> Iterator[tuple[dict[str, Any], Any]]:
    """(unit view, the data it sees) for every view, however layered, concatenated or faceted."""
    if isinstance(node, dict):
        data = node.get("data", data)
        if "mark" in node:
            yield node, data
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in node.get(key, []):
                yield from _walk(child, data)
        if "spec" in node:
            yield from _walk(node["spec"], data)


def views(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every unit view (a dict with a ``mark``) in a spec."""
    for view, _ in _walk(spec):
        yield view


def mark_type(view: dict[str, Any]) -> str:
    mark = view["mark"]
    return str(mark["type"] if isinstance(mark, dict) else mark)


def marks(spec: dict[str, Any]) -> list[str]:
    return [mark_type(v) for v in views(spec)]


def rows(spec: dict[str, Any], view: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The inline rows a view sees (without a view: the first view's)."""
    data = next(d for v, d in _walk(spec) if view is None or v is view)
    assert data is not None, "no data"
    if "values" in data:
        return list(data["values"])
    return list(spec["datasets"][data["name"]])


def total_rows(spec: dict[str, Any]) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values())


def title_text(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    return str(title["text"] if isinstance(title, dict) else title)


def subtitle(spec: dict[str, Any]) -> str:
    title = spec.get("title", {})
    return str(title.get("subtitle", "")) if isinstance(title, dict) else ""
