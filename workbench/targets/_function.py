"""``function`` targets: any Python callable, sync or async (a pipeline, a "workflow").

How a function receives its item is decided once, from its signature:

- **the input as first argument** — a function with one parameter (any name that is not
  a field's: ``f(x)``, ``f(question)``, ``f(row)``), or one required parameter and others
  with defaults, gets the item's ``input``;
- **by parameter name** — as soon as a parameter is named after a field (``item``,
  ``input``, ``expected_output``, ``context``, ``metadata``, ``item_id``, ``output``), or
  the function needs two or more arguments, each parameter gets the field of its name
  (``item`` is the whole :class:`Item`), else the key of that name in an object
  ``input`` (``f(question, context)`` over ``{"question": ...}`` inputs, as prompt
  templates do), else its default.

A parameter that cannot be filled is an error naming the function, the parameter, the
item's fields and input keys and the forms that work, and so is the usual slip of
indexing the input as if it were the item (``f(row)`` reading ``row["input"]``).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from workbench._objects import import_path
from workbench.errors import InvalidTypeError
from workbench.providers._context import CallContext
from workbench.records import ITEM_FIELDS
from workbench.specs import Spec
from workbench.targets._base import Target
from workbench.targets._types import Item, TargetResult

ITEM_PARAMS = ("item", "input", "expected_output", "context", "metadata", "item_id", "output")
"""The parameter names a function target is given by name (``item`` is the whole :class:`Item`)."""

_ITEM_KEYS = frozenset(("item_id", *ITEM_FIELDS))
_UNSET = object()


def _describe(value: Any) -> str:
    """What a value is, for an error: ``a dict with keys question, lang``, ``a str``..."""
    if isinstance(value, Mapping):
        keys = ", ".join(str(k) for k in list(value)[:8]) + (", ..." if len(value) > 8 else "")
        return f"a {type(value).__name__} with keys {keys}" if keys else f"an empty {type(value).__name__}"
    return "None" if value is None else f"a {type(value).__name__}"


def _raised_in(exc: BaseException, code: object) -> bool:
    """Whether ``exc`` was raised by the function's own code (not deeper, in what it called)."""
    tb: TracebackType | None = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code is code


class FunctionTarget(Target):
    """Calls a Python function on each item.

    The function gets the item's ``input`` as its first argument (``f(x)``), or what it
    asks for by name: ``item`` (the whole :class:`Item`, a read-only mapping:
    ``item["input"]``, ``item.input``), ``input``, ``expected_output``, ``context``,
    ``metadata``, ``item_id``, ``output``, or a key of an object input
    (``f(question, context)``). See the module's notes for the exact rule. It returns the
    output, or a :class:`TargetResult` to report tokens, cost or tool calls too. A sync
    function runs in a worker thread (so blocking I/O does not stall the run) unless
    ``threaded=False``.
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
        self._code = getattr(call_method or fn, "__code__", None)
        fn_name = getattr(fn, "__name__", None) or type(fn).__name__
        self._params: list[inspect.Parameter] | None = None
        self._first = "x"
        self._shown = f"{fn_name}(...)"
        try:
            signature = inspect.signature(fn)
        except (TypeError, ValueError):  # a builtin without a signature: give it the input
            return
        every = list(signature.parameters.values())
        params = [p for p in every if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        required = [p for p in params if p.default is p.empty]
        by_name = any(p.name in ITEM_PARAMS for p in params) or len(required) > 1
        self._params = params if by_name else None
        self._first = params[0].name if params else "x"
        self._shown = f"{fn_name}({', '.join(p.name for p in every)})"
        if not by_name and not params and not any(p.kind is p.VAR_POSITIONAL for p in every):
            raise InvalidTypeError(
                f"target {self.name}: {self._shown} takes no argument; write {fn_name}(input) to get the item's "
                f"input, {fn_name}(item) to get the whole item, or name parameters after its fields "
                f"({', '.join(ITEM_PARAMS[1:])})"
            )

    def spec(self) -> Spec:
        """Kind ``function`` and the import path (so a resumed run can import the function again)."""
        return Spec(self.kind, self.name, {"function": import_path(self.fn), "threaded": self.threaded})

    def _value(self, param: inspect.Parameter, item: Item) -> Any:
        """The value of one by-name parameter: a field, else a key of an object input, else unset."""
        if param.name == "item":
            return item
        if param.name in ITEM_PARAMS:
            return getattr(item, param.name)
        if isinstance(item.input, Mapping) and param.name in item.input:
            return item.input[param.name]
        return _UNSET

    def _unbound(self, param: inspect.Parameter, item: Item) -> InvalidTypeError:
        fn_name = self._shown.split("(", 1)[0]
        return InvalidTypeError(
            f"target {self.name}: {self._shown} asks for {param.name!r}, which is not a field of the item "
            f"({', '.join(ITEM_PARAMS)}) nor a key of its input ({_describe(item.input)}); write "
            f"{fn_name}(item) and read item['input'], {fn_name}(input) for the input alone, or name each "
            "parameter after a field or an input key"
        )

    def _arguments(self, item: Item) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if self._params is None:
            return (item.input,), {}
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        positional = True  # positional-only parameters are passed in order, up to the first left to its default
        for param in self._params:
            value = self._value(param, item)
            if value is _UNSET:
                if param.default is param.empty:
                    raise self._unbound(param, item)
                positional = positional and param.kind is not param.POSITIONAL_ONLY
                continue
            if param.kind is param.POSITIONAL_ONLY:
                if not positional:
                    raise self._unbound(param, item)
                args.append(value)
            else:
                kwargs[param.name] = value
        return tuple(args), kwargs

    def _misread(self, exc: BaseException, item: Item) -> InvalidTypeError | None:
        """The slip of reading the input as if it were the item (``row["input"]``), explained; else ``None``."""
        if self._params is not None or self._code is None or not _raised_in(exc, self._code):
            return None
        key = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
        slip = (isinstance(key, str) and key in _ITEM_KEYS) or (
            isinstance(exc, TypeError)
            and not isinstance(item.input, Mapping)
            and str(exc).endswith(("not str", "not 'str'", "not subscriptable"))
        )
        if not slip:
            return None
        fn_name = self._shown.split("(", 1)[0]
        what = f"KeyError {exc.args[0]!r}" if isinstance(exc, KeyError) else f"TypeError: {exc}"
        return InvalidTypeError(
            f"target {self.name}: {self._shown} is given the item's input ({_describe(item.input)}), not the "
            f"item, so {self._first!r} has no item fields ({what}); write {fn_name}(item) to get the whole "
            "item (item['input'], item['expected_output']...) or name parameters after fields"
        )

    async def run(self, item: Item, ctx: CallContext) -> TargetResult:
        """Call the function (in a thread when it is sync and threaded)."""
        args, kwargs = self._arguments(item)
        try:
            if self.is_async:
                value = await self.fn(*args, **kwargs)
            elif self.threaded:
                call = functools.partial(contextvars.copy_context().run, self.fn, *args, **kwargs)
                value = await asyncio.get_running_loop().run_in_executor(ctx.executor, call)
            else:
                value = self.fn(*args, **kwargs)
            if inspect.isawaitable(value):
                value = await value
        except (KeyError, TypeError) as exc:
            explained = self._misread(exc, item)
            if explained is None:
                raise
            raise explained from exc
        if isinstance(value, TargetResult):
            return value
        return TargetResult(output=value)


def function(fn: Callable[..., Any], *, name: str | None = None, threaded: bool = True) -> FunctionTarget:
    """A target that calls ``fn`` on each item; see :class:`FunctionTarget`."""
    return FunctionTarget(fn, name=name, threaded=threaded)
