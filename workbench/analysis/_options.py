"""Per-scorer options written as text (``SCORER=VALUE``), parsed into what the analysis API takes.

The command line (``workbench summary`` / ``compare`` / ``failures``: ``--pass-mark``,
``--margin``, ``--direction``) and the Compare panel (``scorer=0.02, other=0.1``; a list of
lower-is-better scorers) share these parsers, so both accept the same syntax and raise the
same :class:`~workbench.errors.ValidationError`. The words: a scorer's *pass mark* is the
score at or beyond which a unit passes; a *margin* is the smallest worsening that counts as
a regression. Each scorer declares its direction and pass mark; these options override them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from workbench.errors import ValidationError


def split_list(text: str) -> list[str]:
    """A comma-separated text as its stripped, non-empty entries (``"a=1, b=2"`` -> ``["a=1", "b=2"]``)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_pairs(values: Iterable[str], option: str, *, bare: bool) -> tuple[str | None, dict[str, str]]:
    """Split ``SCORER=VALUE`` options; a bare ``VALUE`` (when allowed) is the default for every scorer."""
    default: str | None = None
    named: dict[str, str] = {}
    for text in values:
        name, sep, value = text.partition("=")
        if not sep:
            if not bare:
                raise ValidationError(f"{option} {text!r}: use SCORER=VALUE")
            default = text.strip()
        elif not name.strip() or not value.strip():
            raise ValidationError(f"{option} {text!r}: use SCORER=VALUE" + (" or VALUE" if bare else ""))
        else:
            named[name.strip()] = value.strip()
    return default, named


def parse_number(text: str, option: str, original: str) -> float:
    """``text`` as a finite number (``original``, the option's whole value, names it in the error)."""
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(f"{option} {original!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValidationError(f"{option} {original!r}: the number must be finite")
    return value


def parse_numbers(values: list[str], option: str, scorers: list[str]) -> float | dict[str, float] | None:
    """Per-scorer numbers as the API takes them: None (none given), one number, or a number per scorer.

    A bare ``NUMBER`` sets every one of ``scorers``; ``SCORER=NUMBER`` sets one scorer (and
    wins over the bare number). A scorer no value names keeps its own setting (what it
    declares, or the API's default).
    """
    if not values:
        return None
    default, named = parse_pairs(values, option, bare=True)
    base = None if default is None else parse_number(default, option, default)
    if not named:
        return base
    out = {} if base is None else dict.fromkeys(scorers, base)
    for name, text in named.items():
        out[name] = parse_number(text, option, f"{name}={text}")
    return out


def parse_pass_marks(
    values: list[str], scorers: list[str], option: str = "--pass-mark"
) -> float | dict[str, float] | None:
    """``--pass-mark`` values (``SCORER=NUMBER`` or ``NUMBER`` for all) as ``pass_marks=``."""
    return parse_numbers(values, option, scorers)


def parse_margins(values: list[str], scorers: list[str], option: str = "--margin") -> float | dict[str, float] | None:
    """``--margin`` values (``SCORER=NUMBER`` or ``NUMBER`` for all) as ``margins=``."""
    return parse_numbers(values, option, scorers)


def parse_directions(values: list[str], option: str = "--direction") -> dict[str, str] | None:
    """``SCORER=higher|lower`` values as the API takes them (``None`` when none is given)."""
    if not values:
        return None
    _, named = parse_pairs(values, option, bare=False)
    for name, value in named.items():
        if value not in ("higher", "lower"):
            raise ValidationError(f"{option} {name}={value}: the direction is 'higher' or 'lower'")
    return named


def lower_directions(text: str) -> dict[str, str] | None:
    """A comma-separated list of lower-is-better scorer names as directions (``None`` when empty)."""
    names = split_list(text)
    bad = [n for n in names if "=" in n]
    if bad:
        raise ValidationError(f"lower is better {bad[0]!r}: list scorer names, e.g. latency_judge, cost")
    return parse_directions([f"{n}=lower" for n in names], "lower is better")
