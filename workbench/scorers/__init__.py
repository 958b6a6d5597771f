"""Scorers: verdicts (0..1 score, reason, details) on outputs.

A scorer is a pipeline ``preprocess -> analyze -> score -> reason`` (only ``score`` is
required), each step a function or a :class:`Judge`; or a plain function made into a
scorer with :func:`scorer`. Built-in code scorers and LLM judges are factories here.
"""

from workbench.scorers._base import ARGUMENTS, STEPS, FunctionScorer, Score, Scorer, as_scorer, scorer
from workbench.scorers._code import (
    BUILTINS,
    builtin_from_spec,
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
    rubric,
)

__all__ = [
    "ARGUMENTS",
    "BUILTINS",
    "JUDGES",
    "STEPS",
    "FunctionScorer",
    "Judge",
    "JudgeError",
    "JudgeScorer",
    "JudgeVerdict",
    "Score",
    "Scorer",
    "answer_relevancy",
    "as_scorer",
    "builtin_from_spec",
    "completeness",
    "contains",
    "cost_budget",
    "exact_match",
    "faithfulness",
    "json_schema",
    "judge_correctness",
    "keyword_coverage",
    "latency_budget",
    "numeric",
    "regex",
    "rubric",
    "scorer",
    "similarity",
    "tool_calls",
    "valid_json",
]
