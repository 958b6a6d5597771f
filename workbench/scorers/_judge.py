"""LLM judges: a Jinja2 template sent to a model that must answer in strict JSON.

A :class:`Judge` is a step of a pipeline scorer (``Scorer(name, score=Judge(...))``).
It renders its template over the scorer's arguments, asks the model for one JSON
object of an exact shape, parses it strictly (plain JSON, or JSON inside one
```` ```json ```` fence, nothing looser), validates it with JSON Schema and re-asks
(with a note saying what was wrong) up to ``max_attempts`` times before giving up.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from workbench.errors import ValidationError, WorkbenchError
from workbench.providers._base import ModelReply, ModelRequest, Provider
from workbench.providers._context import CallContext
from workbench.providers._limiter import AdaptiveLimiter
from workbench.providers._prices import PriceTable
from workbench.providers._registry import make_provider, split_model
from workbench.records._usage import Usage
from workbench.scorers._base import Direction, Score, Scorer, to_score
from workbench.specs import Spec

OutputKind = Literal["score", "pass_fail", "label"]

_FENCE = re.compile(r"```(?:json)?[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL)

_REASON = {"type": "string", "minLength": 1, "pattern": r"\S"}


class JudgeError(WorkbenchError):
    """A judge's reply stayed unusable after every attempt.

    Attributes:
        details: What shows why, for the score's details: ``raw_reply`` (the last reply's
            text), ``raw_replies`` (every attempt's), ``request`` (the last request sent:
            ``model``, ``system``, ``messages``, ``params``; secrets redacted) and ``judge``
            (``model``, ``prompt``, ``usage``, ``cost``, ``attempts``).
    """

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details: dict[str, Any] = details or {}


@dataclass
class JudgeVerdict:
    """What one judge step produced: the parsed reply and the bookkeeping of the calls.

    Attributes:
        data: The validated JSON object the model replied.
        score: The verdict mapped to 0..1 (``None`` for a custom schema without a usable ``score``).
        reason: The reply's ``reason``.
        info: ``{"model", "prompt", "usage": {input_tokens, output_tokens}, "cost", "attempts"}``.
    """

    data: dict[str, Any]
    score: Score
    reason: str
    info: dict[str, Any] = field(default_factory=dict)


class Judge:
    """A model asked for a verdict in strict JSON.

    Args:
        template: Jinja2 text rendered over ``input``, ``output``, ``expected``,
            ``context``, ``metadata``, ``item_id`` and earlier step outputs
            (``preprocessed``, ``analysis``, ``score``); a ``None`` value is left out,
            so using it is an error (test it with ``{% if context is defined %}``).
        model: ``"provider:model"``, e.g. ``"openai:gpt-4o-mini"``.
        output: The reply's shape: ``"score"`` (``{"score": <int lo..hi>, "reason"}``,
            mapped to ``(s - lo) / (hi - lo)``), ``"pass_fail"`` (``{"verdict": "pass" |
            "fail", "reason"}``, 1 or 0), ``"label"`` (``{"label": <one of labels>,
            "reason"}``) or a JSON Schema of an object (its ``score``, if any, must be in
            0..1 or a bool). A non-empty ``reason`` string is always required.
        scale: The score range for ``output="score"``.
        labels: The allowed labels for ``output="label"``; a list scores the first 1.0
            down to the last 0.0 evenly, a dict gives each label's score.
        system: Extra system text, put before the reply-format instructions.
        base_url: The provider's base URL (default: the environment's).
        max_attempts: How many replies to ask for before giving up on malformed ones.
        params: Request parameters (default ``{"temperature": 0}``).
        variables: Fixed values the template may use too (e.g. a rubric's ``criteria``).
    """

    def __init__(
        self,
        template: str,
        *,
        model: str,
        output: OutputKind | dict[str, Any] = "score",
        scale: tuple[float, float] = (1, 5),
        labels: Sequence[str] | Mapping[str, float] | None = None,
        system: str | None = None,
        base_url: str | None = None,
        max_attempts: int = 3,
        params: dict[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        split_model(model)  # a clear error now, not at the first item
        self.template = template
        self.model = model
        self.output = output
        self.scale = (scale[0], scale[1])
        self.system = system
        self.base_url = base_url
        self.max_attempts = max(1, int(max_attempts))
        self.params = {"temperature": 0} if params is None else dict(params)
        self.variables = dict(variables or {})
        self._provider: Provider | None = None
        self._own: tuple[asyncio.AbstractEventLoop, CallContext] | None = None
        self._prices: PriceTable | None = None
        import jsonschema  # imported when needed: it costs close to a second at start-up

        if isinstance(output, dict):
            jsonschema.Draft202012Validator.check_schema(output)
            self.labels: dict[str, float] = {}
            schema = output
        elif output == "score":
            lo, hi = self.scale
            if not lo < hi:
                raise ValidationError(f"judge scale {scale!r}: the low end must be below the high end")
            kind = "integer" if float(lo).is_integer() and float(hi).is_integer() else "number"
            schema = _object({"score": {"type": kind, "minimum": lo, "maximum": hi}})
            self.labels = {}
        elif output == "pass_fail":
            schema = _object({"verdict": {"enum": ["pass", "fail"]}})
            self.labels = {"pass": 1.0, "fail": 0.0}
        elif output == "label":
            if not labels:
                raise ValidationError('judge output="label" needs labels=[...]')
            if isinstance(labels, Mapping):
                self.labels = {str(k): float(v) for k, v in labels.items()}
            else:
                n = len(labels)
                self.labels = {str(k): (1.0 - i / (n - 1) if n > 1 else 1.0) for i, k in enumerate(labels)}
            schema = _object({"label": {"enum": list(self.labels)}})
        else:
            raise ValidationError(f'judge output {output!r}: use "score", "pass_fail", "label" or a JSON Schema dict')
        self.schema: dict[str, Any] = schema
        self._validator = jsonschema.Draft202012Validator(schema)

    # -- description -------------------------------------------------------------

    def spec(self) -> dict[str, Any]:
        """JSON-ready keyword arguments that make this judge again (the model's name, never a key)."""
        return {
            "template": self.template,
            "model": self.model,
            "output": self.output,
            "scale": list(self.scale),
            "labels": self.labels if self.output == "label" else None,
            "system": self.system,
            "base_url": self.base_url,
            "max_attempts": self.max_attempts,
            "params": dict(self.params),
            "variables": dict(self.variables),
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Judge:
        """The judge :meth:`spec` describes."""
        args = dict(spec)
        scale = args.pop("scale", None) or (1, 5)
        return cls(args.pop("template"), scale=(scale[0], scale[1]), **args)

    def shape(self) -> str:
        """The reply's JSON shape, as told to the model."""
        if self.output == "score":
            lo, hi = (int(x) if float(x).is_integer() else x for x in self.scale)
            kind = "int" if isinstance(lo, int) and isinstance(hi, int) else "number"
            return f'{{"score": <{kind} {lo}..{hi}>, "reason": "<text>"}}'
        if self.output == "pass_fail":
            return '{"verdict": "pass" | "fail", "reason": "<text>"}'
        if self.output == "label":
            return '{"label": ' + " | ".join(_dumps(k) for k in self.labels) + ', "reason": "<text>"}'
        return 'a JSON object matching this JSON Schema (with a non-empty string "reason"): ' + _dumps(self.schema)

    def system_text(self) -> str:
        """The system message: the caller's text, then the strict reply format."""
        rules = (
            "Reply with a single JSON object and nothing else, exactly of this shape:\n"
            f"{self.shape()}\n"
            'The "reason" must be a short, non-empty explanation.'
        )
        return f"{self.system.strip()}\n\n{rules}" if self.system else rules

    # -- calls -------------------------------------------------------------------

    @property
    def provider(self) -> Provider:
        """The provider, made on first use."""
        if self._provider is None:
            self._provider = make_provider(self.model, base_url=self.base_url)
        return self._provider

    def _own_context(self) -> CallContext:
        """A call context of the judge's own, one per event loop (the limiter is bound to a loop)."""
        loop = asyncio.get_running_loop()
        if self._own is None or self._own[0] is not loop:
            if self._prices is None:
                self._prices = PriceTable.default()
            self._own = (loop, CallContext(limiter=AdaptiveLimiter(4), prices=self._prices))
        return self._own[1]

    def render(self, variables: Mapping[str, Any]) -> str:
        """The user message for these variables (``None`` values left out)."""
        from workbench.prompts._render import render_text

        values = {**self.variables, **variables}
        return render_text(self.template, {k: v for k, v in values.items() if v is not None})

    async def judge(self, variables: Mapping[str, Any], ctx: CallContext | None = None) -> JudgeVerdict:
        """Render, ask, parse and validate; raise :class:`JudgeError` when every reply is unusable."""
        prompt = self.render(variables)
        context = ctx if ctx is not None else self._own_context()
        provider = self.provider
        messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
        usage = Usage()
        cost: float | None = None
        problem = ""
        info: dict[str, Any] = {"model": self.model, "prompt": prompt}
        replies: list[str] = []
        for attempt in range(1, self.max_attempts + 1):
            request = ModelRequest(list(messages), system=self.system_text(), params=dict(self.params))
            calls = [0]
            reply = await context.complete(provider, request, calls)
            usage.add(reply.usage)
            call_cost = 0.0 if reply.cache_hit else context.prices.cost(provider.provider, provider.model, reply.usage)
            if call_cost is not None:
                cost = (cost or 0.0) + call_cost
            info |= {
                "usage": {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens},
                "cost": cost,
                "attempts": attempt,
            }
            replies.append(reply.text or "")
            data, problem = self.parse(reply)
            if data is not None:
                verdict = self.verdict(data)
                if verdict.error is not None:  # a usable reply without a usable score: show it
                    verdict.details = self._evidence(request, replies)
                return JudgeVerdict(data, verdict, str(data["reason"]).strip(), info)
            messages += [
                {"role": "assistant", "content": reply.text or ""},
                {
                    "role": "user",
                    "content": f"Your reply was not usable: {problem}. "
                    f"Reply again with only the JSON object, exactly of this shape: {self.shape()}",
                },
            ]
        from workbench.secrets import redact_obj

        evidence = self._evidence(request, replies) | {"judge": redact_obj(info)}
        raise JudgeError(f"judge reply unusable after {self.max_attempts} attempts: {problem}", evidence)

    def _evidence(self, request: ModelRequest, replies: list[str]) -> dict[str, Any]:
        """The raw replies and the last request sent (secrets redacted), kept in a failed score's details."""
        from workbench.secrets import redact, redact_obj

        sent = {
            "model": self.model,
            "system": request.system,
            "messages": [dict(m) for m in request.messages],
            "params": dict(request.params),
        }
        return {
            "raw_reply": redact(replies[-1]) if replies else "",
            "raw_replies": [redact(r) for r in replies],
            "request": redact_obj(sent),
        }

    def parse(self, reply: ModelReply) -> tuple[dict[str, Any] | None, str]:
        """The validated reply object, or ``None`` and what is wrong with it."""
        text = (reply.text or "").strip()
        if not text:
            return None, "empty reply"
        fenced = _FENCE.fullmatch(text)
        if fenced:
            text = fenced.group(1).strip()
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return None, f"not JSON ({exc})"
        if not isinstance(data, dict):
            return None, f"not a JSON object: {text[:80]}"
        errors = sorted(self._validator.iter_errors(data), key=lambda e: list(e.path))
        if errors:
            where = ".".join(str(p) for p in errors[0].path)
            return None, f"{where + ': ' if where else ''}{errors[0].message}"
        reason = data.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            return None, 'missing or empty "reason"'
        if self.output not in ("score", "pass_fail", "label") and "score" in data:
            checked = to_score(data["score"])
            if checked.error is not None:
                return None, f'"score" must be a number in 0..1 or a bool, not {data["score"]!r}'
        return data, ""

    def verdict(self, data: dict[str, Any]) -> Score:
        """The 0..1 score of a validated reply."""
        reason = str(data["reason"]).strip()
        if self.output == "score":
            lo, hi = self.scale
            return Score((float(data["score"]) - lo) / (hi - lo), reason)
        if self.output == "pass_fail":
            return Score(self.labels[data["verdict"]], reason)
        if self.output == "label":
            return Score(self.labels[data["label"]], reason)
        if "score" in data:
            return Score(to_score(data["score"]).score, reason)
        return Score(None, reason, error='the judge reply has no "score"')


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**properties, "reason": _REASON},
        "required": [*properties, "reason"],
        "additionalProperties": False,
    }


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# -- built-in judges -----------------------------------------------------------------

CORRECTNESS_TEMPLATE = """\
Judge whether the answer is correct, compared with the reference answer.
Judge the meaning, not the wording: a different phrasing of the same facts is correct;
a missing, extra or contradicting fact that matters is not.

Question:
{{ input }}

Reference answer:
{{ expected }}

Answer to judge:
{{ output }}
"""

RUBRIC_TEMPLATE = """\
Grade the answer against these criteria:
{{ criteria }}

{% if input is defined %}Question:
{{ input }}

{% endif %}{% if expected is defined %}Reference answer:
{{ expected }}

{% endif %}Answer to grade:
{{ output }}

Explain in the reason which criteria the answer meets and which it misses.
"""

FAITHFULNESS_TEMPLATE = """\
Check the answer for hallucinations: list every factual claim it makes and decide for
each one whether the context supports it. A claim the context does not state or imply
is unsupported, even if it is true in the world.

Context:
{{ context }}

{% if input is defined %}Question:
{{ input }}

{% endif %}Answer to check:
{{ output }}
"""

RELEVANCY_TEMPLATE = """\
Judge how well the answer addresses the question: does it answer what was asked,
completely and without drifting to other matters? Do not judge whether it is true.

Question:
{{ input }}

Answer to judge:
{{ output }}
"""

FAITHFULNESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "claims": {"type": "array", "items": {"type": "string"}},
        "unsupported_claims": {"type": "array", "items": {"type": "string"}},
        "reason": _REASON,
    },
    "required": ["claims", "unsupported_claims", "reason"],
    "additionalProperties": False,
}


class JudgeScorer(Scorer):
    """A built-in judge: a pipeline scorer whose spec names its factory and parameters."""

    def __init__(
        self,
        factory: str,
        name: str,
        params: dict[str, Any],
        *,
        direction: Direction = "higher",
        pass_mark: float | None = None,
        **steps: Any,
    ) -> None:
        super().__init__(name, direction=direction, pass_mark=pass_mark, **steps)
        self.factory = factory
        self.params = params

    def spec(self) -> Spec:
        """``Spec(<factory>, name, {parameters, direction, pass_mark})`` (built again through the registry)."""
        return Spec(self.factory, self.name, {**self.params, **self.marks()})


def judge_correctness(
    *,
    model: str,
    output: Literal["pass_fail", "score"] = "pass_fail",
    scale: tuple[float, float] = (1, 5),
    name: str = "correctness",
    template: str | None = None,
    base_url: str | None = None,
    max_attempts: int = 3,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """A judge of the output against ``expected``: pass/fail (1/0) or a ``scale`` grade mapped to 0..1.

    With ``output="pass_fail"`` the pass mark defaults to 1 (a pass).
    """
    judge = Judge(
        template or CORRECTNESS_TEMPLATE,
        model=model,
        output=output,
        scale=scale,
        system="You are a strict, fair grader of answers.",
        base_url=base_url,
        max_attempts=max_attempts,
    )
    params = {"model": model, "output": output, "scale": list(scale), "template": template, "base_url": base_url}
    if pass_mark is None and output == "pass_fail":
        pass_mark = 1.0
    return JudgeScorer(
        "judge_correctness",
        name,
        params | {"max_attempts": max_attempts},
        direction=direction,
        pass_mark=pass_mark,
        score=judge,
    )


def rubric(
    criteria: str,
    *,
    model: str,
    scale: tuple[float, float] = (1, 5),
    name: str = "rubric",
    base_url: str | None = None,
    max_attempts: int = 3,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """A judge grading the output on ``criteria`` (text) on ``scale``, mapped to 0..1, with a reason."""
    judge = Judge(
        RUBRIC_TEMPLATE,
        model=model,
        output="score",
        scale=scale,
        system="You are a strict, fair grader. Grade only on the criteria given.",
        base_url=base_url,
        max_attempts=max_attempts,
        variables={"criteria": criteria},
    )
    params = {"criteria": criteria, "model": model, "scale": list(scale), "base_url": base_url}
    return JudgeScorer(
        "rubric", name, params | {"max_attempts": max_attempts}, direction=direction, pass_mark=pass_mark, score=judge
    )


def faithfulness(
    *,
    model: str,
    name: str = "faithfulness",
    base_url: str | None = None,
    max_attempts: int = 3,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """A hallucination check of the output against ``context``.

    The score is the share of the answer's claims that the context supports (1.0 for an
    answer without claims); the reason lists the unsupported claims.
    """
    judge = Judge(
        FAITHFULNESS_TEMPLATE,
        model=model,
        output=FAITHFULNESS_SCHEMA,
        system="You are a careful fact checker.",
        base_url=base_url,
        max_attempts=max_attempts,
    )

    def supported_share(analysis: dict[str, Any]) -> float:
        claims = len(analysis["claims"])
        unsupported = min(len(analysis["unsupported_claims"]), claims)
        return 1.0 if claims == 0 else (claims - unsupported) / claims

    def unsupported(analysis: dict[str, Any]) -> str:
        missing = analysis["unsupported_claims"]
        if not missing:
            return f"All {len(analysis['claims'])} claims are supported by the context. {analysis['reason']}".strip()
        listed = "; ".join(str(c) for c in missing)
        return f"Unsupported claims ({len(missing)} of {len(analysis['claims'])}): {listed}. {analysis['reason']}"

    params = {"model": model, "base_url": base_url, "max_attempts": max_attempts}
    return JudgeScorer(
        "faithfulness",
        name,
        params,
        direction=direction,
        pass_mark=pass_mark,
        analyze=judge,
        score=supported_share,
        reason=unsupported,
    )


def answer_relevancy(
    *,
    model: str,
    scale: tuple[float, float] = (1, 5),
    name: str = "answer_relevancy",
    base_url: str | None = None,
    max_attempts: int = 3,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """A judge of whether the output addresses the input, on ``scale`` mapped to 0..1."""
    judge = Judge(
        RELEVANCY_TEMPLATE,
        model=model,
        output="score",
        scale=scale,
        system="You are a strict, fair grader of answers.",
        base_url=base_url,
        max_attempts=max_attempts,
    )
    params = {"model": model, "scale": list(scale), "base_url": base_url, "max_attempts": max_attempts}
    return JudgeScorer("answer_relevancy", name, params, direction=direction, pass_mark=pass_mark, score=judge)


def llm_judge(
    template: str,
    *,
    model: str,
    output: OutputKind | dict[str, Any] = "score",
    scale: tuple[float, float] = (1, 5),
    labels: Sequence[str] | Mapping[str, float] | None = None,
    system: str | None = None,
    name: str = "llm_judge",
    base_url: str | None = None,
    max_attempts: int = 3,
    params: dict[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Scorer:
    """A judge of your own: ``template`` (Jinja2 over ``input``, ``output``, ``expected``...) sent to ``model``.

    The arguments are :class:`Judge`'s; with ``output="pass_fail"`` the pass mark defaults to 1.
    Declarable in an experiment file (``judge = "llm_judge"``, ``template = "..."``).
    """
    judge = Judge(
        template,
        model=model,
        output=output,
        scale=scale,
        labels=labels,
        system=system,
        base_url=base_url,
        max_attempts=max_attempts,
        params=params,
        variables=variables,
    )
    if pass_mark is None and output == "pass_fail":
        pass_mark = 1.0
    kwargs = judge.spec()
    kwargs.pop("template")
    return JudgeScorer(
        "llm_judge", name, {"template": template, **kwargs}, direction=direction, pass_mark=pass_mark, score=judge
    )


JUDGES: dict[str, Callable[..., Scorer]] = {
    "judge_correctness": judge_correctness,
    "rubric": rubric,
    "faithfulness": faithfulness,
    "answer_relevancy": answer_relevancy,
    "llm_judge": llm_judge,
}
"""The built-in judge factories by name (each is a scorer kind of the registry)."""
