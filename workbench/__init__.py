"""Eval Workbench: evaluate LLM models, prompts, agents and pipelines on versioned datasets.

The root exports the verbs and types a notebook user types; every concept has
its own package (``workbench.store``...).
"""

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
from workbench.store import Dataset, ImportReport

__version__ = "0.1.0"

__all__ = [
    "ConflictError",
    "Dataset",
    "ImportReport",
    "ImportValidationError",
    "InvalidNameError",
    "NotFoundError",
    "RowError",
    "ValidationError",
    "Workbench",
    "WorkbenchError",
    "__version__",
]
