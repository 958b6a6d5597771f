"""The rich display of the objects a notebook user gets (``Dataset``, ``Run``, ``Prompt``...): a small escaped card.

Jupyter shows an object's ``_repr_html_``; each of those objects builds it here, as a title
and a two-column table of key facts, every text escaped (a dataset called ``<script>``
shows as text). Its plain ``repr`` stays one line.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

STYLE = "text-align:left;padding:1px 8px 1px 0;vertical-align:top"


def facts_html(kind: str, title: str, facts: Iterable[tuple[str, object]], *, extra: str = "") -> str:
    """``<div class="wb-repr wb-repr-KIND">``: ``kind`` in bold, ``title``, a table of ``(name, value)`` facts.

    Args:
        kind: what the object is (``Dataset``, ``Run``...).
        title: its name or id.
        facts: rows of the table; values are shown with ``str`` (``None`` and ``""`` rows are left out).
        extra: HTML added after the table, already escaped by the caller.
    """
    rows = "".join(
        f"<tr><th style='{STYLE}'>{html.escape(name)}</th><td style='{STYLE}'>{html.escape(str(value))}</td></tr>"
        for name, value in facts
        if value is not None and value != ""
    )
    return (
        f"<div class='wb-repr wb-repr-{html.escape(kind.lower())}'><b>{html.escape(kind)}</b> {html.escape(title)}"
        f"<table>{rows}</table>{extra}</div>"
    )


def pre_html(text: str) -> str:
    """A block of text (a template, an output) shown as it is, escaped."""
    return f"<pre style='margin:2px 0;white-space:pre-wrap'>{html.escape(text)}</pre>"
