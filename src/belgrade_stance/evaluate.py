"""The official scorer of the stance benchmark.

    import belgrade_stance
    report = belgrade_stance.evaluate("predictions.jsonl", split="test")
    print(belgrade_stance.format_report(report))

Predictions are one label per row of the `stance` config: a JSONL file of objects
`{"id": ..., "label": ...}`, a CSV file with columns `id,label`, a pandas DataFrame with those
columns, a mapping id → label, or an iterable of (id, label) pairs. Labels are the names
(`none`, `against`, `favor`, any case) or their ClassLabel indices (0, 1, 2). The file is checked
before anything is scored: missing ids, unknown ids, duplicates and unknown labels are errors.

Metrics:
* **F_avg** (the official figure, SemEval-2016 Task 6, as eval.pl computes it): the mean of the
  F1 of `favor` and of `against`, over all rows of the scored set pooled;
* macro-F1 over the three labels; accuracy; per-class precision, recall and F1;
* F_avg per target; the confusion matrix (rows gold, columns predicted);
* 95% bootstrap confidence intervals (percentile method) for F_avg, macro-F1, accuracy and each
  target's F_avg. The resampled unit is the sentence (all target rows of a sentence together),
  drawn with replacement within the scored set, with a fixed seed: the intervals are reproducible.

Every figure follows SemEval-2016's official eval.pl (Zhu, 2015): per class, P = TP/predicted
(0 if the class is never predicted), R = TP/gold (0 if it is not in gold), F = 2PR/(P+R) (0 if
P + R = 0), and F_avg = (F_favor + F_against) / 2, always divided by two. The rule holds overall,
per target, per fold and inside every bootstrap resample, so a target or resample without favor
(or against) rows counts that class as 0, as eval.pl does. Macro-F1 is the mean over the three
labels by the same rule (scikit-learn's `f1_score(labels=all, average="macro", zero_division=0)`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from belgrade_stance.errors import DatasetError, LoadError, exit_code, rule
from belgrade_stance.load import inventories, load

SAMPLES = 1000
"""Bootstrap resamples drawn for the confidence intervals."""
SEED = 2016
"""Seed of the bootstrap's random generator (numpy's default_rng)."""
LEVEL = 0.95
"""Confidence level of the intervals."""
SHOW = 5
"""Offenders listed per kind of problem in a PredictionError."""
OFFICIAL = "f_avg"
PROTOCOLS = ("split", "lodo", "loto")
"""split: the fixed split; lodo: leave one document out; loto: leave one target out (zero-shot target)."""
FOLD_KEYS = {"lodo": "doc_id", "loto": "target"}
SCORED_SPLITS = ("train", "validation", "test", "all")


class PredictionError(DatasetError):
    """A predictions file or object that cannot be scored. `problems` lists what is wrong as
    (rule id, message) pairs; `rule` is the first problem's rule."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = [f"[{r}] {m}" for r, m in problems]
        first, *_ = problems
        super().__init__(first[0], "cannot be scored, nothing was scored:\n" + "\n".join(
            f"  - {p}" for p in self.problems), source)
        self.rules = {r for r, _ in problems}
        self.exit = exit_code(self.rules)
        for r in self.rules - {first[0]}:  # registered (and logged) once each; the first by DatasetError
            rule(r)


def _numpy():
    try:
        import numpy as np
        import sklearn.metrics  # noqa: F401
    except ImportError:
        raise LoadError("missing-extra", "the scorer needs numpy and scikit-learn: pip install 'belgrade-stance[evaluate]'") from None
    return np


# --------------------------------------------------------------------------- reading predictions

def _file_records(path: Path, required: tuple[str, ...], mapping: bool) -> tuple[list[tuple[str, object]], list[str]]:
    """(where, record) per record of a prediction file, and the lines that could not be read.

    .jsonl/.ndjson: one JSON object per line; .json: a list of objects (or, with mapping, one
    object id → label); .csv: a header naming at least the required columns. Another suffix is
    read as JSON Lines if the text starts with "{", else as CSV."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv", ".json", ".ndjson"):
        suffix = ".jsonl" if text.lstrip().startswith("{") else ".csv"
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip() for f in (reader.fieldnames or [])]
        if not set(required) <= set(fields):
            return [], [f"line 1: the CSV header must name the columns {' and '.join(required)} "
                        f"(found: {', '.join(fields) or 'nothing'})"]
        reader.fieldnames = fields
        return [(f"line {reader.line_num}", {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()})
                for rec in reader], []
    if suffix == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            return [], [f"line {e.lineno}: not valid JSON ({e.msg})"]
        if mapping and isinstance(obj, Mapping):
            return [(f"key {k!r}", {"id": k, "label": v}) for k, v in obj.items()], []
        if not isinstance(obj, list):
            return [], [f"line 1: a .json file holds a list of objects{' or an object id → label' if mapping else ''}"]
        return [(f"item {i}", rec) for i, rec in enumerate(obj)], []
    records, bad = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                records.append((f"line {n}", json.loads(line)))
            except json.JSONDecodeError as e:
                bad.append(f"line {n}: not valid JSON ({e.msg})")
    return records, bad


def read_prediction_file(predictions: str | Path, required: tuple[str, ...] = ("id", "label"),
                         mapping: bool = True) -> tuple[list[tuple[str, object]], list[str]]:
    """The records of a prediction file (see _file_records), or PredictionError if it cannot be
    read at all (missing, not UTF-8, not CSV, nested too deeply, unreadable)."""
    path = Path(predictions)
    if not path.is_file():
        raise PredictionError(str(path), [("predictions-missing", "no such file" if not path.exists() else "not a file")])
    try:
        return _file_records(path, required, mapping)
    except UnicodeDecodeError as e:
        raise PredictionError(str(path), [("predictions-unreadable", f"not UTF-8 text ({e.reason} at byte {e.start})")]) from None
    except RecursionError:
        raise PredictionError(str(path), [("predictions-unreadable", "JSON nested too deeply to be predictions")]) from None
    except csv.Error as e:
        raise PredictionError(str(path), [("predictions-unreadable", f"not a readable CSV file ({e})")]) from None
    except OSError as e:
        raise PredictionError(str(path), [("predictions-unreadable", f"cannot be read ({e.strerror or e})")]) from None


def read_predictions(predictions) -> tuple[str, list[tuple[str, object, object]], list[str]]:
    """Normalise any accepted form of predictions to (source name, [(where, id, label)], problems)."""
    if isinstance(predictions, (str, Path)):
        records, bad = read_prediction_file(predictions)
        rows = []
        for where, rec in records:
            if not isinstance(rec, Mapping) or "id" not in rec or "label" not in rec:
                bad.append(f"{where}: each record must be an object with the keys id and label")
            elif rec["id"] in (None, "") or rec["label"] in (None, ""):
                bad.append(f"{where}: a row needs both id and label")
            else:
                rows.append((where, rec["id"], rec["label"]))
        return str(predictions), rows, bad
    if hasattr(predictions, "columns") and hasattr(predictions, "itertuples"):  # a pandas DataFrame
        missing = [c for c in ("id", "label") if c not in predictions.columns]
        if missing:
            raise PredictionError("DataFrame", [("predictions-type", f"the columns id and label are needed (missing: {', '.join(missing)})")])
        return "DataFrame", [(f"row {i}", r.id, r.label)
                             for i, r in enumerate(predictions[["id", "label"]].itertuples(index=False))], []
    if isinstance(predictions, Mapping):
        return "mapping", [(f"key {k!r}", k, v) for k, v in predictions.items()], []
    if isinstance(predictions, Iterable):
        rows, bad = [], []
        for i, item in enumerate(predictions):
            if isinstance(item, Mapping) and "id" in item and "label" in item:
                rows.append((f"item {i}", item["id"], item["label"]))
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                rows.append((f"item {i}", item[0], item[1]))
            else:
                bad.append(f"item {i}: expected an (id, label) pair or an object with id and label")
        return "predictions", rows, bad
    raise PredictionError(type(predictions).__name__, [("predictions-type", "predictions must be a file path, a DataFrame, "
                                                        "a mapping id → label or an iterable of (id, label)")])


def _label_index(value, names: list[str]) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return int(value) if 0 <= value < len(names) else None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _label_index(value.item(), names)
    if isinstance(value, str):
        v = value.strip()
        lowered = [n.lower() for n in names]
        if v.lower() in lowered:
            return lowered.index(v.lower())
        if v.isdigit():
            return _label_index(int(v), names)
    return None


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:SHOW])
    return shown + (f", … ({len(items) - SHOW} more)" if len(items) > SHOW else "")


def check_predictions(predictions, gold_ids: list[str], all_ids: set[str], names: list[str],
                      scope: str) -> dict[str, int]:
    """Map every id of gold_ids to a label index, or raise PredictionError naming the offenders.

    all_ids: every id a prediction may name (the rows of the scored split, before any restriction).
    """
    source, rows, problems = read_predictions(predictions)
    seen: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, int] = {}
    unknown_labels, unknown_ids = [], []
    for where, pid, value in rows:
        pid = str(pid)
        seen[pid].append(where)
        if pid not in all_ids:
            unknown_ids.append(f"{pid!r} ({where})")
            continue
        index = _label_index(value, names)
        if index is None:
            unknown_labels.append(f"{value!r} ({where})")
        else:
            labels[pid] = index
    duplicates = [f"{pid!r} ({', '.join(w)})" for pid, w in seen.items() if len(w) > 1]
    missing = [pid for pid in gold_ids if pid not in seen]
    if problems:
        problems = [("prediction-record", f"{len(problems)} unreadable record(s): {_listed(problems)}")]
    if not rows and not problems:
        problems.append(("no-predictions", "no predictions at all"))
    if missing:
        problems.append(("missing-prediction", f"{len(missing)} missing id(s) of {len(gold_ids)} rows of {scope} have no prediction: "
                        f"{_listed(missing)}"))
    if unknown_ids:
        problems.append(("unknown-id", f"{len(unknown_ids)} unknown id(s), not rows of {scope}: {_listed(unknown_ids)}"))
    if duplicates:
        problems.append(("duplicate-prediction", f"{len(duplicates)} id(s) predicted more than once: {_listed(duplicates)}"))
    if unknown_labels:
        problems.append(("unknown-label", f"{len(unknown_labels)} unknown label(s) (valid: {', '.join(names)} "
                        f"or 0–{len(names) - 1}): {_listed(unknown_labels)}"))
    if problems:
        raise PredictionError(source, problems)
    return labels


# --------------------------------------------------------------------------- metrics

def class_f1(confusion):
    """F1 of every class from confusion matrices (..., k, k) with gold rows, predicted columns, as
    SemEval-2016's eval.pl computes it: P = TP/predicted (0 if nothing is predicted), R = TP/gold
    (0 if the class is not in gold), F = 2PR/(P+R) (0 if P + R = 0). That is 2·TP/(gold +
    predicted), and 0 where the class is in neither gold nor predictions."""
    np = _numpy()
    cm = np.asarray(confusion, dtype=float)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    denom = cm.sum(axis=-1) + cm.sum(axis=-2)  # (TP + FN) + (TP + FP)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 0.0)


def confusion_scores(confusion, names: list[str]) -> dict:
    """F_avg, macro-F1 and accuracy from confusion matrices (..., k, k); arrays of the leading shape.

    F_avg is eval.pl's: (F_favor + F_against) / 2, always over both classes, an undefined F being
    0 (class_f1); the same rule holds overall, per target, per fold and in every bootstrap
    resample. Macro-F1 is the mean F1 of all k classes by the same rule (scikit-learn's
    f1_score(labels=all, average="macro", zero_division=0))."""
    np = _numpy()
    cm = np.asarray(confusion, dtype=float)
    f1 = class_f1(cm)
    fa = [names.index("favor"), names.index("against")]
    total = cm.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(total > 0, np.trace(cm, axis1=-2, axis2=-1) / np.where(total > 0, total, 1), np.nan)
    return {"f_avg": f1[..., fa].mean(axis=-1), "macro_f1": f1.mean(axis=-1), "accuracy": accuracy}


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else round(x, 6)


def _interval(values, level: float) -> list[float | None]:
    np = _numpy()
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return [None, None]
    lo, hi = np.percentile(values, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return [_num(lo), _num(hi)]


def score(gold, pred, names: list[str], *, units=None, targets=None, samples: int = SAMPLES,
          seed: int = SEED, level: float = LEVEL) -> dict:
    """Score label indices `pred` against `gold` (same length).

    units: the bootstrap's resampling unit of every row (sentence ids); default: each row alone.
    targets: the target of every row, for per-target F_avg; default: no per-target scores.
    samples: bootstrap resamples (0: no intervals).
    """
    np = _numpy()
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    for name, value in (("samples", samples), ("seed", seed)):
        if type(value) is not int or value < 0:
            raise LoadError("bad-argument", f"{name} must be a whole number ≥ 0, not {value!r}")
    gold, pred = np.asarray(gold, dtype=int), np.asarray(pred, dtype=int)
    if gold.shape != pred.shape or gold.ndim != 1 or gold.size == 0:
        raise ValueError("gold and pred must be non-empty sequences of the same length")
    k = len(names)
    labels = list(range(k))
    cm = confusion_matrix(gold, pred, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, average=None, zero_division=0)  # eval.pl: an undefined P or R is 0
    point = confusion_scores(cm, names)

    unit_ids = np.arange(gold.size) if units is None else np.unique(np.asarray(units), return_inverse=True)[1]
    n_units = int(unit_ids.max()) + 1
    groups = {}
    if targets is not None:
        targets = np.asarray(targets)
        for t in dict.fromkeys(targets.tolist()):
            groups[t] = targets == t

    def per_unit(mask):  # (n_units, k*k): confusion counts contributed by each unit
        counts = np.zeros((n_units, k * k))
        np.add.at(counts, (unit_ids[mask], gold[mask] * k + pred[mask]), 1)
        return counts

    report = {
        "rows": int(gold.size),
        "units": n_units,
        "metrics": {m: {"value": _num(v)} for m, v in point.items()},
        "per_class": {
            n: {"precision": _num(precision[i]), "recall": _num(recall[i]), "f1": _num(f1[i]),
                "support": int(support[i]), "predicted": int(cm[:, i].sum())}
            for i, n in enumerate(names)
        },
        "per_target": {},
        "confusion": {"labels": list(names), "matrix": cm.astype(int).tolist()},
    }
    for t, mask in groups.items():
        tcm = confusion_matrix(gold[mask], pred[mask], labels=labels)
        report["per_target"][t] = {"rows": int(mask.sum()), "f_avg": {"value": _num(confusion_scores(tcm, names)["f_avg"])},
                                   "support": {n: int(tcm[i].sum()) for i, n in enumerate(names)}}
    if samples:
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, n_units, size=(samples, n_units))
        weights = np.bincount((np.arange(samples)[:, None] * n_units + draws).ravel(),
                              minlength=samples * n_units).reshape(samples, n_units).astype(float)
        boot = confusion_scores((weights @ per_unit(np.ones(gold.size, bool))).reshape(samples, k, k), names)
        for m in report["metrics"]:
            report["metrics"][m]["ci"] = _interval(boot[m], level)
        for t, mask in groups.items():
            tboot = confusion_scores((weights @ per_unit(mask)).reshape(samples, k, k), names)["f_avg"]
            report["per_target"][t]["f_avg"]["ci"] = _interval(tboot, level)
        report["bootstrap"] = {"samples": samples, "seed": seed, "level": level, "method": "percentile",
                               "unit": "sentence" if units is not None else "row",
                               "note": "resamples drawn with replacement within the scored set"}
    return report


def _prf(tp: int, n_gold: int, n_pred: int) -> dict:
    return {"precision": _num(tp / n_pred) if n_pred else None, "recall": _num(tp / n_gold) if n_gold else None,
            "f1": _num(2 * tp / (n_gold + n_pred)) if n_gold + n_pred else None,
            "gold": n_gold, "predicted": n_pred, "correct": tp}


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


# --------------------------------------------------------------------------- the benchmark

GOLD_COLUMNS = ["id", "sentence_id", "doc_id", "target", "label", "passes_agree"]


def gold_rows(split: str = "test", data_dir: Path | str | None = None, verify: bool = True) -> dict[str, list]:
    """The gold columns of the stance config for a split ("all": every split), as lists; the
    files are checked against the manifest as they are read (verify)."""
    if split not in SCORED_SPLITS:
        raise LoadError("unknown-split", f"unknown split {split!r}; valid: {', '.join(SCORED_SPLITS)}")
    tables = load("stance", format="arrow", data_dir=data_dir, verify=verify)
    wanted = list(tables) if split == "all" else [split]
    out: dict[str, list] = {c: [] for c in GOLD_COLUMNS}
    for s in wanted:
        t = tables[s].select(GOLD_COLUMNS)
        for c in GOLD_COLUMNS:
            out[c].extend(t[c].to_pylist())
    return out


def _restrict(gold: dict[str, list], agreed_only: bool, targets) -> list[int]:
    valid = set(gold["target"])
    if targets is not None:
        if not isinstance(targets, str) and not (isinstance(targets, (list, tuple, set, frozenset))
                                                 and all(isinstance(t, str) for t in targets)):
            raise LoadError("bad-argument", f"targets must be a target name or a list of them, not {targets!r}")
        targets = [targets] if isinstance(targets, str) else list(targets)
        unknown = [t for t in targets if t not in valid]
        if unknown:
            raise LoadError("unknown-target", f"unknown target(s) {', '.join(unknown)}; valid: {', '.join(dict.fromkeys(gold['target']))}")
    keep = set(targets) if targets is not None else valid
    return [i for i, (t, agree) in enumerate(zip(gold["target"], gold["passes_agree"]))
            if t in keep and (agree or not agreed_only)]


def _scope(split: str, agreed_only: bool, targets) -> str:
    s = "all splits" if split == "all" else f"split '{split}'"
    if targets is not None:
        s += " (targets " + ", ".join([targets] if isinstance(targets, str) else targets) + ")"
    if agreed_only:
        s += " (items both passes agreed on)"
    return s


def _checked(predictions, split: str, agreed_only: bool, targets, data_dir, verify: bool = True,
             gold: dict | None = None):
    """The scored rows' gold columns (restricted) and the predicted label index of each.
    gold: the split's gold_rows, if the caller has read them already."""
    gold = gold if gold is not None else gold_rows(split, data_dir, verify)
    names = inventories(data_dir)["stance_labels"]
    keep = _restrict(gold, agreed_only, targets)
    scope = _scope(split, agreed_only, targets)
    if not keep:
        raise LoadError("nothing-to-score", f"nothing to score in {scope}")
    labels = check_predictions(predictions, [gold["id"][i] for i in keep], set(gold["id"]), names, scope)
    rows = {c: [gold[c][i] for i in keep] for c in GOLD_COLUMNS}
    rows["pred"] = [labels[i] for i in rows["id"]]
    return rows, names, scope


def _score_rows(rows: dict, names: list[str], samples: int, seed: int) -> dict:
    return score(rows["label"], rows["pred"], names, units=rows["sentence_id"], targets=rows["target"],
                 samples=samples, seed=seed)


def evaluate(predictions, split: str = "test", *, agreed_only: bool = False, targets=None,
             samples: int = SAMPLES, seed: int = SEED, data_dir: Path | str | None = None,
             verify: bool = True) -> dict:
    """Score stance predictions on a split of the benchmark (the official scorer).

    predictions: see the module docstring; must cover every row scored (no more, no fewer).
    split: "test" (the official one), "validation", "train" or "all".
    agreed_only: score only the rows on which both annotation passes gave the same label.
    targets: score only these targets (a name or a list of names).
    samples, seed: bootstrap resamples and seed for the 95% intervals.
    verify: check the gold files against the manifest as they are read (default; False skips it).
    """
    _numpy()  # before anything else: the extra's absence is the first thing to say
    rows, names, scope = _checked(predictions, split, agreed_only, targets, data_dir, verify)
    report = _score_rows(rows, names, samples, seed)
    return {"protocol": "split", "split": split, "scope": scope, "agreed_only": agreed_only,
            "targets": sorted(report["per_target"]), "documents": len(set(rows["doc_id"])), **report}


def evaluate_cv(predictions, *, protocol: str = "lodo", agreed_only: bool = False, targets=None,
                samples: int = SAMPLES, seed: int = SEED, data_dir: Path | str | None = None,
                verify: bool = True) -> dict:
    """Score cross-validation predictions: one prediction for every row of every split, each made
    by the model that did not see the row's fold (see `folds`): its document (protocol "lodo") or
    its target (protocol "loto", zero-shot targets).

    Reports every fold (document), the mean ± sample standard deviation over folds of F_avg,
    macro-F1 and accuracy, and the pooled predictions scored as one set, with bootstrap intervals
    that resample whole sentences and, as `document_bootstrap`, whole documents (clusters).
    """
    np = _numpy()  # before anything else: the extra's absence is the first thing to say
    if protocol not in FOLD_KEYS:
        raise LoadError("bad-argument", f"unknown cross-validation protocol {protocol!r}; valid: {', '.join(FOLD_KEYS)}")
    rows, names, scope = _checked(predictions, "all", agreed_only, targets, data_dir, verify)
    pooled = _score_rows(rows, names, samples, seed)
    if samples and protocol == "lodo":  # documents drawn whole as well: the folds are documents, so is the cluster
        by_document = score(rows["label"], rows["pred"], names, units=rows["doc_id"], samples=samples, seed=seed)
        pooled["document_bootstrap"] = {"unit": "document", "units": by_document["units"], "samples": samples,
                                        "seed": seed, "metrics": {m: v["ci"] for m, v in by_document["metrics"].items()}}
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(rows[FOLD_KEYS[protocol]]):
        by_doc[key].append(i)
    folds = {}
    for doc, idx in sorted(by_doc.items()):
        r = score([rows["label"][i] for i in idx], [rows["pred"][i] for i in idx], names, samples=0)
        folds[doc] = {"rows": r["rows"], **{m: v["value"] for m, v in r["metrics"].items()}}
    summary = {}
    for m in pooled["metrics"]:
        values = np.array([f[m] for f in folds.values() if f[m] is not None], dtype=float)
        summary[m] = {"mean": _num(values.mean()) if values.size else None,
                      "sd": _num(values.std(ddof=1)) if values.size > 1 else None,
                      "folds": int(values.size)}
    return {"protocol": protocol, "split": "all", "scope": scope, "agreed_only": agreed_only,
            "targets": sorted(pooled["per_target"]), "documents": len(set(rows["doc_id"])),
            "fold_by": FOLD_KEYS[protocol], "folds": folds, "over_folds": summary, "pooled": pooled}


# --------------------------------------------------------------------------- folds

def folds(protocol: str = "lodo", format: str = "pandas", data_dir: Path | str | None = None):
    """Yield the folds of a protocol as (name, train, test) with tables of the stance config.

    "split": one fold, ("test", train, test); select models on load("stance", split="validation").
    "lodo": one fold per document, (doc_id, rows of every other document, rows of doc_id).
    "loto": one fold per target, (target, rows of every other target, rows of the target): a
    zero-shot target, to be predicted from its `target_description`.
    format: "pandas" or "arrow".
    """
    if protocol not in PROTOCOLS:
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: {', '.join(PROTOCOLS)}")
    if format not in ("pandas", "arrow"):
        raise LoadError("unknown-format", f"folds come as 'pandas' or 'arrow' tables, not {format!r}")
    import pyarrow as pa
    import pyarrow.compute as pc

    tables = load("stance", format="arrow", data_dir=data_dir)
    convert = (lambda t: t.to_pandas(use_threads=False)) if format == "pandas" else (lambda t: t)
    if protocol == "split":
        yield "test", convert(tables["train"]), convert(tables["test"])
        return
    every = pa.concat_tables(tables.values())
    key = FOLD_KEYS[protocol]
    values = sorted(set(every[key].to_pylist())) if protocol == "lodo" else \
        [t for t in inventories(data_dir)["targets"] if t in set(every[key].to_pylist())]
    for value in values:
        held_out = pc.equal(every[key], value)
        yield value, convert(every.filter(pc.invert(held_out))), convert(every.filter(held_out))


# --------------------------------------------------------------------------- text output

def _fmt(v: float | None) -> str:
    return "  n/a" if v is None else f"{v:.3f}"


def _with_ci(m: dict) -> str:
    ci = m.get("ci")
    return _fmt(m["value"]) + (f"  [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "")


def _split_report(r: dict) -> list[str]:
    names = r["confusion"]["labels"]
    b = r.get("bootstrap")
    out = []
    if b:
        out.append(f"95% intervals: {b['method']} bootstrap, {b['samples']} resamples of {b['unit']}s "
                   f"within the scored set, seed {b['seed']}")
    out += [f"  F_avg (official)  {_with_ci(r['metrics']['f_avg'])}",
            f"  macro-F1          {_with_ci(r['metrics']['macro_f1'])}",
            f"  accuracy          {_with_ci(r['metrics']['accuracy'])}", "",
            f"  {'class':<10}{'precision':>10}{'recall':>8}{'F1':>8}{'gold':>6}{'pred':>6}"]
    for n, c in r["per_class"].items():
        out.append(f"  {n:<10}{_fmt(c['precision']):>10}{_fmt(c['recall']):>8}{_fmt(c['f1']):>8}"
                   f"{c['support']:>6}{c['predicted']:>6}")
    out += ["", f"  {'target':<16}{'rows':>5}  F_avg  [95% interval]   gold " + "/".join(names)]
    for t, v in r["per_target"].items():
        out.append(f"  {t:<16}{v['rows']:>5}  {_with_ci(v['f_avg']):<25}"
                   + "/".join(str(v["support"][n]) for n in names))
    out += ["", "  confusion (rows gold, columns predicted)", "  " + " " * 10 + "".join(f"{n:>9}" for n in names)]
    for n, row in zip(names, r["confusion"]["matrix"]):
        out.append(f"  {n:<10}" + "".join(f"{c:>9}" for c in row))
    return out


def format_report(report: dict) -> str:
    """The report as a readable table."""
    if report["protocol"] == "split":
        head = [f"belgrade-stance scorer: {report['scope']}, {report['rows']} rows, "
                f"{report['units']} sentences, {report['documents']} document(s)"]
        return "\n".join(head + _split_report(report)) + "\n"
    what = "leave-one-document-out over the documents" if report["protocol"] == "lodo" else \
        "leave-one-target-out (zero-shot targets) over the targets"
    out = [f"belgrade-stance scorer: {what}, {report['scope']}",
           f"  {'fold':<16}{'rows':>5}{'F_avg':>8}{'macro-F1':>10}{'accuracy':>10}"]
    for doc, f in report["folds"].items():
        out.append(f"  {doc:<16}{f['rows']:>5}{_fmt(f['f_avg']):>8}{_fmt(f['macro_f1']):>10}{_fmt(f['accuracy']):>10}")
    o = report["over_folds"]
    out.append("  mean ± sd over folds (sample sd; folds with an undefined value left out): "
               + ", ".join(f"{m} {_fmt(v['mean'])} ± {_fmt(v['sd'])} ({v['folds']} folds)" for m, v in o.items()))
    out += ["", f"pooled predictions: {report['pooled']['rows']} rows, {report['pooled']['units']} sentences"]
    d = report["pooled"].get("document_bootstrap")
    if d:
        out.append(f"95% intervals resampling whole documents ({d['units']} documents, {d['samples']} resamples): "
                   + ", ".join(f"{m} [{_fmt(ci[0])}, {_fmt(ci[1])}]" for m, ci in d["metrics"].items()))
    return "\n".join(out + _split_report(report["pooled"])) + "\n"
