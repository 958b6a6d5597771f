"""Reports: parameterized notebooks executed headlessly with Papermill and written as HTML.

The packaged notebooks (``compare_runs``, ``trends``, ``failure_modes``,
``judge_alignment``, ``explore``) live in ``workbench/notebooks`` (the repository's
``notebooks`` folder links there). :func:`report` runs one (or any ``.ipynb``) on the
``eval-workbench`` kernel and writes an HTML page without code cells whose charts show
offline; ``workbench report NAME -p key=value --out file.html`` does the same.
"""

from workbench.report._changes import CHANGED_COLUMNS, changed_items, drop_empty_columns, run_items
from workbench.report._display import HTMLBlock, as_text, facts, message, messages, require, table
from workbench.report._execute import KERNEL_NAME, KernelNotFoundError, ReportError, check_kernel, execute_notebook
from workbench.report._html import notebook_to_html
from workbench.report._notebooks import find_notebook, notebook_names, notebook_parameters, notebooks_dir, parse_params
from workbench.report._report import REPORTS_DIR, report
from workbench.secrets import redact

__all__ = [
    "CHANGED_COLUMNS",
    "KERNEL_NAME",
    "REPORTS_DIR",
    "HTMLBlock",
    "KernelNotFoundError",
    "ReportError",
    "as_text",
    "changed_items",
    "check_kernel",
    "drop_empty_columns",
    "execute_notebook",
    "facts",
    "find_notebook",
    "message",
    "messages",
    "notebook_names",
    "notebook_parameters",
    "notebook_to_html",
    "notebooks_dir",
    "parse_params",
    "redact",
    "report",
    "require",
    "run_items",
    "table",
]
