"""Typed reads of single DataFrame cells.

pandas-stubs types ``frame.loc[row, column]`` (and ``series[label]``) as the union of every scalar
pandas can hold, so no comparison, lookup or ``json.loads`` on it type-checks. These narrow one
cell to what the test expects of it, asserting that it is so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def text(value: object) -> str:
    """A cell that holds text."""
    assert isinstance(value, str), f"expected text, got {value!r}"
    return value


def number(value: object) -> float:
    """A cell that holds a number (Python or NumPy, never a bool), as it is."""
    assert isinstance(value, int | float | np.integer | np.floating), f"expected a number, got {value!r}"
    assert not isinstance(value, bool | np.bool_), f"expected a number, got {value!r}"
    return float(value)


def records(value: object) -> list[dict[str, Any]]:
    """A cell that holds a list of records (tool calls, steps...)."""
    assert isinstance(value, list), f"expected a list, got {value!r}"
    assert all(isinstance(record, dict) for record in value), f"expected records, got {value!r}"
    return value


def row(value: object) -> pd.Series[Any]:
    """A row of a frame: what ``.loc[key]`` gives for a full key of a MultiIndex (typed as a cell)."""
    assert isinstance(value, pd.Series), f"expected a row, got {value!r}"
    return value


def missing(value: object) -> bool:
    """Whether a cell holds nothing (``None``, ``NaN``, ``NA``, ``NaT``), as ``pd.isna`` says of a scalar."""
    return bool(pd.Series([value], dtype=object).isna().iloc[0])
