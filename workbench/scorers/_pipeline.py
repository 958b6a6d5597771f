"""The four-step scorer pipeline: preprocess -> analyze -> score -> reason.

``Scorer("name", preprocess=..., analyze=..., score=..., reason=...)``; only ``score``
is required. Each step is a function (sync or async) or a :class:`Judge`.

A function step receives, by parameter name, what it asks for among:

* the scorer arguments: ``input``, ``output``, ``expected``, ``context``, ``metadata``,
  ``item_id``, ``result`` and ``ctx`` (the run's call context, ``None`` outside a run);
* the outputs of earlier steps: ``preprocessed`` (preprocess's value), ``analysis``
  (analyze's value), and for ``reason`` also ``score`` (the 0..1 score) and ``steps``
  (``{step: output}`` so far). A missing step's output is ``None``.

A ``**kwargs`` parameter receives all of these except ``ctx``. What each step returns:

* ``preprocess`` / ``analyze``: any value, passed on to later steps;
* ``score``: a bool, a number in 0..1, a ``(score, reason)`` pair, a dict or a
  :class:`Score` (see :func:`to_score`);
* ``reason``: the reason text (without a reason step, the reason is the score's,
  or else the last judge's).

A :class:`Judge` step renders its template over the same names (``None`` values left
out); its output, passed on and recorded, is the validated JSON object it got back.
In the ``score`` position its verdict becomes the score; in the ``reason`` position
its ``reason`` becomes the reason.

The :class:`Score` keeps ``details["steps"] = {step: output}`` (JSON-safe) and, for
judge steps, ``details["judge"] = {"model", "prompt", "usage", "cost", "attempts"}``
(the last judge run; with several, also ``details["judges"] = {step: ...}``). A step
that raises, or a judge whose replies stay unusable, gives ``Score(None,
error="<step>: ...")``: never a silent 0. A judge's unusable replies stay in the
details, to show why: ``raw_reply`` (the last), ``raw_replies`` (every attempt) and
``request`` (``model``, ``system``, ``messages``, ``params`` of the last request,
secrets redacted); so does a usable reply without a usable ``score``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from workbench._objects import import_object, import_path
from workbench.errors import InvalidTypeError, ValidationError
from workbench.scorers._base import ARGUMENTS, STEPS, Score, to_score
from workbench.scorers._judge import Judge, JudgeError

_EARLIER = {
    "preprocess": (),
    "analyze": ("preprocessed",),
    "score": ("preprocessed", "analysis"),
    "reason": ("preprocessed", "analysis", "score", "steps"),
}
_OUTPUT_NAME = {"preprocess": "preprocessed", "analyze": "analysis"}


def check_steps(name: str, steps: dict[str, Any]) -> dict[str, Any]:
    """Check the steps of a pipeline (``score`` given, each a function or judge asking for known names)."""
    if "score" not in steps:
        raise InvalidTypeError(f"scorer {name}: a pipeline needs a score= step")
    for step, fn in steps.items():
        if isinstance(fn, Judge):
            continue
        if not callable(fn):
            raise InvalidTypeError(f"scorer {name}: step {step} is {fn!r}, not a function or a Judge")
        allowed = (*ARGUMENTS, "ctx", *_EARLIER[step])
        params = inspect.signature(fn).parameters
        for p, param in params.items():
            if param.kind is inspect.Parameter.VAR_KEYWORD:
                continue
            if p not in allowed and param.default is inspect.Parameter.empty:
                raise InvalidTypeError(f"scorer {name}: step {step} asks for unknown {p!r} (use {', '.join(allowed)})")
    return {step: steps[step] for step in STEPS if step in steps}


def steps_spec(steps: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready description of each step."""
    out: dict[str, Any] = {}
    for step, fn in steps.items():
        out[step] = {"judge": fn.spec()} if isinstance(fn, Judge) else {"function": import_path(fn)}
    return out


def steps_from_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The steps :func:`steps_spec` describes (functions imported again, judges made again)."""
    steps: dict[str, Any] = {}
    for step, described in spec.items():
        if "judge" in described:
            steps[step] = Judge.from_spec(described["judge"])
        elif described.get("function"):
            steps[step] = import_object(described["function"])
        else:
            raise ValidationError(f"step {step} cannot be imported again (a lambda or a function defined in __main__)")
    return steps


async def _call(fn: Callable[..., Any], available: dict[str, Any]) -> Any:
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in available.items() if k != "ctx"}
        kwargs.update({k: available[k] for k in params if k in available})
    else:
        kwargs = {k: available[k] for k in params if k in available}
    value = fn(**kwargs)
    if inspect.isawaitable(value):
        value = await value
    return value


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data (unknown objects as their ``str``, non-finite floats as ``None``)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Score):
        return {"score": value.score, "reason": value.reason, "error": value.error}
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    return str(value)


async def run_pipeline(steps: dict[str, Any], arguments: dict[str, Any]) -> Score:
    """Run the steps over one output (see the module's description)."""
    ctx = arguments.get("ctx")
    available: dict[str, Any] = {**arguments, "preprocessed": None, "analysis": None}
    outputs: dict[str, Any] = {}
    judges: dict[str, dict[str, Any]] = {}
    judge_reason = ""
    details: dict[str, Any] = {"steps": outputs}
    score: Score | None = None
    reason: str | None = None

    def done(result: Score) -> Score:
        if judges:
            details["judge"] = list(judges.values())[-1]
            if len(judges) > 1:
                details["judges"] = judges
        result.details = {**details, **{k: v for k, v in result.details.items() if k not in details}}
        return result

    for step, fn in steps.items():
        if step == "reason":
            assert score is not None  # the score step always comes first
            available["score"] = score.score
            available["steps"] = dict(outputs)
        step_score: Score | None = None
        try:
            if isinstance(fn, Judge):
                variables = {k: v for k, v in available.items() if k not in ("ctx", "result", "steps")}
                verdict = await fn.judge(variables, ctx)
                judges[step] = verdict.info
                judge_reason = verdict.reason
                value: Any = verdict.data
                step_score = verdict.score
            else:
                value = await _call(fn, available)
        except JudgeError as exc:  # unusable replies: keep them and the request, to show why
            evidence = dict(exc.details)
            if "judge" in evidence:
                judges[step] = evidence.pop("judge")
            return done(Score(None, "", json_safe(evidence), error=f"{step}: {exc}"))
        except Exception as exc:  # a step's failure is the scorer's error, never a 0
            return done(Score(None, "", {}, error=f"{step}: {type(exc).__name__}: {exc}"))
        if step == "score":
            score = step_score if step_score is not None else to_score(value)
            outputs[step] = json_safe(value)
            if score.error is not None:
                return done(Score(None, score.reason, score.details, error=f"score: {score.error}"))
        elif step == "reason":
            reason = judge_reason if isinstance(fn, Judge) else ("" if value is None else str(value))
            outputs[step] = reason
        else:
            available[_OUTPUT_NAME[step]] = value
            outputs[step] = json_safe(value)
    assert score is not None
    if reason is None:
        reason = score.reason or judge_reason
    return done(Score(score.score, reason, dict(score.details)))
