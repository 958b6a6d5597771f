"""Reading a generated report: which elements it has, where its scripts and images come from."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    """What the report page holds."""

    classes: list[str] = field(default_factory=list)
    script_sources: list[str] = field(default_factory=list)
    link_targets: list[str] = field(default_factory=list)
    image_sources: list[str] = field(default_factory=list)
    inline_svgs: int = 0
    text: list[str] = field(default_factory=list)

    def has_class(self, name: str) -> bool:
        return any(name in c.split() for c in self.classes)

    @property
    def charts(self) -> int:
        """Charts: inline SVG, or images that are SVG/PNG data."""
        images = [s for s in self.image_sources if s.startswith(("data:image/svg+xml", "data:image/png"))]
        return self.inline_svgs + len(images)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "class" in values:
            self.page.classes.append(values["class"])
        if tag == "script":
            self.page.script_sources.append(values.get("src", ""))
        if tag == "link":
            self.page.link_targets.append(values.get("href", ""))
        if tag == "img":
            self.page.image_sources.append(values.get("src", ""))
        if tag == "svg":
            self.page.inline_svgs += 1
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.page.text.append(data.strip())


def read_page(html: str) -> Page:
    """Parse a report page."""
    parser = _Parser()
    parser.feed(html)
    return parser.page


def assert_report_page(html: str) -> Page:
    """The checks every report passes: no code, no prompts, nothing from the network, at least one chart."""
    page = read_page(html)
    assert not page.has_class("jp-InputArea-editor"), "a code cell's source is in the report"
    assert "In&nbsp;[" not in html, "an input prompt is in the report"
    assert "Out[" not in html
    assert "charts.use_offline()" not in html, "code is in the report"
    assert "https://" not in html, "the report refers to the network"
    assert [s for s in page.script_sources if s] == [], "the report loads scripts"
    assert not [h for h in page.link_targets if h.startswith(("http:", "https:", "//"))]
    assert page.charts >= 1, "the report shows no chart"
    return page
