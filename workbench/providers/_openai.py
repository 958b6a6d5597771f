"""OpenAI chat completions, and every server that speaks them (Ollama, vLLM, Gemini's endpoint...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from workbench.providers._base import ModelReply, ModelRequest, RequestedToolCall
from workbench.providers._classify import classify
from workbench.providers._errors import ProviderError
from workbench.providers._params import split_params
from workbench.providers._sdk import SDKProvider
from workbench.records._usage import Usage

if TYPE_CHECKING:  # the SDK is imported when a provider is made (never by `import workbench`)
    import openai  # noqa: F401 - named in the base class SDKProvider["openai.AsyncOpenAI"]


_CANNED_REPLY: dict[str, Any] = {
    "id": "warm-up",
    "object": "chat.completion",
    "created": 0,
    "model": "warm-up",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
        }
    ],
    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "prompt_tokens_details": {}},
}
"""A reply parsed once before the first call, so the SDK's one-time type set-up is not timed as a call."""


def to_openai_messages(request: ModelRequest) -> list[dict[str, Any]]:
    """The neutral messages as chat-completions messages."""
    out: list[dict[str, Any]] = [{"role": "system", "content": request.system}] if request.system else []
    for m in request.messages:
        if m["role"] == "assistant" and m.get("tool_calls"):
            out.append(
                {
                    "role": "assistant",
                    "content": m.get("content"),
                    "tool_calls": [
                        {
                            "id": tc["id"],
                            "type": "function",
                            "function": {"name": tc["name"], "arguments": _arguments_text(tc["arguments"])},
                        }
                        for tc in m["tool_calls"]
                    ],
                }
            )
        elif m["role"] == "tool":
            out.append({"role": "tool", "tool_call_id": m["tool_call_id"], "content": m["content"]})
        else:
            out.append({"role": m["role"], "content": m["content"]})
    return out


def _arguments_text(arguments: Any) -> str:
    return arguments if isinstance(arguments, str) else orjson.dumps(arguments).decode()


def parse_tool_arguments(text: str | None) -> tuple[Any, str | None]:
    """Parsed JSON arguments, or the raw text and why it could not be parsed."""
    try:
        return orjson.loads(text or "{}"), None
    except orjson.JSONDecodeError as exc:
        return text, f"arguments are not valid JSON ({exc.msg})"


class OpenAIProvider(SDKProvider["openai.AsyncOpenAI"]):
    """A model behind the chat-completions API, through the official ``openai`` client."""

    provider = "openai"
    sdk = "openai"
    client_class = "AsyncOpenAI"

    async def warm_up(self) -> None:
        """Get the running loop's client ready (made, its first-use loading done) for one more user.

        Each ``warm_up`` is matched by one :meth:`aclose`; the client closes when its last user does.
        """
        split_params(self._clients.hold().chat.completions.create, {})  # the SDK imports its resources on first access
        self._sdk.types.chat.ChatCompletion.construct(**_CANNED_REPLY)  # and builds its reply types on the first reply

    async def complete(self, request: ModelRequest, *, timeout: float | None) -> ModelReply:
        """One chat completion; failures become :class:`ProviderError`."""
        kwargs: dict[str, Any] = {"model": self.model, "messages": to_openai_messages(request), **request.params}
        if request.tools:
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
                }
                for t in request.tools
            ]
        sdk = self._sdk
        create = self._clients.get().chat.completions.create
        try:
            response = await create(**split_params(create, kwargs), timeout=timeout)
        except (sdk.OpenAIError, ValueError) as exc:
            raise classify(exc, sdk) from exc
        choices = getattr(response, "choices", None)
        if not choices or getattr(choices[0], "message", None) is None:
            raise ProviderError("bad_response", "the reply has no choices/message")
        message = choices[0].message
        calls = []
        for tc in message.tool_calls or []:
            function = getattr(tc, "function", None)
            if function is None:
                continue
            arguments, problem = parse_tool_arguments(function.arguments)
            calls.append(RequestedToolCall(tc.id, function.name, arguments, problem))
        usage = Usage()
        if response.usage is not None:
            details = getattr(response.usage, "prompt_tokens_details", None)
            usage = Usage(
                input_tokens=response.usage.prompt_tokens or 0,
                output_tokens=response.usage.completion_tokens or 0,
                cached_tokens=(getattr(details, "cached_tokens", 0) or 0) if details else 0,
            )
        if message.content is None and not calls:
            raise ProviderError("bad_response", "the reply has neither text nor tool calls")
        return ModelReply(
            text=message.content,
            tool_calls=calls,
            usage=usage,
            finish_reason=choices[0].finish_reason,
            model=getattr(response, "model", None) or self.model,
        )
