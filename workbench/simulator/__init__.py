"""A simulated LLM server speaking the OpenAI and Anthropic wire formats, for tests and offline demos.

:class:`SimulatedLLMServer` is a real HTTP/1.1 server on 127.0.0.1 that the
official ``openai`` and ``anthropic`` clients can call. It answers with
scripted replies (:meth:`SimulatedLLMServer.enqueue`: text, tool calls, HTTP
errors, slow or malformed responses, dropped connections) and otherwise with
a responder, by default :class:`SimulatedModel`: a deterministic simulation,
not a language model, that calls offered tools, does arithmetic and quotes
the given context.

Example:
    >>> with SimulatedLLMServer(latency=0.0) as server:  # doctest: +SKIP
    ...     server.enqueue(TextReply("Canberra"))
    ...     client = openai.OpenAI(base_url=server.openai_base_url, api_key="test")
"""

from workbench.simulator._conversation import Conversation, Provider, ToolResult, ToolSpec, Turn
from workbench.simulator._dispatch import Responder
from workbench.simulator._model import SimulatedModel
from workbench.simulator._replies import (
    DropConnection,
    ErrorReply,
    FinishReason,
    MalformedKind,
    MalformedReply,
    RawReply,
    Reply,
    TextReply,
    ToolCall,
    ToolCallReply,
    Usage,
)
from workbench.simulator._request import REDACTED, SimRequest
from workbench.simulator._server import SimulatedLLMServer
from workbench.simulator._tokens import count_tokens

__all__ = [
    "REDACTED",
    "Conversation",
    "DropConnection",
    "ErrorReply",
    "FinishReason",
    "MalformedKind",
    "MalformedReply",
    "Provider",
    "RawReply",
    "Reply",
    "Responder",
    "SimRequest",
    "SimulatedLLMServer",
    "SimulatedModel",
    "TextReply",
    "ToolCall",
    "ToolCallReply",
    "ToolResult",
    "ToolSpec",
    "Turn",
    "Usage",
    "count_tokens",
]
