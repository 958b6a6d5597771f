"""An executed notebook as a self-contained HTML report: no code, no prompts, nothing fetched from a CDN.

nbconvert's ``lab`` template loads require.js, MathJax and mermaid from cdnjs; the
report template below extends it with those blocks emptied, so the page needs no
network. Charts come out of the kernel as inline SVG (or PNG data URIs) rendered by
vl-convert, tables as pandas' escaped HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jinja2

from workbench.secrets import known_secrets, redact

TEMPLATE_NAME = "workbench_report.html.j2"

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<style type="text/css">
body.jp-Notebook { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
.wb-report-header { border-bottom: 1px solid #d0d7de; margin-bottom: 12px; padding-bottom: 8px;
  font-family: var(--jp-ui-font-family, sans-serif); color: #57606a; font-size: 12px; }
.wb-report-header b { color: #24292f; }
.jp-OutputArea-output svg, .jp-OutputArea-output img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon table { font-size: 12px; }
.jp-OutputArea-output.jp-RenderedHTMLCommon { overflow-x: auto; }
</style>
{%- endblock extra_css -%}
{%- block data_svg scoped -%}
{%- set alt = output.data.get('text/plain', 'chart') -%}
{%- if alt.startswith('<chart: ') and alt.endswith('>') %}{% set alt = alt[8:-1] %}{% endif -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
<img alt="{{ alt | escape_html }}" src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 }}">
</div>
{%- endblock data_svg -%}
{%- block body_header -%}
{{ super() }}
{{ resources.workbench_header }}
{%- endblock body_header -%}
"""

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)


def _header(title: str, notebook: str, params: Mapping[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<div class="wb-report-header">'
        f"<b>{html.escape(title)}</b> &middot; notebook {html.escape(notebook)} &middot; {html.escape(stamp)}"
        f"{' &middot; ' + html.escape(shown) if shown else ''}"
        "</div>"
    )


def _strip_css_comments(page: str) -> str:
    """Drop comments from inline CSS (the lab theme's credit their sources with URLs)."""
    return _STYLE.sub(lambda m: m.group(1) + _CSS_COMMENT.sub("", m.group(2)) + m.group(3), page)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def report_cells(nb: Any) -> Any:
    """The notebook with only what a reader needs: markdown, and code cells' outputs minus stderr.

    Code cells without output (imports, the parameters) are dropped entirely, so they leave no gap.
    Widget views are dropped where the output has another form (a chart's SVG), and the stored
    widget state with them: a static page cannot run widgets, and nbconvert would load their
    manager from a CDN.
    """
    nb.metadata.pop("widgets", None)
    kept = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            kept.append(cell)
        elif cell.cell_type == "code":
            outputs = cell.get("outputs", [])
            cell.outputs = [o for o in outputs if not (o.output_type == "stream" and o.name == "stderr")]
            for output in cell.outputs:
                data = output.get("data", {})
                if WIDGET_VIEW in data and len(set(data) - {WIDGET_VIEW, "text/plain"}) > 0:
                    del data[WIDGET_VIEW]
            if cell.outputs:
                kept.append(cell)
    nb.cells = kept
    return nb


_BINARY_MIMES = ("image/png", "image/jpeg", "image/gif", "image/webp")
"""Base64 data: a replacement would only corrupt the image, and a secret cannot be found in it."""


def redact_outputs(nb: Any, secrets: list[str]) -> Any:
    """The notebook with ``secrets`` blanked out of every text output, in place.

    The page is redacted as text afterwards too; this step reaches what the page holds
    encoded, such as a chart's SVG embedded as base64.
    """
    if not secrets:
        return nb
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if isinstance(output.get("text"), str):
                output.text = redact(output.text, secrets)
            if "evalue" in output:
                output.evalue = redact(str(output.evalue), secrets)
            if "traceback" in output:
                output.traceback = [redact(str(line), secrets) for line in output.traceback]
            data = output.get("data", {})
            for mime, value in data.items():
                if mime in _BINARY_MIMES:
                    continue
                if isinstance(value, str):
                    data[mime] = redact(value, secrets)
                elif isinstance(value, list):
                    data[mime] = [redact(v, secrets) if isinstance(v, str) else v for v in value]
    return nb


def notebook_to_html(
    nb: Any, *, title: str, notebook: str, params: Mapping[str, Any], secrets: list[str] | None = None
) -> str:
    """The executed notebook ``nb`` as one HTML page, without code cells or prompts, offline.

    ``secrets`` (default: :func:`~workbench.secrets.known_secrets`) are blanked out
    of the outputs before they are converted (an SVG chart is embedded base64-encoded).
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({TEMPLATE_NAME: _TEMPLATE})],
        template_file=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    nb = redact_outputs(report_cells(nb), known_secrets() if secrets is None else secrets)
    nb.metadata["title"] = title
    resources = {"workbench_header": _header(title, notebook, params)}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return _strip_css_comments(str(body))
