"""Finding report notebooks (packaged or any ``.ipynb``) and reading their parameters."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson

from workbench.errors import NotFoundError, ValidationError

_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def notebooks_dir() -> Path:
    """The folder of the packaged notebooks (``workbench/notebooks``; the repo's ``notebooks`` links to it)."""
    return Path(str(files("workbench").joinpath("notebooks")))


def notebook_names() -> list[str]:
    """The packaged notebooks' names: ``compare_runs``, ``trends``, ``failure_modes``..."""
    return sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))


def find_notebook(name: str | Path) -> Path:
    """A packaged notebook by name (``"compare_runs"``), or a path to any ``.ipynb`` file.

    Raises:
        NotFoundError: neither a packaged notebook nor an existing ``.ipynb`` file.
    """
    text = str(name)
    if isinstance(name, str) and _PARAM_NAME.fullmatch(text):
        packaged = notebooks_dir() / f"{text}.ipynb"
        if packaged.is_file():
            return packaged
    path = Path(text).expanduser()
    if path.suffix == ".ipynb" and path.is_file():
        return path
    if path.suffix == ".ipynb":
        raise NotFoundError(f"notebook {text!r} does not exist")
    raise NotFoundError(f"no report called {text!r}: use one of {', '.join(notebook_names())} or a path to an .ipynb")


def read_notebook(path: Path) -> Any:
    """A notebook file as an ``nbformat`` node (version 4)."""
    import nbformat

    return nbformat.read(str(path), as_version=4)  # type: ignore[no-untyped-call]


def notebook_parameters(path: Path) -> dict[str, Any]:
    """The parameters the notebook's ``parameters`` cell defines, with their default source text."""
    import papermill

    try:
        found: dict[str, dict[str, Any]] = papermill.inspect_notebook(str(path))
    except Exception as exc:  # a notebook papermill cannot read is bad input
        raise ValidationError(f"notebook {path}: cannot read its parameters ({exc})") from None
    return {name: info.get("default") for name, info in found.items()}


def parse_param(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line: the value is JSON when it parses (numbers, lists,
    ``true``, quoted strings), otherwise the text as it is (run ids, dataset names).

    Raises:
        ValidationError: no ``=``, or a key that is not a Python name.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not _PARAM_NAME.fullmatch(key):
        raise ValidationError(f"parameter {text!r}: write NAME=VALUE, e.g. -p baseline=RUN_ID")
    try:
        value: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        value = raw
    return key, value


def parse_params(texts: list[str] | None) -> dict[str, Any]:
    """Several ``key=value`` texts as a dict (a later key wins)."""
    return dict(parse_param(t) for t in texts or [])
