"""Prompts: named Jinja2 templates with immutable integer versions.

A prompt version holds the template (the user message), an optional system text,
a note and the variables it uses. ``PromptStore.create`` writes version 1, 2, 3...
(or returns the latest version when its texts are unchanged); ``get("name@2")``
reads one back; ``Prompt.render(item)`` fills it from an item's fields, and
``check(prompt, items)`` lists every item that cannot be rendered before a run
makes its first model call.

A field an item may lack is written ``{{ context | default('') }}`` or
``{% if context %}Context: {{ context }}{% endif %}``; printing a missing field is an
error naming the item, the variable and that fix.

Examples:
    >>> store = PromptStore(Path("store/prompts"))  # doctest: +SKIP
    >>> p = store.create("answer", "Question: {{ question }}", system="Be brief.")  # doctest: +SKIP
    >>> p.render({"item_id": "q1", "input": {"question": "2+2?"}}).user  # doctest: +SKIP
    'Question: 2+2?'
"""

from workbench.prompts._prompt import Prompt, RenderedPrompt, check
from workbench.prompts._store import PromptRef, PromptStore, parse_ref

__all__ = [
    "Prompt",
    "PromptRef",
    "PromptStore",
    "RenderedPrompt",
    "check",
    "parse_ref",
]
