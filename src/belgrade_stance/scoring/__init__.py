"""The official scorers (`scorers`) with their prediction reader (`predictions`), arithmetic (`metrics`)
and text reports (`reports`); numpy and scikit-learn (the `evaluate` extra) load only when scoring."""

from belgrade_stance.scoring.holder_tuples import evaluate_holders, format_holders
from belgrade_stance.scoring.metrics import (
    ALPHA,
    SAMPLES,
    SEED,
    confusion_scores,
    minimum_detectable_difference,
    score,
    score_entities,
)
from belgrade_stance.scoring.predictions import PredictionError
from belgrade_stance.scoring.reports import format_comparison, format_report
from belgrade_stance.scoring.scorers import (
    GOLD_COLUMNS,
    INPUT_COLUMNS,
    PROTOCOLS,
    SCORED_SPLITS,
    compare,
    evaluate,
    evaluate_cv,
    folds,
)

__all__ = [
    "ALPHA",
    "GOLD_COLUMNS",
    "INPUT_COLUMNS",
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
    "minimum_detectable_difference",
    "score",
    "score_entities",
]
