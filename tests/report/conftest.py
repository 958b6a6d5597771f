"""The report tests' store and reports, built once per session.

A Papermill run costs a few seconds (a kernel starting, the package importing), so every
report the tests look at — the five notebooks, the failures, the command line — is made
once, concurrently, by the ``reports`` fixture; each test then checks one of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.report._store import FixtureStore, build_store
from workbench import Workbench
from workbench.report import report as make_report

FAKE_KEY_NAME = "WB_REPORT_TEST_API_KEY"
FAKE_KEY = "sk-test-0123456789abcdef-never-shown"
DOTENV_KEY = "sk-ant-FAKE-0123456789abcdef-from-dotenv"
"""A key only in ``<root>/.env`` (where the providers read keys too), not in the environment."""


def write_notebook(path: Path, *sources: str, parameters: str | None = "root = None") -> Path:
    """A notebook of a markdown title, a parameters cell and these code cells."""
    nb = new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {"name": "eval-workbench", "display_name": "Eval Workbench", "language": "python"}
    cells = [new_markdown_cell("# Test notebook")]  # type: ignore[no-untyped-call]
    if parameters is not None:
        cell = new_code_cell(parameters)  # type: ignore[no-untyped-call]
        cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    cells += [new_code_cell(s) for s in sources]  # type: ignore[no-untyped-call]
    nb.cells = cells
    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]
    return path


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``workbench --root ROOT ARGS...`` as a real process."""
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--root", str(root), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> FixtureStore:
    """Two versions of a support bot, a later run, a scorer-target run and a run with human labels."""
    return build_store(tmp_path_factory.mktemp("report-store"))


def _jobs(store: FixtureStore, folder: Path) -> dict[str, Callable[[], Any]]:
    wb = Workbench(store.root)
    failing = write_notebook(
        folder / "failing.ipynb", "x = 1", "values = {'a': 1}\nvalues['missing']  # the failing cell", "x = 2"
    )
    slow = write_notebook(folder / "slow.ipynb", "import time", "time.sleep(120)")
    leaky = write_notebook(folder / "leaky.ipynb", f"import os\nprint(os.environ[{FAKE_KEY_NAME!r}])")
    raising = write_notebook(
        folder / "raising.ipynb",
        "import os",
        f'assert os.environ[{FAKE_KEY_NAME!r}] != "{FAKE_KEY}", "bad key " + os.environ[{FAKE_KEY_NAME!r}]',
    )
    dotenv_root = folder / "dotenv-store"
    dotenv_root.mkdir()
    (dotenv_root / ".env").write_text(f"ANTHROPIC_API_KEY={DOTENV_KEY}\n", encoding="utf-8")
    dotenv_leaky = write_notebook(
        folder / "dotenv_leaky.ipynb",
        "from pathlib import Path\nfrom dotenv import dotenv_values\n\n"
        'key = dotenv_values(Path(root) / ".env")["ANTHROPIC_API_KEY"]\nprint(key)',
        "import altair as alt\nimport pandas as pd\nfrom workbench import charts\n\ncharts.use_offline()\n"
        'alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x").properties(title="key " + key)',
    )
    compare = {"baseline": store.v1, "candidate": store.v2}
    out = str(folder / "cli" / "compare.html")
    cli_params = ["-p", f"baseline={store.v1}", "-p", f"candidate={store.v2}", "--out", out]
    settings = ["-p", "alpha=0.9", "-p", 'directions={"correct": "lower"}', "-p", 'margins={"correct": 0.1}']
    settings_params = [*cli_params[:4], *settings, "--out", str(folder / "cli" / "compare_settings.html")]

    def report(name: str | Path, params: dict[str, Any], out: str) -> Callable[[], Any]:
        return lambda: wb.report(name, params, folder / out)

    return {
        "compare_runs": report("compare_runs", compare, "compare_runs.html"),
        "explore": report("explore", {}, "explore.html"),
        "failure_modes": report("failure_modes", {"runs": [store.v1, store.v2, store.v3]}, "failure_modes.html"),
        "judge_alignment": report("judge_alignment", {"run": store.judge}, "judge_alignment.html"),
        "judge_labels": report("judge_alignment", {"run": store.labelled}, "judge_labels.html"),
        "trends": report("trends", {"dataset": "support"}, "trends.html"),
        "missing_parameter": report("compare_runs", {"baseline": store.v1}, "missing.html"),
        "failing_cell": lambda: wb.report(failing, {}, folder / "kept" / "failing.html", keep_notebook=True),
        "leaky": report(leaky, {}, "leaky.html"),
        "leaky_error": lambda: wb.report(raising, {}, folder / "kept" / "raising.html", keep_notebook=True),
        "dotenv_leaky": lambda: make_report(dotenv_leaky, {}, folder / "dotenv_leaky.html", root=dotenv_root),
        "timeout": lambda: wb.report(slow, {}, folder / "slow.html", timeout=2),
        "cli_ok": lambda: cli(store.root, "report", "compare_runs", *cli_params, "--keep-notebook"),
        "cli_settings": lambda: cli(store.root, "report", "compare_runs", *settings_params),
        "cli_failing": lambda: cli(store.root, "report", str(failing), "--out", str(folder / "cli" / "failing.html")),
        "cli_leaky_error": lambda: cli(
            store.root,
            "report",
            str(raising),
            "--json",
            "--keep-notebook",
            "--out",
            str(folder / "cli" / "raising.html"),
        ),
    }


@pytest.fixture(scope="session")
def reports(store: FixtureStore, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each job's result: the HTML's path, the exception it raised, or the finished CLI process."""
    folder = tmp_path_factory.mktemp("reports")
    jobs = _jobs(store, folder)

    def run(job: Callable[[], Any]) -> Any:
        try:
            return job()
        except Exception as exc:  # the tests look at it
            return exc

    with pytest.MonkeyPatch.context() as mp, ThreadPoolExecutor(max_workers=4) as pool:
        mp.setenv(FAKE_KEY_NAME, FAKE_KEY)  # the kernels inherit it; no report may show it
        futures = {name: pool.submit(run, job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}
