"""What a target or scorer is, as a small frozen value: :class:`Spec`; and what a run is: :class:`RunSpec`.

A spec is JSON data all the way down, so a run's manifest can keep it and a new process
can build the same object again (see :func:`workbench.specs.build`). Its dict form is
flat: ``{"kind": ..., "name": ..., **args}`` (that is what readers of ``manifest.json``
see, e.g. ``target.model`` or a scorer's ``direction``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import orjson

from workbench.errors import ValidationError

RESERVED = ("kind", "name")
"""Keys of a spec's dict form that are not arguments."""

Selection = Literal["all", "item_ids", "live"]


def _json_copy(value: Any, where: str) -> Any:
    """A deep copy of ``value`` as plain JSON data; refuses what JSON cannot hold."""
    try:
        return orjson.loads(orjson.dumps(value))
    except TypeError as exc:
        raise ValidationError(f"{where}: not JSON data ({exc})") from None


@dataclass(frozen=True)
class Spec:
    """What a target or scorer is: its ``kind`` (a key of the registry), its ``name`` and its ``args``.

    Attributes:
        kind: the registry key that builds it: ``function``, ``model``, ``agent``, ``scorer``
            for targets; a built-in's name (``contains``), a judge's (``rubric``),
            ``function``, ``pipeline`` or ``class`` for scorers.
        name: the name the object goes by in runs and tables.
        args: JSON data the builder takes (read-only).

    Examples:
        >>> s = Spec("contains", "mentions_refund", {"substring": "refund"})
        >>> s.to_dict()
        {'kind': 'contains', 'name': 'mentions_refund', 'substring': 'refund'}
        >>> Spec.from_dict(s.to_dict()) == s
        True
    """

    kind: str
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise ValidationError(f"spec kind must be non-empty text, got {self.kind!r}")
        if not isinstance(self.name, str) or not self.name:
            raise ValidationError(f"spec {self.kind}: name must be non-empty text, got {self.name!r}")
        if not isinstance(self.args, Mapping):
            raise ValidationError(f"spec {self.name!r}: args must be a mapping, got {type(self.args).__name__}")
        clash = [k for k in self.args if k in RESERVED]
        if clash:
            raise ValidationError(f"spec {self.name!r}: {clash[0]!r} is not an argument name")
        args = _json_copy(dict(self.args), f"spec {self.name!r}")
        object.__setattr__(self, "args", MappingProxyType(args))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Spec):
            return NotImplemented
        return (self.kind, self.name, dict(self.args)) == (other.kind, other.name, dict(other.args))

    def __hash__(self) -> int:
        return hash(orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS))

    def __repr__(self) -> str:
        return f"Spec({self.kind!r}, {self.name!r}, {dict(self.args)!r})"

    def to_dict(self) -> dict[str, Any]:
        """The flat JSON-ready form ``{"kind", "name", **args}`` (a fresh copy)."""
        return {"kind": self.kind, "name": self.name, **_json_copy(dict(self.args), f"spec {self.name!r}")}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Spec:
        """Read the form :meth:`to_dict` writes."""
        if not isinstance(data, Mapping):
            raise ValidationError(f"a spec must be a mapping with kind and name, got {type(data).__name__}")
        missing = [k for k in RESERVED if not data.get(k)]
        if missing:
            raise ValidationError(f"spec {dict(data)!r:.80}: no {missing[0]!r}")
        return cls(str(data["kind"]), str(data["name"]), {k: v for k, v in data.items() if k not in RESERVED})

    def __getitem__(self, key: str) -> Any:
        """A key of the flat dict form: ``spec["kind"]``, ``spec["name"]`` or an argument."""
        if key == "kind":
            return self.kind
        if key == "name":
            return self.name
        return self.args[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A key of the flat dict form (``kind``, ``name`` or an argument), or ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def replace(self, *, name: str | None = None, **args: Any) -> Spec:
        """A copy with another name and/or some arguments changed."""
        return Spec(self.kind, name or self.name, {**self.args, **args})


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines a run: what is evaluated on which items, scored how, with which settings.

    A run's manifest keeps it whole (its keys are the manifest's ``dataset``,
    ``dataset_version``, ``selection``, ``repeats``, ``target``, ``scorers`` and
    ``settings``); resume builds the target and scorers from it.
    """

    dataset: str | None
    dataset_version: int | None
    selection: Selection
    repeats: int
    target: Spec
    scorers: tuple[Spec, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scorers", tuple(self.scorers))
        object.__setattr__(self, "settings", MappingProxyType(_json_copy(dict(self.settings), "run settings")))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunSpec):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (target and scorers in their flat dict form)."""
        return {
            "dataset": self.dataset,
            "dataset_version": self.dataset_version,
            "selection": self.selection,
            "repeats": self.repeats,
            "target": self.target.to_dict(),
            "scorers": [s.to_dict() for s in self.scorers],
            "settings": dict(self.settings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """Read the form :meth:`to_dict` writes (extra keys, like a manifest's status, are ignored)."""
        scorers: Sequence[Mapping[str, Any]] = data.get("scorers") or ()
        return cls(
            dataset=data.get("dataset"),
            dataset_version=data.get("dataset_version"),
            selection=data.get("selection", "all"),
            repeats=int(data.get("repeats", 1)),
            target=Spec.from_dict(data["target"]),
            scorers=tuple(Spec.from_dict(s) for s in scorers),
            settings=dict(data.get("settings") or {}),
        )
