"""Scorers: a verdict (0..1 score, reason, details) on one output.

This is the common core: the :class:`Scorer` base class and :func:`scorer`, which
turns a plain function into a scorer. Their verdict, :class:`Score`, is a stored
record (:mod:`workbench.records`) re-exported here. Judges and the
four-step pipeline build on it.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from workbench._objects import import_path
from workbench.errors import InvalidTypeError, ValidationError
from workbench.records._score import Score
from workbench.specs import Spec

if TYPE_CHECKING:
    from workbench.providers._context import CallContext
    from workbench.records import TargetResult
    from workbench.scorers._judge import Judge

__all__ = ["ARGUMENTS", "STEPS", "FunctionScorer", "Score", "Scorer", "as_scorer", "scorer", "to_score"]

ARGUMENTS = ("input", "output", "expected", "context", "metadata", "item_id", "result")
"""What a scorer function may ask for, by parameter name (and ``ctx``, the run's :class:`CallContext`)."""

STEPS = ("preprocess", "analyze", "score", "reason")
"""The steps of a pipeline scorer, in order."""

Direction = Literal["higher", "lower"]
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower")
"""Which way a scorer's scores are better: ``"higher"`` (the default) or ``"lower"``."""


def check_direction(direction: Any, name: str) -> Direction:
    """``direction`` if it is ``"higher"`` or ``"lower"``; else a one-line error naming the scorer."""
    if direction not in DIRECTIONS:
        raise ValidationError(f"scorer {name}: direction must be 'higher' or 'lower', not {direction!r}")
    return "higher" if direction == "higher" else "lower"


def check_pass_mark(pass_mark: Any, name: str) -> float | None:
    """``pass_mark`` as a float in 0..1 (or ``None``); else a one-line error naming the scorer."""
    if pass_mark is None:
        return None
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float) or not 0.0 <= pass_mark <= 1.0:
        raise ValidationError(f"scorer {name}: pass_mark must be a number in 0..1 or None, not {pass_mark!r}")
    return float(pass_mark)


def to_score(value: Any) -> Score:
    """Normalise what a scorer function returned into a :class:`Score`.

    Accepts a ``Score``, a bool (1/0), a number in 0..1, a ``(score, reason)`` pair or a
    dict with ``score`` and optional ``reason``/``details``.
    """
    if isinstance(value, Score):
        return value
    reason = ""
    details: dict[str, Any] = {}
    if isinstance(value, tuple) and len(value) == 2:
        value, reason = value
    elif isinstance(value, dict):
        reason = str(value.get("reason", ""))
        details = {k: v for k, v in value.items() if k not in ("score", "reason")}
        value = value.get("score")
    if isinstance(value, bool):
        return Score(1.0 if value else 0.0, str(reason), details)
    if isinstance(value, int | float) and math.isfinite(value) and 0.0 <= value <= 1.0:
        return Score(float(value), str(reason), details)
    return Score(None, str(reason), details, error=f"scorer returned {value!r}, not a score in 0..1")


class Scorer:
    """A scorer: subclass it and implement :meth:`evaluate`, or build a pipeline of steps.

    ``Scorer("name", preprocess=..., analyze=..., score=..., reason=...)`` makes a
    pipeline (see :mod:`workbench.scorers._pipeline`): each step is a function (sync or
    async) or a :class:`~workbench.scorers.Judge`; only ``score`` is required.
    :meth:`ascore` never raises.

    Every scorer knows which way is better (``direction``: ``"higher"``, the default, or
    ``"lower"``) and, optionally, its ``pass_mark``: the score at or beyond which a unit
    passes (``>=`` for higher, ``<=`` for lower). Both go into its :meth:`spec` and the
    run's manifest, so summaries, comparisons and gates need not be told again.
    """

    name: str = "scorer"
    direction: Direction = "higher"
    pass_mark: float | None = None
    _steps: dict[str, Any] | None = None

    def __init__(
        self,
        name: str | None = None,
        *,
        preprocess: Callable[..., Any] | Judge | None = None,
        analyze: Callable[..., Any] | Judge | None = None,
        score: Callable[..., Any] | Judge | None = None,
        reason: Callable[..., Any] | Judge | None = None,
        direction: Direction = "higher",
        pass_mark: float | None = None,
    ) -> None:
        if name is not None:
            self.name = str(name)
        self.set_marks(direction, pass_mark)
        given = {"preprocess": preprocess, "analyze": analyze, "score": score, "reason": reason}
        steps = {k: v for k, v in given.items() if v is not None}
        if steps:
            from workbench.scorers._pipeline import check_steps

            self._steps = check_steps(self.name, steps)

    async def evaluate(self, **arguments: Any) -> Score:
        """Score one output; the arguments are those named in :data:`ARGUMENTS`, plus ``ctx``."""
        if self._steps is None:
            raise NotImplementedError(f"scorer {self.name}: implement evaluate() or give a score= step")
        from workbench.scorers._pipeline import run_pipeline

        return await run_pipeline(self._steps, arguments)

    def set_marks(self, direction: Direction = "higher", pass_mark: float | None = None) -> None:
        """Set (and check) :attr:`direction` and :attr:`pass_mark`."""
        self.direction = check_direction(direction, self.name)
        self.pass_mark = check_pass_mark(pass_mark, self.name)

    def marks(self) -> dict[str, Any]:
        """``{"direction", "pass_mark"}``: the arguments every scorer's spec carries."""
        return {"direction": self.direction, "pass_mark": self.pass_mark}

    def spec(self) -> Spec:
        """What this scorer is (kind, name, arguments), kept in a run's manifest and built again on resume.

        A pipeline's kind is ``pipeline`` (each step by import path, or a judge's spec); a
        subclass's is ``class`` (its import path: it is made again with no arguments).
        """
        if self._steps is not None:
            from workbench.scorers._pipeline import steps_spec

            return Spec("pipeline", self.name, {"steps": steps_spec(self._steps), **self.marks()})
        return Spec("class", self.name, {"class": import_path(type(self)), **self.marks()})

    def _takes_ctx(self) -> bool:
        """Whether :meth:`evaluate` accepts ``ctx`` (a subclass may name its arguments).

        Worked out once per scorer: ``inspect.signature`` on every unit cost a third of a
        run's overhead.
        """
        takes = self.__dict__.get("_wb_takes_ctx")
        if takes is None:
            params = inspect.signature(self.evaluate).parameters
            takes = "ctx" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
            self.__dict__["_wb_takes_ctx"] = takes
        return bool(takes)

    async def ascore(
        self,
        *,
        input: Any = None,  # noqa: A002 - the field's name
        output: Any = None,
        expected: Any = None,
        context: Any = None,
        metadata: Any = None,
        item_id: str | None = None,
        result: TargetResult | None = None,
        ctx: CallContext | None = None,
    ) -> Score:
        """Score one output; an exception becomes a :class:`Score` with ``error`` set.

        ``ctx`` is the run's call context: judges send their model calls through it
        (sharing the run's retries, concurrency limit and cache).
        """
        arguments: dict[str, Any] = {
            "input": input,
            "output": output,
            "expected": expected,
            "context": context,
            "metadata": metadata,
            "item_id": item_id,
            "result": result,
        }
        try:
            if self._takes_ctx():
                arguments["ctx"] = ctx
            return await self.evaluate(**arguments)
        except Exception as exc:  # a scorer's failure is recorded, never fatal
            return Score(None, "", {}, error=f"{type(exc).__name__}: {exc}")

    def score(
        self,
        *,
        input: Any = None,  # noqa: A002 - the field's name
        output: Any = None,
        expected: Any = None,
        context: Any = None,
        metadata: Any = None,
    ) -> Score:
        """Score one output outside a run (blocks until done).

        The call runs on the process's background loop (also where no loop is running), so a
        judge's HTTP client lives on one loop across calls and is never left to a closed one.
        """
        from workbench._loop import background_loop

        coro = self.ascore(input=input, output=output, expected=expected, context=context, metadata=metadata)
        return background_loop().run(coro)


class FunctionScorer(Scorer):
    """A scorer made from a function (sync or async) that asks for what it needs by name."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        *,
        direction: Direction = "higher",
        pass_mark: float | None = None,
    ) -> None:
        self.fn = fn
        self.name = str(name or getattr(fn, "__name__", "scorer"))
        self.set_marks(direction, pass_mark)
        params = inspect.signature(fn).parameters
        self._wants_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        allowed = (*ARGUMENTS, "ctx")
        unknown = [p for p in params if p not in allowed and params[p].kind is not inspect.Parameter.VAR_KEYWORD]
        if unknown:
            raise InvalidTypeError(f"scorer {self.name}: unknown parameter {unknown[0]!r} (use {', '.join(allowed)})")
        self._wants = [p for p in params if p in allowed]

    def spec(self) -> Spec:
        """Kind ``function`` and the import path (so a resumed run can find the function again)."""
        return Spec("function", self.name, {"function": import_path(self.fn), **self.marks()})

    async def evaluate(self, **arguments: Any) -> Score:
        """Call the function with the arguments it names (``ctx`` only if it names ``ctx``)."""
        if self._wants_all:
            kwargs = {k: v for k, v in arguments.items() if k != "ctx"}
            kwargs.update({k: arguments.get(k) for k in self._wants})
        else:
            kwargs = {k: arguments.get(k) for k in self._wants}
        value = self.fn(**kwargs)
        if inspect.isawaitable(value):
            value = await value
        return to_score(value)


def scorer(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    direction: Direction = "higher",
    pass_mark: float | None = None,
) -> Any:
    """Make a scorer from a function; usable as ``@scorer`` or ``@scorer(name="...", direction="lower")``.

    The function names what it needs among ``input``, ``output``, ``expected``,
    ``context``, ``metadata``, ``item_id`` and ``result`` and returns a bool, a number
    in 0..1, a ``(score, reason)`` pair, a dict or a :class:`Score`. ``direction`` says
    which way is better and ``pass_mark`` the score a unit must reach to pass.
    """
    if fn is None:
        return lambda f: FunctionScorer(f, name, direction=direction, pass_mark=pass_mark)
    return FunctionScorer(fn, name, direction=direction, pass_mark=pass_mark)


def as_scorer(value: Scorer | Callable[..., Any]) -> Scorer:
    """A :class:`Scorer` from a scorer or a plain function."""
    if isinstance(value, Scorer):
        return value
    if callable(value):
        return FunctionScorer(value)
    raise InvalidTypeError(f"not a scorer: {value!r} is neither a Scorer nor a function")
