"""Rendering charts with no network: PNG, SVG and self-contained HTML via ``vl-convert``.

Offline display in notebooks and reports — the decision
-------------------------------------------------------
Altair's default renderer emits HTML that loads vega, vega-lite and vega-embed from a
CDN (``cdn.jsdelivr.net``): with no internet, a report shows empty boxes. The options:

- ``"jupyter"`` renderer with ``offline=True``: needs ``anywidget``, which is not a
  dependency (and a widget needs a live kernel, so it never shows in a static report).
- ``"svg"`` renderer: the chart is rendered to SVG in the kernel by ``vl-convert``
  (its own embedded JavaScript engine, no browser, no network). The notebook keeps an
  ``image/svg+xml`` output that nbconvert inlines into the HTML as ``<svg>`` — no
  script at all, nothing to load, nothing to go wrong in a headless report. Text in the
  SVG is escaped by Vega. No tooltips.
- inline JavaScript: ``vl_convert.javascript_bundle()`` (~900 kB of vega + vega-lite +
  vega-embed) embedded in the page: interactive (tooltips) with no CDN, but heavy if
  repeated, and it needs a frontend that runs scripts in outputs (JupyterLab and Voila
  do for outputs produced in the session).

So :func:`use_offline` defaults to ``mode="svg"`` (the renderer ``workbench-svg``) for
Papermill + nbconvert reports and Voila: verified by executing a notebook with
Papermill on the ``eval-workbench`` kernel and exporting it with nbconvert — the HTML
holds ``<svg`` elements and no ``<script src="https://...">`` (tests/charts/test_offline.py).
For live Jupyter work, ``use_offline("html")`` (renderer ``workbench-html``) gives
interactive charts with tooltips: each output is a ``<div>`` holding the static SVG,
replaced by the live vega-embed view once the inline bundle is there. The bundle is
sent with the first chart of the kernel session only (then ``window.vegaEmbed``
exists in the page); a chart whose page lacks it keeps showing its SVG, never a blank.
"""

from __future__ import annotations

import html
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import altair as alt
import vl_convert as vlc

from workbench.charts._theme import THEME, enable_theme
from workbench.errors import ValidationError

VL_VERSION: Final = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
SVG_RENDERER: Final = "workbench-svg"
HTML_RENDERER: Final = "workbench-html"

_GLOBALS: Final = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
_state = {"bundle_sent": False}


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


def _svg_renderer(vl_spec: dict[str, Any], **_: Any) -> dict[str, str]:
    return {"image/svg+xml": _svg(vl_spec), "text/plain": f"<chart: {_title(vl_spec)}>"}


def _html_renderer(vl_spec: dict[str, Any], **_: Any) -> dict[str, str]:
    bundle = not _state["bundle_sent"]
    _state["bundle_sent"] = True
    return {"text/html": _fragment(vl_spec, bundle=bundle), "text/plain": f"<chart: {_title(vl_spec)}>"}


def use_offline(mode: Literal["svg", "html"] = "svg") -> None:
    """Show Altair charts with no network access, and in the workbench theme.

    Parameters
    ----------
    mode
        ``"svg"`` (default; for Papermill/nbconvert reports and Voila): each chart is a
        static SVG rendered in the kernel, with no JavaScript. ``"html"`` (for live
        Jupyter): interactive charts with tooltips from an inline vega bundle sent once
        per kernel session, each showing its SVG until the bundle has loaded.
    """
    if mode not in {"svg", "html"}:
        raise ValidationError(f"use_offline: mode must be 'svg' or 'html', not {mode!r}")
    if SVG_RENDERER not in alt.renderers.names():
        alt.renderers.register(SVG_RENDERER, _svg_renderer)
        alt.renderers.register(HTML_RENDERER, _html_renderer)
    _state["bundle_sent"] = False
    alt.renderers.enable(SVG_RENDERER if mode == "svg" else HTML_RENDERER)
    enable_theme()
