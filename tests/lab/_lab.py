"""``workbench lab`` as a real subprocess for the tests: start it in a folder, read the URL it prints, stop it."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

from workbench.report import notebooks_dir

START_SECONDS = 180
URL_LINE = re.compile(r"^URL (http://127\.0\.0\.1:(\d+)/lab\?token=(\w+))$")


@dataclass
class Lab:
    """A running ``workbench lab``: its process, the URL it printed, the port and the token."""

    process: subprocess.Popen[str]
    url: str
    port: int
    token: str
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        """Everything the command and JupyterLab printed so far."""
        while True:
            try:
                self.output.append(self.lines.get_nowait())
            except queue.Empty:
                return "".join(self.output)

    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def processes(self) -> list[psutil.Process]:
        """The command's child processes still alive (JupyterLab and its kernels)."""
        try:
            children: list[psutil.Process] = psutil.Process(self.process.pid).children(recursive=True)
            return children
        except psutil.NoSuchProcess:
            return []


def command_line(process: psutil.Process) -> str:
    """A process's command line ("" once it has exited: children come and go)."""
    try:
        return " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return ""


def copy_notebooks(folder: Path) -> Path:
    """A fresh copy of the packaged notebooks in ``folder/notebooks`` (the layout of a checkout)."""
    target = folder / "notebooks"
    shutil.copytree(notebooks_dir(), target)
    return target


def _read(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def lab_env(home: Path) -> dict[str, str]:
    """This environment without a store root, with JupyterLab's user settings and workspaces in ``home``.

    One setting differs from JupyterLab's defaults: every cell is kept in the page (``windowingMode``
    ``none``), so that the tests see every cell, not only those on the screen.
    """
    settings = home / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / "lab-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "lab-workspaces")
    env["JUPYTER_RUNTIME_DIR"] = str(home / "runtime")
    return env


@contextmanager
def serve_lab(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Lab]:
    """Run ``workbench lab --no-browser --port 0 ARGS`` in ``cwd`` until the block ends, then stop it (SIGTERM)."""
    command = [sys.executable, "-m", "workbench", "lab", "--no-browser", "--port", "0", *args]
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env or lab_env(cwd)
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=_read, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    try:
        match = None
        while match is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("workbench lab did not print its URL:\n" + "".join(seen)) from None
                continue
            seen.append(line)
            match = URL_LINE.match(line.strip())
        lab = Lab(process, match.group(1), int(match.group(2)), match.group(3), lines, seen)
        yield lab
    finally:
        children = psutil.Process(process.pid).children(recursive=True) if process.poll() is None else []
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        _, alive = psutil.wait_procs(children, timeout=15)
        for child in alive:  # never leave a kernel behind, even when the test failed
            child.kill()
