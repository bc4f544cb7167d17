"""The metrics of the scorers, as SemEval-2016's official eval.pl (Zhu, 2015) computes them.

Per class, P = TP/predicted (0 if the class is never predicted), R = TP/gold (0 if it is not in
gold), F = 2PR/(P+R) (0 if P + R = 0), and F_avg = (F_favor + F_against) / 2, always divided by
two. The rule holds overall, per target, per fold and inside every bootstrap resample, so a
target or resample without favor (or against) rows counts that class as 0, as eval.pl does.
Macro-F1 is the mean over the three labels by the same rule (scikit-learn's
`f1_score(labels=all, average="macro", zero_division=0)`). Bootstrap intervals (percentile method)
resample whole units (sentences) with replacement within the scored set, with a fixed seed.
"""

from __future__ import annotations

import math

from belgrade_stance.errors import LoadError

SAMPLES = 1000
"""Bootstrap resamples drawn for the confidence intervals."""
SEED = 2016
"""Seed of the bootstrap's random generator (numpy's default_rng)."""
LEVEL = 0.95
"""Confidence level of the intervals."""


def require_numpy():
    """numpy (the scorers need numpy and scikit-learn, the `evaluate` extra), or LoadError."""
    try:
        import numpy as np
        import sklearn.metrics  # noqa: F401
    except ImportError:
        raise LoadError(
            "missing-extra",
            "the scorer needs numpy and scikit-learn: pip install 'belgrade-stance[evaluate]'",
        ) from None
    return np


def whole_numbers(**values) -> None:
    """LoadError unless every value is an int ≥ 0."""
    for name, value in values.items():
        if type(value) is not int or value < 0:
            raise LoadError("bad-argument", f"{name} must be a whole number ≥ 0, not {value!r}")


def confusion_scores(confusion, names: list[str]) -> dict:
    """F_avg, macro-F1 and accuracy from confusion matrices (..., k, k), gold rows, predicted
    columns; arrays of the leading shape.

    The F1 of a class is eval.pl's 2PR/(P+R) with an undefined P, R or F being 0, which is
    2·TP/(gold + predicted), and 0 where the class is in neither gold nor predictions. F_avg is
    (F_favor + F_against) / 2, always over both classes; macro-F1 the mean F1 of all k classes."""
    np = require_numpy()
    cm = np.asarray(confusion, dtype=float)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    denom = cm.sum(axis=-1) + cm.sum(axis=-2)  # (TP + FN) + (TP + FP)
    total = cm.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 0.0)
        accuracy = np.where(
            total > 0, np.trace(cm, axis1=-2, axis2=-1) / np.where(total > 0, total, 1), np.nan
        )
    fa = [names.index("favor"), names.index("against")]
    return {"f_avg": f1[..., fa].mean(axis=-1), "macro_f1": f1.mean(axis=-1), "accuracy": accuracy}


def rounded(x) -> float | None:
    """A figure of a report: rounded to 6 places, None for NaN."""
    x = float(x)
    return None if math.isnan(x) else round(x, 6)


def interval(values, level: float = LEVEL) -> list[float | None]:
    """The percentile interval of the defined values ([None, None] if there are none)."""
    np = require_numpy()
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return [None, None]
    lo, hi = np.percentile(values, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return [rounded(lo), rounded(hi)]


def unit_confusions(unit_ids, gold, pred, k: int, mask=None):
    """(units, k·k) confusion counts contributed by every unit (rows outside mask count nothing)."""
    np = require_numpy()
    counts = np.zeros((unit_ids.max() + 1, k * k))
    rows = np.ones(gold.size, bool) if mask is None else mask
    np.add.at(counts, (unit_ids[rows], gold[rows] * k + pred[rows]), 1)
    return counts


def resample_weights(n_units: int, samples: int, seed: int):
    """(samples, n_units): how often each unit is drawn in each bootstrap resample."""
    np = require_numpy()
    draws = np.random.default_rng(seed).integers(0, n_units, size=(samples, n_units))
    flat = (np.arange(samples)[:, None] * n_units + draws).ravel()
    return np.bincount(flat, minlength=samples * n_units).reshape(samples, n_units).astype(float)


def score(
    gold,
    pred,
    names: list[str],
    *,
    units=None,
    targets=None,
    samples: int = SAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> dict:
    """Score label indices `pred` against `gold` (same length).

    units: the bootstrap's resampling unit of every row (sentence ids); default: each row alone.
    targets: the target of every row, for per-target F_avg; default: no per-target scores.
    samples: bootstrap resamples (0: no intervals).
    """
    np = require_numpy()
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    whole_numbers(samples=samples, seed=seed)
    gold, pred = np.asarray(gold, dtype=int), np.asarray(pred, dtype=int)
    if gold.shape != pred.shape or gold.ndim != 1 or gold.size == 0:
        raise ValueError("gold and pred must be non-empty sequences of the same length")
    k = len(names)
    labels = list(range(k))
    cm = confusion_matrix(gold, pred, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, average=None, zero_division=0
    )  # eval.pl: an undefined P or R is 0
    unit_ids = np.arange(gold.size) if units is None else np.unique(np.asarray(units), return_inverse=True)[1]
    n_units = int(unit_ids.max()) + 1
    groups = {}
    if targets is not None:
        targets = np.asarray(targets)
        groups = {t: targets == t for t in dict.fromkeys(targets.tolist())}
    report = {
        "rows": int(gold.size),
        "units": n_units,
        "metrics": {m: {"value": rounded(v)} for m, v in confusion_scores(cm, names).items()},
        "per_class": {
            n: {
                "precision": rounded(precision[i]),
                "recall": rounded(recall[i]),
                "f1": rounded(f1[i]),
                "support": int(support[i]),
                "predicted": int(cm[:, i].sum()),
            }
            for i, n in enumerate(names)
        },
        "per_target": {},
        "confusion": {"labels": list(names), "matrix": cm.astype(int).tolist()},
    }
    for t, mask in groups.items():
        tcm = confusion_matrix(gold[mask], pred[mask], labels=labels)
        report["per_target"][t] = {
            "rows": int(mask.sum()),
            "f_avg": {"value": rounded(confusion_scores(tcm, names)["f_avg"])},
            "support": {n: int(tcm[i].sum()) for i, n in enumerate(names)},
        }
    if samples:
        weights = resample_weights(n_units, samples, seed)

        def resampled(mask=None):
            return confusion_scores(
                (weights @ unit_confusions(unit_ids, gold, pred, k, mask)).reshape(samples, k, k), names
            )

        for m, values in resampled().items():
            report["metrics"][m]["ci"] = interval(values, level)
        for t, mask in groups.items():
            report["per_target"][t]["f_avg"]["ci"] = interval(resampled(mask)["f_avg"], level)
        report["bootstrap"] = {
            "samples": samples,
            "seed": seed,
            "level": level,
            "method": "percentile",
            "unit": "sentence" if units is not None else "row",
            "note": "resamples drawn with replacement within the scored set",
        }
    return report


def _prf(tp: int, n_gold: int, n_pred: int) -> dict:
    return {
        "precision": rounded(tp / n_pred) if n_pred else None,
        "recall": rounded(tp / n_gold) if n_gold else None,
        "f1": rounded(2 * tp / (n_gold + n_pred)) if n_gold + n_pred else None,
        "gold": n_gold,
        "predicted": n_pred,
        "correct": tp,
    }


def score_entities(gold, pred, types: list[str]) -> dict:
    """Exact-span scores of entity mentions. gold, pred: iterables of (unit, start, end, type),
    unit being e.g. the sentence id. A prediction is correct when unit, start, end and type all
    equal those of a gold mention. Per type, micro-averaged over the types, and untyped spans."""
    gold, pred = set(map(tuple, gold)), set(map(tuple, pred))
    out = {"per_type": {}}
    for t in types:
        g, p = {m for m in gold if m[3] == t}, {m for m in pred if m[3] == t}
        out["per_type"][t] = _prf(len(g & p), len(g), len(p))
    g, p = {m for m in gold if m[3] in types}, {m for m in pred if m[3] in types}
    out["micro"] = _prf(len(g & p), len(g), len(p))
    gs, ps = {m[:3] for m in g}, {m[:3] for m in p}
    out["spans_untyped"] = _prf(len(gs & ps), len(gs), len(ps))
    return out
