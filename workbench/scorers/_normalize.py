"""Text helpers shared by the built-in code scorers: canonical text, normalisation, numbers."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any

_SPACE = re.compile(r"\s+")
_NUMBER = r"[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_SEARCH = re.compile(r"(?<![\w.])" + _NUMBER)
_NUMBER_FULL = re.compile(_NUMBER)


def canonical_json(value: Any) -> str:
    """A stable JSON text for any value (sorted keys, no spaces, unicode kept)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def as_text(value: Any) -> str:
    """A string as is; anything else as canonical JSON."""
    return value if isinstance(value, str) else canonical_json(value)


def normalize_text(
    text: str,
    *,
    case: bool = True,
    whitespace: bool = True,
    punctuation: bool = False,
    unicode: bool = True,
) -> str:
    """Normalise ``text``: NFKC, case folding, punctuation (categories P*) removal, white space collapsing.

    Each flag turns one step on; they run in that order so that, for example, full-width
    letters are folded to ASCII before case folding.
    """
    if unicode:
        text = unicodedata.normalize("NFKC", text)
    if case:
        text = text.casefold()
    if punctuation:
        text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    if whitespace:
        text = _SPACE.sub(" ", text).strip()
    return text


def _clean_number_text(text: str) -> str:
    """Drop currency symbols (category Sc), percent signs and surrounding white space."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch != "%" and unicodedata.category(ch) != "Sc").strip()


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


def parse_number(value: Any, *, search: bool = False) -> float | None:
    """A finite number from a number or a string, else ``None``.

    Strings may carry currency symbols, thousands commas and a percent sign (``"$1,234.5"``,
    ``"50%"`` gives 50). With ``search`` the first number found anywhere in the text is used;
    otherwise the whole string must be one number. Booleans are not numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = _clean_number_text(value)
        if search:
            found = _NUMBER_SEARCH.search(text)
            if found is None:
                return None
            number = _to_float(found.group())
        else:
            if not _NUMBER_FULL.fullmatch(text):
                return None
            number = _to_float(text)
    else:
        return None
    return number if math.isfinite(number) else None
