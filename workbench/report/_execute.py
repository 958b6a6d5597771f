"""Executing a notebook headlessly with Papermill on the project's kernel, with errors that name the cell."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.report._notebooks import read_notebook
from workbench.secrets import known_secrets, redact

KERNEL_NAME = "eval-workbench"
"""The Jupyter kernel reports run on (registered in the venv by ``make``)."""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_MESSAGE = 600


class KernelNotFoundError(WorkbenchError):
    """The Jupyter kernel the reports run on is not registered."""


class ReportError(WorkbenchError):
    """A cell of a report notebook raised an exception.

    Attributes:
        notebook: the notebook's name or path.
        cell_index: the failing cell's 0-based index in the notebook as written (markdown cells count).
        first_line: the first non-empty line of the cell's source.
        ename: the exception's class name.
        evalue: the exception's message.
        executed: the executed notebook, when it was kept (``keep_notebook``).
    """

    def __init__(self, notebook: str, cell_index: int, first_line: str, ename: str, evalue: str) -> None:
        self.notebook = notebook
        self.cell_index = cell_index
        self.first_line = first_line
        self.ename = ename
        self.evalue = evalue
        self.executed: Path | None = None
        value = evalue if len(evalue) <= MAX_MESSAGE else evalue[: MAX_MESSAGE - 1] + "…"
        super().__init__(
            f"notebook {notebook} failed in cell {cell_index + 1} (index {cell_index}: {first_line!r}): "
            f"{ename}: {value}"
        )


def check_kernel(name: str = KERNEL_NAME) -> None:
    """Raise :class:`KernelNotFoundError`, saying how to register it, when kernel ``name`` is missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise KernelNotFoundError(
            f"the Jupyter kernel {name!r} is not installed: run "
            f"`python -m ipykernel install --sys-prefix --name {name}` in the project's environment "
            "(`make demo` or `make test` does it)"
        ) from None


def _quiet_kernel_manager() -> type:
    """A kernel manager whose kernel's own stderr (transport warnings, shutdown noise) goes nowhere.

    What the cells print still reaches the notebook; only the kernel process's log lines are dropped.
    The kernel starts with ``WORKBENCH_CHARTS=svg``: a chart is a static SVG (no widget for
    Papermill to store, nothing for the page to load), even in a notebook that never calls
    ``charts.use_offline()``.
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw.setdefault("stderr", subprocess.DEVNULL)
            kw["env"] = {**(kw.get("env") or os.environ), "WORKBENCH_CHARTS": "svg"}
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _source_index(original: Any, source: str, executed_index: int) -> int:
    """The failing cell's index in the notebook as written (Papermill's index counts its injected cell)."""
    matches = [i for i, cell in enumerate(original.cells) if cell.source == source]
    if not matches:
        return max(0, executed_index - 1)
    return min(matches, key=lambda i: (abs(i - (executed_index - 1)), i))


def execute_notebook(
    path: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    cwd: Path,
    kernel: str = KERNEL_NAME,
    timeout: float | None = 600.0,
    name: str | None = None,
    secrets: list[str] | None = None,
) -> Any:
    """Run the notebook at ``path`` with ``parameters`` injected; write it to ``output`` and return it.

    ``secrets`` (default: :func:`~workbench.secrets.known_secrets`) are blanked out of
    every text of a :class:`ReportError` (the exception's name and message, the cell's first line).

    Raises:
        KernelNotFoundError: the kernel is not registered.
        ReportError: a cell raised; names the cell (index and first source line) and the exception.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    check_kernel(kernel)
    hidden = known_secrets() if secrets is None else secrets
    logging.getLogger("papermill").setLevel(logging.ERROR)  # its INFO lines are per-cell noise
    try:
        papermill.execute_notebook(
            str(path),
            str(output),
            parameters=dict(parameters),
            kernel_name=kernel,
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=True,  # marks the running cell on disk: a timeout can name it
            execution_timeout=timeout,
            kernel_manager_class=_quiet_kernel_manager(),
        )
    except PapermillExecutionError as exc:
        original = read_notebook(path)
        index = _source_index(original, exc.source, exc.cell_index)
        evalue = _ANSI.sub("", str(exc.evalue)).strip()
        raise _redacted_error(
            name or path.name, index, _first_line(exc.source), str(exc.ename), evalue, hidden
        ) from None
    except (TimeoutError, RuntimeError) as exc:  # a cell timed out, or the kernel died, mid-cell
        raise _interrupted(path, output, exc, name or path.name, hidden) from None
    return read_notebook(output)


def _redacted_error(
    notebook: str, index: int, first_line: str, ename: str, evalue: str, secrets: list[str]
) -> ReportError:
    """A :class:`ReportError` whose texts hold no secret: its message is printed and logged as is."""
    return ReportError(
        redact(notebook, secrets), index, redact(first_line, secrets), redact(ename, secrets), redact(evalue, secrets)
    )


def _interrupted(path: Path, output: Path, exc: Exception, name: str, secrets: list[str]) -> ReportError:
    """A :class:`ReportError` for a cell that never finished (Papermill stamps each cell's start in the notebook)."""
    source = ""
    executed_index = 0
    if output.is_file():
        for i, cell in enumerate(read_notebook(output).cells):  # the last cell started is the one stopped
            if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
                source, executed_index = cell.source, i
    index = _source_index(read_notebook(path), source, executed_index) if source else 0
    message = _ANSI.sub("", str(exc)).strip().splitlines()
    return _redacted_error(name, index, _first_line(source), type(exc).__name__, message[0] if message else "", secrets)
