"""Records: the typed values the workbench stores, each owning its Arrow schema and row conversion.

``Item`` (one test case of a dataset), ``Result`` (one unit's outcome, with its ``ToolCall`` list
and scores), ``Score`` (one scorer's verdict) and ``Label`` (a unit's qualitative outcome). JSON
text lives only inside a stored row: ``to_row()`` encodes, ``from_row()`` decodes.
"""

from workbench.records._item import ITEM_FIELDS, ITEM_SCHEMA, Item
from workbench.records._label import LABEL_SCHEMA, OUTCOMES, Label, check_label_name
from workbench.records._result import RESULT_SCHEMA, Result, ToolCall
from workbench.records._score import SCORE_TYPE, Score
from workbench.records._target import PartialResultError, TargetResult
from workbench.records._usage import Usage

__all__ = [
    "ITEM_FIELDS",
    "ITEM_SCHEMA",
    "LABEL_SCHEMA",
    "OUTCOMES",
    "RESULT_SCHEMA",
    "SCORE_TYPE",
    "Item",
    "Label",
    "PartialResultError",
    "Result",
    "Score",
    "TargetResult",
    "ToolCall",
    "Usage",
    "check_label_name",
]
