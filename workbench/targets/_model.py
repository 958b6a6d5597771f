"""``model`` and ``agent`` targets: a provider's model with a versioned prompt, and optionally tools."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from workbench.errors import ValidationError
from workbench.prompts import Prompt
from workbench.providers._base import ModelReply, ModelRequest, Provider
from workbench.providers._context import CallContext
from workbench.providers._errors import ProviderError
from workbench.providers._keys import register_call_secrets
from workbench.providers._registry import make_provider, split_model
from workbench.secrets import HIDDEN, redact_obj, register_headers
from workbench.specs import Spec
from workbench.targets._base import Target
from workbench.targets._tools import Tool, as_tool
from workbench.targets._types import Item, PartialResultError, TargetResult, ToolCall

if TYPE_CHECKING:
    from pathlib import Path

    from workbench.project import Project


def default_name(model: str, prompt: str | None = None, *, agent: bool = False) -> str:
    """A model or agent target's name when none is given: ``[agent:]provider:model[/prompt@version]``.

    An agent's starts with ``agent:`` so that a model target and an agent on the same
    model and prompt never share a name (in run lists, leaderboards and trends).
    """
    return ("agent:" if agent else "") + (f"{model}/{prompt}" if prompt else model)


def _user_text(item: Item) -> str:
    return item.input if isinstance(item.input, str) else orjson.dumps(item.input).decode()


class ModelTarget(Target):
    """A provider's model answering each item through a prompt version.

    Without a prompt the item's ``input`` is sent as the user message (JSON text when
    it is not a string).
    """

    kind = "model"

    def __init__(
        self,
        model: str,
        *,
        prompt: str | Prompt | None = None,
        system: str | None = None,
        base_url: str | None = None,
        name: str | None = None,
        api_key: str | None = None,
        **params: Any,
    ) -> None:
        self.provider_name, self.model_name = split_model(model)
        self._api_key = api_key  # never in the spec
        self._default_headers: dict[str, str] = dict(params.pop("default_headers", None) or {})
        register_call_secrets(api_key=api_key, base_url=base_url, headers=self._default_headers)
        register_headers(params.get("extra_headers"))
        self.model = model
        self.prompt_ref = prompt
        self.prompt: Prompt | None = prompt if isinstance(prompt, Prompt) else None
        self.system = system
        self.base_url = base_url
        self.params = params
        self._name = name
        self._provider: Provider | None = None

    @property
    def name(self) -> str:  # type: ignore[override]
        """``provider:model`` plus ``/prompt@version`` unless named (``agent:`` first for an agent)."""
        if self._name:
            return self._name
        prompt = self.prompt.ref if self.prompt is not None else self.prompt_ref
        return default_name(self.model, prompt if isinstance(prompt, str) else None, agent=self.kind == "agent")

    def spec(self) -> Spec:
        """Model, base URL, prompt version (pinned once prepared), system text and params.

        Never a key, a header's value or a URL's user-info: those are redacted here, in memory.
        """
        prompt = self.prompt.ref if self.prompt else self.prompt_ref if isinstance(self.prompt_ref, str) else None
        params = self.params | ({"default_headers": self._default_headers} if self._default_headers else {})
        args = {"model": self.model, "base_url": self.base_url, "prompt": prompt, "system": self.system}
        return Spec(self.kind, self.name, dict(redact_obj({**args, "params": params})))

    def prepare(self, project: Project) -> None:
        """Pin the prompt version and make the provider (checking its key) before any call."""
        if isinstance(self.prompt_ref, str):
            self.prompt = project.prompt(self.prompt_ref)
        made, old = self._make_provider(project.root), self._provider
        same = (
            old is not None
            and type(made) is type(old)
            and made.spec() == old.spec()
            and getattr(made, "_api_key", None) == getattr(old, "_api_key", None)
        )
        if not same:  # an equal provider is kept: a run still going on this target keeps its client
            self._provider = made

    @property
    def provider(self) -> Provider:
        """The provider (made by :meth:`prepare`)."""
        if self._provider is None:
            self._provider = self._make_provider(None)
        return self._provider

    def _make_provider(self, root: Path | None) -> Provider:
        return make_provider(
            self.model, base_url=self.base_url, root=root, api_key=self._api_key, default_headers=self._default_headers
        )

    @property
    def checks_items(self) -> bool:
        """Only a prompt can refuse an item (a variable it lacks)."""
        return self.prompt is not None

    def check(self, item: Item) -> str | None:
        """Why the prompt cannot be rendered for this item, if it cannot."""
        if self.prompt is None:
            return None
        problems = self.prompt.check([item.fields()])
        return problems[0] if problems else None

    def first_request(self, item: Item) -> ModelRequest:
        """The request for an item: the rendered prompt, or the input as the user message."""
        if self.prompt is None:
            return ModelRequest([{"role": "user", "content": _user_text(item)}], system=self.system, params=self.params)
        rendered = self.prompt.render(item.fields())
        system = rendered.system if rendered.system is not None else self.system
        return ModelRequest([{"role": "user", "content": rendered.user}], system=system, params=self.params)

    def _account(self, result: TargetResult, reply: ModelReply, ctx: CallContext) -> None:
        result.usage.add(reply.usage)
        cost = None if reply.cache_hit else ctx.prices.cost(self.provider_name, self.model_name, reply.usage)
        if cost is not None:
            result.cost = (result.cost or 0.0) + cost
        elif reply.cache_hit and result.cost is None:
            result.cost = 0.0
        result.model = reply.model or self.model_name
        result.cache_hit = result.cache_hit or reply.cache_hit

    async def run(self, item: Item, ctx: CallContext) -> TargetResult:
        """One model call."""
        result = TargetResult(ai_generated=True, attempts=0)
        attempts = [0]
        try:
            reply = await ctx.complete(self.provider, self.first_request(item), attempts)
        except ProviderError as exc:  # keep the attempts made for the record
            raise PartialResultError(exc.kind, str(exc), result) from exc
        finally:
            result.attempts = attempts[0]
        self._account(result, reply, ctx)
        result.output = reply.text
        return result


class AgentTarget(ModelTarget):
    """A model that may call Python tools, looping until it answers or ``max_steps`` is reached.

    Every tool call is recorded (name, arguments, result or error, latency, step). A tool
    that raises, or arguments that break the tool's schema, become an error message fed
    back to the model and a recorded call, never a crashed run.
    """

    kind = "agent"

    def __init__(
        self,
        model: str,
        *,
        tools: Sequence[Tool | Callable[..., Any]],
        max_steps: int = 8,
        prompt: str | Prompt | None = None,
        system: str | None = None,
        base_url: str | None = None,
        name: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(model, prompt=prompt, system=system, base_url=base_url, name=name, **params)
        if max_steps < 1:
            raise ValidationError("max_steps must be at least 1")
        self.tools = {t.name: t for t in (as_tool(x) for x in tools)}
        self.max_steps = max_steps

    def spec(self) -> Spec:
        """The model target's spec plus tools (by import path) and max_steps."""
        tools = [t.describe() for t in self.tools.values()]
        return super().spec().replace(tools=tools, max_steps=self.max_steps)

    async def run(self, item: Item, ctx: CallContext) -> TargetResult:
        """Loop: ask the model, run the tools it calls, feed the results back."""
        request = self.first_request(item)
        request.tools = [t.spec() for t in self.tools.values()]
        result = TargetResult(ai_generated=True, attempts=0)
        attempts = [0]
        try:
            for step in range(1, self.max_steps + 1):
                reply = await ctx.complete(self.provider, request, attempts)
                self._account(result, reply, ctx)
                result.steps.append({"name": "model", "step": step, "tool_calls": len(reply.tool_calls)})
                if not reply.tool_calls:
                    result.output = reply.text
                    return result
                request.messages.append(
                    {
                        "role": "assistant",
                        "content": reply.text,
                        "tool_calls": [
                            {"id": c.id, "name": c.name, "arguments": c.arguments} for c in reply.tool_calls
                        ],
                    }
                )
                for call in reply.tool_calls:
                    record = await self._call_tool(call.name, call.arguments, call.parse_error, step, ctx)
                    record.call_id = call.id
                    result.tool_calls.append(record)
                    content = record.error if record.error is not None else _tool_text(record.result)
                    message: dict[str, Any] = {"role": "tool", "tool_call_id": call.id, "content": content}
                    if record.error is not None:
                        message["is_error"] = True
                    request.messages.append(message)
        except ProviderError as exc:
            raise PartialResultError(exc.kind, str(exc), result) from exc
        finally:
            result.attempts = attempts[0]
        raise PartialResultError("max_steps", f"no final answer within max_steps={self.max_steps}", result)

    async def _call_tool(
        self, name: str, arguments: Any, parse_error: str | None, step: int, ctx: CallContext
    ) -> ToolCall:
        tool = self.tools.get(name)
        if tool is None:
            return ToolCall(name, arguments, step, error=f"error: there is no tool named {name!r}", valid=False)
        if parse_error is not None:
            return ToolCall(name, arguments, step, error=f"error: {parse_error}", valid=False)
        checked, problem = tool.validate(arguments)
        if checked is None:
            return ToolCall(name, arguments, step, error=f"error: {problem}", valid=False)
        started = time.perf_counter()
        try:
            value = await tool.call(checked, ctx.executor)
        except Exception as exc:  # a tool's failure is fed back to the model
            latency = time.perf_counter() - started
            return ToolCall(name, arguments, step, error=f"error: {type(exc).__name__}: {exc}", latency_s=latency)
        latency = time.perf_counter() - started
        return ToolCall(name, arguments, step, result=_jsonable(value), latency_s=latency)


def _jsonable(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, default=str))


def _tool_text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value, default=str).decode()


def model(
    model: str, *, prompt: str | Prompt | None = None, system: str | None = None, base_url: str | None = None,
    name: str | None = None, api_key: str | None = None, **params: Any,
) -> ModelTarget:  # fmt: skip
    """A model target: ``model("openai:gpt-4o-mini", prompt="answer@2", temperature=0)``.

    Args:
        model: ``openai:NAME`` (any OpenAI-compatible server with ``base_url``) or ``anthropic:NAME``.
        prompt: a prompt reference (``"answer"``, ``"answer@2"``) or a :class:`Prompt`.
        system: system text when the prompt has none.
        base_url: the API's URL (default: the provider's, or ``$OPENAI_BASE_URL``/``$ANTHROPIC_BASE_URL``).
        name: the target's name (default: ``provider:model/prompt@version``).
        api_key: the key (default: ``$OPENAI_API_KEY``/``$ANTHROPIC_API_KEY`` or ``.env``); never stored.
        **params: request parameters (temperature, max_tokens, top_p, seed...), ``extra_headers``
            (per request) and ``default_headers`` (the client's); a run's manifest keeps the
            header names, never their values.
    """
    return ModelTarget(model, prompt=prompt, system=system, base_url=base_url, name=name, api_key=api_key, **params)


def agent(
    model: str, *, tools: Sequence[Tool | Callable[..., Any]], max_steps: int = 8, prompt: str | Prompt | None = None,
    system: str | None = None, base_url: str | None = None, name: str | None = None, **params: Any,
) -> AgentTarget:  # fmt: skip
    """An agent target: a model with Python tools, e.g. ``agent("anthropic:claude-sonnet-4-5", tools=[lookup])``.

    Its default name is ``agent:provider:model/prompt@version``, never a model target's.
    """
    return AgentTarget(
        model, tools=tools, max_steps=max_steps, prompt=prompt, system=system, base_url=base_url, name=name, **params
    )


def check_no_hidden_secret(spec: dict[str, Any]) -> None:
    """Refuse a spec whose header values or URL user-info were hidden when it was stored."""
    params = spec.get("params") or {}
    hidden = [
        f"{group} {name!r}"
        for group in ("extra_headers", "default_headers")
        for name, value in (params.get(group) or {}).items()
        if value == HIDDEN
    ]
    if f"://{HIDDEN}@" in (spec.get("base_url") or ""):
        hidden.append("the base_url's user-info")
    if hidden:
        raise ValidationError(
            f"target {spec.get('name')!r}: {', '.join(hidden)} are not stored in the run's manifest (secrets); "
            "pass target= to resume"
        )
