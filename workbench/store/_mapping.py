"""Which column of a file becomes which field of an item: guessed from common column names.

A spreadsheet made by hand says ``question`` and ``answer``, not ``input`` and
``expected_output``; :func:`guess_mapping` reads such a header the way a person would.
The import uses it whenever no mapping is given, and the CLI and the wizard show it
before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FieldSpec = str | list[str]
"""One column's name, or several (their values become an object keyed by column)."""

GUESSES: dict[str, tuple[str, ...]] = {
    "item_id": ("item_id", "id", "itemid"),
    "input": ("input", "question", "prompt", "query"),
    "expected_output": ("expected_output", "expected", "answer", "ground_truth", "label", "target"),
    "context": ("context", "contexts", "passage"),
    "metadata": ("metadata",),
    "output": ("output",),
}
"""For each field, the column names it is guessed from, best first (compared as :func:`normal_name`)."""


def normal_name(column: str) -> str:
    """A column name as guessing compares it: lower case, spaces and dashes as ``_`` (``Ground Truth``)."""
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def guess_mapping(columns: Iterable[str]) -> dict[str, FieldSpec]:
    """The mapping (field -> column) guessed from a file's column names.

    Each field takes the first of its usual names (:data:`GUESSES`) found among the
    columns, case and spacing aside; a column is used once. A field with no such
    column is left out, so the result may lack ``input`` (the import then says so).

    Examples:
        >>> guess_mapping(["ID", "Question", "Answer", "source"])
        {'item_id': 'ID', 'input': 'Question', 'expected_output': 'Answer'}
        >>> guess_mapping(["item_id", "input", "expected_output", "context", "metadata", "output"])["context"]
        'context'
    """
    names: dict[str, str] = {}
    for column in columns:
        names.setdefault(normal_name(column), column)  # the first of two spellings of one name
    mapping: dict[str, FieldSpec] = {}
    used: set[str] = set()
    for field, candidates in GUESSES.items():
        for candidate in candidates:
            found = names.get(candidate)
            if found is not None and found not in used:
                mapping[field] = found
                used.add(found)
                break
    return mapping


def describe_mapping(mapping: Mapping[str, FieldSpec]) -> str:
    """The mapping as one line, column first: ``question -> input, answer -> expected_output``."""
    if not mapping:
        return "(no column mapped)"
    parts = []
    for field, spec in mapping.items():
        columns = spec if isinstance(spec, str) else "+".join(spec)
        parts.append(f"{columns} -> {field}")
    return ", ".join(parts)
