"""The provider interface: one chat request in, one reply out, in a neutral format.

Messages use one shape for every provider (converted by each provider):
``{"role": "user" | "assistant" | "tool", "content": str, "tool_calls": [...], "tool_call_id": str}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.records._usage import Usage


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model: name, description, JSON Schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass
class ModelRequest:
    """One chat request."""

    messages: list[dict[str, Any]]
    system: str | None = None
    tools: list[ToolSpec] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def cache_key_data(self) -> dict[str, Any]:
        """What identifies the request for the response cache."""
        return {
            "messages": self.messages,
            "system": self.system,
            "tools": [t.__dict__ for t in self.tools],
            "params": self.params,
        }


@dataclass
class RequestedToolCall:
    """A tool call the model asked for; ``arguments`` is parsed JSON, or the raw text if unparsable."""

    id: str
    name: str
    arguments: Any
    parse_error: str | None = None


@dataclass
class ModelReply:
    """One reply: text and/or tool calls, token usage, why it stopped."""

    text: str | None
    tool_calls: list[RequestedToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    model: str | None = None
    cache_hit: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the response cache)."""
        return {
            "text": self.text,
            "tool_calls": [tc.__dict__ for tc in self.tool_calls],
            "usage": self.usage.__dict__,
            "finish_reason": self.finish_reason,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelReply:
        """Read back :meth:`to_dict`."""
        return cls(
            text=data["text"],
            tool_calls=[RequestedToolCall(**tc) for tc in data["tool_calls"]],
            usage=Usage(**data["usage"]),
            finish_reason=data["finish_reason"],
            model=data["model"],
        )


class Provider(Protocol):
    """A chat model behind an API."""

    provider: str
    model: str

    def spec(self) -> dict[str, Any]:
        """JSON-ready description: provider, model, base URL (never the key)."""
        ...

    async def complete(self, request: ModelRequest, *, timeout: float | None) -> ModelReply:
        """Send one request; raise :class:`ProviderError` on failure."""
        ...

    async def warm_up(self) -> None:
        """Get ready to send on the running loop (make the client), before the first call is timed.

        Each call is matched by one :meth:`aclose` when the caller is done.
        """
        ...

    async def aclose(self) -> None:
        """One user is done: close the running loop's client when it was the last (a later call opens a new one)."""
        ...
