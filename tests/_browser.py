"""Shared set-up of the real-browser tests: Debian's Chromium driven by Playwright for Python.

Never a downloaded browser (no ``playwright install``): ``/usr/bin/chromium`` from Debian's
package, which ``make test`` installs when it is missing. Under ``make test``
(``WORKBENCH_REQUIRE_BROWSER=1``) a missing Chromium fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRED = os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(os.environ.get("WORKBENCH_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
"""Where the browser tests keep their screenshots (``test-artifacts/`` in the checkout, git-ignored)."""

if REQUIRED and not CHROMIUM.exists():
    raise RuntimeError(f"no Chromium at {CHROMIUM}: `make chromium` installs Debian's package")

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
