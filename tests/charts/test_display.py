"""Charts display offline with no setup: every mime part of every chart, in every mode, loads nothing from the web."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import altair as alt
import pytest
from ipywidgets import Widget
from ipywidgets.widgets.widget import _instances

from tests.charts.test_render import BUILDERS
from workbench import charts
from workbench.charts import _render
from workbench.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]
CDN = re.compile(r"cdn\.jsdelivr|unpkg\.com|esm\.sh|cdnjs|skypack", re.IGNORECASE)
REMOTE_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)["']https?://""")
REMOTE_SCRIPT = re.compile(r"""<script[^>]*\bsrc\s*=\s*["']?https?://""", re.IGNORECASE)


@pytest.fixture
def renderer() -> Iterator[None]:
    active, theme = alt.renderers.active, alt.theme.active
    yield
    alt.renderers.enable(active)
    alt.theme.enable(theme)


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """As inside a Jupyter kernel, where the live renderer adds the widget's view."""
    monkeypatch.setattr(_render, "_in_kernel", lambda: True)


def bundle_of(chart: Any) -> dict[str, Any]:
    out = chart._repr_mimebundle_()
    data = out[0] if isinstance(out, tuple) else out
    assert isinstance(data, dict)
    return data


def _texts(data: dict[str, Any]) -> dict[str, str]:
    return {mime: value if isinstance(value, str) else json.dumps(value) for mime, value in data.items()}


def widget_of(data: dict[str, Any]) -> Widget:
    model_id = data[_render.WIDGET_MIME]["model_id"]
    return _instances[model_id]


@pytest.mark.slow
def test_importing_the_charts_enables_the_offline_live_renderer() -> None:
    code = "import altair as alt\nfrom workbench import charts\nprint(alt.renderers.active)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(_render.ENV_VAR, None)
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "workbench"
    env[_render.ENV_VAR] = "svg"
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "workbench-svg"


@pytest.mark.slow
def test_a_renderer_the_user_chose_before_the_import_is_kept() -> None:
    code = (
        "import altair as alt\nalt.renderers.enable('mimetype')\n"
        "from workbench import charts\nprint(alt.renderers.active)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "mimetype"


@pytest.mark.parametrize("name", list(BUILDERS))
def test_no_chart_bundle_references_the_web_in_any_mime_type(name: str, renderer: None, kernel: None) -> None:
    chart = BUILDERS[name]()
    for mode in ("live", "svg"):
        charts.use_offline(mode)
        data = bundle_of(chart)
        assert "image/svg+xml" in data
        for mime, text in _texts(data).items():
            assert "https://" not in text, f"{name} ({mode}): {mime} references https://"
    charts.use_offline("html")  # the inline vega bundle quotes documentation URLs, but loads nothing
    for mime, text in _texts(bundle_of(chart)).items():
        assert not CDN.search(text), f"{name} (html): {mime} names a CDN"
        assert not REMOTE_SCRIPT.search(text), f"{name} (html): {mime} loads a remote script"
        assert not REMOTE_IMPORT.search(text), f"{name} (html): {mime} imports a remote module"


def test_in_a_kernel_the_live_view_is_a_jupyter_chart_with_its_own_vega(renderer: None, kernel: None) -> None:
    charts.use_offline("live")
    chart = BUILDERS["scorer_bars_comparison"]()
    data = bundle_of(chart)
    assert set(data) == {"image/svg+xml", "text/plain", _render.WIDGET_MIME}
    assert data["image/svg+xml"].startswith("<svg")  # what nbconvert and widget-less front ends show
    widget = widget_of(data)
    assert isinstance(widget, alt.JupyterChart)
    esm = str(widget._esm)
    assert len(esm) > 500_000  # vega, vega-lite and vega-embed inline
    assert not REMOTE_IMPORT.search(esm)
    assert not CDN.search(esm)
    assert widget.spec["title"] == charts.spec(chart)["title"]  # the same chart, in the workbench theme
    assert widget.spec["config"]["font"] == charts.theme_config()["config"]["font"]
    assert widget.embed_options == {"actions": False}


def test_outside_a_kernel_the_live_renderer_gives_svg_and_no_widget(renderer: None) -> None:
    charts.use_offline("live")
    data = bundle_of(BUILDERS["heatmap"]())
    assert set(data) == {"image/svg+xml", "text/plain"}


def test_any_altair_chart_displays_offline_too(renderer: None, kernel: None) -> None:
    import pandas as pd

    charts.use_offline("live")
    own = alt.Chart(pd.DataFrame({"x": [1, 2, 3]})).mark_bar().encode(x="x:Q")
    data = bundle_of(own)
    assert _render.WIDGET_MIME in data
    assert all("https://" not in text for text in _texts(data).values())


def test_an_unknown_mode_is_refused(renderer: None) -> None:
    with pytest.raises(ValidationError, match="mode must be 'live', 'svg' or 'html'"):
        charts.use_offline("png")  # type: ignore[arg-type]


def test_when_the_live_view_cannot_be_built_the_svg_still_shows(
    renderer: None, kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("no widget today")

    monkeypatch.setattr(_render, "live_view", broken)
    charts.use_offline("live")
    data = bundle_of(BUILDERS["latency_hist"]())
    assert set(data) == {"image/svg+xml", "text/plain"}
