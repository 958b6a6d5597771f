"""Specs: what a target, a scorer or a run is, as small frozen values; and the one place that builds them.

- :class:`Spec` ``(kind, name, args)``: a target or scorer (``obj.spec()``), JSON data, with
  ``to_dict()``/``from_dict()`` and a short form for TOML (:func:`scorer_spec_from_table`).
- :class:`RunSpec`: a run's whole definition (dataset@version, selection, repeats, target,
  scorers, settings), kept in its manifest.
- :data:`REGISTRY` and :func:`build`: every buildable kind (target kinds, built-in code
  scorers, LLM judges, functions by import path); the only way from a spec to an object.
"""

from workbench.specs._registry import REGISTRY, ROLES, Entry, Family, Registry, Role, build, factory_params, register
from workbench.specs._spec import RunSpec, Selection, Spec
from workbench.specs._table import SCORER_KEYS, scorer_spec_from_table, scorer_spec_to_table

__all__ = [
    "REGISTRY",
    "ROLES",
    "SCORER_KEYS",
    "Entry",
    "Family",
    "Registry",
    "Role",
    "RunSpec",
    "Selection",
    "Spec",
    "build",
    "factory_params",
    "register",
    "scorer_spec_from_table",
    "scorer_spec_to_table",
]
