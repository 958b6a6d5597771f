"""The simulated LLM judge: a verdict in exactly the JSON a judge request asks for.

A request is a judge request when it says what JSON to reply with, in either of two ways:

* the reply-format instructions the workbench's judges send in their system message
  (``{"verdict": "pass" | "fail", ...}``, ``{"score": <int 1..5>, ...}``,
  ``{"label": "good" | "bad", ...}`` or ``a JSON object matching this JSON Schema ...: {...}``),
  also found in a user message (the judge's "reply again" note);
* an OpenAI ``response_format`` of type ``json_schema`` (or ``json_object``).

The verdict compares the sections of the judge prompt, found by their labels at the
start of a line (``Question:``, ``Reference answer:``/``Expected:``, ``Context:``,
``Answer to judge:``/``Answer:``/``Output:``/``Response:``, ``...criteria:``) or by
tags (``<answer>...</answer>``). JSON section values (a rendered dict) count by their
values. In this order:

1. a reference answer: *correctness*, the share of the reference's content words found
   in the answer (1 when the answer contains the reference); it passes at 60%;
2. a context: *faithfulness*; each sentence of the answer is a claim, unsupported when
   less than 75% of its content words are in the context; the fraction is the supported
   share (1 for an answer without claims, such as "I don't know"), and it passes when
   every claim is supported;
3. a question: *relevancy*, 0 for an empty answer or "I don't know", 0.25 when the
   answer shares no content word with the question, else 0.5 + half the share of the
   question's words it uses; it passes at 0.5;
4. criteria only: the same measure against the criteria's words;
5. only an answer, or no labelled section at all: 0.75 (a pass) unless the answer (or
   the whole prompt) declines to answer ("I don't know"), then 0.

That fraction f in 0..1 becomes the requested shape: ``pass``/``fail``; a score
``lo + f * (hi - lo)`` (rounded on an integer scale); a label (the labels ordered best
first: known good words such as ``correct``/``pass``/``good`` before bad ones, else as
listed); or an object filled from the JSON Schema (``claims``/``unsupported_claims``
lists, a ``score`` in 0..1, a boolean for ``pass``, a text for ``reason``...).
It is a simulation, deterministic, and the same for every model name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.simulator._conversation import Conversation
from workbench.simulator._replies import TextReply
from workbench.simulator._request import SimRequest
from workbench.simulator._text import STOPWORDS, sentences

CORRECT_SHARE = 0.6
"""An answer holding at least this share of the reference's content words passes (a lenient judge)."""
SUPPORTED_SHARE = 0.75
"""A claim (and an answer) is supported when this share of its content words is in the context."""

ShapeKind = Literal["pass_fail", "score", "label", "schema", "json"]

_PASS_FAIL = re.compile(r'"verdict"\s*:\s*"pass"\s*\|\s*"fail"')
_SCORE = re.compile(r'"score"\s*:\s*<\s*(int|number)\s+(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*>')
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_LABEL = re.compile(rf'"label"\s*:\s*((?:{_QUOTED}\s*\|\s*)*{_QUOTED})')
_SCHEMA = re.compile(r"JSON Schema[^:\n]{0,80}:\s*(?=\{)")
_LINE_LABEL = re.compile(
    r"^[ \t]*(?:#+[ \t]*)?\**([A-Za-z][A-Za-z0-9 _'()/-]{0,60}?)\**[ \t]*:[ \t]*(.*)$", re.MULTILINE
)
_TAG = re.compile(r"<([A-Za-z][A-Za-z_ -]{0,30})>(.*?)</\1>", re.DOTALL)
_WORD = re.compile(r"[a-z0-9]+(?:[-.'][a-z0-9]+)*")
_INSTRUCTION = re.compile(
    r"^(explain|judge|grade|rate|reply|respond|return|decide|give|consider|think|evaluate|assess|check|remember"
    r"|note|use|provide|make sure|format|please|do not|don't)\b",
    re.IGNORECASE,
)
_ABSTAIN = re.compile(
    r"^\W*(i\s+(do\s*n[o']?t|don't|cannot|can't)\s+(know|say|tell|answer)|not\s+sure|unknown|n/?a|no\s+idea)\b",
    re.IGNORECASE,
)
_ABSTAIN_ANYWHERE = re.compile(r"\bi\s+(do\s*n[o']?t|don't|cannot|can't)\s+(know|say|tell|answer)\b", re.IGNORECASE)
_GOOD = frozenset(
    {
        "pass",
        "passed",
        "correct",
        "right",
        "good",
        "excellent",
        "great",
        "yes",
        "true",
        "accurate",
        "relevant",
        "faithful",
        "supported",
        "grounded",
        "complete",
        "helpful",
        "safe",
        "positive",
        "acceptable",
    }
)
_BAD = frozenset(
    {
        "fail",
        "failed",
        "incorrect",
        "wrong",
        "bad",
        "poor",
        "no",
        "false",
        "inaccurate",
        "irrelevant",
        "unfaithful",
        "unsupported",
        "hallucinated",
        "hallucination",
        "incomplete",
        "unhelpful",
        "unsafe",
        "negative",
        "unacceptable",
    }
)
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("criteria", re.compile(r"\b(criteria|criterion|rubric)\s*$")),
    ("expected", re.compile(r"\b(reference|expected|gold|ground truth|ideal|correct answer|target answer)\b")),
    ("context", re.compile(r"\b(context|contexts|documents?|passages?|sources?|evidence|retrieved)\b")),
    ("output", re.compile(r"\b(answer|output|response|completion|submission|prediction|generation|reply)\b")),
    ("question", re.compile(r"\b(question|input|query|prompt|request|task)\b|^q$")),
    ("output", re.compile(r"^a$")),
)
_MAX_LABEL_WORDS = 4


@dataclass(frozen=True)
class Shape:
    """The JSON a judge request asks for.

    Attributes:
        kind: ``pass_fail``, ``score``, ``label``, ``schema`` or ``json`` (any JSON object).
        low: The low end of a score scale.
        high: The high end of a score scale.
        integer: Whether the score is an integer.
        labels: The allowed labels, as listed.
        schema: The JSON Schema of a ``schema`` shape.
    """

    kind: ShapeKind
    low: float = 0.0
    high: float = 1.0
    integer: bool = True
    labels: tuple[str, ...] = ()
    schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """What the simulated judge decided, before it is written in the requested shape.

    Attributes:
        fraction: How good the answer is, 0..1.
        passed: Whether it passes.
        reason: A short explanation.
        claims: The answer's sentences that state something.
        unsupported: The claims the context (or reference) does not support.
    """

    fraction: float
    passed: bool
    reason: str
    claims: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()


def find_shape(request: SimRequest) -> Shape | None:
    """The JSON shape a request asks for, or ``None`` when it is not a judge request."""
    response_format = request.body.get("response_format")
    if isinstance(response_format, Mapping):
        kind = response_format.get("type")
        if kind == "json_schema":
            spec = response_format.get("json_schema")
            schema = spec.get("schema") if isinstance(spec, Mapping) else None
            if isinstance(schema, Mapping):
                return Shape("schema", schema=schema)
    conversation = request.conversation
    user_texts = [t.text for t in reversed(conversation.turns) if t.role == "user"]
    for text in (conversation.system, *user_texts):
        shape = shape_in(text)
        if shape is not None:
            return shape
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_object":
        return Shape("json")
    return None


def shape_in(text: str) -> Shape | None:
    """The reply shape described in a text (a judge's reply-format instructions), if any."""
    if _PASS_FAIL.search(text):
        return Shape("pass_fail")
    score = _SCORE.search(text)
    if score:
        low, high = float(score.group(2)), float(score.group(3))
        if low < high:
            return Shape("score", low=low, high=high, integer=score.group(1) == "int")
    label = _LABEL.search(text)
    if label:
        labels = tuple(str(json.loads(q)) for q in re.findall(_QUOTED, label.group(1)))
        return Shape("label", labels=labels)
    schema = _SCHEMA.search(text)
    if schema:
        try:
            value, _ = json.JSONDecoder().raw_decode(text, schema.end())
        except ValueError:
            return None
        if isinstance(value, dict):
            return Shape("schema", schema=value)
    return None


def judge_reply(request: SimRequest) -> TextReply | None:
    """The simulated judge's JSON reply to a judge request, or ``None`` for any other request."""
    shape = find_shape(request)
    if shape is None:
        return None
    verdict = decide(judge_sections(request.conversation))
    return TextReply(json.dumps(render(shape, verdict), ensure_ascii=False))


# -- reading the judge prompt --------------------------------------------------------


def judge_sections(conversation: Conversation) -> dict[str, str]:
    """The labelled sections of the judge prompt: ``question``, ``expected``, ``context``, ``output``, ``criteria``.

    The prompt is the first user message (a retry adds notes after it); failing that, the system text.
    """
    first_user = next((t.text for t in conversation.turns if t.role == "user"), "")
    found = sections(first_user) or sections(conversation.system)
    return found or {"prompt": first_user}


def role_of(label: str) -> str | None:
    """What a section label names (``"Reference answer"`` -> ``expected``), or ``None``."""
    text = re.sub(r"[_-]+", " ", label.strip().lower())
    for role, pattern in _ROLES:
        if pattern.search(text):
            if role != "criteria" and len(text.split()) > _MAX_LABEL_WORDS:
                return None
            return role
    return None


def sections(text: str) -> dict[str, str]:
    """The sections of a prompt by role, values as plain text.

    Labelled lines win over tags; of several sections of one role, the last wins.
    """
    found: dict[str, str] = {}
    heads = [(m, role_of(m.group(1))) for m in _LINE_LABEL.finditer(text)]
    labelled = [(m, role) for m, role in heads if role is not None]
    for index, (match, named) in enumerate(labelled):
        end = labelled[index + 1][0].start() if index + 1 < len(labelled) else len(text)
        found[named] = _plain(_drop_instructions(text[match.start(2) : end]))
    for tag in _TAG.finditer(text):
        tagged = role_of(tag.group(1))
        if tagged is not None and tagged not in found:
            found[tagged] = _plain(tag.group(2).strip())
    return found


def _drop_instructions(body: str) -> str:
    """A section without the template's closing instructions ("Explain in the reason ...")."""
    paragraphs = re.split(r"\n[ \t]*\n", body.strip())
    while len(paragraphs) > 1 and _INSTRUCTION.match(paragraphs[-1].strip()):
        paragraphs.pop()
    return "\n\n".join(paragraphs).strip()


def _plain(text: str) -> str:
    """A section's text; a JSON object or list (a rendered dict) as its values only."""
    if text[:1] in "[{":
        try:
            value = json.loads(text)
        except ValueError:
            return text
        return " ".join(_values(value))
    return text


def _values(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


# -- deciding ------------------------------------------------------------------------


def content_words(text: str) -> set[str]:
    """The lower-cased content words of a text (plural ``s`` dropped); all its words when all are stopwords."""
    words = [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in _WORD.findall(text.lower())
    ]
    content = {w for w in words if w not in STOPWORDS}
    return content or set(words)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def abstains(text: str) -> bool:
    """Whether an answer is empty or declines to answer ("I don't know", "not sure")."""
    return not text.strip() or bool(_ABSTAIN.match(text.strip()))


def share(part: str, whole: str) -> float:
    """The share of ``part``'s content words that ``whole`` contains (0 when ``part`` has none)."""
    wanted = content_words(part)
    return len(wanted & content_words(whole)) / len(wanted) if wanted else 0.0


def decide(found: Mapping[str, str]) -> Verdict:
    """The verdict on the prompt's sections (the rules are in the module's docstring)."""
    output = found.get("output", "")
    if "expected" in found:
        return _correctness(found["expected"], output)
    if "context" in found:
        return _faithfulness(found["context"], output)
    if "question" in found:
        return _overlap(found["question"], output, "question")
    if "criteria" in found:
        return _overlap(found["criteria"], output, "criteria")
    if "output" in found:
        if abstains(output):
            return Verdict(0.0, False, "The answer is empty or declines to answer.")
        return Verdict(0.75, True, "The answer answers; there is no reference, context or question to check it by.")
    if _ABSTAIN_ANYWHERE.search(found.get("prompt", "")):
        return Verdict(0.0, False, "The text declines to answer.")
    return Verdict(0.75, True, "The text answers (label the answer and the reference for a closer check).")


def _claims(output: str, support: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    claims = tuple(s for s in sentences(output) if not abstains(s) and content_words(s))
    if support is None:
        return claims, ()
    return claims, tuple(c for c in claims if share(c, support) < SUPPORTED_SHARE)


def _correctness(reference: str, output: str) -> Verdict:
    claims, unsupported = _claims(output, reference)
    ref, got = reference.strip().lower(), output.strip().lower()
    if ref and ref in got:
        return Verdict(1.0, True, "The answer states the reference answer.", claims, unsupported)
    if abstains(output):
        return Verdict(0.0, False, "The answer does not give the reference answer.", claims, unsupported)
    found = share(reference, output)
    if found >= CORRECT_SHARE:
        return Verdict(found, True, f"The answer has {found:.0%} of the reference's key words.", claims, unsupported)
    reason = f"The answer does not give the reference answer ({found:.0%} of its key words)."
    return Verdict(found, False, reason, claims, unsupported)


def _faithfulness(context: str, output: str) -> Verdict:
    claims, unsupported = _claims(output, context)
    if not claims:
        return Verdict(1.0, True, "The answer makes no claim the context could contradict.", claims, unsupported)
    supported = len(claims) - len(unsupported)
    reason = "The context states every claim." if not unsupported else "The context does not state every claim."
    return Verdict(supported / len(claims), not unsupported, reason, claims, unsupported)


def _overlap(reference: str, output: str, what: str) -> Verdict:
    claims = _claims(output, None)[0]
    if abstains(output):
        return Verdict(0.0, False, "The answer is empty or declines to answer.", claims)
    found = share(reference, output)
    if found == 0:
        return Verdict(0.25, False, f"The answer uses none of the {what}'s terms.", claims)
    return Verdict(0.5 + found / 2, True, f"The answer addresses the {what} ({found:.0%} of its terms).", claims)


# -- writing the reply ---------------------------------------------------------------


def render(shape: Shape, verdict: Verdict) -> dict[str, Any]:
    """The verdict as the JSON object the shape asks for."""
    if shape.kind == "pass_fail":
        return {"verdict": "pass" if verdict.passed else "fail", "reason": verdict.reason}
    if shape.kind == "score":
        return {"score": _scaled(shape.low, shape.high, shape.integer, verdict.fraction), "reason": verdict.reason}
    if shape.kind == "label":
        return {"label": pick_label(shape.labels, verdict), "reason": verdict.reason}
    if shape.kind == "schema":
        value = fill(shape.schema, verdict, "")
        if isinstance(value, dict):
            return value
    return {"verdict": "pass" if verdict.passed else "fail", "score": verdict.fraction, "reason": verdict.reason}


def _scaled(low: float, high: float, integer: bool, fraction: float) -> float | int:
    value = low + fraction * (high - low)
    if integer:
        return min(int(high), max(int(low), round(value)))
    return round(min(high, max(low, value)), 4)


def _polarity(label: str) -> int:
    words = set(re.split(r"[^a-z]+", label.lower()))
    if words & _BAD or (label.lower().startswith(("in", "un", "not", "non")) and words & _GOOD):
        return -1
    return 1 if words & _GOOD else 0


def pick_label(labels: Sequence[str], verdict: Verdict) -> str:
    """The label for a verdict: labels ordered best first (by their words, else as listed), chosen by the fraction."""
    if not labels:
        return "pass" if verdict.passed else "fail"
    ordered = sorted(labels, key=lambda label: -_polarity(label))
    if len(ordered) == 2:
        return ordered[0] if verdict.passed else ordered[1]
    return ordered[round((1 - verdict.fraction) * (len(ordered) - 1))]


def fill(schema: Mapping[str, Any], verdict: Verdict, key: str) -> Any:
    """A value valid against a (simple) JSON Schema, filled from the verdict by each property's name."""
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        options = schema["enum"]
        strings = [o for o in options if isinstance(o, str)]
        return pick_label(strings, verdict) if strings else options[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        properties = schema.get("properties")
        props = properties if isinstance(properties, Mapping) else {}
        out = {
            str(name): fill(sub if isinstance(sub, Mapping) else {}, verdict, str(name)) for name, sub in props.items()
        }
        for name in schema.get("required") or ():
            if name not in out:
                out[str(name)] = verdict.reason if "reason" in str(name).lower() else verdict.fraction
        return out
    if kind == "array":
        return _array(schema, verdict, key)
    if kind == "boolean":
        return verdict.passed
    if kind in ("integer", "number"):
        return _number(schema, verdict, key, integer=kind == "integer")
    if kind == "null":
        return None
    if kind == "string":
        return _string(schema, verdict, key)
    return verdict.fraction if key.lower() == "score" else verdict.reason


def _array(schema: Mapping[str, Any], verdict: Verdict, key: str) -> list[Any]:
    name = key.lower()
    if "unsupported" in name or "hallucinat" in name:
        items: list[Any] = list(verdict.unsupported)
    elif "claim" in name or "statement" in name:
        items = list(verdict.claims)
    else:
        items = []
    minimum = schema.get("minItems")
    if isinstance(minimum, int) and len(items) < minimum:
        sub = schema.get("items")
        items += [fill(sub if isinstance(sub, Mapping) else {}, verdict, key) for _ in range(minimum - len(items))]
    return items


def _number(schema: Mapping[str, Any], verdict: Verdict, key: str, *, integer: bool) -> float | int:
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(low, int | float) and isinstance(high, int | float) and low < high:
        return _scaled(float(low), float(high), integer, verdict.fraction)
    name = key.lower()
    if "unsupported" in name:
        return len(verdict.unsupported)
    if "claim" in name:
        return len(verdict.claims)
    value = round(verdict.fraction) if integer else round(verdict.fraction, 4)
    if isinstance(low, int | float) and value < low:
        return low
    return value


def _string(schema: Mapping[str, Any], verdict: Verdict, key: str) -> str:
    name = key.lower()
    if name in ("verdict", "result", "decision", "grade", "label", "outcome"):
        return "pass" if verdict.passed else "fail"
    text = verdict.reason
    minimum = schema.get("minLength")
    if isinstance(minimum, int) and len(text) < minimum:
        text = text.ljust(minimum, ".")
    return text
