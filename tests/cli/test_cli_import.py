"""``workbench import`` with a guessed mapping and the upsert and sync modes, as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import Workbench

pytestmark = pytest.mark.slow

SHEET = "id,question,answer\nq1,What is 2+2?,4\nq2,Capital of France?,Paris\nq3,Largest planet?,Jupiter\n"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_guessed_mapping_is_printed_before_the_import_and_the_modes_report_their_counts(tmp_path: Path) -> None:
    root, sheet = tmp_path / "store", tmp_path / "qa.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    first = cli(root, "import", "qa", str(sheet), "--create")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "mapping: id -> item_id, question -> input, answer -> expected_output"
    assert "3 of 3 rows imported into 'qa' as version 1: 3 added" in first.stdout

    sheet.write_text(SHEET.replace("Jupiter", "Jupiter (gas giant)") + "q4,New?,Yes\n", encoding="utf-8")
    upsert = cli(root, "import", "qa", str(sheet), "--mode", "upsert")
    assert upsert.returncode == 0, upsert.stderr
    assert "as version 2: 1 added, 1 updated, 2 unchanged" in upsert.stdout

    sheet.write_text("id,question,answer\nq1,What is 2+2?,4\n", encoding="utf-8")
    dry = cli(root, "import", "qa", str(sheet), "--mode", "sync", "--dry-run")
    assert "would be 0 added, 0 updated, 1 unchanged, 3 deleted" in dry.stdout
    assert Workbench(root).dataset("qa").version == 2

    synced = cli(root, "import", "qa", str(sheet), "--mode", "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert (report["version"], report["deleted"], report["unchanged"], report["mode"]) == (3, 3, 1, "sync")
    assert report["mapping"] == {"item_id": "id", "input": "question", "expected_output": "answer"}
    assert list(Workbench(root).dataset("qa").items()["item_id"]) == ["q1"]


def test_a_row_without_an_id_in_upsert_is_one_line_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    root, sheet = tmp_path / "store", tmp_path / "qa.csv"
    sheet.write_text("id,question\n,no id\n", encoding="utf-8")
    out = cli(root, "import", "qa", str(sheet), "--mode", "upsert", "--create")
    assert out.returncode == 2
    assert "line 2, column 'id' (field item_id): has no item_id" in out.stderr
    assert "Traceback" not in out.stderr
    assert Workbench(root).datasets().empty  # --create made nothing, since nothing was imported


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    sheet = tmp_path / "qa.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    out = cli(tmp_path / "store", "import", "qa", str(sheet), "--mode", "merge", "--create")
    assert out.returncode == 2
    assert out.stderr.strip() == "error: --mode 'merge': use append, upsert or sync"
