"""What a notebook registered with ``wb.register(...)``: the targets and scorers the panels offer.

The registry lives on one :class:`~workbench.Workbench` instance, in memory only
(functions defined in a notebook cannot be stored). Targets and scorers have
separate name spaces; registering a name again replaces the entry (re-running a
notebook cell that redefines a function does what one expects).

What ``register`` accepts:

- a :class:`~workbench.targets.Target` (``function``, ``model``, ``agent`` or ``scorer`` target);
- a :class:`~workbench.scorers.Scorer` (``@scorer`` functions, pipelines, judges, built-ins);
- a plain function: a **scorer** when it names an argument only scorers get
  (``output``, ``expected`` or ``result``), else a **function target**; ``kind=`` overrides
  the guess;
- a :class:`~workbench.specs.Spec` (built through the one registry, :func:`workbench.specs.build`),
  or a scorer's short form as in an experiment file, e.g.
  ``{"judge": "rubric", "model": "openai:gpt-4o-mini", "criteria": "..."}``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from workbench.errors import ValidationError
from workbench.scorers import FunctionScorer, Scorer, build_scorer
from workbench.specs import REGISTRY, SCORER_KEYS, Spec, scorer_spec_from_table
from workbench.targets import FunctionTarget, Target, build_target, default_name

Role = Literal["target", "scorer"]
SCORER_ONLY_ARGUMENTS = ("output", "expected", "result")
"""Parameter names that make a plain function a scorer rather than a target."""


@dataclass(frozen=True)
class Entry:
    """One registered object: its name in the panels, its role and kind, and the object."""

    name: str
    role: Role
    kind: str
    obj: Target | Scorer


def _describe(value: Any) -> str:
    return f"{value!r:.60} ({type(value).__name__})"


def _guess_role(fn: Callable[..., Any]) -> Role:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin without a signature: call it with the input
        return "target"
    return "scorer" if any(p in SCORER_ONLY_ARGUMENTS for p in params) else "target"


def _scorer_kind(value: Scorer) -> str:
    return value.spec().kind


def _spec_role(spec: Spec, kind: Role | None) -> Role:
    if kind is not None:
        return kind
    roles: list[Role] = [r for r in ("target", "scorer") if spec.kind in REGISTRY.kinds(r)]
    if len(roles) != 1:
        raise ValidationError(f"spec {spec.name!r} ({spec.kind}): say kind='target' or kind='scorer'")
    return roles[0]


class Registry:
    """The targets and scorers registered on one workbench."""

    def __init__(self) -> None:
        self._targets: dict[str, Target] = {}
        self._scorers: dict[str, Scorer] = {}

    def add(self, obj: Any, name: str | None = None, *, kind: Role | None = None) -> Entry:
        """Register a target, a scorer or a plain function (see the module's docstring).

        Args:
            obj: what to register.
            name: the name shown in the panels (default: the object's own name).
            kind: ``"target"`` or ``"scorer"`` to say what a plain function is.

        Raises:
            ValidationError: ``obj`` is none of those, ``name`` is empty or not text, or the
                function cannot be a target/scorer (the message says why).
        """
        if kind not in (None, "target", "scorer"):
            raise ValidationError(f"kind must be 'target' or 'scorer', got {kind!r}")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ValidationError(f"name must be non-empty text, got {name!r}")
        role, value = self._wrap(obj, name, kind)
        key = name.strip() if name is not None else str(value.name)
        if not key:
            raise ValidationError(f"cannot register {_describe(obj)}: it has no name; pass name=")
        if isinstance(value, Target):
            self._targets[key] = value
            return Entry(key, role, value.kind, value)
        self._scorers[key] = value
        return Entry(key, role, _scorer_kind(value), value)

    @staticmethod
    def _wrap(obj: Any, name: str | None, kind: Role | None) -> tuple[Role, Target | Scorer]:
        if isinstance(obj, Mapping) and any(k in obj for k in SCORER_KEYS):
            obj = scorer_spec_from_table(obj, "register")
        if isinstance(obj, Spec):
            role = _spec_role(obj, kind)
            return role, build_target(obj) if role == "target" else build_scorer(obj)
        if isinstance(obj, Target):
            if kind == "scorer":
                raise ValidationError(f"cannot register target {obj.name!r} as a scorer")
            return "target", obj
        if isinstance(obj, Scorer):
            if kind == "target":  # a scorer evaluated as the target: judge alignment
                from workbench.targets import scorer as scorer_target

                return "target", scorer_target(obj, name=name)
            return "scorer", obj
        if isinstance(obj, type) or not callable(obj):
            raise ValidationError(
                f"cannot register {_describe(obj)}: pass a target (workbench.targets.function/model/agent/scorer), "
                "a scorer (workbench.scorers) or a function"
            )
        role = kind or _guess_role(obj)
        try:
            if role == "scorer":
                return "scorer", FunctionScorer(obj, name)
            return "target", FunctionTarget(obj, name=name)
        except TypeError as exc:
            what = name or getattr(obj, "__name__", None) or _describe(obj)
            raise ValidationError(f"cannot register {what} as a {role}: {exc}") from exc

    def add_models(self, models: Sequence[str], prompts: Sequence[str | None] = (None,), **params: Any) -> list[Entry]:
        """Register a model target per model x prompt version (``"name@3"``; ``None``: no prompt).

        Examples:
            >>> wb.registry.add_models(["openai:sim-1"], prompts=["answer@1", "answer@2"])  # doctest: +SKIP
        """
        if isinstance(models, str) or isinstance(prompts, str):
            raise ValidationError("models and prompts must be lists (e.g. ['openai:gpt-4o-mini'])")
        common: dict[str, Any] = {k: params.pop(k) for k in ("base_url", "system") if k in params}
        specs = [
            Spec("model", default_name(m, p), {"model": m, "prompt": p, **common, "params": params})
            for m in models
            for p in (prompts or [None])
        ]
        return [self.add(build_target(spec)) for spec in specs]

    def remove(self, name: str, role: Role | None = None) -> None:
        """Forget a registered target and/or scorer called ``name``."""
        found = False
        if role in (None, "target"):
            found = self._targets.pop(name, None) is not None or found
        if role in (None, "scorer"):
            found = self._scorers.pop(name, None) is not None or found
        if not found:
            raise ValidationError(f"nothing registered as {name!r}")

    def targets(self) -> dict[str, Target]:
        """The registered targets by name, in registration order."""
        return dict(self._targets)

    def scorers(self) -> dict[str, Scorer]:
        """The registered scorers by name, in registration order."""
        return dict(self._scorers)

    def target(self, name: str) -> Target:
        """The target registered as ``name``."""
        try:
            return self._targets[name]
        except KeyError:
            raise ValidationError(f"no target registered as {name!r} (use wb.register)") from None

    def scorer(self, name: str) -> Scorer:
        """The scorer registered as ``name``."""
        try:
            return self._scorers[name]
        except KeyError:
            raise ValidationError(f"no scorer registered as {name!r} (use wb.register)") from None

    def entries(self) -> list[Entry]:
        """Every entry: targets first, then scorers."""
        out = [Entry(k, "target", t.kind, t) for k, t in self._targets.items()]
        return out + [Entry(k, "scorer", _scorer_kind(s), s) for k, s in self._scorers.items()]

    def table(self) -> pd.DataFrame:
        """One row per entry: ``name``, ``role`` (target/scorer), ``kind`` and ``description``.

        ``kind`` is the spec kind: the target's (``function``, ``model``, ``agent``, ``scorer``)
        or the scorer's (``function``, ``pipeline``, a built-in's or a judge's name...).
        """
        rows = [{"name": e.name, "role": e.role, "kind": e.kind, "description": describe(e)} for e in self.entries()]
        return pd.DataFrame(rows, columns=["name", "role", "kind", "description"])

    def __len__(self) -> int:
        return len(self._targets) + len(self._scorers)


def describe(entry: Entry) -> str:
    """A one-line description: a model target's model, prompt and base URL, a function's import path..."""
    spec = entry.obj.spec()
    if entry.kind in ("model", "agent"):
        prompt, base_url = spec.get("prompt"), spec.get("base_url")
        where = f" at {base_url}" if base_url else ""
        return str(spec.get("model")) + (f" with prompt {prompt}" if prompt else "") + where
    if entry.role == "target" and entry.kind == "scorer":
        return f"scorer {spec.get('scorer', {}).get('name')} as the target"
    if entry.role == "scorer" and entry.kind in REGISTRY.kinds("scorer", "judge"):
        return f"{entry.kind} judge on {spec.get('model')}"
    if entry.role == "scorer" and entry.kind in REGISTRY.kinds("scorer", "builtin"):
        return f"built-in {entry.kind}"
    return str(spec.get("function") or "")
