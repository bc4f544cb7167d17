"""The official scorers: stance (`evaluate`, `evaluate_cv`, `folds`), the paired comparison of two
systems (`compare`) and the holder/evidence task (`evaluate_holders`), sharing one prediction
reader (`predictions`) and eval.pl's metrics (`metrics`). numpy and scikit-learn are imported only
when something is scored (the `evaluate` extra)."""

from belgrade_stance.scoring.comparison import PERMUTATIONS, compare, format_comparison, holm, paired
from belgrade_stance.scoring.holder_scorer import evaluate_holders, format_holders, normalise
from belgrade_stance.scoring.metrics import SAMPLES, SEED, confusion_scores, score, score_entities
from belgrade_stance.scoring.predictions import PredictionError, read_prediction_file
from belgrade_stance.scoring.stance_scorer import (
    PROTOCOLS,
    SCORED_SPLITS,
    evaluate,
    evaluate_cv,
    folds,
    format_report,
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
    "holm",
    "normalise",
    "paired",
    "read_prediction_file",
    "score",
    "score_entities",
]
