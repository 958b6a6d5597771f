"""How the simulated model picks a tool and fills its arguments from the user's message."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from workbench.simulator._conversation import ToolSpec
from workbench.simulator._text import keywords

IDENTIFIER = re.compile(r"\b[A-Z]{1,5}-?\d{1,10}\b")
"""What an id looks like in a message: ``A-1042``, ``INV123``."""

_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (("email",), re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (("date", "day", "when"), re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    (("url", "link", "website"), re.compile(r"https?://\S+")),
    (("id", "number", "code", "ref", "reference", "sku"), IDENTIFIER),
)
_FREE_TEXT_NAMES = ("query", "q", "question", "text", "prompt", "input", "message", "search", "term")
_PLACE = re.compile(r"\b(?:in|at|for|near|to|from)\s+((?:[A-Z][\w'-]+\s?)+)")
_QUOTE = re.compile(r"\"([^\"]+)\"|'([^']+)'")
_NUMBER = re.compile(r"(?<![\w-])-?\d+(?:\.\d+)?(?![\w-])")

MAX_PARALLEL_CALLS = 5
"""The most calls of one tool the model makes in a turn (one per id in the message)."""


def choose_tool(tools: Sequence[ToolSpec], message: str) -> ToolSpec | None:
    """The tool most related to the message, or ``None`` if none shares a keyword with it.

    A keyword of the tool's name counts twice one of its description; the first
    tool wins a tie.

    Args:
        tools: The tools offered.
        message: The user's message.

    Returns:
        The tool to call, or ``None``.
    """
    wanted = keywords(message)
    best: ToolSpec | None = None
    best_score = 0
    for tool in tools:
        score = 2 * len(keywords(tool.name) & wanted) + len(keywords(tool.description) & wanted)
        if score > best_score:
            best, best_score = tool, score
    return best


def build_calls(tool: ToolSpec, message: str, *, parallel: bool = True) -> list[dict[str, Any]]:
    """Arguments for one or several calls of ``tool``, read from the message.

    Required properties are filled (all properties when the schema lists none
    as required). When an id-like property is filled and the message names
    several ids (``A-1 and B-2``), there is one call per id.

    Args:
        tool: The tool to call.
        message: The user's message.
        parallel: Whether several calls in one turn are allowed.

    Returns:
        The argument objects, one per call.
    """
    schema = tool.parameters
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = schema.get("required")
    names = [str(n) for n in required] if isinstance(required, list) else list(properties)
    args = {name: fill_argument(name, properties.get(name, {}), message) for name in names}
    ids = list(dict.fromkeys(IDENTIFIER.findall(message)))
    id_args = [name for name, value in args.items() if isinstance(value, str) and value in ids]
    if not parallel or len(ids) < 2 or len(id_args) != 1:
        return [args]
    return [{**args, id_args[0]: value} for value in ids[:MAX_PARALLEL_CALLS]]


def fill_argument(name: str, schema: Any, message: str) -> Any:
    """A value for one argument, from its JSON schema, its name and the message.

    Strings use, in order: an ``enum`` value the message mentions (else the
    first), the schema's ``pattern``, a pattern suggested by the name (email,
    date, url, id), a place after "in", "to"... (capitalised) for location-like names, a quoted
    phrase, an id, and else the whole message. Numbers take the first number of
    the message, booleans ``False``, arrays ``[]`` and objects ``{}``.

    Args:
        name: The argument's name.
        schema: Its JSON schema (a mapping; anything else is treated as a string).
        message: The user's message.

    Returns:
        The value.
    """
    spec: Mapping[str, Any] = schema if isinstance(schema, Mapping) else {}
    kind = spec.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        lowered = message.lower()
        return next((v for v in enum if str(v).lower() in lowered), enum[0])
    if kind in ("integer", "number"):
        match = _NUMBER.search(message)
        value = float(match.group()) if match else 0.0
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return _fill_string(name, spec, message)


def _fill_string(name: str, spec: Mapping[str, Any], message: str) -> str:
    pattern = spec.get("pattern")
    if isinstance(pattern, str):
        try:
            found = re.search(pattern.strip("^$"), message)
        except re.error:
            found = None
        if found:
            return found.group()
    words = keywords(name) | {name.lower()}
    for hints, regex in _PATTERNS:
        if words & set(hints):
            found = regex.search(message)
            if found:
                return found.group()
    if words & {"city", "location", "place", "country", "region", "address", "destination"}:
        place = _PLACE.search(message)
        if place:
            return place.group(1).strip()
    if not words & set(_FREE_TEXT_NAMES):
        quoted = _QUOTE.search(message)
        if quoted:
            return next(g for g in quoted.groups() if g is not None)
        found = IDENTIFIER.search(message)
        if found:
            return found.group()
    return message.strip()
