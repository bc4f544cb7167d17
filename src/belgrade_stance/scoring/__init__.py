"""The official scorers (`scorers`) with their prediction reader (`predictions`), arithmetic (`metrics`)
and text reports (`reports`); numpy and scikit-learn (the `evaluate` extra) load only when scoring."""

from belgrade_stance.scoring.metrics import (
    PERMUTATIONS,
    SAMPLES,
    SEED,
    confusion_scores,
    score,
    score_entities,
)
from belgrade_stance.scoring.predictions import PredictionError
from belgrade_stance.scoring.reports import format_comparison, format_holders, format_report
from belgrade_stance.scoring.scorers import (
    PROTOCOLS,
    SCORED_SPLITS,
    compare,
    evaluate,
    evaluate_cv,
    evaluate_holders,
    folds,
)

__all__ = [
    "PERMUTATIONS",
    "PROTOCOLS",
    "SAMPLES",
    "SCORED_SPLITS",
    "SEED",
    "PredictionError",
    "compare",
    "confusion_scores",
    "evaluate",
    "evaluate_cv",
    "evaluate_holders",
    "folds",
    "format_comparison",
    "format_holders",
    "format_report",
    "score",
    "score_entities",
]
