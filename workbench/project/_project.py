"""The project context: everything the concept packages need to know about one store."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import duckdb

from workbench.project._taxonomy import LabelTaxonomy
from workbench.prompts import Prompt, PromptRef, PromptStore
from workbench.storage import LocalStorage, Storage
from workbench.store import Catalog, Dataset, store_connection

ROOT_ENV = "WORKBENCH_ROOT"


def default_root() -> Path:
    """``$WORKBENCH_ROOT`` when set, else the current folder."""
    return Path(os.environ.get(ROOT_ENV) or ".")


class Project:
    """One store's context: its root, catalog of datasets, prompts, label taxonomy, runs folder and prices.

    The concept packages (``runs``, ``targets``, ``analysis``, ``report``) take a
    ``Project``, never the :class:`~workbench.Workbench` facade, so their imports point
    down. A ``Workbench`` holds one as ``wb.project``.

    Args:
        root: the store's folder; defaults to ``$WORKBENCH_ROOT`` or the current folder.
        prices: price overrides (USD per 1M tokens) on top of the shipped table and ``<root>/prices.json``.
        on_run_complete: called with a run's folder when a run (or shard) completes in this process;
            the facade uses it to cache the run's figures (the analysis sits above the runs).
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        prices: Mapping[str, Mapping[str, float]] | None = None,
        on_run_complete: Callable[[Path], None] | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.storage: Storage = LocalStorage(self.root)
        """The store's files: every read and write of the store goes through a :class:`Storage`."""
        self.prices: dict[str, Mapping[str, float]] = dict(prices or {})
        self.catalog = Catalog(self.datasets_dir)
        self.prompts = PromptStore(self.prompts_dir)
        self.taxonomy = LabelTaxonomy(self.storage)
        """The labels a person may give a result here: the built-in outcomes and the store's own."""
        self.on_run_complete = on_run_complete

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    @property
    def datasets_dir(self) -> Path:
        """``<root>/datasets``: one Delta table per dataset."""
        return self.root / "datasets"

    @property
    def runs_dir(self) -> Path:
        """``<root>/runs``: one folder per run."""
        return self.root / "runs"

    @property
    def prompts_dir(self) -> Path:
        """``<root>/prompts``: immutable prompt versions."""
        return self.root / "prompts"

    @property
    def cache_dir(self) -> Path:
        """``<root>/cache``: the optional response cache."""
        return self.root / "cache"

    def dataset(self, name: str) -> Dataset:
        """The dataset called ``name`` (``NotFoundError`` if there is none)."""
        return self.catalog.open(name)

    def prompt(self, ref: PromptRef) -> Prompt:
        """A prompt version: ``"name"`` (latest), ``"name@3"`` or ``("name", 3)``."""
        return self.prompts.get(ref)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with the dataset views (``datasets``, ``items``, ``item_log``)."""
        return store_connection(self.catalog)


class HasProject(Protocol):
    """Anything that carries a project context (a ``Workbench`` does: ``wb.project``)."""

    @property
    def project(self) -> Project:
        """The project context."""
        ...


def as_project(value: Project | HasProject) -> Project:
    """``value`` when it is a :class:`Project`, else the project it carries (``Monitor(wb, ...)`` works)."""
    return value if isinstance(value, Project) else value.project
