"""Render replies in the OpenAI chat completions and Anthropic messages wire formats."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from workbench.simulator._conversation import Provider
from workbench.simulator._replies import (
    DropConnection,
    ErrorReply,
    FinishReason,
    MalformedReply,
    RawReply,
    Reply,
    TextReply,
    ToolCall,
    ToolCallReply,
    Usage,
)
from workbench.simulator._request import SimRequest
from workbench.simulator._tokens import count_prompt_tokens, count_tokens

SIMULATOR_HEADER = "x-workbench-simulator"
"""A response header every simulated reply carries, so nobody mistakes it for a real model."""

_OPENAI_FINISH: Mapping[FinishReason, str] = {"stop": "stop", "length": "length", "content_filter": "content_filter"}
_ANTHROPIC_STOP: Mapping[FinishReason, str] = {"stop": "end_turn", "length": "max_tokens", "content_filter": "refusal"}

# status -> (OpenAI type, OpenAI code, Anthropic type, message)
_ERRORS: Mapping[int, tuple[str, str | None, str, str]] = {
    400: ("invalid_request_error", None, "invalid_request_error", "Invalid request (simulated)."),
    401: ("invalid_request_error", "invalid_api_key", "authentication_error", "Invalid API key (simulated)."),
    403: ("permission_error", None, "permission_error", "Permission denied (simulated)."),
    404: ("invalid_request_error", "not_found", "not_found_error", "Not found (simulated)."),
    408: ("timeout", None, "timeout_error", "Request timed out (simulated)."),
    409: ("conflict", None, "conflict_error", "Conflict (simulated)."),
    413: ("invalid_request_error", None, "request_too_large", "Request too large (simulated)."),
    429: ("requests", "rate_limit_exceeded", "rate_limit_error", "Rate limit reached (simulated)."),
    500: ("server_error", None, "api_error", "The server had an error processing your request (simulated)."),
    503: ("server_error", None, "api_error", "Service unavailable (simulated)."),
    529: ("server_error", None, "overloaded_error", "Overloaded (simulated)."),
}


@dataclass(frozen=True)
class WireResponse:
    """What the HTTP handler sends: status, content type, body and headers, or nothing.

    Attributes:
        status: The HTTP status.
        body: The body bytes.
        content_type: The ``Content-Type`` header.
        headers: Further headers.
        drop: Close the connection without sending anything.
    """

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    drop: bool = False


def render(reply: Reply, request: SimRequest, request_id: str) -> WireResponse:
    """Turn a reply into the response for the endpoint the request called.

    Args:
        reply: The reply to give.
        request: The request being answered (its endpoint picks the format).
        request_id: The id sent as ``x-request-id`` (OpenAI) or ``request-id`` (Anthropic).

    Returns:
        The response to send.
    """
    provider: Provider = request.provider or "openai"
    id_header = "x-request-id" if provider == "openai" else "request-id"
    headers = {SIMULATOR_HEADER: "1", id_header: request_id, **reply.headers}
    if isinstance(reply, DropConnection):
        return WireResponse(0, drop=True)
    if isinstance(reply, RawReply):
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        return WireResponse(reply.status, body, reply.content_type, headers)
    if isinstance(reply, ErrorReply):
        return WireResponse(reply.status, _dumps(error_body(provider, reply, request_id)), headers=headers)
    if isinstance(reply, MalformedReply):
        body, content_type = _malformed(provider, reply, request)
        return WireResponse(reply.status, body, content_type, headers)
    build = _openai_completion if provider == "openai" else _anthropic_message
    return WireResponse(200, _dumps(build(reply, request)), headers=headers)


def error_body(provider: Provider, reply: ErrorReply, request_id: str) -> dict[str, Any]:
    """The provider's error document for an error reply."""
    openai_type, openai_code, anthropic_type, stock = _ERRORS.get(
        reply.status,
        ("server_error", None, "api_error", f"{_phrase(reply.status)} (simulated).")
        if reply.status >= 500
        else ("invalid_request_error", None, "invalid_request_error", f"{_phrase(reply.status)} (simulated)."),
    )
    message = reply.message or stock
    if provider == "openai":
        code = reply.code if reply.code is not None else openai_code
        return {"error": {"message": message, "type": reply.error_type or openai_type, "param": None, "code": code}}
    return {
        "type": "error",
        "error": {"type": reply.error_type or anthropic_type, "message": message},
        "request_id": request_id,
    }


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def digest(request: SimRequest) -> str:
    """A hex digest of the request body: the seed of the deterministic ids of its reply."""
    canonical = json.dumps(request.body, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _usage(reply: TextReply | ToolCallReply, request: SimRequest) -> tuple[int, int, int]:
    """Prompt, completion and cached token counts: the reply's overrides, else counted."""
    override = reply.usage or Usage()
    prompt = override.input_tokens
    if prompt is None:
        prompt = count_prompt_tokens(request.conversation)
    completion = override.output_tokens
    if completion is None:
        completion = count_tokens(reply.text or "")
        if isinstance(reply, ToolCallReply):
            completion += sum(count_tokens(c.name) + count_tokens(_arguments_json(c)) for c in reply.calls)
    return prompt, completion, override.cached_tokens


def _arguments_json(call: ToolCall) -> str:
    return call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments, ensure_ascii=False)


def _anthropic_input(call: ToolCall) -> Any:
    if not isinstance(call.arguments, str):
        return dict(call.arguments)
    try:
        return json.loads(call.arguments)
    except ValueError:
        return call.arguments


def _openai_completion(reply: TextReply | ToolCallReply, request: SimRequest) -> dict[str, Any]:
    seed = digest(request)
    message: dict[str, Any] = {"role": "assistant", "content": reply.text, "refusal": None, "annotations": []}
    if isinstance(reply, ToolCallReply):
        message["tool_calls"] = [
            {
                "id": call.id or f"call_sim{seed[:16]}{i:02d}",
                "type": "function",
                "function": {"name": call.name, "arguments": _arguments_json(call)},
            }
            for i, call in enumerate(reply.calls)
        ]
        finish = "tool_calls"
    else:
        finish = _OPENAI_FINISH[reply.finish]
    n = request.body.get("n", 1)
    n = min(max(n, 1), 8) if isinstance(n, int) else 1
    prompt, completion, cached = _usage(reply, request)
    return {
        "id": f"chatcmpl-sim{seed[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model or "simulated-model",
        "choices": [{"index": i, "message": message, "logprobs": None, "finish_reason": finish} for i in range(n)],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion * n,
            "total_tokens": prompt + completion * n,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_simulated",
    }


def _anthropic_message(reply: TextReply | ToolCallReply, request: SimRequest) -> dict[str, Any]:
    seed = digest(request)
    content: list[dict[str, Any]] = []
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    if isinstance(reply, ToolCallReply):
        content.extend(
            {
                "type": "tool_use",
                "id": call.id or f"toolu_sim{seed[:16]}{i:02d}",
                "name": call.name,
                "input": _anthropic_input(call),
            }
            for i, call in enumerate(reply.calls)
        )
        stop = "tool_use"
    else:
        stop = _ANTHROPIC_STOP[reply.finish]
    prompt, completion, cached = _usage(reply, request)
    return {
        "id": f"msg_sim{seed[:24]}",
        "type": "message",
        "role": "assistant",
        "model": request.model or "simulated-model",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": max(prompt - cached, 0),
            "output_tokens": completion,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": cached,
            "service_tier": "standard",
        },
    }


def _malformed(provider: Provider, reply: MalformedReply, request: SimRequest) -> tuple[bytes, str]:
    seed = digest(request)
    if reply.kind == "empty_body":
        return b"", "application/json"
    if reply.kind == "html":
        return b"<html><body><h1>Gateway page (simulated)</h1></body></html>", "text/html; charset=utf-8"
    if provider == "openai":
        partial: dict[str, Any] = {
            "id": f"chatcmpl-sim{seed[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model,
        }
    else:
        partial = {"id": f"msg_sim{seed[:24]}", "type": "message", "role": "assistant", "model": request.model}
    body = _dumps(partial)
    if reply.kind == "invalid_json":
        cut = b', "choices": [{"index": 0, "message": {"role": "assi' if provider == "openai" else b', "content": [{"ty'
        body = body[:-1] + cut
    return body, "application/json"
