"""``Workbench``: the one handle on a store (datasets now; runs and analysis later)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from workbench.store import Catalog, Dataset, store_connection

ROOT_ENV = "WORKBENCH_ROOT"


def default_root() -> Path:
    """``$WORKBENCH_ROOT`` when set, else the current folder."""
    return Path(os.environ.get(ROOT_ENV) or ".")


class Workbench:
    """A store of datasets (``<root>/datasets``) and runs (``<root>/runs``).

    Args:
        root: the store's folder; defaults to ``$WORKBENCH_ROOT`` or the current
            folder, so a project's own ``datasets/`` and ``runs/`` are used.

    Examples:
        >>> wb = Workbench("store")  # doctest: +SKIP
        >>> ds = wb.create_dataset("qa", description="Questions and answers")  # doctest: +SKIP
        >>> ds.add_items([{"input": {"question": "2+2?"}, "expected_output": "4"}])  # doctest: +SKIP
        1
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.datasets_dir = self.root / "datasets"
        self.runs_dir = self.root / "runs"
        self._catalog = Catalog(self.datasets_dir)

    def __repr__(self) -> str:
        return f"Workbench({str(self.root)!r})"

    # -- datasets --------------------------------------------------------------
    def create_dataset(
        self,
        name: str,
        *,
        description: str = "",
        metadata: Mapping[str, Any] | None = None,
        input_schema: dict[str, Any] | None = None,
        expected_schema: dict[str, Any] | None = None,
    ) -> Dataset:
        """Create an empty dataset (version 0).

        Args:
            name: 1-128 characters, no path separator, control character or leading ``.``/``_``.
            description: free text.
            metadata: any JSON object.
            input_schema: JSON Schema every item's ``input`` must match.
            expected_schema: JSON Schema every item's ``expected_output`` must match.
        """
        return self._catalog.create(
            name,
            description=description,
            metadata=metadata,
            input_schema=input_schema,
            expected_schema=expected_schema,
        )

    def dataset(self, name: str) -> Dataset:
        """The dataset called ``name`` (``NotFoundError`` if there is none)."""
        return self._catalog.open(name)

    def datasets(self) -> pd.DataFrame:
        """Every dataset: name, description, version, items, created_at, updated_at."""
        return self._catalog.list()

    def delete_dataset(self, name: str) -> None:
        """Delete a dataset with all its versions."""
        self._catalog.delete(name)

    def rename_dataset(self, name: str, new_name: str) -> Dataset:
        """Rename a dataset; its versions and history come along."""
        return self._catalog.rename(name, new_name)

    # -- SQL -------------------------------------------------------------------
    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with the store's views (``datasets``, ``items``, ``item_log``)."""
        return store_connection(self._catalog)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run SQL over the store's views and return a DataFrame.

        Examples:
            >>> wb.sql("select dataset, count(*) as n from items group by dataset")  # doctest: +SKIP
        """
        con = self.connect()
        try:
            return con.execute(query, params or []).df()
        finally:
            con.close()
