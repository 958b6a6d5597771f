"""Targets: what is evaluated — ``function``, ``model``, ``agent`` or ``scorer``."""

from workbench.providers._context import CallContext
from workbench.records._usage import Usage
from workbench.targets._base import Target, record_step
from workbench.targets._function import FunctionTarget, function
from workbench.targets._model import AgentTarget, ModelTarget, agent, default_name, model
from workbench.targets._registry import as_target, build_target
from workbench.targets._scorer import ScorerTarget, scorer
from workbench.targets._tools import Tool
from workbench.targets._types import Item, PartialResultError, TargetResult, ToolCall

__all__ = [
    "AgentTarget",
    "CallContext",
    "FunctionTarget",
    "Item",
    "ModelTarget",
    "PartialResultError",
    "ScorerTarget",
    "Target",
    "TargetResult",
    "Tool",
    "ToolCall",
    "Usage",
    "agent",
    "as_target",
    "build_target",
    "default_name",
    "function",
    "model",
    "record_step",
    "scorer",
]
