"""Synthetic finished runs written straight to disk, shared by the benchmarks.

The benchmarks need big finished runs quickly, without running a target: :func:`write_run`
writes one directly, as the run writer would have left it — a manifest through
``workbench.runs._manifest.write_manifest`` and result parts built from numpy with
``RESULT_SCHEMA`` / ``SCORE_TYPE`` (optionally one part of automatic labels with
``LABEL_SCHEMA``).

Every run has one row per item (repeat 0, shard ``0/1``) and two scorers: a pass/fail one
(``exact`` by default) and a continuous one (``similarity`` by default). Both follow an item
difficulty drawn from a fixed seed, so it is the same for every run of the same size, and
``shift`` moves a run's probability of success, which makes two runs differ on a few percent of
their items the way a baseline and a candidate do. Outputs are about 40 characters, distinct
per item, and a shifted run rewords one in fifty of them.

The benchmarks are run as scripts from the repository's root, so their own folder is on
``sys.path`` and they import this module as ``from _synthetic import write_run``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.runs._labels import LABEL_SCHEMA, LABELS_DIR
from workbench.runs._manifest import RunManifest, ShardState, write_manifest
from workbench.runs._results import RESULT_SCHEMA, SCORE_TYPE

__all__ = ["DEFAULT_CREATED", "LABELS", "PART_ROWS", "scores_column", "write_run"]

PART_ROWS = 1_000
"""Rows per result part, as the run writer flushes them."""
DEFAULT_CREATED = datetime(2026, 1, 1, tzinfo=UTC)
"""When a run was made, unless told otherwise (also the results' start time)."""
LABELS = np.array(["success", "partial_success", "failure_logic_bug", "failure_hallucination"], dtype=object)
"""The automatic labels, in the order :func:`write_run` picks them (see ``labels``)."""
DIFFICULTY_SEED = 0
"""Seed of the item difficulty, so that runs of the same items share it."""
_STAMP = pa.timestamp("us", tz="UTC")


def scores_column(names: Sequence[str], values: Sequence[np.ndarray]) -> pa.ListArray:
    """The nested ``scores`` column: per row, one ``SCORE_TYPE`` struct per scorer.

    ``values[i]`` holds scorer ``names[i]``'s score for every row; reason, details and
    error are null. Built without a Python loop over the rows.
    """
    k, n = len(names), len(values[0])
    flat = np.empty(k * n)
    for i, column in enumerate(values):
        flat[i::k] = column
    scorer = pa.array(np.tile(np.array(names, dtype=object), n), pa.string())
    nulls = pa.nulls(k * n, pa.string())
    structs = pa.StructArray.from_arrays([scorer, pa.array(flat), nulls, nulls, nulls], fields=list(SCORE_TYPE))
    return pa.ListArray.from_arrays(pa.array(np.arange(0, k * n + 1, k, dtype=np.int32)), structs)


def write_run(
    runs_dir: Path,
    run_id: str,
    n: int,
    *,
    seed: int,
    shift: float = 0.0,
    created: datetime = DEFAULT_CREATED,
    part_rows: int = PART_ROWS,
    labels: bool = False,
    error_rate: float = 0.0,
    model: str | None = None,
    prompt: str = "answer@1",
    scorers: tuple[str, str] = ("exact", "similarity"),
    dataset_version: int = 1,
    tags: Mapping[str, Any] | None = None,
    writer: str = "5eed0001",
    compression: str = "snappy",
) -> Path:
    """Write a finished run of ``n`` items under ``runs_dir / run_id`` and return its folder.

    Args:
        runs_dir: The workbench's runs folder (``wb.runs_dir``, or ``root / "runs"``).
        run_id: The run's id and folder name; the folder must not hold results yet.
        n: Items (= result rows, one repeat).
        seed: Seed of the run's own randomness (successes, noise, latency, tokens, errors).
        shift: Added to every item's probability of success (and similarity); a non-zero
            shift also rewords the outputs of one item in fifty.
        created: The manifest's ``created_at``; every result starts then and finishes its
            latency later.
        part_rows: Rows per result part (the last one may be shorter).
        labels: Also write one part of automatic labels: ``success`` when both scorers
            pass, ``partial_success`` when only the exact one does, else a failure label.
        error_rate: Share of the rows that failed (``ValueError: boom``, kind ``exception``).
        model: With a model (``"provider:name"``), the target is that model with ``prompt``,
            the rows carry the model's name and are marked AI-generated; without one, the
            target is a function named after the run.
        prompt: The prompt of a model target.
        scorers: The names of the pass/fail and the continuous scorer.
        dataset_version: The version of the ``bench`` dataset the run used.
        tags: The manifest's tags.
        writer: The writer tag in the parts' names (``part-0of1-<writer>-<seq>.parquet``).
        compression: Parquet compression of the result parts.
    """
    rng = np.random.default_rng(seed)
    folder = runs_dir / run_id
    (folder / "results").mkdir(parents=True, exist_ok=True)
    if model is None:
        target: dict[str, Any] = {"kind": "function", "name": run_id}
    else:
        target = {"kind": "model", "name": f"{model}/{prompt}", "model": model, "prompt": prompt, "params": {}}
    manifest = RunManifest(
        id=run_id, dataset="bench", dataset_version=dataset_version, selection="all", item_count=n, repeats=1,
        target=target, scorers=[{"name": s, "kind": "function"} for s in scorers], settings={},
        tags=dict(tags or {}), shards={"0/1": ShardState(status="completed", total=n, done=n)},
        created_at=created.isoformat(),
    )  # fmt: skip
    write_manifest(folder, manifest)

    difficulty = np.random.default_rng(DIFFICULTY_SEED).random(n)
    exact = (rng.random(n) < np.clip(1 - difficulty + shift, 0, 1)).astype(np.float64)
    similarity = np.clip(1 - difficulty + shift + rng.normal(0, 0.05, n), 0, 1)
    latency = rng.lognormal(-1.0, 0.5, n)
    tokens_in = rng.integers(50, 500, n)
    tokens_out = rng.integers(5, 100, n)
    failed = rng.random(n) < error_rate
    outputs = [f'"answer {k % 997} for item {k} {"x" * (k % 7)}"' for k in range(n)]
    if shift:
        outputs = [o if k % 50 else o.replace("answer", "reply") for k, o in enumerate(outputs)]
    start = int(created.timestamp() * 1e6)
    item_ids = pa.array([f"item-{k:06d}" for k in range(n)], pa.string())
    repeat = pa.array(np.zeros(n, dtype=np.int32))
    finished = pa.array(start + (latency * 1e6).astype(np.int64), _STAMP)
    columns = {
        "item_id": item_ids,
        "repeat": repeat,
        "shard": pa.array(["0/1"] * n, pa.string()),
        "input": pa.array([f'{{"question": "q{k}"}}' for k in range(n)], pa.string()),
        "output": pa.array(outputs, pa.string()),
        "error": pa.array(np.where(failed, "ValueError: boom", None), pa.string()),
        "error_kind": pa.array(np.where(failed, "exception", None), pa.string()),
        "latency_s": pa.array(latency),
        "tokens_in": pa.array(tokens_in, pa.int64()),
        "tokens_out": pa.array(tokens_out, pa.int64()),
        "tokens_cached": pa.array(np.zeros(n, dtype=np.int64)),
        "cost": pa.array((tokens_in * 0.15 + tokens_out * 0.6) / 1e6),
        "tool_calls": pa.nulls(n, pa.string()),
        "steps": pa.nulls(n, pa.string()),
        "model": pa.nulls(n, pa.string()) if model is None else pa.array([model] * n, pa.string()),
        "cache_hit": pa.array(np.zeros(n, dtype=bool)),
        "ai_generated": pa.array(np.full(n, model is not None)),
        "attempts": pa.array(np.ones(n, dtype=np.int32)),
        "started_at": pa.array(np.full(n, start, dtype=np.int64), _STAMP),
        "finished_at": finished,
        "scores": scores_column(scorers, [exact, similarity]),
    }
    table = pa.Table.from_arrays(list(columns.values()), schema=RESULT_SCHEMA)
    for seq, offset in enumerate(range(0, n, part_rows)):
        path = folder / "results" / f"part-0of1-{writer}-{seq:06d}.parquet"
        pq.write_table(table.slice(offset, part_rows), path, compression=compression)

    if labels:
        label_of = np.where(exact == 1, np.where(similarity >= 0.5, 0, 1), np.where(similarity >= 0.5, 2, 3))
        label_columns = [
            item_ids,
            repeat,
            pa.array(LABELS[label_of], pa.string()),
            pa.array(["auto"] * n, pa.string()),
            pa.array(["auto_label"] * n, pa.string()),
            pa.array([""] * n, pa.string()),
            finished,
        ]
        (folder / LABELS_DIR).mkdir(exist_ok=True)
        path = folder / LABELS_DIR / f"labels-00000000000000000001-{writer}.parquet"
        pq.write_table(pa.Table.from_arrays(label_columns, schema=LABEL_SCHEMA), path)
    return folder
