"""Helpers shared by the run tests: small datasets, raw result parts, child processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

from workbench import Dataset, Workbench


def make_dataset(wb: Workbench, n: int, name: str = "d") -> Dataset:
    """A dataset of ``n`` items ``i00``, ``i01``... whose input is the item's number."""
    ds = wb.create_dataset(name)
    ds.add_items(
        [
            {"item_id": f"i{k:02d}", "input": k, "expected_output": k * 2, "context": {"k": k}, "metadata": {"m": k}}
            for k in range(n)
        ]
    )
    return ds


def ids(n: int) -> set[str]:
    """The ids of an ``n``-item dataset made by :func:`make_dataset`."""
    return {f"i{k:02d}" for k in range(n)}


def part_files(run_folder: Path) -> list[Path]:
    """The result parts a reader would see (temporary files excluded)."""
    folder = run_folder / "results"
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def raw_units(run_folder: Path) -> list[tuple[str, int]]:
    """Every (item_id, repeat) row in every part, duplicates included."""
    out: list[tuple[str, int]] = []
    for path in part_files(run_folder):
        table = pq.read_table(path, columns=["item_id", "repeat"])
        out += list(zip(table.column("item_id").to_pylist(), table.column("repeat").to_pylist(), strict=True))
    return out


def run_folders(wb: Workbench) -> list[Path]:
    """The run folders of the store."""
    return sorted(wb.runs_dir.iterdir()) if wb.runs_dir.is_dir() else []


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, step: float = 0.005) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def child_env(path: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process that can import modules from ``path``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(path), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra)
    return env


def start_child(code: str, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """A Python child process running ``code`` with ``args``."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_child(proc: subprocess.Popen[str], timeout: float = 60.0) -> str:
    """Wait for a child; fail with its output unless it exits 0; return its stdout."""
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"child exited {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    return out
