"""Analysis: pure functions over runs and their results (judge alignment...)."""

from workbench.analysis._alignment import (
    agreement,
    alignment,
    cohens_kappa,
    confusion_matrix,
    judge_pairs,
    mean_absolute_error,
    pearson,
    rank,
    spearman,
    verdict,
)

__all__ = [
    "agreement",
    "alignment",
    "cohens_kappa",
    "confusion_matrix",
    "judge_pairs",
    "mean_absolute_error",
    "pearson",
    "rank",
    "spearman",
    "verdict",
]
