"""Records: what a run stores, typed — each owns its Arrow schema and its row conversion.

``Result`` (one unit's outcome, with its ``ToolCall`` list and scores), ``Score`` (one
scorer's verdict) and ``Label`` (a unit's qualitative outcome). JSON text lives only inside
a stored row: ``to_row()`` encodes, ``from_row()`` decodes.
"""

from workbench.records._label import LABEL_SCHEMA, Label
from workbench.records._result import RESULT_SCHEMA, Result, ToolCall
from workbench.records._score import SCORE_TYPE, Score

__all__ = [
    "LABEL_SCHEMA",
    "RESULT_SCHEMA",
    "SCORE_TYPE",
    "Label",
    "Result",
    "Score",
    "ToolCall",
]
