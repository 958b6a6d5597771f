"""Finding Python objects again by import path (for resuming runs in a new process)."""

from __future__ import annotations

import importlib
from typing import Any


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
