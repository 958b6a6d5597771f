"""A pipeline without a model, for examples/support.toml: the first sentence of the item's context."""


def first_sentence(input: str, context: str | None) -> str:  # noqa: A002 - named after the item's field
    """The context's first sentence, or "I don't know." when the item has none."""
    return context.split(". ")[0] if context else "I don't know."
