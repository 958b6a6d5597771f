"""Scorers: verdicts (0..1 score, reason, details) on outputs.

A scorer is a pipeline ``preprocess -> analyze -> score -> reason`` (only ``score`` is
required), each step a function or a :class:`Judge`; or a plain function made into a
scorer with :func:`scorer`. Built-in code scorers and LLM judges are factories here.
Every scorer has a ``direction`` (``"higher"`` or ``"lower"`` is better) and a
``pass_mark``, and a :meth:`~Scorer.spec` that :func:`build_scorer` builds again.
"""

from workbench.scorers._base import (
    ARGUMENTS,
    DIRECTIONS,
    STEPS,
    Direction,
    FunctionScorer,
    Score,
    Scorer,
    as_scorer,
    scorer,
)
from workbench.scorers._code import (
    BUILTINS,
    completeness,
    contains,
    cost_budget,
    exact_match,
    json_schema,
    keyword_coverage,
    latency_budget,
    numeric,
    regex,
    similarity,
    tool_calls,
    valid_json,
)
from workbench.scorers._judge import (
    JUDGES,
    Judge,
    JudgeError,
    JudgeScorer,
    JudgeVerdict,
    answer_relevancy,
    faithfulness,
    judge_correctness,
    llm_judge,
    rubric,
)
from workbench.scorers._registry import build_scorer

__all__ = [
    "ARGUMENTS",
    "BUILTINS",
    "DIRECTIONS",
    "JUDGES",
    "STEPS",
    "Direction",
    "FunctionScorer",
    "Judge",
    "JudgeError",
    "JudgeScorer",
    "JudgeVerdict",
    "Score",
    "Scorer",
    "answer_relevancy",
    "as_scorer",
    "build_scorer",
    "completeness",
    "contains",
    "cost_budget",
    "exact_match",
    "faithfulness",
    "json_schema",
    "judge_correctness",
    "keyword_coverage",
    "latency_budget",
    "llm_judge",
    "numeric",
    "regex",
    "rubric",
    "scorer",
    "similarity",
    "tool_calls",
    "valid_json",
]
