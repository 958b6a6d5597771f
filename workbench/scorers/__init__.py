"""Scorers: verdicts (0..1 score, reason, details) on outputs."""

from workbench.scorers._base import ARGUMENTS, FunctionScorer, Score, Scorer, as_scorer, scorer

__all__ = ["ARGUMENTS", "FunctionScorer", "Score", "Scorer", "as_scorer", "scorer"]
