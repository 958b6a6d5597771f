"""What a run does: the pinned dataset version, chosen items, repeats, and refused settings."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.runs._support import ids, make_dataset, run_folders
from workbench import NotFoundError, ValidationError, Workbench


def double(x: int) -> int:
    return x * 2


async def slowish(x: int) -> int:
    await asyncio.sleep(0.05)
    return x * 2


def test_items_added_after_the_start_are_not_run(wb: Workbench) -> None:
    ds = make_dataset(wb, 10)
    run = wb.run("d", slowish, concurrency=2)  # ~0.25 s of work
    ds.add_items([{"item_id": f"late{k}", "input": 100 + k} for k in range(5)])
    run.wait()
    assert run.status == "completed"
    assert set(run.results()["item_id"]) == ids(10)
    assert run.manifest.counts()["total"] == 10


def test_items_changed_after_the_start_are_run_as_they_were(wb: Workbench) -> None:
    ds = make_dataset(wb, 10)
    run = wb.run("d", slowish, concurrency=1)
    ds.update_items([{"item_id": f"i{k:02d}", "input": 1000 + k} for k in range(10)])
    run.wait()
    outputs = dict(zip(run.results()["item_id"], run.results()["output"], strict=True))
    assert outputs == {f"i{k:02d}": k * 2 for k in range(10)}


def test_manifest_records_the_pinned_version_and_selection(wb: Workbench) -> None:
    ds = make_dataset(wb, 3)
    pinned = ds.version
    ds.add_items([{"item_id": "extra", "input": 9}])
    everything = wb.run_sync("d", double)
    old = wb.run_sync("d", double, version=pinned)
    chosen = wb.run_sync("d", double, item_ids=["i01"])
    assert (everything.manifest.dataset_version, everything.manifest.selection) == (pinned + 1, "all")
    assert (old.manifest.dataset_version, old.manifest.selection) == (pinned, "all")
    assert (chosen.manifest.dataset_version, chosen.manifest.selection) == (pinned + 1, "item_ids")
    assert everything.manifest.dataset == "d"
    assert set(old.results()["item_id"]) == ids(3)


def test_item_ids_runs_exactly_those_items(wb: Workbench) -> None:
    make_dataset(wb, 10)
    run = wb.run_sync("d", double, item_ids=["i07", "i02", "i05"])
    df = run.results()
    assert sorted(df["item_id"]) == ["i02", "i05", "i07"]
    assert run.manifest.counts()["total"] == 3
    assert run.manifest.item_count == 3


def test_unknown_item_ids_raise_not_found_naming_them_and_create_no_run(wb: Workbench) -> None:
    make_dataset(wb, 3)
    with pytest.raises(NotFoundError) as caught:
        wb.run("d", double, item_ids=["i01", "ghost", "phantom"])
    message = str(caught.value)
    assert "ghost" in message
    assert "phantom" in message
    assert "'i01'" not in message
    assert run_folders(wb) == []


def test_repeats_give_one_row_per_item_and_repeat(wb: Workbench) -> None:
    make_dataset(wb, 4)
    run = wb.run_sync("d", double, repeats=3)
    df = run.results()
    assert len(df) == 12
    assert sorted(zip(df["item_id"], df["repeat"], strict=True)) == sorted((i, r) for i in ids(4) for r in range(3))
    assert run.manifest.counts() == {"total": 12, "done": 12, "errors": 0, "scorer_errors": 0}


@pytest.mark.parametrize(
    "settings",
    [
        {"repeats": 0},
        {"concurrency": 0},
        {"timeout": -1},
        {"timeout": 0},
        {"timeout": "5"},
        {"timeout": float("nan")},
        {"max_retries": -1},
        {"shard": "3/3"},
        {"shard": "x"},
        {"shard": "1/0"},
    ],
    ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()),
)
def test_bad_settings_raise_validation_error_and_create_no_run(wb: Workbench, settings: dict[str, Any]) -> None:
    make_dataset(wb, 2)
    with pytest.raises(ValidationError):
        wb.run("d", double, **settings)
    assert run_folders(wb) == []
