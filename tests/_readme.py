"""The README's code blocks, run in order the way a reader would: Python in one namespace, shell in bash.

A block is preceded (on the nearest non-blank line) by an optional marker comment:
``<!-- readme-test: skip (why) -->`` leaves it out (a server that runs until Ctrl-C, ``make``),
``<!-- readme-test: exit N -->`` expects that exit code from a shell block (the CI gate's 1).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).absolute().parents[1]
README = REPO / "README.md"
RUN_LANGUAGES = {"python": "python", "sh": "sh", "bash": "sh"}
FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*readme-test:\s*(skip|exit)\b\s*(.*?)\s*-->$")
SIMULATOR_KEY = "sk-readme-test-0000"


@dataclass(frozen=True)
class Block:
    """One fenced code block of README.md: where it starts, its language and what the marker says."""

    line: int  # of the opening fence, 1-based
    language: str  # "python", "sh" or another fence tag (not run)
    code: str
    section: str  # the "## " heading it is under
    skip: str | None = None  # the reason, when marked skip
    exit_code: int = 0

    @property
    def runs(self) -> bool:
        return self.language in ("python", "sh") and self.skip is None

    def where(self) -> str:
        return f"README.md line {self.line} ({self.language} block in '{self.section}')"


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced block of the README, in order."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Block] = []
    section, index = "", 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:].strip()
        fence = FENCE.match(line)
        if not fence:
            index += 1
            continue
        end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise ValueError(f"README.md line {index + 1}: a code block that is never closed")
        previous = next((lines[j].strip() for j in range(index - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.match(previous)
        skip = marker.group(2) or "(no reason given)" if marker and marker.group(1) == "skip" else None
        exit_code = int(marker.group(2)) if marker and marker.group(1) == "exit" else 0
        language = RUN_LANGUAGES.get(fence.group(1), fence.group(1))
        code = "\n".join(lines[index + 1 : end]) + "\n"
        found.append(Block(index + 1, language, code, section, skip, exit_code))
        index = end + 1
    return found


def environment(base_url: str, root: Path) -> dict[str, str]:
    """What the README's commands see: this checkout importable, the venv's bin first, the simulator."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO),
        "WORKBENCH_ROOT": str(root),
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": SIMULATOR_KEY,
        "ANTHROPIC_BASE_URL": base_url.removesuffix("/v1"),
        "ANTHROPIC_API_KEY": SIMULATOR_KEY,
    }


class BlockFailedError(AssertionError):
    """A README block that did not run: names its line."""


def run_python(block: Block, namespace: dict[str, Any]) -> None:
    try:
        exec(compile("\n" * block.line + block.code, "README.md", "exec"), namespace)
    except BaseException as exc:
        detail = "".join(traceback.format_exception(exc)[-6:])
        raise BlockFailedError(f"{block.where()} failed: {type(exc).__name__}: {exc}\n{detail}") from exc


def run_shell(block: Block, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.code], cwd=cwd, env=dict(os.environ), capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != block.exit_code:
        raise BlockFailedError(
            f"{block.where()} exited {done.returncode}, expected {block.exit_code}\n"
            f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
        )
    return done


def run_blocks(selected: list[Block], namespace: dict[str, Any], cwd: Path) -> None:
    """Run ``selected`` in order (skipped ones left out); the first failure raises, naming its line."""
    for block in selected:
        if not block.runs:
            continue
        if block.language == "python":
            run_python(block, namespace)
        else:
            run_shell(block, cwd)


@contextmanager
def reader_session(tmp_path: Path, base_url: str) -> Iterator[tuple[dict[str, Any], Path]]:
    """A reader's session: cwd an empty folder holding a copy of examples/, the environment set, a namespace."""
    import shutil

    cwd = tmp_path / "project"
    shutil.copytree(REPO / "examples", cwd / "examples")
    saved_env, saved_cwd, saved_path = dict(os.environ), Path.cwd(), list(sys.path)
    os.environ.update(environment(base_url, cwd))
    os.chdir(cwd)
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    try:
        yield namespace, cwd
    finally:
        for value in namespace.values():  # servers the README started
            stop = getattr(value, "stop", None)
            if type(value).__name__ == "SimulatedLLMServer" and callable(stop):
                stop()
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path


def section(all_blocks: list[Block], heading_start: str) -> list[Block]:
    """The blocks under the ``## `` heading that starts with ``heading_start``."""
    return [b for b in all_blocks if b.section.startswith(heading_start)]


def check_markers(all_blocks: list[Block]) -> list[str]:
    """Problems with the markers: a skip without a reason, a marker on a block that is not run anyway."""
    problems = []
    for b in all_blocks:
        if b.skip == "(no reason given)":
            problems.append(f"README.md line {b.line}: a skip marker needs a reason")
        if b.language not in ("python", "sh") and (b.skip is not None or b.exit_code):
            problems.append(f"README.md line {b.line}: a marker on a {b.language or 'plain'} block")
    return problems


__all__ = ["README", "REPO", "Block", "BlockFailedError", "blocks", "check_markers", "environment",
           "reader_session", "run_blocks", "section"]  # fmt: skip
