"""Every chart renders offline to PNG, SVG and HTML; user text stays escaped; no CDN anywhere."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import altair as alt
import pytest

from tests.charts import _data
from workbench import charts
from workbench.errors import ValidationError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCRIPT = "<script>alert('x')</script>"

BUILDERS: dict[str, Callable[[], charts.Chart]] = {
    "scorer_bars_comparison": lambda: charts.scorer_bars(_data.comparison()),
    "scorer_bars_summary": lambda: charts.scorer_bars(_data.summary()),
    "item_deltas": lambda: charts.item_deltas(_data.comparison()),
    "latency_hist": lambda: charts.latency_hist(_data.summary()),
    "cost_vs_score": lambda: charts.cost_vs_score(_data.matrix()),
    "heatmap": lambda: charts.heatmap(_data.matrix()),
    "trends": lambda: charts.trends(_data.trends()),
    "failure_modes": lambda: charts.failure_modes(_data.failure_modes()),
    "confusion": lambda: charts.confusion(_data.alignment_result()),
}
# the SVG class of each builder's main marks (Vega names groups "mark-<type>")
MAIN_MARK = {
    "scorer_bars_comparison": "mark-rect",
    "scorer_bars_summary": "mark-rect",
    "item_deltas": "mark-symbol",
    "latency_hist": "mark-rect",
    "cost_vs_score": "mark-symbol",
    "heatmap": "mark-rect",
    "trends": "mark-line",
    "failure_modes": "mark-rect",
    "confusion": "mark-rect",
}


def png_colours(png: bytes) -> int:
    """How many distinct pixel values the PNG's first rows hold (a plain decoder for 8-bit RGBA/RGB)."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8
    assert colour in (2, 6)
    chunks, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(png[pos + 8 : pos + 8 + length])
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    step = 4 if colour == 6 else 3
    stride = 1 + width * step
    # pixels are filtered per row; distinct filtered bytes still tell a blank image (one value) from a drawn one
    values = {raw[r * stride + 1 : (r + 1) * stride] for r in range(min(height, 400))}
    return len(values)


def mimebundle(chart: charts.Chart) -> dict[str, Any]:
    """What Jupyter receives when it displays the chart with the active renderer."""
    bundle = chart._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert isinstance(data, dict)
    return data


@pytest.fixture
def renderer() -> Iterator[None]:
    """Restore Altair's renderer and theme after a test that switches them."""
    active, theme = alt.renderers.active, alt.theme.active
    yield
    alt.renderers.enable(active)
    alt.theme.enable(theme)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BUILDERS))
def test_each_chart_renders_to_png_and_svg(name: str, tmp_path: Path) -> None:
    chart = BUILDERS[name]()
    png = charts.to_png(chart)
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 10_000
    assert png_colours(png) > 20  # rows differ: something was drawn
    width = struct.unpack(">I", png[16:20])[0]
    assert width >= 400  # scale=2
    svg = charts.to_svg(chart)
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert MAIN_MARK[name] in svg
    assert "https://" not in svg
    saved = charts.save(chart, tmp_path / f"{name}.png")
    assert saved.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.slow
def test_save_picks_the_format_by_suffix(tmp_path: Path) -> None:
    chart = BUILDERS["latency_hist"]()
    assert charts.save(chart, tmp_path / "a.svg").read_text().startswith("<svg")
    assert charts.save(chart, tmp_path / "a.HTML").read_text().startswith("<!DOCTYPE html>")
    small = charts.save(chart, tmp_path / "small.png", scale=1).stat().st_size
    assert small < (tmp_path / "a.svg").stat().st_size * 10
    with pytest.raises(ValidationError, match=r"'a\.pdf'"):
        charts.save(chart, tmp_path / "a.pdf")


def test_svg_escapes_titles_and_data() -> None:
    chart = charts.failure_modes(_data.failure_modes().by_target.assign(target=SCRIPT), title=f"Modes {SCRIPT}")
    svg = charts.to_svg(chart)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


def test_html_is_self_contained_and_escapes_user_text() -> None:
    chart = charts.latency_hist(_data.summary(), title=f"Latency {SCRIPT}")
    page = charts.to_html(chart)
    assert "https://cdn" not in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "alert('x')</script>" not in page  # only our own script elements
    assert page.count("<script") == page.count("</script>") == 2  # the bundle and the embed call
    assert "<title>Latency &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</title>" in page
    assert "\\u003cscript\\u003e" in page  # the spec's copy of the title, inside the embed script
    assert len(page) > 500_000  # vega, vega-lite and vega-embed inline


def test_use_offline_svg_renders_charts_in_the_kernel(renderer: None) -> None:
    charts.use_offline()
    assert alt.renderers.active == "workbench-svg"
    assert alt.theme.active == charts.THEME
    data = mimebundle(BUILDERS["heatmap"]())
    assert set(data) == {"image/svg+xml", "text/plain"}
    assert data["image/svg+xml"].startswith("<svg")
    assert "Mean brevity by model" in data["text/plain"]


def test_use_offline_html_sends_the_bundle_once_and_keeps_an_svg_fallback(renderer: None) -> None:
    charts.use_offline("html")
    outputs = []
    for name in ("heatmap", "confusion"):
        outputs.append(mimebundle(BUILDERS[name]())["text/html"])
    first, second = outputs
    for html in outputs:
        assert '<div class="workbench-chart"' in html
        assert "<svg" in html
        assert "https://cdn" not in html
        assert not re.search(r"<script[^>]*\bsrc=", html)
    assert len(second) < 200_000 < len(first)
    with pytest.raises(ValidationError, match="mode must be"):
        charts.use_offline("png")  # type: ignore[arg-type]
