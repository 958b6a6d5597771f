"""Python functions as tools an agent can call: schema from type hints and docstrings."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_type_hints

import orjson

from workbench._objects import import_path
from workbench.providers._base import ToolSpec

if TYPE_CHECKING:
    import pydantic


def _strip_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


@dataclass
class Tool:
    """A callable offered to a model, with the JSON Schema of its arguments."""

    fn: Callable[..., Any]
    name: str
    description: str
    model: type[pydantic.BaseModel]

    @classmethod
    def from_function(cls, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None) -> Tool:
        """Build a tool from a function's signature, type hints and (Google/NumPy/reST) docstring."""
        import docstring_parser  # imported when needed, like pydantic: both slow `import workbench` down
        import pydantic

        doc = docstring_parser.parse(inspect.getdoc(fn) or "")
        helps = {p.arg_name: p.description or "" for p in doc.params}
        hints = get_type_hints(fn)
        fields: dict[str, Any] = {}
        for param in inspect.signature(fn).parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            annotation = hints.get(param.name, Any)
            default = ... if param.default is param.empty else param.default
            fields[param.name] = (annotation, pydantic.Field(default, description=helps.get(param.name) or None))
        tool_name = name or fn.__name__
        model = pydantic.create_model(f"{tool_name}_arguments", **fields)
        text = description or "\n\n".join(t for t in (doc.short_description, doc.long_description) if t)
        return cls(fn, tool_name, text or tool_name, model)

    @property
    def parameters(self) -> dict[str, Any]:
        """JSON Schema of the arguments."""
        schema: dict[str, Any] = _strip_titles(self.model.model_json_schema())
        return schema

    def spec(self) -> ToolSpec:
        """What the model is shown."""
        return ToolSpec(self.name, self.description, self.parameters)

    def describe(self) -> dict[str, Any]:
        """JSON-ready description for a run's manifest (with the import path to find it again)."""
        return {"name": self.name, "function": import_path(self.fn)}

    def validate(self, arguments: Any) -> tuple[dict[str, Any] | None, str | None]:
        """The validated arguments, or why they do not match the schema."""
        if not isinstance(arguments, dict):
            return None, f"arguments must be a JSON object, got {type(arguments).__name__}"
        import pydantic

        try:  # strict, JSON mode: "3" is not an integer, but an ISO string is a datetime
            parsed = self.model.model_validate_json(orjson.dumps(arguments, default=str), strict=True)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors()
            )
            return None, f"arguments do not match the schema of {self.name}: {problems}"
        extra = sorted(set(arguments) - set(type(parsed).model_fields))
        if extra:
            return None, f"unknown argument {extra[0]!r} for {self.name}"
        return {k: getattr(parsed, k) for k in type(parsed).model_fields}, None

    async def call(self, arguments: dict[str, Any], executor: Executor | None = None) -> Any:
        """Run the tool (a sync function in a worker thread)."""
        if inspect.iscoroutinefunction(self.fn):
            return await self.fn(**arguments)
        call = functools.partial(contextvars.copy_context().run, self.fn, **arguments)
        value = await asyncio.get_running_loop().run_in_executor(executor, call)
        return await value if inspect.isawaitable(value) else value


def as_tool(value: Tool | Callable[..., Any]) -> Tool:
    """A :class:`Tool` from a tool or a plain function."""
    return value if isinstance(value, Tool) else Tool.from_function(value)
