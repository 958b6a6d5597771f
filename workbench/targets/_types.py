"""What a target is given (an :class:`Item`) and what it gives back (a :class:`TargetResult`).

All live in :mod:`workbench.records` (the scorers and the run engine use them too, without
importing the targets); they are re-exported here for ``workbench.targets``.
"""

from workbench.records import Item, ToolCall
from workbench.records._target import PartialResultError, TargetResult

__all__ = ["Item", "PartialResultError", "TargetResult", "ToolCall"]
