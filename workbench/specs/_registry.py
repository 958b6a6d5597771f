"""The one registry of what can be built from a spec, and :func:`build`, the one place that builds.

Targets and scorers are registered by their own packages when they are imported
(``workbench.targets`` registers ``function``, ``model``, ``agent`` and ``scorer``;
``workbench.scorers`` its built-ins, its LLM judges, ``function``, ``pipeline`` and
``class``), so this module imports neither: arrows point down. Targets and scorers
have separate name spaces (a ``function`` target is not a ``function`` scorer), as the
manifest always says which one a spec is.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workbench.errors import ValidationError, WorkbenchError
from workbench.specs._spec import Spec

Role = Literal["target", "scorer"]
ROLES: tuple[Role, ...] = ("target", "scorer")
Family = Literal["target", "builtin", "judge", "function", "pipeline", "class"]
Maker = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class Entry:
    """One buildable kind.

    Attributes:
        role: ``"target"`` or ``"scorer"``.
        kind: the spec's ``kind`` it builds.
        family: how a user declares it: ``builtin`` and ``judge`` scorers by name
            (``builtin = "contains"`` in TOML), ``function`` by import path; ``target``,
            ``pipeline`` and ``class`` only come from a manifest.
        make: ``make(name, args)`` returns the object.
        params: the arguments it accepts (``None``: not checked here).
        required: the arguments it needs.
        default_name: the name when none is given.
        summary: one line for listings.
    """

    role: Role
    kind: str
    family: Family
    make: Maker
    params: tuple[str, ...] | None = None
    required: tuple[str, ...] = ()
    default_name: str | None = None
    summary: str = ""


def factory_params(fn: Callable[..., Any], skip: Sequence[str] = ("name",)) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The keyword arguments ``fn`` takes (all, and those without a default), leaving out ``skip``."""
    params = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in skip
    ]
    return tuple(p.name for p in params), tuple(p.name for p in params if p.default is p.empty)


def _default_name(fn: Callable[..., Any], fallback: str) -> str:
    param = inspect.signature(fn).parameters.get("name")
    if param is not None and isinstance(param.default, str) and param.default:
        return param.default
    return fallback


class Registry:
    """Buildable kinds by role; see :func:`build`."""

    def __init__(self) -> None:
        self._entries: dict[tuple[Role, str], Entry] = {}

    def add(self, entry: Entry) -> Entry:
        """Register (or replace) ``entry``."""
        if entry.role not in ROLES:
            raise ValidationError(f"role must be 'target' or 'scorer', got {entry.role!r}")
        self._entries[(entry.role, entry.kind)] = entry
        return entry

    def add_factory(
        self, role: Role, kind: str, factory: Callable[..., Any], family: Family, summary: str = ""
    ) -> Entry:
        """Register a factory called as ``factory(name=name, **args)``; its signature says the arguments."""
        params, required = factory_params(factory)

        def make(name: str, args: dict[str, Any]) -> Any:
            return factory(name=name, **args)

        doc = summary or (inspect.getdoc(factory) or "").split("\n")[0]
        return self.add(Entry(role, kind, family, make, params, required, _default_name(factory, kind), doc))

    def entry(self, role: Role, kind: str) -> Entry:
        """The entry building ``kind`` for ``role``; the error lists the valid kinds."""
        found = self._entries.get((role, kind))
        if found is None:
            raise ValidationError(f"unknown {role} kind {kind!r} (valid: {', '.join(self.kinds(role))})")
        return found

    def kinds(self, role: Role, family: Family | None = None) -> list[str]:
        """The registered kinds of ``role`` (of one ``family``), sorted."""
        return sorted(k for (r, k), e in self._entries.items() if r == role and family in (None, e.family))

    def entries(self, role: Role | None = None) -> list[Entry]:
        """Every entry (of one role), sorted by role and kind."""
        return [e for key, e in sorted(self._entries.items()) if role in (None, key[0])]

    def check(self, spec: Spec, role: Role) -> Entry:
        """The entry for ``spec``, after checking its arguments against what the entry takes."""
        entry = self.entry(role, spec.kind)
        if entry.params is not None:
            unknown = [k for k in spec.args if k not in entry.params]
            if unknown:
                valid = ", ".join(entry.params) or "none"
                raise ValidationError(f"{spec.kind} has no parameter {unknown[0]!r} (valid: {valid})")
        missing = [k for k in entry.required if k not in spec.args]
        if missing:
            raise ValidationError(f"{spec.kind} needs {missing[0]!r}")
        return entry

    def build(self, spec: Spec, role: Role) -> Any:
        """The target or scorer ``spec`` describes; any failure is one :class:`ValidationError` line."""
        try:
            entry = self.check(spec, role)
        except ValidationError as exc:
            raise ValidationError(f"{role} {spec.name!r}: {exc}") from None
        try:
            return entry.make(spec.name, dict(spec.args))
        except WorkbenchError as exc:
            raise ValidationError(f"{role} {spec.name!r} ({spec.kind}): {exc}") from None
        except (TypeError, ValueError, ImportError, AttributeError, LookupError) as exc:
            message = str(exc).replace("\n", " ")
            raise ValidationError(f"{role} {spec.name!r} ({spec.kind}): {message}") from None


REGISTRY = Registry()
"""The registry every spec is built through."""


def register(entry: Entry) -> Entry:
    """Add a buildable kind to :data:`REGISTRY` (e.g. a scorer factory of your own)."""
    return REGISTRY.add(entry)


def build(spec: Spec, role: Role) -> Any:
    """Build the target (``role="target"``) or scorer (``role="scorer"``) that ``spec`` describes.

    The only place a spec becomes an object; :func:`workbench.targets.build_target` and
    :func:`workbench.scorers.build_scorer` are its typed forms.

    Raises:
        ValidationError: an unknown kind (the message lists the valid ones), an unknown or
            missing argument (it lists the valid ones), or a builder that failed (why).
    """
    return REGISTRY.build(spec, role)
