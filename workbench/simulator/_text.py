"""Text heuristics of the simulated model: keywords, answer hints, context passages, quotes."""

from __future__ import annotations

import re
from collections.abc import Iterable

STOPWORDS = frozenset(
    {
        "a",
        "about",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "get",
        "give",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "please",
        "show",
        "tell",
        "that",
        "the",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    }
)
"""Words that never make a tool relevant to a message."""

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_HINT = re.compile(r"^\s*answer\s*:[ \t]*(\S.*?)\s*$", re.IGNORECASE | re.MULTILINE)
_CONTEXT_LABEL = re.compile(r"^\s*(?:context|background|document|passage|reference)\s*:", re.IGNORECASE | re.MULTILINE)
_CONTEXT_END = re.compile(r"\n\s*\n|\n\s*(?:question|answer|q|a|instructions?|task|input)\s*:", re.IGNORECASE)
_CONTEXT_TAG = re.compile(r"<(context|document)>(.*?)</\1>", re.IGNORECASE | re.DOTALL)
_QUESTION_LABEL = re.compile(r"^\s*(?:question|q|input)\s*:[ \t]*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<!\w)'([^']+)'(?!\w)")
_REWRITE_VERBS = re.compile(r"\b(summari[sz]e|summary|shorten|condense|paraphrase|rewrite|repeat)\b", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening))\b[\s!.,]*$", re.IGNORECASE)


def keywords(text: str) -> set[str]:
    """The content words of a text, lower-cased and crudely stemmed (``orders`` -> ``order``).

    ``snake_case`` and ``camelCase`` names are split into their words.
    """
    words: set[str] = set()
    for raw in _WORD.findall(_CAMEL.sub(" ", text.replace("_", " "))):
        word = raw.lower()
        if word in STOPWORDS:
            continue
        words.add(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return words


def answer_hint(texts: Iterable[str]) -> str | None:
    """The last non-empty ``Answer: ...`` line of the texts, if any (a scripted expected answer)."""
    hints = [match.group(1) for text in texts for match in _HINT.finditer(text)]
    return hints[-1] if hints else None


def split_context(text: str) -> tuple[str | None, str]:
    """Separate a ``Context: ...`` passage (or ``<context>...</context>``) from the rest of a text.

    Args:
        text: A system prompt or user message.

    Returns:
        The context passage (``None`` if there is none) and the text without it.
    """
    tagged = _CONTEXT_TAG.search(text)
    if tagged:
        return tagged.group(2).strip(), (text[: tagged.start()] + text[tagged.end() :]).strip()
    label = _CONTEXT_LABEL.search(text)
    if not label:
        return None, text
    end = _CONTEXT_END.search(text, label.end())
    stop = end.start() if end else len(text)
    passage = text[label.end() : stop].strip()
    return (passage or None), (text[: label.start()] + text[stop:]).strip()


def question_of(text: str) -> str:
    """The question in a user message: a ``Question: ...`` line if there is one, else the whole text."""
    match = _QUESTION_LABEL.search(text)
    return match.group(1) if match else text.strip()


def sentences(text: str) -> list[str]:
    """Split a passage into sentences (on ``.``, ``!`` or ``?`` followed by space)."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def best_sentence(passage: str, question: str) -> str:
    """The sentence of ``passage`` sharing most keywords with ``question`` (the first on a tie)."""
    wanted = keywords(question)
    candidates = sentences(passage) or [passage.strip()]
    return max(candidates, key=lambda sentence: len(keywords(sentence) & wanted))


def quoted_passage(text: str) -> str | None:
    """For a request to summarise or rewrite a quoted passage, the passage's first sentence."""
    if not _REWRITE_VERBS.search(text):
        return None
    for match in _QUOTED.finditer(text):
        quote = next(group for group in match.groups() if group is not None)
        if len(quote.split()) >= 4:
            return sentences(quote)[0]
    return None


def is_greeting(text: str) -> bool:
    """Whether the text is only a greeting ("Hi!", "good morning")."""
    return bool(_GREETING.match(text))
