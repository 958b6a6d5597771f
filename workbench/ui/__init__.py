"""Widget panels for Jupyter: datasets, CSV import, runs, results, comparison (``wb.ui()``).

The panels drive the same API a notebook user types; they add no logic of their own.
"""

from workbench.ui._app import App, app_from_environment
from workbench.ui._datasets import DatasetsPanel
from workbench.ui._import import ImportWizard
from workbench.ui._table import FrameSource, PagedTable, SqlSource, TableSource

__all__ = [
    "App",
    "DatasetsPanel",
    "FrameSource",
    "ImportWizard",
    "PagedTable",
    "SqlSource",
    "TableSource",
    "app_from_environment",
]

_LAZY = {
    "RunPanel": "workbench.ui._run",
    "ResultsPanel": "workbench.ui._results",
    "ComparePanel": "workbench.ui._compare",
}


def __getattr__(name: str) -> object:
    """The Run, Results and Compare panels, imported on first use."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbench.ui' has no attribute {name!r}")
