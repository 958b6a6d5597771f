"""Helpers for the multi-run analysis tests: a small dataset, priced function targets, scorers."""

from __future__ import annotations

from typing import Any

from workbench import Dataset, Workbench
from workbench.runs._manifest import RunManifest, write_manifest
from workbench.targets import TargetResult, Usage


def make_dataset(wb: Workbench, n: int = 4, name: str = "d") -> Dataset:
    """Items ``i0..i{n-1}``: input ``k``, expected output ``2k``."""
    ds = wb.create_dataset(name)
    ds.add_items([{"item_id": f"i{k}", "input": k, "expected_output": 2 * k} for k in range(n)])
    return ds


def doubler(x: int) -> TargetResult:
    """Doubles its input; costs 0.01 * (x + 1), 10 tokens in and ``x`` out; fails on 3."""
    if x == 3:
        raise ValueError("three is not allowed")
    return TargetResult(output=2 * x, cost=0.01 * (x + 1), usage=Usage(input_tokens=10, output_tokens=x))


def tripler(x: int) -> int:
    """Triples its input (right only for 0)."""
    return 3 * x


def exact(output: Any, expected: Any) -> bool:
    """1 when the output is the expected output."""
    return bool(output == expected)


def tenth(output: Any) -> float:
    """The output over ten."""
    return float(output) / 10


def third_of_input(input: Any) -> float:  # noqa: A002 - the scorer argument's name
    """The input over three: the same for every repeat of an item."""
    return float(input) / 3


def pending_run(wb: Workbench, run_id: str, dataset: str = "d") -> None:
    """A run that was created but has written nothing yet (a manifest alone)."""
    folder = wb.runs_dir / run_id
    folder.mkdir(parents=True)
    write_manifest(
        folder,
        RunManifest(run_id, dataset, 1, "all", 4, 1, {"kind": "function", "name": "later"}, [{"name": "exact"}], {}),
    )
