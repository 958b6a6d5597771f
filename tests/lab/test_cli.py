"""``workbench lab``: JupyterLab on 127.0.0.1 with a token, the project's kernel, the notebooks and the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest
from typer.testing import CliRunner

from tests.lab._lab import Lab, command_line, copy_notebooks, serve_lab
from workbench.cli import app
from workbench.cli._lab import TOKEN_ENV, default_notebook_dir, lab_arguments, lab_environment, lab_url
from workbench.cli._lab_serve import ANNOUNCEMENTS, without_announcements


def test_the_server_listens_on_localhost_only_opens_the_folder_and_fetches_nothing(tmp_path: Path) -> None:
    args = lab_arguments(port=8123, notebook_dir=tmp_path)
    assert "--ServerApp.ip=127.0.0.1" in args
    assert "--ServerApp.port=8123" in args
    assert "--ServerApp.port_retries=0" in args
    assert "--ServerApp.open_browser=False" in args
    assert f"--ServerApp.root_dir={tmp_path}" in args
    assert "--MappingKernelManager.default_kernel_name=eval-workbench" in args
    assert "--LabApp.news_url=None" in args
    assert "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in args
    assert "--LabApp.extension_manager=readonly" in args
    assert not [a for a in args if "token" in a.lower()]  # the token never goes on a command line


def test_the_token_and_the_store_go_through_the_environment(tmp_path: Path) -> None:
    env = lab_environment(tmp_path / "store", tmp_path, "abc123")
    assert env["WORKBENCH_ROOT"] == str(tmp_path / "store")
    assert env[TOKEN_ENV] == "abc123"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path)
    assert lab_url(8123, "abc123") == "http://127.0.0.1:8123/lab?token=abc123"


def test_the_notebooks_folder_is_opened_when_there_is_one(tmp_path: Path) -> None:
    assert default_notebook_dir(tmp_path) == tmp_path
    (tmp_path / "notebooks").mkdir()
    assert default_notebook_dir(tmp_path) == tmp_path / "notebooks"


def test_the_announcements_plugin_is_disabled_on_every_page() -> None:
    page = without_announcements(None, {"disabledExtensions": ["other"], "mode": "x"})
    assert page == {"disabledExtensions": ["other", ANNOUNCEMENTS], "mode": "x"}
    assert without_announcements(None, page) == page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port 70000: use 0 to 65535"),
        (["--notebook-dir", "no/such/folder"], "--notebook-dir 'no/such/folder': no such folder"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "lab", "--no-browser", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {message}"


def test_lab_is_listed_in_the_help() -> None:
    result = CliRunner().invoke(app, ["lab", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--root", "--notebook-dir", "--no-browser"):
        assert option in result.output


def _get(lab: Lab, path: str, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"token {token}"} if token else {}
    request = urllib.request.Request(lab.base() + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


def _post(lab: Lab, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        lab.base() + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_a_served_lab_needs_the_token_and_gives_kernels_the_store_but_not_the_token(tmp_path: Path) -> None:
    copy_notebooks(tmp_path)
    root = tmp_path / "store"
    with serve_lab(tmp_path, "--root", str(root)) as lab:
        assert _get(lab, "/api/kernelspecs", None)[0] == 403
        status, specs = _get(lab, "/api/kernelspecs", lab.token)
        assert status == 200
        assert specs["default"] == "eval-workbench"
        _, contents = _get(lab, "/api/contents", lab.token)
        assert "build_your_own.ipynb" in {entry["name"] for entry in contents["content"]}
        assert _get(lab, "/lab/api/news", lab.token)[1]["news"] == []
        assert _get(lab, "/lab/api/update", lab.token)[1]["notification"] is None
        assert root.is_dir()

        server = [p for p in lab.processes() if "workbench.cli._lab_serve" in command_line(p)]
        assert len(server) == 1
        assert lab.token not in command_line(server[0])

        kernel = _post(lab, "/api/kernels", {"name": "eval-workbench"})
        deadline = time.monotonic() + 120
        found: list[psutil.Process] = []
        while not found and time.monotonic() < deadline:
            found = [p for p in lab.processes() if kernel["id"] in command_line(p)]
            time.sleep(0.2)
        assert found, "the kernel did not start"
        environ = found[0].environ()
        assert environ["WORKBENCH_ROOT"] == str(root)
        assert TOKEN_ENV not in environ
        assert lab.token not in " ".join(environ.values())
        assert "Ctrl-C to stop" in lab.log()
