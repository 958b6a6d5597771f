"""The ``workbench`` command line."""

from workbench.cli._app import app, main

__all__ = ["app", "main"]
