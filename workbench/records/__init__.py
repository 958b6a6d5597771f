"""Records: the typed values the workbench stores, each owning its Arrow schema and row conversion.

``Item`` (one test case of a dataset). JSON text lives only inside a stored row:
``to_row()`` encodes, ``from_row()`` decodes.
"""

from workbench.records._item import ITEM_FIELDS, ITEM_SCHEMA, Item

__all__ = ["ITEM_FIELDS", "ITEM_SCHEMA", "Item"]
