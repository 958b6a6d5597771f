"""The short form of a scorer spec, as written in a TOML table (``[[scorers]]`` of an experiment).

One key says what the scorer is, the other keys are its arguments::

    builtin = "contains"              # a built-in code scorer, by name
    substring = ["refund", "30 days"]

    judge = "rubric"                  # a built-in LLM judge, by name
    model = "openai:gpt-4o-mini"
    criteria = "Polite, and names the refund window."

    function = "myscorers:tone"       # a Python function (or Scorer object), by import path

Any of them takes ``name``, ``direction`` (``"higher"`` or ``"lower"``) and ``pass_mark``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench._objects import import_declared
from workbench.errors import ValidationError
from workbench.specs._registry import REGISTRY, Family, Registry
from workbench.specs._spec import Spec

SCORER_KEYS: tuple[Family, ...] = ("builtin", "judge", "function")
"""The keys that say what a scorer table declares."""


def _import(path: Any, where: str) -> Any:
    return import_declared(path, where)


def scorer_spec_from_table(table: Mapping[str, Any], where: str = "scorer", registry: Registry = REGISTRY) -> Spec:
    """The :class:`Spec` a scorer table declares, its arguments checked against the registry.

    Errors are one line starting with ``where`` and, for a wrong name or argument, list the
    valid choices.
    """
    if not isinstance(table, Mapping):
        raise ValidationError(f"{where}: expected a table")
    given = [k for k in SCORER_KEYS if k in table]
    if len(given) != 1:
        how = 'builtin = "NAME", judge = "NAME" or function = "module:function"'
        raise ValidationError(f"{where}: needs {'exactly ' if given else ''}one of {how}")
    key = given[0]
    value = table[key]
    args = {k: v for k, v in table.items() if k not in (key, "name")}
    name = table.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ValidationError(f"{where}.name: expected non-empty text, got {name!r}")
    if key == "function":
        obj = _import(value, f"{where}.function")
        if name is None:
            own = getattr(obj, "name", None)
            name = own if isinstance(own, str) and own else str(value).rsplit(":", 1)[1].rsplit(".", 1)[-1]
        spec = Spec("function", name, {"function": value, **args})
    else:
        valid = registry.kinds("scorer", key)
        if not isinstance(value, str) or value not in valid:
            raise ValidationError(f"{where}.{key}: unknown {key} scorer {value!r} (valid: {', '.join(valid)})")
        entry = registry.entry("scorer", value)
        spec = Spec(value, name or entry.default_name or value, args)
    try:
        registry.check(spec, "scorer")
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}") from None
    return spec


def scorer_spec_to_table(spec: Spec, registry: Registry = REGISTRY) -> dict[str, Any]:
    """The short form of a scorer spec (the inverse of :func:`scorer_spec_from_table`)."""
    family = registry.entry("scorer", spec.kind).family
    if family in ("builtin", "judge"):
        return {family: spec.kind, "name": spec.name, **spec.args}
    if family == "function":
        return {
            "function": spec.args["function"],
            "name": spec.name,
            **{k: v for k, v in spec.args.items() if k != "function"},
        }
    raise ValidationError(f"scorer {spec.name!r} ({spec.kind}) has no short form; keep its dict form")
