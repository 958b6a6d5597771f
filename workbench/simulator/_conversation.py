"""A provider-neutral view of a chat request: system text, turns, tools, tool choice.

OpenAI chat completions and Anthropic messages say the same things differently
(``tool`` messages versus ``tool_result`` blocks, ``tools[].function`` versus
``tools[].input_schema``...). :func:`parse_conversation` reads either body into
one :class:`Conversation`, which the simulated model and the token counter use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from workbench.simulator._replies import ToolCall

Provider: TypeAlias = Literal["openai", "anthropic"]
"""The wire format of a request: OpenAI chat completions or Anthropic messages."""

Role: TypeAlias = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model.

    Attributes:
        name: The tool's name.
        description: What it does (may be empty).
        parameters: Its JSON schema for the arguments object.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ToolResult:
    """The result of a tool call, sent back by the client.

    Attributes:
        call_id: The id of the call it answers.
        name: The tool's name, found from the call (``None`` if the call is unknown).
        content: The result as text.
        is_error: Whether the client marked it as an error (Anthropic ``is_error``).
    """

    call_id: str
    name: str | None
    content: str
    is_error: bool = False


@dataclass(frozen=True)
class Turn:
    """One message of the conversation.

    Attributes:
        role: ``system``, ``user``, ``assistant``, or ``tool`` (tool results).
        text: The message's text (text parts joined by newlines).
        tool_calls: The calls an assistant turn made.
        tool_results: The results a tool turn carries.
    """

    role: Role
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_results: tuple[ToolResult, ...] = ()


@dataclass(frozen=True)
class Conversation:
    """A chat request read into provider-neutral terms.

    Attributes:
        system: The system (and developer) instructions, joined by newlines.
        turns: The messages after the system prompt, in order.
        tools: The tools offered.
        tool_choice: ``auto``, ``none`` or ``required`` (any tool, or ``forced_tool``).
        forced_tool: The tool the client requires, if it named one.
    """

    system: str
    turns: tuple[Turn, ...]
    tools: tuple[ToolSpec, ...]
    tool_choice: Literal["auto", "none", "required"] = "auto"
    forced_tool: str | None = None

    @property
    def last_user_text(self) -> str:
        """The text of the last user turn ("" if there is none)."""
        for turn in reversed(self.turns):
            if turn.role == "user":
                return turn.text
        return ""

    @property
    def pending_tool_results(self) -> tuple[ToolResult, ...]:
        """The tool results at the end of the conversation, which the model has yet to answer."""
        results: list[ToolResult] = []
        for turn in reversed(self.turns):
            if turn.role != "tool":
                break
            results[:0] = turn.tool_results
        return tuple(results)

    @property
    def awaits_answer_to_user(self) -> bool:
        """Whether the conversation ends with a user's text (not a tool result)."""
        return bool(self.turns) and self.turns[-1].role == "user"


def parse_conversation(provider: Provider, body: Mapping[str, Any]) -> Conversation:
    """Read a request body of either provider into a :class:`Conversation`.

    Unknown or ill-typed parts are skipped rather than rejected: the server
    validates the little that it must before this is called.

    Args:
        provider: The body's wire format.
        body: The decoded JSON body.

    Returns:
        The conversation.
    """
    if provider == "openai":
        return _parse_openai(body)
    return _parse_anthropic(body)


def _text_of(content: Any) -> str:
    """The text of a message content: a string, or a list of parts with ``text``."""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        texts = [str(part.get("text", "")) for part in content if isinstance(part, Mapping) and "text" in part]
        return "\n".join(texts)
    return ""


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _parse_openai(body: Mapping[str, Any]) -> Conversation:
    system: list[str] = []
    turns: list[Turn] = []
    names: dict[str, str] = {}
    for message in _as_list(body.get("messages")):
        msg = _as_mapping(message)
        role = msg.get("role")
        text = _text_of(msg.get("content"))
        if role in ("system", "developer"):
            system.append(text)
        elif role == "user":
            turns.append(Turn("user", text))
        elif role == "assistant":
            calls: list[ToolCall] = []
            for raw in _as_list(msg.get("tool_calls")):
                function = _as_mapping(_as_mapping(raw).get("function"))
                call_id = str(_as_mapping(raw).get("id", ""))
                name = str(function.get("name", ""))
                names[call_id] = name
                calls.append(ToolCall(name, _decode_arguments(function.get("arguments")), call_id))
            turns.append(Turn("assistant", text, tool_calls=tuple(calls)))
        elif role == "tool":
            call_id = str(msg.get("tool_call_id", ""))
            result = ToolResult(call_id, names.get(call_id), text)
            turns.append(Turn("tool", text, tool_results=(result,)))
    tools = []
    for raw in _as_list(body.get("tools")):
        function = _as_mapping(_as_mapping(raw).get("function"))
        if "name" in function:
            tools.append(
                ToolSpec(
                    str(function["name"]),
                    str(function.get("description", "")),
                    _as_mapping(function.get("parameters")),
                )
            )
    choice = body.get("tool_choice", "auto")
    forced = None
    if isinstance(choice, Mapping):
        forced = _as_mapping(choice.get("function")).get("name")
        choice = "required"
    return Conversation(
        system="\n".join(system),
        turns=tuple(turns),
        tools=tuple(tools),
        tool_choice=choice if choice in ("none", "required") else "auto",
        forced_tool=str(forced) if forced else None,
    )


def _parse_anthropic(body: Mapping[str, Any]) -> Conversation:
    turns: list[Turn] = []
    names: dict[str, str] = {}
    for message in _as_list(body.get("messages")):
        msg = _as_mapping(message)
        role = msg.get("role")
        content = msg.get("content")
        blocks = [_as_mapping(b) for b in content] if isinstance(content, list) else []
        text = _text_of(content)
        if role == "assistant":
            calls = []
            for block in blocks:
                if block.get("type") == "tool_use":
                    call_id = str(block.get("id", ""))
                    names[call_id] = str(block.get("name", ""))
                    calls.append(ToolCall(names[call_id], _as_mapping(block.get("input")), call_id))
            turns.append(Turn("assistant", text, tool_calls=tuple(calls)))
        elif role == "user":
            results = []
            for block in blocks:
                if block.get("type") == "tool_result":
                    call_id = str(block.get("tool_use_id", ""))
                    results.append(
                        ToolResult(
                            call_id,
                            names.get(call_id),
                            _text_of(block.get("content")),
                            bool(block.get("is_error", False)),
                        )
                    )
            if results:
                turns.append(Turn("tool", "\n".join(r.content for r in results), tool_results=tuple(results)))
            if text or not results:
                turns.append(Turn("user", text))
    tools = [
        ToolSpec(str(tool["name"]), str(tool.get("description", "")), _as_mapping(tool.get("input_schema")))
        for tool in map(_as_mapping, _as_list(body.get("tools")))
        if "name" in tool
    ]
    choice = _as_mapping(body.get("tool_choice"))
    kind = choice.get("type", "auto")
    return Conversation(
        system=_text_of(body.get("system")),
        turns=tuple(turns),
        tools=tuple(tools),
        tool_choice="none" if kind == "none" else "required" if kind in ("any", "tool") else "auto",
        forced_tool=str(choice["name"]) if kind == "tool" and "name" in choice else None,
    )


def _decode_arguments(raw: Any) -> Mapping[str, Any] | str:
    """OpenAI's ``function.arguments``: a JSON string, decoded when it is an object."""
    if not isinstance(raw, str):
        return _as_mapping(raw)
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, Mapping) else raw
