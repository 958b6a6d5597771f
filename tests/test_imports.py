"""``import workbench`` stays light: heavy libraries load on first use, not at import.

Every CLI command, report kernel and test subprocess pays the import; this asserts
*which* modules it loads (not how long it takes), so a heavy import creeping back fails.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("jsonschema", "altair", "vl_convert", "scipy", "openai", "anthropic", "pydantic", "ipywidgets")


@pytest.mark.slow
def test_importing_the_package_loads_no_heavy_library() -> None:
    code = "import sys, json, workbench; print(json.dumps(sorted(m for m in sys.modules if '.' not in m)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out))
    assert not loaded & set(HEAVY), f"import workbench loaded {sorted(loaded & set(HEAVY))}"


@pytest.mark.slow
def test_the_lazy_names_still_resolve() -> None:
    code = (
        "import workbench; from workbench import charts, analysis, Comparison, Summary; "
        "assert callable(charts.scorer_bars) and callable(analysis.compare); print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "ok"
