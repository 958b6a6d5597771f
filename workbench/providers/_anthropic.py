"""Anthropic messages, through the official ``anthropic`` client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.providers._base import ModelReply, ModelRequest, RequestedToolCall
from workbench.providers._classify import classify
from workbench.providers._errors import ProviderError
from workbench.providers._params import split_params
from workbench.providers._sdk import SDKProvider
from workbench.records._usage import Usage

if TYPE_CHECKING:  # the SDK is imported when a provider is made (never by `import workbench`)
    import anthropic  # noqa: F401 - named in the base class SDKProvider["anthropic.AsyncAnthropic"]

DEFAULT_MAX_TOKENS = 1024
_CANNED_REPLY: dict[str, Any] = {
    "id": "warm-up",
    "type": "message",
    "role": "assistant",
    "model": "warm-up",
    "content": [{"type": "text", "text": ""}, {"type": "tool_use", "id": "t", "name": "f", "input": {}}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 0, "output_tokens": 0},
}
"""A reply parsed once before the first call, so the SDK's one-time type set-up is not timed as a call."""


def to_anthropic_messages(request: ModelRequest) -> list[dict[str, Any]]:
    """The neutral messages as Anthropic messages (tool results grouped into user turns)."""
    out: list[dict[str, Any]] = []
    for m in request.messages:
        if m["role"] == "assistant" and m.get("tool_calls"):
            blocks: list[dict[str, Any]] = [{"type": "text", "text": m["content"]}] if m.get("content") else []
            blocks += [
                {
                    "type": "tool_use",
                    "id": tc["id"],
                    "name": tc["name"],
                    "input": tc["arguments"] if isinstance(tc["arguments"], dict) else {},
                }
                for tc in m["tool_calls"]
            ]
            out.append({"role": "assistant", "content": blocks})
        elif m["role"] == "tool":
            block = {"type": "tool_result", "tool_use_id": m["tool_call_id"], "content": m["content"]}
            if m.get("is_error"):
                block["is_error"] = True
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        else:
            out.append({"role": m["role"], "content": m["content"]})
    return out


class AnthropicProvider(SDKProvider["anthropic.AsyncAnthropic"]):
    """A Claude model behind the messages API."""

    provider = "anthropic"
    sdk = "anthropic"
    client_class = "AsyncAnthropic"

    async def warm_up(self) -> None:
        """Get the running loop's client ready (made, its first-use loading done) for one more user.

        Each ``warm_up`` is matched by one :meth:`aclose`; the client closes when its last user does.
        """
        split_params(self._clients.hold().messages.create, {})  # the SDK imports its resources on first access
        self._sdk.types.Message.construct(**_CANNED_REPLY)  # and builds its reply types on the first reply

    async def complete(self, request: ModelRequest, *, timeout: float | None) -> ModelReply:
        """One message; failures become :class:`ProviderError`."""
        params = dict(request.params)
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": to_anthropic_messages(request),
            "max_tokens": params.pop("max_tokens", DEFAULT_MAX_TOKENS),
            **params,
        }
        if request.system:
            kwargs["system"] = request.system
        if request.tools:
            kwargs["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in request.tools
            ]
        sdk = self._sdk
        create = self._clients.get().messages.create
        try:
            response = await create(**split_params(create, kwargs), timeout=timeout)
        except (sdk.AnthropicError, ValueError) as exc:
            raise classify(exc, sdk) from exc
        content = getattr(response, "content", None)
        if content is None:
            raise ProviderError("bad_response", "the reply has no content")
        texts, calls = [], []
        for block in content:
            kind = getattr(block, "type", None)
            if kind == "text":
                texts.append(block.text)
            elif kind == "tool_use":
                calls.append(RequestedToolCall(block.id, block.name, block.input))
        usage = Usage()
        if response.usage is not None:
            cached = getattr(response.usage, "cache_read_input_tokens", 0) or 0
            created = getattr(response.usage, "cache_creation_input_tokens", 0) or 0
            usage = Usage(
                input_tokens=(response.usage.input_tokens or 0) + cached + created,
                output_tokens=response.usage.output_tokens or 0,
                cached_tokens=cached,
            )
        return ModelReply(
            text="".join(texts) if texts else None,
            tool_calls=calls,
            usage=usage,
            finish_reason=getattr(response, "stop_reason", None),
            model=getattr(response, "model", None) or self.model,
        )
