"""``Prompt`` (one immutable version of a named template) and ``RenderedPrompt``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateError

from workbench._html import facts_html, pre_html
from workbench.errors import ValidationError
from workbench.prompts._render import MissingValue, context_of, optional_hint, render_text


@dataclass(frozen=True)
class RenderedPrompt:
    """The texts a model receives: an optional system message and the user message."""

    system: str | None
    user: str

    def messages(self) -> list[dict[str, str]]:
        """Chat messages: ``[{"role": "system", ...}, {"role": "user", ...}]``."""
        head = [{"role": "system", "content": self.system}] if self.system is not None else []
        return [*head, {"role": "user", "content": self.user}]


@dataclass(frozen=True)
class Prompt:
    """One version of a named prompt; never changes once stored.

    Attributes:
        name: the prompt's name.
        version: 1, 2, 3... in order of creation.
        template: the user message, a Jinja2 template.
        system: the system message (also a template), or ``None``.
        note: free text about this version.
        variables: sorted top-level names the template and system text use
            (``input``, ``context``, ``question``...).
        created_at: UTC time of creation, ISO 8601.
    """

    name: str
    version: int
    template: str
    system: str | None
    note: str
    variables: list[str] = field(hash=False)
    created_at: str

    @property
    def ref(self) -> str:
        """``"name@version"``: what :meth:`PromptStore.get` and run configs take."""
        return f"{self.name}@{self.version}"

    def __repr__(self) -> str:
        return f"Prompt({self.ref!r}, variables={self.variables!r}, note={self.note!r})"

    def _repr_html_(self) -> str:
        facts = [("variables", ", ".join(self.variables)), ("note", self.note), ("created", self.created_at)]
        texts = ([("system", self.system)] if self.system is not None else []) + [("template", self.template)]
        blocks = "".join(f"<div><i>{name}</i>{pre_html(text)}</div>" for name, text in texts)
        return facts_html("Prompt", self.ref, facts, extra=blocks)

    def render(self, item: Mapping[str, Any] | None = None, /, **fields: Any) -> RenderedPrompt:
        """Render the system text and the template for one item.

        Args:
            item: an item (``ds.item(id)``) or any mapping of its fields: ``input``,
                ``expected_output``, ``context``, ``metadata``, ``output``,
                ``item_id``, as decoded JSON; other keys are ignored.
            fields: fields given by keyword; they win over ``item``'s.

        Raises:
            ValidationError: a value the template uses is missing (the message names
                the prompt, the item and the variable, e.g. ``input.nope``, and how to
                make it optional: ``{{ input.nope | default('') }}``) or the template
                fails on this item.

        Examples:
            >>> p.render({"item_id": "q1", "input": {"question": "2+2?"}}).user  # doctest: +SKIP
            'Answer: 2+2?'
        """
        merged = {**(item or {}), **fields}
        return self._render(merged, _item_label(merged, None))

    def check(self, items: Iterable[Mapping[str, Any]]) -> list[str]:
        """One problem per item that cannot be rendered (empty when all can)."""
        return check(self, items)

    def _render(self, item: Mapping[str, Any], label: str | None) -> RenderedPrompt:
        ctx = context_of(item)
        system = None if self.system is None else self._render_one(self.system, ctx, label, " (system text)")
        return RenderedPrompt(system=system, user=self._render_one(self.template, ctx, label, ""))

    def _render_one(self, text: str, ctx: Mapping[str, Any], label: str | None, where: str) -> str:
        subject = f"prompt {self.ref}: " + (f"item {label} " if label else "")
        try:
            return render_text(text, ctx)
        except MissingValue as exc:
            what = "has no value" if label else "no value"
            raise ValidationError(f"{subject}{what} for {exc.path!r}{where}; {optional_hint(exc.path)}") from None
        except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
            what = "cannot be rendered" if label else "cannot render"
            raise ValidationError(f"{subject}{what}{where}: {exc}") from None


def _item_label(item: Mapping[str, Any], position: int | None) -> str | None:
    item_id = item.get("item_id")
    if item_id is not None:
        return repr(item_id)
    return None if position is None else f"#{position}"


def check(prompt: Prompt, items: Iterable[Mapping[str, Any]]) -> list[str]:
    """Render ``prompt`` for every item; return one message per item that fails.

    A run calls this before its first model call and refuses to start when the
    list is not empty, so every item that cannot render is reported at once.
    Items without ``item_id`` are named by position (``#1`` is the first).
    """
    problems: list[str] = []
    for position, item in enumerate(items, start=1):
        try:
            prompt._render(item, _item_label(item, position))  # noqa: SLF001 - same package
        except ValidationError as exc:
            problems.append(str(exc))
    return problems
