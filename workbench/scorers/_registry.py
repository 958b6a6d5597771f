"""The scorer kinds of the registry: built-in code scorers, LLM judges, functions, pipelines, classes.

Importing :mod:`workbench.scorers` registers them; :func:`build_scorer` is the typed form
of :func:`workbench.specs.build` for scorers.
"""

from __future__ import annotations

import copy
from typing import Any

from workbench._objects import import_object
from workbench.errors import ValidationError
from workbench.scorers._base import FunctionScorer, Scorer
from workbench.scorers._code import BUILTINS
from workbench.scorers._judge import JUDGES
from workbench.scorers._pipeline import steps_from_spec
from workbench.specs import REGISTRY, Entry, Spec, build

MARKS = ("direction", "pass_mark")


def _factory_hint(obj: Any) -> str | None:
    for table, key in ((BUILTINS, "builtin"), (JUDGES, "judge")):
        for kind, factory in table.items():
            if obj is factory:
                return f'{kind} is a built-in scorer: write {key} = "{kind}" (with its parameters), not function ='
    return None


def _function(name: str, args: dict[str, Any]) -> Scorer:
    """A scorer function (or a :class:`Scorer` object) found by import path."""
    path = args.get("function")
    if not path:
        raise ValidationError("no import path: a lambda or a function defined in a notebook cannot be built again")
    obj = import_object(path)
    marks = {k: args[k] for k in MARKS if k in args}
    if isinstance(obj, Scorer):
        made = copy.copy(obj)
        made.name = name
        made.set_marks(marks.get("direction", obj.direction), marks.get("pass_mark", obj.pass_mark))
        return made
    hint = _factory_hint(obj)
    if hint is not None:
        raise ValidationError(hint)
    if not callable(obj):
        raise ValidationError(f"{path} is a {type(obj).__name__}, not a function or a scorer")
    return FunctionScorer(obj, name, **marks)


def _pipeline(name: str, args: dict[str, Any]) -> Scorer:
    return Scorer(name, **steps_from_spec(args["steps"]), **{k: args[k] for k in MARKS if k in args})


def _class(name: str, args: dict[str, Any]) -> Scorer:
    path = args.get("class")
    if not path:
        raise ValidationError("its class cannot be imported again")
    cls = import_object(path)
    made = cls()
    if not isinstance(made, Scorer):
        raise ValidationError(f"{path} does not make a Scorer")
    made.name = name
    made.set_marks(args.get("direction", "higher"), args.get("pass_mark"))
    return made


def register_scorers() -> None:
    """Register every built-in scorer kind (done once, when :mod:`workbench.scorers` is imported)."""
    for kind, factory in BUILTINS.items():
        REGISTRY.add_factory("scorer", kind, factory, "builtin")
    for kind, factory in JUDGES.items():
        REGISTRY.add_factory("scorer", kind, factory, "judge")
    REGISTRY.add(
        Entry("scorer", "function", "function", _function, ("function", *MARKS), ("function",), None,
              "a Python function (or Scorer object) by import path")
    )  # fmt: skip
    REGISTRY.add(
        Entry("scorer", "pipeline", "pipeline", _pipeline, ("steps", *MARKS), ("steps",), None,
              "preprocess/analyze/score/reason steps, each a function by import path or a judge")
    )  # fmt: skip
    REGISTRY.add(
        Entry("scorer", "class", "class", _class, ("class", *MARKS), ("class",), None,
              "a Scorer subclass by import path, made with no arguments")
    )  # fmt: skip


def build_scorer(spec: Spec) -> Scorer:
    """The scorer ``spec`` describes (through :func:`workbench.specs.build`)."""
    made = build(spec, "scorer")
    if not isinstance(made, Scorer):
        raise ValidationError(f"scorer {spec.name!r} ({spec.kind}) did not build a scorer")
    return made


register_scorers()
