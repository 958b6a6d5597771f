"""``function`` targets: any Python callable, sync or async (a pipeline, a "workflow")."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any

from workbench._objects import import_path
from workbench.errors import InvalidTypeError
from workbench.providers._context import CallContext
from workbench.specs import Spec
from workbench.targets._base import Target
from workbench.targets._types import Item, TargetResult

ITEM_PARAMS = ("item", "input", "expected_output", "context", "metadata", "item_id", "output")


class FunctionTarget(Target):
    """Calls a Python function on each item.

    The function gets the item's ``input`` as its first argument, or what it asks for
    by name among ``item`` (the whole :class:`Item`), ``input``, ``expected_output``,
    ``context``, ``metadata``, ``item_id`` and ``output``. It returns the output, or a
    :class:`TargetResult` to report tokens, cost or tool calls too. A sync function runs
    in a worker thread (so blocking I/O does not stall the run) unless ``threaded=False``.
    """

    kind = "function"

    def __init__(self, fn: Callable[..., Any], *, name: str | None = None, threaded: bool = True) -> None:
        if not callable(fn):
            raise InvalidTypeError(f"targets.function needs a callable, got {type(fn).__name__}")
        self.fn = fn
        self.name = str(name or getattr(fn, "__name__", "function"))
        call_method = None if inspect.isroutine(fn) else type(fn).__call__  # a callable object's method
        self.is_async = inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(call_method)
        self.threaded = threaded and not self.is_async
        params = [p for p in inspect.signature(fn).parameters.values() if p.kind is not p.VAR_KEYWORD]
        named = [p.name for p in params if p.name in ITEM_PARAMS]
        self._by_name = named if named else None
        if not named and not params:
            raise InvalidTypeError(f"target {self.name}: the function must take the item or its input")

    def spec(self) -> Spec:
        """Kind ``function`` and the import path (so a resumed run can import the function again)."""
        return Spec(self.kind, self.name, {"function": import_path(self.fn), "threaded": self.threaded})

    def _arguments(self, item: Item) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if self._by_name is None:
            return (item.input,), {}
        fields = item.fields() | {"item": item}
        return (), {k: fields[k] for k in self._by_name}

    async def run(self, item: Item, ctx: CallContext) -> TargetResult:
        """Call the function (in a thread when it is sync and threaded)."""
        args, kwargs = self._arguments(item)
        if self.is_async:
            value = await self.fn(*args, **kwargs)
        elif self.threaded:
            call = functools.partial(contextvars.copy_context().run, self.fn, *args, **kwargs)
            value = await asyncio.get_running_loop().run_in_executor(ctx.executor, call)
        else:
            value = self.fn(*args, **kwargs)
        if inspect.isawaitable(value):
            value = await value
        if isinstance(value, TargetResult):
            return value
        return TargetResult(output=value)


def function(fn: Callable[..., Any], *, name: str | None = None, threaded: bool = True) -> FunctionTarget:
    """A target that calls ``fn`` on each item; see :class:`FunctionTarget`."""
    return FunctionTarget(fn, name=name, threaded=threaded)
