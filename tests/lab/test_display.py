"""Every object a notebook user gets shows as a small escaped HTML table, and as one plain line."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from workbench import Workbench, scorers, targets
from workbench._html import facts_html
from workbench.store import Dataset

XSS = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"
ALLOWED = {"div", "b", "i", "table", "thead", "tbody", "tr", "th", "td", "pre", "progress", "h4", "p", "ul", "li"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Page:
    """The page's tags, attribute names and text; fails on a tag or attribute that is not ours."""
    page = _Page()
    page.feed(html)
    page.close()
    assert set(page.tags) <= ALLOWED, set(page.tags) - ALLOWED
    assert not [a for a in page.attributes if a.startswith("on") or a in {"src", "href"}]
    return page


def answer(question: str) -> str:
    return XSS if "2" in question else "fine"


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    return Workbench(tmp_path / "store")


@pytest.fixture
def ds(wb: Workbench) -> Dataset:
    ds = wb.create_dataset("qa", description=XSS)
    ds.add_items([{"item_id": f"q{i}", "input": f"question {i}", "expected_output": "fine"} for i in range(1, 4)])
    return ds


def test_a_dataset_shows_its_name_version_items_and_description_as_text(ds: Dataset) -> None:
    page = parse(ds._repr_html_())
    text = " ".join(page.text)
    assert "Dataset" in text
    assert XSS in text  # shown, never run
    assert "version" in text
    assert "items" in text
    assert "3" in page.text
    assert repr(ds) == "Dataset('qa', version=1, items=3)"


def test_a_prompt_shows_its_ref_variables_and_texts_escaped(wb: Workbench) -> None:
    prompt = wb.create_prompt("p", f"Q: {{{{ question }}}} {IMG}", system=XSS, note=IMG)
    page = parse(prompt._repr_html_())
    text = "".join(page.text)
    assert "p@1" in text
    assert "question" in text
    assert XSS in text
    assert IMG in text
    assert "\n" not in repr(prompt)
    assert repr(prompt).startswith("Prompt('p@1'")


def test_a_run_its_summary_and_a_comparison_escape_target_names_and_outputs(wb: Workbench, ds: Dataset) -> None:
    base = wb.run_sync(ds, targets.function(lambda question: "fine", name=IMG), scorers=[scorers.exact_match()])
    cand = wb.run_sync(ds, targets.function(answer, name=XSS), scorers=[scorers.exact_match()], progress=False)
    page = parse(cand._repr_html_())
    text = " ".join(page.text)
    assert XSS in text
    assert "completed" in text
    assert "3 of 3 units, 0 errors" in text
    assert "exact_match" in text
    assert repr(cand).startswith(f"Run({cand.id!r}, status='completed'")

    summary = wb.summarize(cand)
    assert XSS in " ".join(parse(summary._repr_html_()).text)
    assert "\n" not in repr(summary)

    comparison = wb.compare(base, cand)
    text = " ".join(parse(comparison._repr_html_()).text)
    assert XSS in text
    assert IMG in text
    assert "\n" not in repr(comparison)


def test_facts_leave_out_empty_values_and_escape_the_kind() -> None:
    page = parse(facts_html("<b>", "t", [("a", None), ("b", ""), ("c", 0), ("<d>", "<e>")]))
    assert page.text[:2] == ["<b>", " t"]
    assert "a" not in page.text
    assert "b" not in page.text
    assert page.text[2:] == ["c", "0", "<d>", "<e>"]
