"""Jinja2 rendering of prompt texts: sandboxed, strict, containers shown as JSON.

Every dict, list and string of an item is wrapped in a subclass that knows its path
(``input.docs[2]``), so a missing value is reported as ``input.docs[2].title``
rather than Jinja's ``'dict object' has no attribute 'title'``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from jinja2 import StrictUndefined, Template, TemplateRuntimeError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from workbench.errors import WorkbenchError
from workbench.store import ITEM_FIELDS

FIELDS = ("item_id", *ITEM_FIELDS)
"""The item fields a template sees by name."""


class MissingValue(WorkbenchError, UndefinedError):
    """A template used a value the item does not have; ``path`` names it (``input.nope``)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no value for {path!r}")
        self.path = path


class _PathDict(dict[str, Any]):
    __slots__ = ("_wb_path",)

    def __init__(self, items: Iterable[tuple[str, Any]], path: str) -> None:
        super().__init__(items)
        self._wb_path = path


class _PathList(list[Any]):
    __slots__ = ("_wb_path",)

    def __init__(self, items: Iterable[Any], path: str) -> None:
        super().__init__(items)
        self._wb_path = path


class _PathStr(str):
    _wb_path: str

    def __new__(cls, value: str = "", path: str = "") -> _PathStr:
        self = super().__new__(cls, value)
        self._wb_path = path
        return self


def _child(path: str, key: object) -> str:
    if isinstance(key, str) and key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def _wrap(value: Any, path: str) -> Any:
    """``value`` with every dict and list inside it knowing its path."""
    if isinstance(value, Mapping):
        return _PathDict(((str(k), _wrap(v, _child(path, k))) for k, v in value.items()), path)
    if isinstance(value, list | tuple):
        return _PathList((_wrap(v, _child(path, i)) for i, v in enumerate(value)), path)
    if isinstance(value, str):
        return _PathStr(value, path)
    return value


def _missing_path(obj: Any, name: object) -> str:
    if obj is missing:
        return str(name)
    parent = getattr(obj, "_wb_path", None)
    if not (isinstance(parent, str) and parent):
        parent = "<" + next(c.__name__ for c in type(obj).__mro__ if not c.__name__.startswith("_")) + ">"
    return _child(parent, name)


class _PathUndefined(StrictUndefined):
    """``StrictUndefined`` whose error is a :class:`MissingValue` naming the full path.

    Printing, iterating or comparing a missing value is an error; testing it is not:
    ``{% if context %}`` is false for a missing ``context`` (as ``is defined`` and the
    ``default`` filter are), so an optional field has the form a newcomer guesses first.
    """

    __slots__ = ()

    def __bool__(self) -> bool:  # type: ignore[override] # StrictUndefined's raises
        return False

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[TemplateRuntimeError] = UndefinedError,
    ) -> None:
        if hint is None and exc is UndefinedError:
            exc = MissingValue
        super().__init__(hint, obj, name, exc)

    @property
    def _undefined_message(self) -> str:
        if self._undefined_exception is MissingValue:
            return _missing_path(self._undefined_obj, self._undefined_name)
        return super()._undefined_message


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()


def _finalize(value: Any) -> Any:
    """Show dicts and lists as compact JSON, not as Python reprs."""
    return _json(value) if isinstance(value, dict | list | tuple) else value


def _tojson(value: Any, indent: int | None = None) -> str:
    """``tojson`` without Jinja's HTML escaping (a prompt is not HTML)."""
    if indent is None:
        return _json(value)
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)


ENV = SandboxedEnvironment(
    undefined=_PathUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    finalize=_finalize,
)
ENV.filters["tojson"] = _tojson


@functools.lru_cache(maxsize=512)
def compile_text(text: str) -> Template:
    """The compiled template of ``text`` (raises ``TemplateSyntaxError``)."""
    return ENV.from_string(text)


def variables_of(*texts: str | None) -> list[str]:
    """Sorted top-level names the texts read from the rendering context."""
    names: set[str] = set()
    for text in texts:
        if text is not None:
            names |= meta.find_undeclared_variables(ENV.parse(text))
    return sorted(names - set(ENV.globals))


def context_of(item: Mapping[str, Any]) -> dict[str, Any]:
    """The rendering context of an item: its fields, plus the keys of a dict ``input``.

    A field that is absent or ``None`` is left out, so printing it is an error; an
    optional one is written ``{{ context | default('') }}`` or
    ``{% if context %}...{% endif %}`` (see :func:`optional_hint`). Keys of
    ``input`` never hide a field name or a Jinja global (``range``, ``dict``...).
    """
    ctx: dict[str, Any] = {}
    value = item.get("input")
    if isinstance(value, Mapping):
        for key, v in value.items():
            if isinstance(key, str) and key not in FIELDS and key not in ENV.globals:
                ctx[key] = _wrap(v, key)
    for field in FIELDS:
        v = item.get(field)
        if v is not None:
            ctx[field] = _wrap(v, field)
    return ctx


_PLAIN_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")


def optional_hint(path: str) -> str:
    """How to make the missing value ``path`` optional, for an error message.

    A plain path (``context``, ``input.source``) gets the exact text to write; any other
    (``context[0].author``, inside a loop) the general form.
    """
    if _PLAIN_PATH.match(path):
        return f"if it is optional, write {{{{ {path} | default('') }}}} or {{% if {path} %}}...{{% endif %}}"
    return "if it is optional, add | default('') where the template prints it, or test it with {% if ... %}"


def render_text(text: str, context: Mapping[str, Any]) -> str:
    """Render ``text`` with ``context`` (raises ``MissingValue`` or another Jinja error)."""
    return compile_text(text).render(context)
