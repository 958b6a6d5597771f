"""``report()``: execute a report notebook with parameters and write it as HTML."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.errors import NotFoundError, ValidationError
from workbench.report._execute import KERNEL_NAME, ReportError, execute_notebook
from workbench.report._html import notebook_to_html
from workbench.report._notebooks import find_notebook, notebook_parameters, notebooks_dir
from workbench.secrets import known_secrets, redact

REPORTS_DIR = "reports"


def _title(name: str, params: Mapping[str, Any]) -> str:
    title = name.replace("_", " ").capitalize()
    if "baseline" in params and "candidate" in params:
        return f"{title}: {params['baseline']} vs {params['candidate']}"
    if params.get("dataset"):
        return f"{title}: {params['dataset']}"
    return title


def _check_params(path: Path, params: Mapping[str, Any]) -> None:
    known = notebook_parameters(path)
    unknown = sorted(set(params) - set(known))
    if unknown:
        takes = ", ".join(known) if known else "no parameters (it has no cell tagged 'parameters')"
        names = ", ".join(map(repr, unknown))
        raise ValidationError(f"notebook {path.name} has no parameter {names}; it takes {takes}")


def report(
    name: str | os.PathLike[str],
    params: Mapping[str, Any] | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    keep_notebook: bool = False,
    kernel: str = KERNEL_NAME,
    timeout: float | None = 600.0,
) -> Path:
    """Execute a report notebook with Papermill and write it as HTML without code; returns the HTML's path.

    Args:
        name: a packaged notebook (``"compare_runs"``, ``"trends"``, ``"failure_modes"``,
            ``"judge_alignment"``, ``"explore"``) or a path to any ``.ipynb``.
        params: values for the notebook's ``parameters`` cell (``root`` defaults to ``root``).
        out: the HTML file (default ``<root>/reports/<notebook>.html``); its folder is created.
        root: the store folder the notebook reads (default ``$WORKBENCH_ROOT`` or the current folder).
        keep_notebook: also keep the executed notebook, next to the HTML as ``<out>.ipynb``
            (``<out>.executed.ipynb`` if that is the notebook run), on failure too, to see the traceback.
        kernel: the Jupyter kernel to run on.
        timeout: seconds allowed per cell (``None``: no limit).

    Raises:
        NotFoundError: no such notebook, or the store folder does not exist.
        ValidationError: a parameter the notebook does not take.
        ReportError: a cell failed; the message names the cell and the exception.
        KernelNotFoundError: the kernel is not registered (the message says how to register it).

    Examples:
        >>> report("compare_runs", {"baseline": "run-a", "candidate": "run-b"}, "compare.html")  # doctest: +SKIP
        PosixPath('compare.html')
    """
    from workbench.project import default_root

    path = find_notebook(name if isinstance(name, str) else Path(name))
    store = Path(root) if root is not None else default_root()
    if not store.is_dir():
        raise NotFoundError(f"store folder {str(store)!r} does not exist")
    store = store.resolve()
    values = dict(params or {})
    known = notebook_parameters(path)
    if "root" in known:
        values.setdefault("root", str(store))
    _check_params(path, values)
    packaged = path.parent.resolve() == notebooks_dir().resolve()
    html_path = Path(out) if out is not None else store / REPORTS_DIR / f"{path.stem}.html"
    html_path.parent.mkdir(parents=True, exist_ok=True)
    # a packaged notebook works in the store's folder; one of the user's in its own folder, as Jupyter would
    cwd = store if packaged else path.parent.resolve()
    secrets = known_secrets(env_dirs=(store, cwd))  # the .env files a provider would read too
    with tempfile.TemporaryDirectory(prefix="workbench-report-") as tmp:
        executed = _kept_path(html_path, path) if keep_notebook else Path(tmp) / path.name
        try:
            nb = execute_notebook(
                path, executed, values, cwd=cwd, kernel=kernel, timeout=timeout, name=path.name, secrets=secrets
            )
        except ReportError as exc:
            if keep_notebook:
                _redact_file(executed, secrets)
                exc.executed = executed
            raise
        if keep_notebook:
            _redact_file(executed, secrets)
        shown = {k: v for k, v in values.items() if k != "root"}
        page = notebook_to_html(nb, title=_title(path.stem, shown), notebook=path.name, params=shown, secrets=secrets)
    html_path.write_text(redact(page, secrets), encoding="utf-8")
    return html_path


def _kept_path(html_path: Path, source: Path) -> Path:
    """Where the executed notebook is kept: beside the HTML, never over the notebook that was run."""
    kept = html_path.with_suffix(".ipynb")
    return kept.with_suffix(".executed.ipynb") if kept.resolve() == source.resolve() else kept


def _redact_file(path: Path, secrets: list[str]) -> None:
    if path.is_file() and secrets:
        path.write_text(redact(path.read_text(encoding="utf-8"), secrets), encoding="utf-8")
