"""The official scorers: stance predictions (`evaluate`, `evaluate_cv`) on a split or the `folds` of
a protocol and the paired comparison of two systems (`compare`), as DATASET_CARD.md ("Scorer")
describes them (holder/evidence predictions: `holder_tuples`). The
arithmetic is in `metrics`, the reading of predictions in `predictions`, the text reports in `reports`."""

from __future__ import annotations

from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.load import inventories, load, manifest
from belgrade_stance.scoring import metrics
from belgrade_stance.scoring.predictions import check_predictions

PROTOCOLS = ("split", "lodo", "loto")  # the fixed split, leave one document out, leave one target out
FOLD_KEYS = {"lodo": "doc_id", "loto": "target"}  # what the folds of a report are (loto: its targets)
SCORED_SPLITS = ("train", "validation", "test", "all")
INPUT_COLUMNS = ("id", "sentence_id", "doc_id", "text", "target", "target_description", "context")
GOLD_COLUMNS = ("label", "label_a", "label_b", "passes_agree", "mixed", "holders")  # never a model input
SCORED = ["id", "sentence_id", "doc_id", "target", "label", "passes_agree"]


def scored_splits(protocol: str, split: str, valid=PROTOCOLS) -> tuple[str, list[str]]:
    """The split a protocol scores ("all" for cross-validation) and the splits it stands for."""
    if protocol not in valid:
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: {', '.join(valid)}")
    split = "all" if protocol in FOLD_KEYS else split
    if split not in SCORED_SPLITS:
        raise LoadError("unknown-split", f"unknown split {split!r}; valid: {', '.join(SCORED_SPLITS)}")
    return split, list(SCORED_SPLITS[:-1]) if split == "all" else [split]


def scored_rows(protocol: str, split: str, agreed_only: bool, targets, data_dir, verify: bool, *systems):
    """(head, rows, label names, predictions): the report's protocol, split and scope, the gold columns
    of the scored rows, and each system's label indices for them, once all predictions are checked."""
    metrics.require_numpy()  # before anything else: the extra's absence is the first thing to say
    split, splits = scored_splits(protocol, split)
    tables = load("stance", format="arrow", data_dir=data_dir, verify=verify)
    parts = [tables[s].select(SCORED).to_pydict() for s in splits]
    gold = {c: [v for part in parts for v in part[c]] for c in SCORED}
    scope = "all splits" if split == "all" else f"split '{split}'"
    if targets is not None:
        targets = [targets] if isinstance(targets, str) else targets
        if not isinstance(targets, (list, tuple, set, frozenset)):
            raise LoadError("bad-argument", f"targets must be a name or a list of names, not {targets!r}")
        valid = ", ".join(dict.fromkeys(gold["target"]))
        if unknown := [str(t) for t in targets if t not in gold["target"]]:
            raise LoadError("unknown-target", f"unknown target(s) {', '.join(unknown)}; valid: {valid}")
        scope += " (targets " + ", ".join(targets) + ")"
    if agreed_only:
        scope += " (items both passes agreed on)"
    pairs = enumerate(zip(gold["target"], gold["passes_agree"]))
    keep = [i for i, (t, agree) in pairs if (targets is None or t in targets) and (agree or not agreed_only)]
    if not keep:
        raise LoadError("nothing-to-score", f"nothing to score in {scope}")
    names, version = inventories(data_dir)["stance_labels"], manifest(data_dir).get("dataset_version")
    rows = {c: [gold[c][i] for i in keep] for c in SCORED}
    checked = (check_predictions(p, rows["id"], set(gold["id"]), names, scope, version) for p in systems)
    preds = [[labels[i] for i in rows["id"]] for labels in checked]
    return {"protocol": protocol, "split": split, "scope": scope}, rows, names, preds


def evaluate(
    predictions,
    split: str = "test",
    *,
    protocol: str = "split",
    agreed_only: bool = False,
    targets=None,
    samples: int = metrics.SAMPLES,
    seed: int = metrics.SEED,
    data_dir: Path | str | None = None,
    verify: bool = True,
) -> dict:
    """Score stance predictions, one for every row scored (no more, no fewer), on a split ("test" is
    the official one, "all" every split); or, with protocol "lodo" or "loto", the predictions of every
    row made by the model of its fold (`folds`): the pooled predictions (sentence bootstrap interval)
    and each fold with the mean, sample sd and t interval over folds (loto's folds of one target are
    summed into that target's). Scores come with their oracle (the gold labels' own F_avg).
    agreed_only: only the rows both annotation passes agree on; targets: only these targets;
    verify: check the gold files against the manifest."""
    head, rows, names, (pred,) = scored_rows(
        protocol, split, agreed_only, targets, data_dir, verify, predictions
    )
    drawn = {"samples": samples, "seed": seed}
    pooled = metrics.score(
        rows["label"], pred, names, units=rows["sentence_id"], targets=rows["target"], **drawn
    )
    documents = len(set(rows["doc_id"]))
    head |= {"agreed_only": agreed_only, "targets": sorted(pooled["per_target"]), "documents": documents}
    if protocol == "split":
        return {**head, **pooled}
    np = metrics.require_numpy()
    fold_of, gold, pred = np.array(rows[FOLD_KEYS[protocol]]), np.array(rows["label"]), np.array(pred)
    folds = {}
    for fold in sorted(set(fold_of.tolist())):
        r = metrics.score(gold[fold_of == fold], pred[fold_of == fold], names, samples=0)
        scores = {m: v["value"] for m, v in r["metrics"].items()}
        folds[fold] = {"rows": r["rows"], **scores, "oracle": r["oracle"]}
    summary = {}
    for m in pooled["metrics"]:
        values = np.array([f[m] for f in folds.values() if f[m] is not None], dtype=float)
        mean = metrics.rounded(values.mean()) if values.size else None
        sd = metrics.rounded(values.std(ddof=1)) if values.size > 1 else None
        summary[m] = {"mean": mean, "sd": sd, "folds": int(values.size), "t_ci": metrics.t_interval(values)}
    head |= {"oracle": pooled["oracle"], "fold_by": FOLD_KEYS[protocol]}
    return {**head, "folds": folds, "over_folds": summary, "pooled": pooled}


def evaluate_cv(predictions, *, protocol: str = "lodo", **options) -> dict:
    """`evaluate` of cross-validation predictions of every row (protocol "lodo" or "loto")."""
    scored_splits(protocol, "all", valid=tuple(FOLD_KEYS))
    return evaluate(predictions, protocol=protocol, **options)


def folds(protocol: str = "lodo", *, labels: str = "indices", data_dir: Path | str | None = None):
    """Yield the folds of a protocol as (name, train, test, gold) DataFrames of the stance config: test
    holds only the model's inputs (INPUT_COLUMNS), gold the id and GOLD_COLUMNS of the same rows (for
    scoring only), train every column; labels as load's ("names": label columns as names). "split": one
    fold "test" (train → test); "lodo": one per document; "loto": one per target and document,
    f"{target}@{doc_id}", fitted on the other targets of the other documents (the target seen only
    through its target_description, its sentences never)."""
    scored_splits(protocol, "test")  # refuses an unknown protocol
    every = load("stance", "all", data_dir=data_dir, labels=labels)
    doc, target = every["doc_id"], every["target"]
    docs = sorted(set(doc))
    if protocol == "split":
        cuts = [("test", every["split"] == "train", every["split"] == "test")]
    elif protocol == "lodo":
        cuts = [(d, doc != d, doc == d) for d in docs]
    else:
        targets = [t for t in inventories(data_dir)["targets"] if t in set(target)]
        pairs = [(t, d) for t in targets for d in docs]
        cuts = [(f"{t}@{d}", (target != t) & (doc != d), (target == t) & (doc == d)) for t, d in pairs]
    for name, train, test in cuts:
        held = every[test].reset_index(drop=True)
        inputs, gold = held[list(INPUT_COLUMNS)], held[["id", *GOLD_COLUMNS]]
        if len(held):
            yield name, every[train].reset_index(drop=True), inputs, gold


def compare(
    predictions_a,
    predictions_b,
    protocol: str = "split",
    split: str = "test",
    *,
    agreed_only: bool = False,
    targets=None,
    samples: int = metrics.SAMPLES,
    seed: int = metrics.SEED,
    data_dir: Path | str | None = None,
    verify: bool = True,
) -> dict:
    """Paired comparison of two prediction sets, each checked as `evaluate` checks one: B − A from one
    paired bootstrap over sentences (`metrics.paired`), with interval, p-value and flag that agree (per
    target: difference and interval only), on one split (protocol "split") or on the predictions of
    every row of a cross-validation protocol ("lodo", "loto")."""
    systems = predictions_a, predictions_b
    head, rows, names, (pred_a, pred_b) = scored_rows(
        protocol, split, agreed_only, targets, data_dir, verify, *systems
    )
    options = {"targets": rows["target"], "samples": samples, "seed": seed}
    report = metrics.paired(rows["label"], pred_a, pred_b, names, rows["sentence_id"], **options)
    a, b = (str(p) if isinstance(p, (str, Path)) else type(p).__name__ for p in systems)
    bootstrap = {"samples": samples, "seed": seed, "unit": "sentence", "method": "percentile"}
    return {**head, "a": a, "b": b, "alpha": metrics.ALPHA, "bootstrap": bootstrap, **report}
