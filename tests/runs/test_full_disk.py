"""A run that fills the disk fails cleanly and resumes once there is space again (issue 12, defect 7).

The disk is a real one: a small ``tmpfs`` mounted by the test (root only; skipped
otherwise), nearly filled by a ballast file before the run starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runs._support import ids, make_dataset, raw_units, run_folders
from workbench import Workbench
from workbench.storage import TEMP_SUFFIX

pytestmark = pytest.mark.slow

SMALL, BIG = 10, 6
"""Items with a small output (written first), then items with an output larger than the free space."""
FREE = 300 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def output_of(item_id: str, input: int) -> str:  # noqa: A002 - the item field's name
    """Small outputs first; the first big one waits so the small ones are written as a part before it."""
    if input < SMALL:
        return f"small {input}"
    if input == SMALL:
        time.sleep(1.5)
    return os.urandom(200 * 1024).hex()  # 400 kB of text zstd cannot shrink: more than the disk has left


def fill(disk: Path, leave: int) -> Path:
    ballast = disk / "ballast"
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with ballast.open("wb") as fh:  # test scaffolding, not store I/O
        fh.write(b"\0" * max(free - leave, 0))
    return ballast


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def test_a_full_disk_fails_the_run_naming_the_file_keeps_parts_and_resumes_in_the_same_process(
    small_disk: Path,
) -> None:
    wb = Workbench(small_disk / "store")
    make_dataset(wb, SMALL + BIG)
    ballast = fill(small_disk, FREE)

    run = wb.run("d", output_of, concurrency=1, run_id="full")
    run.wait(timeout=120)

    assert run.done()
    assert run.status == "failed"
    state = run.manifest.shards["0/1"]
    assert state.error is not None
    assert "No space left on device" in state.error
    assert str(wb.runs_dir / "full" / "results" / "part-") in state.error  # names the file it could not write
    assert temp_files(small_disk) == []  # no half-written file left behind
    kept = Counter(raw_units(run_folders(wb)[0]))
    assert set(kept) >= {(f"i{k:02d}", 0) for k in range(SMALL)}  # what was written before stays
    assert set(kept.values()) == {1}
    assert run.manifest.counts()["done"] == len(kept)

    ballast.unlink()  # space is back: resume from this very process
    resumed = wb.resume("full").wait(timeout=120)
    assert resumed.status == "completed"
    assert Counter(raw_units(wb.runs_dir / "full")) == Counter((i, 0) for i in ids(SMALL + BIG))
    assert wb.runs().set_index("run_id").loc["full", "status"] == "completed"
