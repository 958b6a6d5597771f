"""``workbench lab``: JupyterLab on 127.0.0.1 with a token, the project's kernel and the ``notebooks/`` folder open."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli._app import _State, app
from workbench.cli._output import console, err_console
from workbench.cli._ui import HOST, KERNEL, STARTUP_SECONDS, _check_kernel, _listening, _stop, free_port
from workbench.errors import ValidationError
from workbench.project import ROOT_ENV, default_root

NOTEBOOKS = "notebooks"
TOKEN_ENV = "WORKBENCH_LAB_TOKEN"
"""The token ``workbench lab`` hands to its server (:mod:`workbench.cli._lab_serve` takes it out of the environment)."""


def lab_arguments(*, port: int, notebook_dir: Path, kernel: str = KERNEL) -> list[str]:
    """JupyterLab's command-line configuration (no secret in it).

    Bound to 127.0.0.1 (no other port tried, no browser opened by Jupyter), the kernel
    ``eval-workbench`` the default for new notebooks, and nothing fetched from the internet:
    no announcements feed, no update check, the read-only extension manager (the default one
    searches PyPI). Jupyter refuses to run as root unless told: in a container, it is told.
    """
    arguments = [
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_remote_access=False",
        f"--ServerApp.root_dir={notebook_dir}",
        f"--MappingKernelManager.default_kernel_name={kernel}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        arguments.append("--ServerApp.allow_root=True")
    return arguments


def default_notebook_dir(cwd: Path) -> Path:
    """``./notebooks`` when the current folder has one (a checkout of this project), else the current folder."""
    folder = cwd / NOTEBOOKS
    return folder if folder.is_dir() else cwd


def lab_command(port: int, notebook_dir: Path) -> list[str]:
    """The command that serves JupyterLab (see :mod:`workbench.cli._lab_serve`)."""
    return [
        sys.executable,
        "-m",
        "workbench.cli._lab_serve",
        *lab_arguments(port=port, notebook_dir=notebook_dir, kernel=KERNEL),
    ]


def lab_url(port: int, token: str) -> str:
    """The URL to open: ``http://127.0.0.1:PORT/lab?token=...``."""
    return f"http://{HOST}:{port}/lab?token={token}"


def lab_environment(root: Path, cwd: Path, token: str) -> dict[str, str]:
    """The server's environment: the store root for every kernel, the current folder importable, the token."""
    env = dict(os.environ)
    env[ROOT_ENV] = str(root)
    env[TOKEN_ENV] = token  # the server takes it out of its environment: kernels never see it
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(cwd), env.get("PYTHONPATH", "")) if p)
    return env


@app.command("lab")
def lab(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 0,
    root: Annotated[
        Path | None,
        typer.Option("--root", help="Store folder the notebooks use (default: the global --root, or $WORKBENCH_ROOT)."),
    ] = None,
    notebook_dir: Annotated[
        Path | None,
        typer.Option("--notebook-dir", help="Folder JupyterLab opens (default: ./notebooks, else the current folder)."),
    ] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
) -> None:
    """Open the notebooks in JupyterLab, on 127.0.0.1, with the kernel "Eval Workbench".

    Prints the URL with a fresh random token (``?token=...``), opens it in a browser unless
    ``--no-browser``, then serves until Ctrl-C. Every kernel gets the store root as
    ``$WORKBENCH_ROOT``, so ``Workbench()`` in a notebook opens that store. JupyterLab fetches
    nothing from the internet (no news, no update check, no extension search).
    """
    if not 0 <= port <= 65535:
        raise ValidationError(f"--port {port}: use 0 to 65535")
    cwd = Path.cwd()
    folder = (notebook_dir or default_notebook_dir(cwd)).resolve()
    if not folder.is_dir():
        raise ValidationError(f"--notebook-dir {str(notebook_dir)!r}: no such folder")
    _check_kernel()
    store = (root or _State.root or default_root()).resolve()
    store.mkdir(parents=True, exist_ok=True)
    if port and _listening(port):
        raise ValidationError(f"--port {port}: something already listens on {HOST}:{port}; pick another or use 0")
    port = port or free_port()
    token = secrets.token_hex(24)
    process = subprocess.Popen(lab_command(port, folder), env=lab_environment(store, cwd, token))
    signal.signal(signal.SIGTERM, _stop)  # a terminated `workbench lab` stops JupyterLab (and its kernels) too
    try:
        _serve(process, port, token, open_browser=not no_browser, store=store, folder=folder)
    finally:
        if process.poll() is None:
            process.terminate()  # jupyter_server stops on SIGTERM and shuts its kernels down
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _serve(
    process: subprocess.Popen[bytes], port: int, token: str, *, open_browser: bool, store: Path, folder: Path
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _listening(port):
        if process.poll() is not None:
            err_console.print(f"error: jupyterlab exited with code {process.returncode} before serving")
            raise typer.Exit(1)
        if time.monotonic() > deadline:
            err_console.print(f"error: jupyterlab did not listen on {HOST}:{port} within {STARTUP_SECONDS:.0f} s")
            raise typer.Exit(1)
        time.sleep(0.2)
    url = lab_url(port, token)
    console.print(
        f"JupyterLab on {folder} with the store {store} at {url}  (Ctrl-C to stop)", soft_wrap=True, markup=False
    )
    print(f"URL {url}", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        return
    if code:
        raise typer.Exit(code)
