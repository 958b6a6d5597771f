"""The ``workbench`` command line."""

from workbench.cli import (
    _analysis,  # noqa: F401 - registers `workbench summary` and `workbench compare`
    _lab,  # noqa: F401 - registers `workbench lab`
    _report,  # noqa: F401 - registers `workbench report`
    _ui,  # noqa: F401 - registers `workbench ui`
    _views,  # noqa: F401 - registers `runs-summary`, `matrix`, `trends`, `failures`
)
from workbench.cli._app import app, main

__all__ = ["app", "main"]
