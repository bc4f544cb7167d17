"""The official scorers: stance (`evaluate`, `folds`, `compare`) and holders (`evaluate_holders`),
sharing one prediction reader (`predictions`) and eval.pl's arithmetic (`metrics`). numpy and
scikit-learn are imported only when something is scored (the `evaluate` extra)."""

from belgrade_stance.scoring.holder_scorer import evaluate_holders, format_holders
from belgrade_stance.scoring.metrics import (
    PERMUTATIONS,
    SAMPLES,
    SEED,
    confusion_scores,
    score,
    score_entities,
)
from belgrade_stance.scoring.predictions import PredictionError
from belgrade_stance.scoring.stance_scorer import (
    PROTOCOLS,
    SCORED_SPLITS,
    compare,
    evaluate,
    evaluate_cv,
    folds,
    format_comparison,
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
    "score",
    "score_entities",
]
