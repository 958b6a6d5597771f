"""Datasets, items and versions: the embedded store.

A dataset's items live in an append-only Delta Lake table (one commit per
version); its description and schemas in ``dataset.json`` beside it.
"""

from workbench.store._catalog import Catalog
from workbench.store._dataset import Dataset
from workbench.store._imports import ImportReport
from workbench.store._info import DatasetInfo
from workbench.store._mapping import describe_mapping, guess_mapping
from workbench.store._names import validate_name
from workbench.store._readers import file_columns, preview_csv
from workbench.store._sql import store_connection
from workbench.store._table import ITEM_FIELDS

__all__ = [
    "ITEM_FIELDS",
    "Catalog",
    "Dataset",
    "DatasetInfo",
    "ImportReport",
    "describe_mapping",
    "file_columns",
    "guess_mapping",
    "preview_csv",
    "store_connection",
    "validate_name",
]
