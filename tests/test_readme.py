"""Every example of README.md runs: its Python and shell blocks, in order, against a fresh store and the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._readme import README, REPO, BlockFailedError, blocks, check_markers, reader_session, run_blocks
from workbench.simulator import serve

FIRST_COMMANDS = "make demo   # creates .venv, installs, runs the offline demo on ./datasets\n" \
                 "make test   # creates .venv, installs with dev extras, runs ruff, mypy and pytest\n"  # fmt: skip


def test_the_readme_starts_with_the_two_commands() -> None:
    first = blocks()[0]
    assert first.language == "sh"
    assert first.code == FIRST_COMMANDS
    assert README.read_text(encoding="utf-8").index("```") < README.read_text(encoding="utf-8").index("\n## ")


def test_the_first_evaluation_comes_right_after_the_commands() -> None:
    headings = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings[0] == "## Your first evaluation (offline, ~15 minutes)"


def test_skips_are_few_and_say_why() -> None:
    found = blocks()
    assert check_markers(found) == []
    skipped = [b for b in found if b.skip is not None]
    run = [b for b in found if b.runs]
    assert len(skipped) <= 4, [b.where() for b in skipped]
    assert len(run) >= 25


def test_the_files_the_readme_names_exist() -> None:
    for name in ("examples/support.csv", "examples/tickets.csv", "examples/support.toml", "examples/experiment.toml",
                 "notebooks/build_your_own.ipynb", "docs/reports.md", "docs/reliability.md"):  # fmt: skip
        assert name in README.read_text(encoding="utf-8"), name
        assert (REPO / name).exists(), name


def test_a_failing_block_is_named_by_its_line(tmp_path: Path) -> None:
    text = "# T\n\n```python\nx = 1\n```\n\n## S\n\n```sh\nfalse\n```\n"
    with serve() as server, reader_session(tmp_path, server.openai_base_url) as (namespace, cwd):
        with pytest.raises(BlockFailedError, match=r"README.md line 9 \(sh block in 'S'\) exited 1, expected 0"):
            run_blocks(blocks(text), namespace, cwd)
        assert namespace["x"] == 1
        with pytest.raises(
            BlockFailedError, match=r"README.md line 3 .* ZeroDivisionError(.|\n)*\"README.md\", line 5"
        ):
            run_blocks(blocks("\n\n```python\nx = 2\n1 / 0\n```\n"), namespace, cwd)


@pytest.mark.slow
def test_every_block_runs_in_order(tmp_path: Path) -> None:
    with serve() as server, reader_session(tmp_path, server.openai_base_url) as (namespace, cwd):
        run_blocks(blocks(), namespace, cwd)
