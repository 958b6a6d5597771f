"""Rendering charts with no network: PNG, SVG and self-contained HTML via ``vl-convert``, and how notebooks show them.

Offline display in every front end, by default — the decision
---------------------------------------------------------------
Altair's default renderer emits HTML that loads vega, vega-lite and vega-embed from a
CDN (``cdn.jsdelivr.net``): with no internet JupyterLab shows "Error loading script". The
Vega-Lite mime type is no way out either: Altair 6 writes Vega-Lite 6, and JupyterLab 4
renders ``application/vnd.vegalite.v5+json`` at most. So importing ``workbench.charts``
enables the renderer ``"workbench"`` (unless the user already chose one), and every
chart — ours, or any Altair chart in the session — is displayed as one mime bundle:

- ``image/svg+xml``: the chart rendered in the kernel by ``vl-convert`` (its own
  JavaScript engine: no browser, no network). What nbconvert, Papermill reports, GitHub,
  an untrusted notebook, or any front end without a widget manager shows. No script.
- ``application/vnd.jupyter.widget-view+json`` (only inside a running kernel): Altair's
  own ``JupyterChart``, an anywidget whose ES module is vega + vega-lite + vega-embed
  bundled by ``vl-convert`` (``JupyterChart.enable_offline()``), so JupyterLab 4,
  Notebook 7, Voila and VS Code draw the live chart with tooltips and load nothing from
  any host. Front ends rank the widget view first and fall back to the SVG.
- ``text/plain``: ``<chart: title>``.

Measured (``vl-convert`` 1.9, Altair 6.3): the SVG of a chart is 9-40 kB (the test charts) in the
notebook file; the widget view is ~100 bytes in the file, and the widget's module
(~0.9 MB, built once per kernel in ~2.5 s) travels over the kernel's websocket with each
chart, not into the file. The alternative — ``use_offline("html")``, an inline bundle in
a ``text/html`` output — puts the same 0.9 MB into the notebook file and is hand-made
HTML; it is kept as an option. The price of the widget: a saved notebook reopened
without re-running shows "Error displaying widget: model not found" in JupyterLab where
the chart was (JupyterLab does not save widget state by default) until the cell is run
again; nbconvert and other viewers show the SVG. And a notebook executed by Papermill
*outside* ``workbench report`` keeps the widgets' state, module included, in its
metadata (measured: 1.86 MB for two charts), which plain nbconvert then pairs with a
widget manager script from unpkg: run such notebooks with ``WORKBENCH_CHARTS=svg`` (or
call ``use_offline()``), as ``workbench report`` does. Verified in a real JupyterLab 4
with Chromium (tests/charts/test_jupyterlab.py: live views, tooltips, no host but
127.0.0.1); Notebook 7, Voila and VS Code rely on the same widget and were not driven by
a browser here.

Reports stay static: the report notebooks call :func:`use_offline` (``"svg"``: only the
SVG and the text, no widget, nothing for Papermill to store), and the report executor
starts its kernel with ``WORKBENCH_CHARTS=svg``, the environment variable that picks the
renderer enabled at import (``live``, ``svg`` or ``html``). nbconvert inlines each SVG
in the HTML (tests/charts/test_offline.py).
"""

from __future__ import annotations

import html
import json
import logging
import os
import sys
import uuid
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import altair as alt
import vl_convert as vlc

from workbench.charts._theme import THEME, enable_theme
from workbench.errors import ValidationError

VL_VERSION: Final = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
LIVE_RENDERER: Final = "workbench"
SVG_RENDERER: Final = "workbench-svg"
HTML_RENDERER: Final = "workbench-html"
RENDERERS: Final = {"live": LIVE_RENDERER, "svg": SVG_RENDERER, "html": HTML_RENDERER}
ENV_VAR: Final = "WORKBENCH_CHARTS"
"""The environment variable naming the renderer enabled at import: ``live`` (default), ``svg`` or ``html``."""
WIDGET_MIME: Final = "application/vnd.jupyter.widget-view+json"
EMBED_OPTIONS: Final = {"actions": False}
"""vega-embed's options for the live view: no actions menu (its "Open in Vega Editor" posts the spec to the web)."""

Mode = Literal["live", "svg", "html"]

_GLOBALS: Final = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
_state = {"bundle_sent": False}
_log = logging.getLogger(__name__)


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec with the workbench theme applied."""
    with alt.theme.enable(THEME):
        return chart.to_dict()


def _svg(vl_spec: dict[str, Any]) -> str:
    return str(vlc.vegalite_to_svg(vl_spec, vl_version=VL_VERSION, allowed_base_urls=[]))


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (text is escaped by Vega)."""
    return _svg(spec(chart))


def to_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """The chart as PNG bytes; ``scale=2`` gives a sharp image on high-density screens."""
    return bytes(vlc.vegalite_to_png(spec(chart), vl_version=VL_VERSION, scale=scale, allowed_base_urls=[]))


@cache
def _bundle() -> str:
    # the bundle is one script: make sure nothing in it can close the <script> element early
    return str(vlc.javascript_bundle(_GLOBALS, vl_version=VL_VERSION)).replace("</script", "<\\/script")


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` escaped as unicode."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _fragment(vl_spec: dict[str, Any], *, bundle: bool) -> str:
    """A ``<div>`` with the static SVG, upgraded in place to the interactive chart by vega-embed."""
    div = f"wb-chart-{uuid.uuid4().hex}"
    loader = f'<script type="text/javascript">{_bundle()}</script>\n' if bundle else ""
    options = {"mode": "vega-lite", "actions": False, "renderer": "svg"}
    return (
        f'{loader}<div class="workbench-chart" id="{div}">{_svg(vl_spec)}</div>\n'
        '<script type="text/javascript">(function () {\n'
        f"  var spec = {_script_json(vl_spec)}, opts = {_script_json(options)};\n"
        "  function draw() {\n"
        f'    window.vegaEmbed("#{div}", spec, opts).catch(function (e) {{ console.error(e); }});\n'
        "  }\n"
        '  if (typeof window.vegaEmbed === "function") { draw(); }\n'
        "  else { var tries = 0, t = setInterval(function () {\n"
        '    if (typeof window.vegaEmbed === "function") { clearInterval(t); draw(); }\n'
        "    else if (++tries > 50) { clearInterval(t); } }, 100); }\n"
        "})();</script>"
    )


def to_html(chart: alt.TopLevelMixin, *, title: str | None = None) -> str:
    """A self-contained HTML page showing the chart interactively, with no network access."""
    vl_spec = spec(chart)
    heading = title if title is not None else _title(vl_spec)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(heading)}</title>\n</head>\n<body>\n"
        f"{_fragment(vl_spec, bundle=True)}\n</body>\n</html>\n"
    )


def _title(vl_spec: dict[str, Any]) -> str:
    title = vl_spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title) or "Chart"


def save(chart: alt.TopLevelMixin, path: str | Path, *, scale: float = 2) -> Path:
    """Write the chart to ``path``: ``.png``, ``.svg`` or ``.html`` (self-contained), by suffix.

    Returns the path written. Rendering happens in-process (``vl-convert``): no browser,
    no network.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix == ".png":
        out.write_bytes(to_png(chart, scale=scale))
    elif suffix == ".svg":
        out.write_text(to_svg(chart), encoding="utf-8")
    elif suffix in {".html", ".htm"}:
        out.write_text(to_html(chart), encoding="utf-8")
    else:
        raise ValidationError(f"save: cannot tell the format of {out.name!r}; use .png, .svg or .html")
    return out


def _text(vl_spec: dict[str, Any]) -> str:
    return f"<chart: {_title(vl_spec)}>"


def _svg_renderer(vl_spec: dict[str, Any], **_: Any) -> dict[str, str]:
    return {"image/svg+xml": _svg(vl_spec), "text/plain": _text(vl_spec)}


def _html_renderer(vl_spec: dict[str, Any], **_: Any) -> dict[str, str]:
    bundle = not _state["bundle_sent"]
    _state["bundle_sent"] = True
    return {"text/html": _fragment(vl_spec, bundle=bundle), "text/plain": _text(vl_spec)}


def _in_kernel() -> bool:
    """Whether this process is a Jupyter kernel (where a widget has a front end to talk to)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def live_view(vl_spec: dict[str, Any]) -> dict[str, Any]:
    """The chart as Altair's ``JupyterChart`` widget, loading vega from its own inline bundle: its view mime part."""
    from altair import JupyterChart

    JupyterChart.enable_offline()  # vega + vega-lite + vega-embed from vl-convert, once per process
    widget = JupyterChart(chart=alt.Chart.from_dict(vl_spec), embed_options=dict(EMBED_OPTIONS))
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    return {WIDGET_MIME: data[WIDGET_MIME]} if data and WIDGET_MIME in data else {}


def _live_renderer(vl_spec: dict[str, Any], **_: Any) -> dict[str, Any]:
    """SVG for every front end and report, plus the live widget's view when a kernel can serve it."""
    bundle: dict[str, Any] = {"image/svg+xml": _svg(vl_spec), "text/plain": _text(vl_spec)}
    if _in_kernel():
        try:
            bundle.update(live_view(vl_spec))
        except Exception as exc:  # showing a chart must not fail: the SVG stands alone
            _log.warning("chart shown as SVG only: its live view could not be built (%s)", exc)
    return bundle


def _register() -> None:
    if LIVE_RENDERER not in alt.renderers.names():
        alt.renderers.register(LIVE_RENDERER, _live_renderer)
        alt.renderers.register(SVG_RENDERER, _svg_renderer)
        alt.renderers.register(HTML_RENDERER, _html_renderer)


def use_offline(mode: Mode = "svg") -> None:
    """Choose how charts show, always with no network access, in the workbench theme.

    Importing ``workbench.charts`` already enables ``"live"`` (or what ``$WORKBENCH_CHARTS``
    says): no call is needed for charts to draw offline.

    Parameters
    ----------
    mode
        ``"svg"`` (default; for Papermill/nbconvert reports): each chart is a static SVG
        rendered in the kernel, with no JavaScript and no widget. ``"live"``: the SVG plus
        Altair's ``JupyterChart`` widget with its own vega bundle (interactive, tooltips)
        in JupyterLab, Notebook, Voila and VS Code. ``"html"``: interactive charts from an
        inline vega bundle in a ``text/html`` output, sent once per kernel session, each
        showing its SVG until the bundle has loaded.
    """
    if mode not in RENDERERS:
        raise ValidationError(f"use_offline: mode must be 'live', 'svg' or 'html', not {mode!r}")
    _register()
    _state["bundle_sent"] = False
    alt.renderers.enable(RENDERERS[mode])
    enable_theme()


def enable_renderer_by_default() -> None:
    """Enable the offline renderer ``$WORKBENCH_CHARTS`` names (default ``live``) unless the user chose one.

    An unknown value of the variable is ignored (the default applies): importing must not fail.
    """
    _register()
    if alt.renderers.active != "default":
        return
    wanted = os.environ.get(ENV_VAR, "live").strip().lower()
    alt.renderers.enable(RENDERERS.get(wanted, LIVE_RENDERER))
