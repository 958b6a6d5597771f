"""A rough, deterministic token count: words, numbers and punctuation marks."""

from __future__ import annotations

import json
import re

from workbench.simulator._conversation import Conversation

_TOKEN = re.compile(r"\w+|[^\w\s]")

MESSAGE_OVERHEAD = 3
"""Tokens added per message, as real chat formats spend a few on roles and separators."""


def count_tokens(text: str) -> int:
    """Count the tokens of a text: each word, number and punctuation mark is one.

    Args:
        text: Any text.

    Returns:
        The count (0 for an empty text).
    """
    return len(_TOKEN.findall(text))


def truncate_tokens(text: str, limit: int) -> str:
    """The beginning of ``text`` holding at most ``limit`` tokens."""
    if limit <= 0:
        return ""
    for i, match in enumerate(_TOKEN.finditer(text)):
        if i == limit - 1:
            return text[: match.end()]
    return text


def count_prompt_tokens(conversation: Conversation) -> int:
    """Count the tokens of a whole prompt: system text, turns, tool calls, results and tool specs.

    Args:
        conversation: The request's conversation.

    Returns:
        The count, plus :data:`MESSAGE_OVERHEAD` per message.
    """
    total = count_tokens(conversation.system) + (MESSAGE_OVERHEAD if conversation.system else 0)
    for turn in conversation.turns:
        total += MESSAGE_OVERHEAD + count_tokens(turn.text)
        for call in turn.tool_calls:
            total += count_tokens(call.name) + count_tokens(_dumps(call.arguments))
    for tool in conversation.tools:
        total += count_tokens(tool.name) + count_tokens(tool.description) + count_tokens(_dumps(tool.parameters))
    return total


def _dumps(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
