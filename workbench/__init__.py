"""Eval Workbench: evaluate LLM models, prompts, agents and pipelines on versioned datasets.

The root exports the handle and the types a notebook user types; every concept has
its own package: ``workbench.store`` (datasets), ``workbench.prompts``,
``workbench.targets``, ``workbench.providers``, ``workbench.scorers``,
``workbench.runs`` and ``workbench.simulator`` (an offline model server).
"""

from typing import TYPE_CHECKING, Any

from workbench import scorers, targets
from workbench._workbench import Workbench
from workbench.errors import (
    ConflictError,
    ImportValidationError,
    InvalidNameError,
    NotFoundError,
    RowError,
    ValidationError,
    WorkbenchError,
)
from workbench.prompts import Prompt
from workbench.report import ReportError
from workbench.runs import Monitor, Run, RunFailedError
from workbench.scorers import Score, Scorer, scorer
from workbench.store import Dataset, ImportReport
from workbench.targets import Item, Target, TargetResult

if TYPE_CHECKING:
    from workbench import analysis, charts
    from workbench.analysis import Comparison, Summary

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "ConflictError",
    "Dataset",
    "ImportReport",
    "ImportValidationError",
    "InvalidNameError",
    "Item",
    "Monitor",
    "NotFoundError",
    "Prompt",
    "ReportError",
    "RowError",
    "Run",
    "RunFailedError",
    "Score",
    "Scorer",
    "Summary",
    "Target",
    "TargetResult",
    "ValidationError",
    "Workbench",
    "WorkbenchError",
    "__version__",
    "analysis",
    "charts",
    "scorer",
    "scorers",
    "targets",
]

# Imported on first use (PEP 562): charts pull in Altair and jsonschema (about a second), analysis
# DuckDB views and statistics; `import workbench` stays fast for the CLI, report kernels and subprocesses.
# Hidden from type checkers, which see the imports above and so still flag unknown names.
_LAZY = {
    "analysis": ("workbench.analysis", None),
    "charts": ("workbench.charts", None),
    "Comparison": ("workbench.analysis", "Comparison"),
    "Summary": ("workbench.analysis", "Summary"),
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name not in _LAZY:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib

        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(_LAZY))
