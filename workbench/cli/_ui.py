"""``workbench ui``: the widget panels served in a browser by Voila, on 127.0.0.1 only."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import webbrowser
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli._app import _State, app
from workbench.cli._output import console, err_console
from workbench.errors import ValidationError
from workbench.project import ROOT_ENV, default_root

HOST = "127.0.0.1"
KERNEL = "eval-workbench"
STARTUP_SECONDS = 120.0


def free_port() -> int:
    """A port nothing listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _check_kernel() -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        raise ValidationError(
            f"the Jupyter kernel {KERNEL!r} is not installed; install it with "
            f"`{sys.executable} -m ipykernel install --sys-prefix --name {KERNEL}` (or `make`)"
        ) from None


def voila_command(notebook: Path, port: int, theme: str) -> list[str]:
    """The Voila command line: bound to 127.0.0.1, no browser, no code shown.

    It runs ``workbench.ui._serve``, which starts Voila with the token (from the environment,
    never the command line), the ``Host``/``Origin`` checks and idle-kernel culling.
    """
    return [
        sys.executable,
        "-m",
        "workbench.ui._serve",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",
        f"--theme={theme}",
        "--strip_sources=True",
    ]


@app.command("ui")
def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 0,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help="module:function offered as a target (repeatable)."),
    ] = None,
    scorer: Annotated[
        list[str] | None,
        typer.Option("--scorer", help="module:function offered as a scorer (repeatable)."),
    ] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    theme: Annotated[str, typer.Option(help="light or dark.")] = "light",
    no_token: Annotated[
        bool,
        typer.Option(
            "--no-token",
            help="Serve without a token: any program or user on this machine can use the app. Trusted setups only.",
        ),
    ] = False,
    kernel_idle_timeout: Annotated[
        int | None,
        typer.Option(
            help="Seconds a page's kernel may stay idle with no browser connected before it is shut down "
            "(0: never; default 600).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the panels (Datasets | Run | Results | Compare) in a browser with Voila, on 127.0.0.1.

    Prints the URL, with a fresh random token as Jupyter does (``?token=...``), then
    serves until Ctrl-C. Requests need the token, a local ``Host`` and, when they carry
    an ``Origin``, this server's. Targets and scorers given here are imported in the
    app's kernel and registered (``wb.register``); modules in the current folder can be
    imported.
    """
    from workbench.ui._app import SCORERS_ENV, TARGETS_ENV, import_object
    from workbench.ui._serve import IDLE_ENV, TOKEN_ENV

    if theme not in ("light", "dark"):
        raise ValidationError(f"--theme {theme!r}: use light or dark")
    if not 0 <= port <= 65535:
        raise ValidationError(f"--port {port}: use 0 to 65535")
    if kernel_idle_timeout is not None and kernel_idle_timeout < 0:
        raise ValidationError(f"--kernel-idle-timeout {kernel_idle_timeout}: use 0 (never) or a number of seconds")
    sys.path.insert(0, os.getcwd())
    for spec in [*(target or []), *(scorer or [])]:
        import_object(spec)  # fail here, with the spec named, rather than in the browser
    _check_kernel()
    root = (_State.root or default_root()).resolve()
    root.mkdir(parents=True, exist_ok=True)
    if port and _listening(port):
        raise ValidationError(f"--port {port}: something already listens on {HOST}:{port}; pick another or use 0")
    port = port or free_port()
    env = dict(os.environ)
    env[ROOT_ENV] = str(root)
    env[TARGETS_ENV] = ",".join(target or [])
    env[SCORERS_ENV] = ",".join(scorer or [])
    token = "" if no_token else secrets.token_hex(24)
    env[TOKEN_ENV] = token  # the server takes it out of its environment: kernels never see it
    if kernel_idle_timeout is not None:
        env[IDLE_ENV] = str(kernel_idle_timeout)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.getcwd(), env.get("PYTHONPATH", "")) if p)
    with resources.as_file(resources.files("workbench.ui") / "app.ipynb") as notebook:
        process = subprocess.Popen(voila_command(notebook, port, theme), env=env)
        signal.signal(signal.SIGTERM, _stop)  # a terminated `workbench ui` stops Voila (and its kernels) too
        try:
            _serve(process, port, open_browser=not no_browser, root=root, token=token)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def app_url(port: int, token: str) -> str:
    """The URL to open: ``http://127.0.0.1:PORT/``, with ``?token=...`` when there is one."""
    return f"http://{HOST}:{port}/" + (f"?token={token}" if token else "")


def _serve(process: subprocess.Popen[bytes], port: int, *, open_browser: bool, root: Path, token: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _listening(port):
        if process.poll() is not None:
            err_console.print(f"error: voila exited with code {process.returncode} before serving")
            raise typer.Exit(1)
        if time.monotonic() > deadline:
            err_console.print(f"error: voila did not listen on {HOST}:{port} within {STARTUP_SECONDS:.0f} s")
            raise typer.Exit(1)
        time.sleep(0.2)
    url = app_url(port, token)
    if not token:
        err_console.print("warning: --no-token: any program or user on this machine can use this app")
    console.print(f"Eval Workbench UI for {root} at {url}  (Ctrl-C to stop)", soft_wrap=True, markup=False)
    print(f"URL {url}", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        return
    if code:
        raise typer.Exit(code)
