"""Turning what a user passes (a target, a callable, a spec from a manifest) into a target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench._objects import import_object
from workbench.errors import ValidationError
from workbench.targets._base import Target
from workbench.targets._function import FunctionTarget


def as_target(value: Target | Callable[..., Any]) -> Target:
    """A target from a target or a plain callable (which becomes a function target)."""
    if isinstance(value, Target):
        return value
    if callable(value):
        return FunctionTarget(value)
    raise ValidationError(f"not a target: {value!r} (use workbench.targets.function/model/agent/scorer)")


def target_from_spec(spec: dict[str, Any]) -> Target:
    """Rebuild a target from its manifest spec (for resuming a run in a new process)."""
    kind = spec.get("kind")
    try:
        if kind == "function" and spec.get("function"):
            return FunctionTarget(import_object(spec["function"]), name=spec["name"])
        if kind in ("model", "agent"):
            from workbench.targets._model import target_from_model_spec

            return target_from_model_spec(spec)
        if kind == "scorer" and spec.get("scorer", {}).get("function"):
            from workbench.scorers._base import FunctionScorer
            from workbench.targets._scorer import ScorerTarget

            fn = import_object(spec["scorer"]["function"])
            return ScorerTarget(FunctionScorer(fn, spec["scorer"]["name"]), name=spec["name"])
    except (ImportError, AttributeError) as exc:
        raise ValidationError(f"cannot rebuild target {spec.get('name')!r}: {exc}; pass target=") from exc
    raise ValidationError(
        f"target {spec.get('name')!r} ({kind}) cannot be rebuilt from the run's manifest "
        "(a function defined in a notebook or a lambda); pass target= to resume"
    )
