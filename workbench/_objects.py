"""Finding Python objects again by import path (for resuming runs in a new process)."""

from __future__ import annotations

import importlib
from typing import Any

from workbench.errors import ValidationError


def import_path(obj: Any) -> str | None:
    """``module:qualname`` of a function that can be imported again, else ``None``."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", "")
    if not module or module == "__main__" or "<" in qualname:
        return None
    return f"{module}:{qualname}"


def import_object(path: str) -> Any:
    """Import ``module:qualname``."""
    module_name, _, qualname = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def import_declared(path: Any, where: str) -> Any:
    """Import a ``module:function`` written in a config file; a one-line error names ``where`` and why not."""
    if not isinstance(path, str) or ":" not in path:
        raise ValidationError(f"{where}: write module:function, got {path!r}")
    try:
        return import_object(path)
    except (ImportError, AttributeError) as exc:
        raise ValidationError(f"{where}: cannot import {path!r} ({exc})") from None
