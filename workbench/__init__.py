"""Eval Workbench: evaluate LLM models, prompts, agents and pipelines on versioned datasets.

The root exports the handle and the types a notebook user types; every concept has
its own package: ``workbench.store`` (datasets), ``workbench.prompts``,
``workbench.targets``, ``workbench.providers``, ``workbench.scorers``,
``workbench.runs`` and ``workbench.simulator`` (an offline model server).
"""

from workbench import analysis, charts, scorers, targets
from workbench._workbench import Workbench
from workbench.analysis import Comparison, Summary
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
from workbench.runs import Monitor, Run
from workbench.scorers import Score, Scorer, scorer
from workbench.store import Dataset, ImportReport
from workbench.targets import Item, Target, TargetResult

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
