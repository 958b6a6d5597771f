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
from workbench.analysis._compare import Comparison, ComparisonWarning, compare
from workbench.analysis._failures import FailureModes, failure_modes
from workbench.analysis._matrix import matrix
from workbench.analysis._runs_summary import runs_summary
from workbench.analysis._stats import MeanCI, PairedTest, exact_sign_test, mean_ci, paired_ci
from workbench.analysis._summary import Summary, summarize
from workbench.analysis._trends import trends
from workbench.analysis._views import add_run_views

__all__ = [
    "Comparison",
    "ComparisonWarning",
    "FailureModes",
    "MeanCI",
    "PairedTest",
    "Summary",
    "add_run_views",
    "agreement",
    "alignment",
    "cohens_kappa",
    "compare",
    "confusion_matrix",
    "exact_sign_test",
    "failure_modes",
    "judge_pairs",
    "matrix",
    "mean_absolute_error",
    "mean_ci",
    "paired_ci",
    "pearson",
    "rank",
    "runs_summary",
    "spearman",
    "summarize",
    "trends",
    "verdict",
]
