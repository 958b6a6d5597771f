"""The replies a simulated server can give: text, tool calls, errors, malformed bodies.

Every reply is a frozen dataclass written in provider-neutral terms; the server
renders it in the wire format of the endpoint that was called (OpenAI chat
completions or Anthropic messages). Each one also takes, by keyword, a
``delay`` in seconds (added to the server's latency; for timeout tests) and
extra response ``headers``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

FinishReason: TypeAlias = Literal["stop", "length", "content_filter"]
"""Why a text reply ended; rendered as OpenAI ``stop``/``length``/``content_filter``
and Anthropic ``end_turn``/``max_tokens``/``refusal``."""

MalformedKind: TypeAlias = Literal["invalid_json", "missing_fields", "empty_body", "html"]
"""How a :class:`MalformedReply` is broken."""


@dataclass(frozen=True)
class Usage:
    """Token counts that override the simulator's own count (``None`` keeps the count).

    ``input_tokens`` is the whole prompt, cached part included, as OpenAI reports
    ``prompt_tokens``; Anthropic's ``input_tokens`` excludes the cache, so the
    server sends ``input_tokens - cached_tokens`` there and ``cached_tokens`` as
    ``cache_read_input_tokens``.

    Attributes:
        input_tokens: Prompt tokens, cached ones included.
        output_tokens: Completion tokens.
        cached_tokens: Prompt tokens read from the (simulated) prompt cache.
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int = 0


@dataclass(frozen=True, kw_only=True)
class _ReplyBase:
    """Fields that every reply has.

    Attributes:
        delay: Seconds to wait before answering, on top of the server's latency.
        headers: Extra response headers (for example ``{"Retry-After": "1"}``).
    """

    delay: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TextReply(_ReplyBase):
    """An assistant message with text only.

    Attributes:
        text: The message text.
        usage: Token counts to report instead of the simulator's count.
        finish: Why the message ended.
    """

    text: str
    usage: Usage | None = None
    finish: FinishReason = "stop"


@dataclass(frozen=True)
class ToolCall:
    """One tool (function) call made by the simulated assistant.

    Attributes:
        name: The tool's name.
        arguments: The arguments object. A string is sent verbatim as OpenAI's
            ``function.arguments`` (to simulate a model writing invalid JSON);
            Anthropic's ``input`` must be an object, so there it is parsed, and
            sent as a bare JSON string if it does not parse.
        id: The call id; ``None`` derives a deterministic one from the request.
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class ToolCallReply(_ReplyBase):
    """An assistant turn that calls one or several tools.

    Attributes:
        calls: The tool calls, in order.
        text: Optional text sent before the calls (Anthropic models often say
            what they are about to do; OpenAI puts it in ``content``).
        usage: Token counts to report instead of the simulator's count.
    """

    calls: Sequence[ToolCall]
    text: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class ErrorReply(_ReplyBase):
    """An HTTP error with a body in the provider's error format.

    Attributes:
        status: The HTTP status (400, 401, 429, 500, 529...).
        message: The error message; ``None`` uses a stock message for the status.
        error_type: The provider's error type (OpenAI ``error.type``, Anthropic
            ``error.type``); ``None`` uses the provider's usual type for the status.
        code: OpenAI's ``error.code`` (Anthropic has none); ``None`` uses the usual one.
    """

    status: int
    message: str | None = None
    error_type: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class MalformedReply(_ReplyBase):
    """A broken success response, as a faulty proxy or server might send.

    Kinds: ``invalid_json`` (a truncated JSON document), ``missing_fields`` (valid
    JSON of the right object type without ``choices``/``content`` and ``usage``),
    ``empty_body`` (no bytes, JSON content type) and ``html`` (an HTML page with
    ``text/html`` content type).

    Attributes:
        kind: How the body is broken.
        status: The HTTP status to send with it.
    """

    kind: MalformedKind = "invalid_json"
    status: int = 200


@dataclass(frozen=True)
class RawReply(_ReplyBase):
    """Exactly these bytes, with this status and content type.

    Attributes:
        body: The response body (a string is UTF-8 encoded).
        status: The HTTP status.
        content_type: The ``Content-Type`` header.
    """

    body: bytes | str
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class DropConnection(_ReplyBase):
    """Close the connection without answering (the client sees a connection error)."""


Reply: TypeAlias = TextReply | ToolCallReply | ErrorReply | MalformedReply | RawReply | DropConnection
"""Any reply the server can give."""


def is_reply(value: object) -> bool:
    """Whether ``value`` is one of the :data:`Reply` classes."""
    return isinstance(value, TextReply | ToolCallReply | ErrorReply | MalformedReply | RawReply | DropConnection)
