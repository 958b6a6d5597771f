"""Targets from what a user passes (a target or a callable) or from a spec (a run's manifest).

Importing :mod:`workbench.targets` registers the four target kinds with the one registry
(:data:`workbench.specs.REGISTRY`); :func:`build_target` is the typed form of
:func:`workbench.specs.build` for targets.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from workbench._objects import import_object
from workbench.errors import ValidationError
from workbench.specs import REGISTRY, Entry, Spec, build
from workbench.targets._base import Target
from workbench.targets._function import FunctionTarget
from workbench.targets._model import AgentTarget, ModelTarget, check_no_hidden_secret
from workbench.targets._scorer import ScorerTarget
from workbench.targets._tools import Tool

NOT_IMPORTABLE = "a function defined in a notebook or a lambda cannot be imported again; pass target="


def as_target(value: Target | Callable[..., Any]) -> Target:
    """A target from a target or a plain callable (which becomes a function target)."""
    if isinstance(value, Target):
        return value
    if callable(value):
        return FunctionTarget(value)
    raise ValidationError(f"not a target: {value!r} (use workbench.targets.function/model/agent/scorer)")


def _function(name: str, args: dict[str, Any]) -> Target:
    """A function by import path; a :class:`Target` object found there is used as it is, renamed."""
    if not args.get("function"):
        raise ValidationError(NOT_IMPORTABLE)
    obj = import_object(args["function"])
    if isinstance(obj, Target):
        made = copy.copy(obj)
        if isinstance(made, ModelTarget):
            made._name = name  # noqa: SLF001 - the same package
        else:
            made.name = name
        return made
    return FunctionTarget(obj, name=name, threaded=bool(args.get("threaded", True)))


def _model_args(args: dict[str, Any]) -> dict[str, Any]:
    check_no_hidden_secret(args)
    params = args.get("params") or {}
    if not isinstance(params, dict):
        raise ValidationError(f"params must be a table of request parameters, not {params!r}")
    common = {k: args.get(k) for k in ("prompt", "system", "base_url")}
    return {**common, **params}


def _model(name: str, args: dict[str, Any]) -> Target:
    return ModelTarget(args["model"], name=name, **_model_args(args))


def _tool(described: Any) -> Tool:
    if isinstance(described, str):
        described = {"function": described}
    if not isinstance(described, dict) or not described.get("function"):
        what = described.get("name") if isinstance(described, dict) else described
        raise ValidationError(f"tool {what!r}: {NOT_IMPORTABLE}")
    fn = import_object(described["function"])
    return Tool.from_function(fn, name=described.get("name") or getattr(fn, "__name__", None))


def _agent(name: str, args: dict[str, Any]) -> Target:
    tools = [_tool(t) for t in args.get("tools") or []]
    max_steps = int(args.get("max_steps") or 8)
    return AgentTarget(args["model"], tools=tools, max_steps=max_steps, name=name, **_model_args(args))


def _scorer(name: str, args: dict[str, Any]) -> Target:
    return ScorerTarget(build(Spec.from_dict(args["scorer"]), "scorer"), name=name)


def register_targets() -> None:
    """Register the four target kinds (done once, when :mod:`workbench.targets` is imported)."""
    model = ("model", "prompt", "system", "base_url", "params")
    for entry in (
        Entry("target", "function", "target", _function, ("function", "threaded"), ("function",), None,
              "a Python function by import path"),
        Entry("target", "model", "target", _model, model, ("model",), None, "a model with a prompt version"),
        Entry("target", "agent", "target", _agent, (*model, "tools", "max_steps"), ("model",), None,
              "a model with tools (each by import path)"),
        Entry("target", "scorer", "target", _scorer, ("scorer",), ("scorer",), None,
              "a scorer evaluated as the target (judge alignment)"),
    ):  # fmt: skip
        REGISTRY.add(entry)


def build_target(spec: Spec) -> Target:
    """The target ``spec`` describes (through :func:`workbench.specs.build`)."""
    made = build(spec, "target")
    if not isinstance(made, Target):
        raise ValidationError(f"target {spec.name!r} ({spec.kind}) did not build a target")
    return made


register_targets()
