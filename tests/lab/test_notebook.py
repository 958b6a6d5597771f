"""The starter notebook runs headless under Papermill, top to bottom, against the simulator."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import nbformat
import pytest

from workbench import Workbench
from workbench.report import KERNEL_NAME, notebooks_dir

STARTER = notebooks_dir() / "build_your_own.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


def _outputs(nb: Any, source: str) -> list[Any]:
    cells = [c for c in nb.cells if c.cell_type == "code" and source in c.source]
    assert len(cells) == 1, f"no single cell holds {source!r}"
    outputs: list[Any] = cells[0].outputs
    return outputs


def test_the_starter_is_committed_clean_on_the_project_kernel() -> None:
    nb = nbformat.read(str(STARTER), as_version=4)  # type: ignore[no-untyped-call]
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert (Path(__file__).parents[2] / "notebooks" / STARTER.name).is_file()  # notebooks/ links to the package's
    text = "\n".join(c.source for c in nb.cells)
    for step in ("serve()", "import_csv", "create_prompt", '"sim-large", "sim-small"', "targets.function"):
        assert step in text
    for step in ("judge_correctness", "wb.run(", "wb.summarize", "wb.compare", "charts.", "wb.ui()"):
        assert step in text


@pytest.mark.slow
def test_the_starter_runs_under_papermill_with_real_judge_scores(tmp_path: Path) -> None:
    import papermill

    root = tmp_path / "store"
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(STARTER), str(out), parameters={"root": str(root)}, kernel_name=KERNEL_NAME, cwd=str(tmp_path),
        progress_bar=False, execution_timeout=300,
    )  # fmt: skip
    nb = nbformat.read(str(out), as_version=4)  # type: ignore[no-untyped-call]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source

    # the first run shows its progress widget and its rich display in the cell that starts it
    run_outputs = _outputs(nb, "run = wb.run(ds, model_target")
    assert any(WIDGET in o.get("data", {}) for o in run_outputs if o.output_type == "display_data")
    assert any("wb-repr-run" in o.get("data", {}).get("text/html", "") for o in run_outputs)
    assert "wb-repr-dataset" in _outputs(nb, "ds = wb.create_dataset")[-1]["data"]["text/html"]
    assert "wb-repr-prompt" in _outputs(nb, "v2 = wb.create_prompt")[-1]["data"]["text/html"]
    assert _outputs(nb, "charts.scorer_bars(comparison)")
    assert any(WIDGET in o.get("data", {}) for o in _outputs(nb, "wb.ui()"))

    # five runs (2 models x 2 prompt versions, and the function), every unit judged with a real score
    wb = Workbench(root)
    runs = wb.runs()
    assert len(runs) == 5
    assert set(runs["status"]) == {"completed"}
    judged: list[float] = []
    for run_id in runs["run_id"]:
        scores = wb.get_run(run_id).scores()
        judge = scores[scores["scorer"] == "correctness"]
        assert len(judge) == 8, run_id
        assert judge["error"].isna().all(), judge["error"].dropna().tolist()[:3]
        judged += [float(s) for s in judge["score"]]
    assert all(not math.isnan(s) and s in (0.0, 1.0) for s in judged)
    assert 0 < sum(judged) < len(judged)  # the judge passes some answers and fails others
