"""The scorers' arithmetic, as SemEval-2016's eval.pl (Zhu, 2015) computes it: per class P = TP /
predicted, R = TP / gold, F = 2PR / (P + R), each 0 where undefined; F_avg = (F_favor + F_against)
/ 2 overall, per target and inside every resample. Resamples draw whole units (sentences)."""

from __future__ import annotations

import math

from belgrade_stance.errors import LoadError

SAMPLES = 1000  # bootstrap resamples drawn for the confidence intervals
SEED = 2016  # seed of the bootstrap's random generator (numpy's default_rng)
LEVEL = 0.95  # confidence level of the intervals (percentile method; t over folds)
ALPHA = 0.05  # a comparison is significant at this level: its interval at level 1 − ALPHA excludes 0
COMPARED = ("f_avg", "macro_f1")


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
    for name, value in values.items():
        if type(value) is not int or value < 0:
            raise LoadError("bad-argument", f"{name} must be a whole number ≥ 0, not {value!r}")


def rounded(x) -> float | None:
    """A figure of a report: rounded to 6 places, None for NaN."""
    return None if math.isnan(float(x)) else round(float(x), 6)


def confusion_scores(confusion, names: list[str]) -> dict:
    """F_avg, macro-F1 and accuracy of confusion matrices (..., k, k) (rows gold, columns
    predicted). A class's F1 is 2·TP / (gold + predicted), eval.pl's 2PR/(P+R), 0 if undefined."""
    np = require_numpy()
    cm = np.asarray(confusion, dtype=float)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    denom = cm.sum(axis=-1) + cm.sum(axis=-2)
    total = cm.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 0.0)
        accuracy = np.where(
            total > 0, np.trace(cm, axis1=-2, axis2=-1) / np.where(total > 0, total, 1), np.nan
        )
    fa = [names.index("favor"), names.index("against")]
    return {"f_avg": f1[..., fa].mean(axis=-1), "macro_f1": f1.mean(axis=-1), "accuracy": accuracy}


def interval(values) -> list[float | None]:
    """The percentile interval of the values ([None, None] if one is undefined)."""
    np = require_numpy()
    return [rounded(v) for v in np.percentile(values, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])]


def unit_confusions(unit_ids, gold, pred, k: int, mask=None):
    """(units, k·k) confusion counts contributed by every unit (rows outside mask count nothing)."""
    np = require_numpy()
    counts = np.zeros((unit_ids.max() + 1, k * k))
    mask = slice(None) if mask is None else mask
    np.add.at(counts, (unit_ids[mask], gold[mask] * k + pred[mask]), 1)
    return counts


def resample_weights(n_units: int, samples: int, seed: int):
    """(samples, n_units): how often each unit is drawn in each bootstrap resample."""
    np = require_numpy()
    draws = np.random.default_rng(seed).integers(0, n_units, size=(samples, n_units))
    flat = (np.arange(samples)[:, None] * n_units + draws).ravel()
    return np.bincount(flat, minlength=samples * n_units).reshape(samples, n_units).astype(float)


def _groups(np, rows: int, units, targets) -> tuple:
    """Each row's unit index (default: the row), and a row mask per target (in order of appearance)."""
    unit_ids = np.arange(rows) if units is None else np.unique(np.asarray(units), return_inverse=True)[1]
    targets = np.asarray(targets) if targets is not None else np.array([])
    return unit_ids, {t: targets == t for t in dict.fromkeys(targets.tolist())}


def ceiling(support: dict) -> float:
    """The oracle: the gold labels' own F_avg, 1 with favor and against rows, 0.5 with one, 0 with neither."""
    return (min(support["favor"], 1) + min(support["against"], 1)) / 2


def _prf(tp, n_gold, n_pred, undefined=None) -> dict:
    """eval.pl's precision, recall and F1 (2·TP / (gold + predicted)), `undefined` where 0 / 0."""

    def ratio(a, b):
        return rounded(a / b) if b else undefined

    return {"precision": ratio(tp, n_pred), "recall": ratio(tp, n_gold), "f1": ratio(2 * tp, n_gold + n_pred)}


def score(gold, pred, names: list[str], *, units=None, targets=None, samples=SAMPLES, seed=SEED):
    """Score label indices `pred` against `gold`. units: each row's bootstrap unit (sentence ids;
    default: the row); targets: each row's target, for per-target F_avg; samples: 0 for no intervals."""
    np = require_numpy()
    whole_numbers(samples=samples, seed=seed)
    gold, pred = np.asarray(gold, dtype=int), np.asarray(pred, dtype=int)
    if gold.shape != pred.shape or gold.ndim != 1 or gold.size == 0:
        raise ValueError("gold and pred must be non-empty sequences of the same length")
    k = len(names)
    unit_ids, groups = _groups(np, gold.size, units, targets)
    weights = resample_weights(int(unit_ids.max()) + 1, samples, seed) if samples else None

    def scored(mask=None):  # the rows' confusion matrix, and each metric's value and interval
        counts = unit_confusions(unit_ids, gold, pred, k, mask)
        cm = counts.sum(axis=0).reshape(k, k)
        out = {m: {"value": rounded(v)} for m, v in confusion_scores(cm, names).items()}
        if samples:
            for m, v in confusion_scores((weights @ counts).reshape(samples, k, k), names).items():
                out[m]["ci"] = interval(v)
        return cm, out

    cm, metrics = scored()
    per_class = {}
    for i, n in enumerate(names):
        support, predicted = int(cm[i].sum()), int(cm[:, i].sum())
        per_class[n] = {**_prf(cm[i, i], support, predicted, 0.0), "support": support, "predicted": predicted}
    report = {
        "rows": int(gold.size),
        "units": int(unit_ids.max()) + 1,
        "metrics": metrics,
        "oracle": ceiling({n: c["support"] for n, c in per_class.items()}),
        "per_class": per_class,
        "per_target": {},
        "confusion": {"labels": list(names), "matrix": cm.astype(int).tolist()},
    }
    for t, mask in groups.items():
        tcm, tm = scored(mask)
        support = {n: int(tcm[i].sum()) for i, n in enumerate(names)}
        entry = {"rows": int(mask.sum()), "f_avg": tm["f_avg"], "oracle": ceiling(support)}
        report["per_target"][t] = {**entry, "support": support}
    if samples:
        report["bootstrap"] = {
            "samples": samples,
            "seed": seed,
            "level": LEVEL,
            "method": "percentile",
            "unit": "sentence" if units is not None else "row",
            "note": "resamples drawn with replacement within the scored set",
        }
    return report


def counted(gold, pred, undefined=None) -> dict:
    """`_prf` of the predicted items against the gold ones (sets), with the counts."""
    tp, n_gold, n_pred = len(gold & pred), len(gold), len(pred)
    return {**_prf(tp, n_gold, n_pred, undefined), "gold": n_gold, "predicted": n_pred, "correct": tp}


def score_entities(gold, pred, types: list[str]) -> dict:
    """Exact-span scores of entity mentions (unit, start, end, type): per type, micro-averaged over
    the types, and of the spans regardless of their type."""
    gold = {tuple(m) for m in gold if m[3] in types}
    pred = {tuple(m) for m in pred if m[3] in types}
    per_type = {t: counted({m for m in gold if m[3] == t}, {m for m in pred if m[3] == t}) for t in types}
    untyped = counted({m[:3] for m in gold}, {m[:3] for m in pred})
    return {"per_type": per_type, "micro": counted(gold, pred), "spans_untyped": untyped}


def t_interval(values) -> list[float | None]:
    """mean ± t(LEVEL, n − 1) · sd / √n of n values (fold scores), [None, None] with fewer than 2."""
    np = require_numpy()
    from scipy.stats import t

    if len(values) < 2:
        return [None, None]
    half = t.ppf((1 + LEVEL) / 2, len(values) - 1) * np.std(values, ddof=1) / math.sqrt(len(values))
    return [rounded(np.mean(values) - half), rounded(np.mean(values) + half)]


def minimum_detectable_difference(sd: float, n: int, alpha: float = ALPHA, power: float = 0.8) -> float:
    """The smallest mean difference a two-sided paired t test over n folds detects with this power, the
    paired differences having standard deviation sd: (t(1 − α/2, n − 1) + t(power, n − 1)) · sd / √n."""
    require_numpy()
    from scipy.stats import t

    if type(n) is not int or n < 2:
        raise LoadError("bad-argument", f"n must be a whole number ≥ 2 (folds), not {n!r}")
    return float((t.ppf(1 - alpha / 2, n - 1) + t.ppf(power, n - 1)) * sd / math.sqrt(n))


def inference(draws, alpha: float = ALPHA) -> dict:
    """One inference from bootstrap differences: p = min(1, 2 · min(#draws ≤ 0, #draws ≥ 0) / B), and
    the interval [d(k), d(B + 1 − k)] of the sorted draws, k the smallest count whose p reaches alpha.
    So the interval excludes 0 exactly when p < alpha, and then the difference is significant."""
    np = require_numpy()
    d = np.sort(np.round(np.asarray(draws, dtype=float), 6)) + 0.0
    n = d.size

    def p_of(count: int) -> float:
        return rounded(min(1.0, 2 * count / n))

    k = next(c for c in range(1, n + 1) if p_of(c) >= alpha)
    p = p_of(min(int((d <= 0).sum()), int((d >= 0).sum())))
    return {"ci": [rounded(d[k - 1]), rounded(d[n - k])], "p": p, "significant": p < alpha}


def paired(gold, pred_a, pred_b, names, units, *, targets=None, samples=SAMPLES, seed=SEED, alpha=ALPHA):
    """B − A of label indices pred_b and pred_a against gold, from one paired bootstrap over the units
    (the same draws for both systems): overall, the difference with its interval, p-value and flag
    (`inference`); per target, the F_avg difference with its interval only (descriptive)."""
    np = require_numpy()
    whole_numbers(samples=samples, seed=seed)
    gold, pred_a, pred_b = (np.asarray(x, dtype=int) for x in (gold, pred_a, pred_b))
    units, groups = _groups(np, gold.size, units, targets)
    k, n_units = len(names), int(units.max()) + 1
    weights = resample_weights(n_units, samples, seed) if samples else None
    out: dict = {"rows": int(gold.size), "units": n_units}
    per_target = {}
    for group, mask in {"all": None, **groups}.items():
        ca, cb = (unit_confusions(units, gold, p, k, mask) for p in (pred_a, pred_b))
        sa, sb = (confusion_scores(c.sum(axis=0).reshape(k, k), names) for c in (ca, cb))
        if samples:
            da, db = (confusion_scores((weights @ c).reshape(samples, k, k), names) for c in (ca, cb))
        for m in COMPARED if group == "all" else ("f_avg",):
            entry = {"a": rounded(sa[m]), "b": rounded(sb[m]), "delta": rounded(sb[m] - sa[m])}
            entry |= inference(db[m] - da[m], alpha) if samples else {}
            if group == "all":
                out[m] = entry
            else:  # descriptive: no p-value, no flag
                per_target[group] = {key: v for key, v in entry.items() if key in ("delta", "ci")}
    return {**out, "per_target": per_target}
