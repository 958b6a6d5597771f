"""The app: panels as tabs, a run launched in the Run tab shown in the Results tab, and ``workbench ui``'s set-up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import Workbench
from workbench.cli._ui import voila_command
from workbench.demo.pipelines import answer_v1, correct
from workbench.errors import ValidationError
from workbench.ui import App, DatasetsPanel, app_from_environment
from workbench.ui import _app as app_module
from workbench.ui._app import Placeholder
from workbench.ui._serve import cull_interval, server_config, set_xsrf_cookie

QUESTIONS = [
    ("q1", "What is the capital of Australia?", "Canberra"),
    ("q2", "Who wrote Pride and Prejudice?", "Jane Austen"),
    ("q3", "What is the chemical symbol for sodium?", "Na"),
    ("q4", "Which currency is used in Japan?", "yen"),
]


def make_qa(wb: Workbench) -> None:
    wb.create_dataset("qa").add_items(
        [{"item_id": i, "input": {"question": q}, "expected_output": a} for i, q, a in QUESTIONS]
    )


def test_wb_ui_shows_the_four_panels_as_tabs(wb: Workbench) -> None:
    app = wb.ui()
    assert isinstance(app, App)
    assert [app.tabs.get_title(i) for i in range(4)] == ["Datasets", "Run", "Results", "Compare"]
    assert isinstance(app.datasets, DatasetsPanel)
    assert [type(p).__name__ for p in app.panels] == ["DatasetsPanel", "RunPanel", "ResultsPanel", "ComparePanel"]
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_missing_panel_becomes_a_note(wb: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app_module._PANELS, "Compare", ("workbench.ui._nowhere", "ComparePanel"))
    app = App(wb)
    assert isinstance(app.compare, Placeholder)
    assert "not available" in app.compare.widget.value
    app.select("Compare")  # refreshing a placeholder does nothing, and nothing breaks
    assert app.tabs.selected_index == 3


class Broken:
    def __init__(self, wb: Workbench) -> None:
        raise RuntimeError(f"cannot show <{wb.root.name}>")


def test_a_panel_that_fails_to_start_becomes_a_note(wb: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app_module._PANELS, "Run", (__name__, "Broken"))
    app = App(wb)
    assert isinstance(app.run, Placeholder)
    assert "Broken failed to start: RuntimeError: cannot show &lt;store&gt;" in app.run.widget.value
    assert isinstance(app.results, type(App(wb).results))  # the other tabs work


def test_opening_a_tab_refreshes_its_panel(wb: Workbench) -> None:
    app = App(wb)
    app.datasets.new_name.value = "fresh"
    app.datasets.create_button.click()
    app.select("Run")
    assert "fresh" in app.run.dataset.options


def test_running_selected_items_shows_the_run_in_the_results_tab(wb: Workbench) -> None:
    make_qa(wb)
    wb.register(answer_v1)
    wb.register(correct)
    app = App(wb)
    app.select("Run")
    app.run.scorers.value = ("correct",)
    for item_id in ("q1", "q2", "q4"):
        app.run.items.checkbox(item_id).value = True
    assert "3 of 4 selected" in app.run.items.selected_label.value
    app.run.run_selected_button.click()
    run = app.run.runs[0]
    run.wait()
    assert app.tabs.selected_index == 2
    assert app.results.run.value == run.id
    app.results.reload()
    assert sorted(app.results.rows["item_id"]) == ["q1", "q2", "q4"]
    assert len(run.results()) == 3


def test_app_from_environment_registers_targets_and_scorers(tmp_path: Path) -> None:
    env = {
        "WORKBENCH_ROOT": str(tmp_path / "store"),
        "WORKBENCH_UI_TARGETS": "workbench.demo.pipelines:answer_v1, workbench.demo.pipelines:answer_v2",
        "WORKBENCH_UI_SCORERS": "workbench.demo.pipelines:correct",
    }
    app = app_from_environment(env)
    assert app.wb.root == tmp_path / "store"
    assert list(app.wb.registry.targets()) == ["answer_v1", "answer_v2"]
    assert list(app.wb.registry.scorers()) == ["correct"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon", "write module:function"),
        ("workbench.nowhere:f", "cannot be imported"),
        ("workbench.demo.pipelines:nothing", "has no 'nothing'"),
    ],
)
def test_a_bad_spec_is_named(tmp_path: Path, spec: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        app_from_environment({"WORKBENCH_ROOT": str(tmp_path), "WORKBENCH_UI_TARGETS": spec})


def test_voila_is_bound_to_localhost_and_shows_no_code() -> None:
    command = voila_command(Path("app.ipynb"), 8123, "dark")
    assert command[1:3] == ["-m", "workbench.ui._serve"]  # Voila with the token, Host/Origin checks and culling
    assert not any("token" in part for part in command)  # the token never shows on a command line
    assert "--Voila.ip=127.0.0.1" in command
    assert "--port=8123" in command
    assert "--no-browser" in command
    assert "--strip_sources=True" in command
    assert "--theme=dark" in command


def test_the_server_config_uses_jupyter_servers_own_checks() -> None:
    config = server_config("abc", 600)
    assert config["Voila"]["token"] == "abc"
    settings = config["Voila"]["tornado_settings"]
    assert settings["allow_remote_access"] is False
    assert settings["local_hostnames"] == ["localhost"]
    assert not settings["allow_origin"]
    assert not settings["allow_origin_pat"]
    assert config["MappingKernelManager"] == {
        "cull_idle_timeout": 600,
        "cull_interval": 60,
        "cull_connected": False,
        "cull_busy": False,
    }
    assert config["VoilaConfiguration"]["prelaunch_hook"] is set_xsrf_cookie
    assert "MappingKernelManager" not in server_config("", 0)  # 0: never cull
    assert server_config("", 0)["Voila"]["token"] == ""  # --no-token
    assert [cull_interval(t) for t in (1, 8, 100, 10_000)] == [1, 2, 25, 60]


def test_the_served_notebook_has_no_outputs_and_uses_the_workbench_kernel() -> None:
    import json

    notebook = json.loads((Path(app_module.__file__).parent / "app.ipynb").read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "eval-workbench"
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert "app_from_environment()" in "".join(code[-1]["source"])


@pytest.mark.slow
def test_workbench_ui_refuses_a_bad_target_before_starting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(tmp_path), "ui", "--no-browser", "--target", "nope:f"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "'nope:f': module 'nope' cannot be imported" in done.stderr


@pytest.mark.slow
def test_workbench_ui_says_so_when_the_port_is_taken(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "workbench", "--root", str(tmp_path), "ui", "--no-browser", "--port", str(port)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2
    assert f"--port {port}: something already listens on 127.0.0.1:{port}" in done.stderr
    assert "URL" not in done.stdout
