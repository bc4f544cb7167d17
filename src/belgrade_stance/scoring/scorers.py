"""The official scorers: stance predictions (`evaluate`, `evaluate_cv`) on a split or the `folds` of
a protocol, the paired comparison of two systems (`compare`), and holder/evidence predictions
(`evaluate_holders`), as DATASET_CARD.md ("Scorer", "Holders and evidence") describes them. The
arithmetic is in `metrics`, the reading of predictions in `predictions`, the text reports in `reports`."""

from __future__ import annotations

from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.load import inventories, load
from belgrade_stance.scoring import metrics
from belgrade_stance.scoring.predictions import check_holder_predictions, check_predictions, normalise
from belgrade_stance.spans import token_offsets

PROTOCOLS = ("split", "lodo", "loto")  # the fixed split, leave one document out, leave one target out
FOLD_KEYS = {"lodo": "doc_id", "loto": "target"}
SCORED_SPLITS = ("train", "validation", "test", "all")
GOLD_COLUMNS = ["id", "sentence_id", "doc_id", "target", "label", "passes_agree"]


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
    parts = [tables[s].select(GOLD_COLUMNS).to_pydict() for s in splits]
    gold = {c: [v for part in parts for v in part[c]] for c in GOLD_COLUMNS}
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
    names = inventories(data_dir)["stance_labels"]
    rows = {c: [gold[c][i] for i in keep] for c in GOLD_COLUMNS}
    checked = (check_predictions(p, rows["id"], set(gold["id"]), names, scope) for p in systems)
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
    the official one, "all" every split); or, with protocol "lodo" or "loto", the cross-validation
    predictions of every row, each made by the model that did not see the row's document or target:
    every fold, the mean ± sample sd over folds and the pooled predictions (intervals over
    sentences and, for lodo, over documents). agreed_only: only the rows both annotation passes
    agree on; targets: only these targets; verify: check the gold files against the manifest."""
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
    if samples and protocol == "lodo":  # the folds are documents: draw whole documents as well
        docs = metrics.score(rows["label"], pred, names, units=rows["doc_id"], **drawn)
        cis = {m: v["ci"] for m, v in docs["metrics"].items()}
        pooled["document_bootstrap"] = {"unit": "document", "units": docs["units"], **drawn, "metrics": cis}
    np = metrics.require_numpy()
    fold_of, gold, pred = np.array(rows[FOLD_KEYS[protocol]]), np.array(rows["label"]), np.array(pred)
    folds = {}
    for fold in sorted(set(fold_of.tolist())):
        r = metrics.score(gold[fold_of == fold], pred[fold_of == fold], names, samples=0)
        folds[fold] = {"rows": r["rows"], **{m: v["value"] for m, v in r["metrics"].items()}}
    summary = {}
    for m in pooled["metrics"]:
        values = np.array([f[m] for f in folds.values() if f[m] is not None], dtype=float)
        mean = metrics.rounded(values.mean()) if values.size else None
        sd = metrics.rounded(values.std(ddof=1)) if values.size > 1 else None
        summary[m] = {"mean": mean, "sd": sd, "folds": int(values.size)}
    return {**head, "fold_by": FOLD_KEYS[protocol], "folds": folds, "over_folds": summary, "pooled": pooled}


def evaluate_cv(predictions, *, protocol: str = "lodo", **options) -> dict:
    """`evaluate` of cross-validation predictions of every row (protocol "lodo" or "loto")."""
    scored_splits(protocol, "all", valid=tuple(FOLD_KEYS))
    return evaluate(predictions, protocol=protocol, **options)


def folds(protocol: str = "lodo", *, data_dir: Path | str | None = None):
    """Yield the folds of a protocol as (name, train, test) DataFrames of the stance config: "split"
    one fold ("test", train, test); "lodo" one per document (doc_id, every other document, the
    document); "loto" one per target, a zero-shot target predicted from its `target_description`."""
    scored_splits(protocol, "test")  # refuses an unknown protocol
    import pandas as pd

    tables = load("stance", data_dir=data_dir)
    if protocol == "split":
        yield "test", tables["train"], tables["test"]
        return
    every = pd.concat(tables.values(), ignore_index=True)
    key, present = FOLD_KEYS[protocol], set(every[FOLD_KEYS[protocol]])
    order = sorted(present) if protocol == "lodo" else inventories(data_dir)["targets"]
    for value in (v for v in order if v in present):
        held_out = every[key] == value
        yield value, every[~held_out].reset_index(drop=True), every[held_out].reset_index(drop=True)


def compare(
    predictions_a,
    predictions_b,
    protocol: str = "split",
    split: str = "test",
    *,
    agreed_only: bool = False,
    targets=None,
    samples: int = metrics.SAMPLES,
    permutations: int = metrics.PERMUTATIONS,
    seed: int = metrics.SEED,
    data_dir: Path | str | None = None,
    verify: bool = True,
) -> dict:
    """Paired comparison of two prediction sets, each checked as `evaluate` checks one: B − A with
    a paired bootstrap interval and an approximate-randomization p-value (`metrics.paired`), on one
    split (protocol "split") or on the cross-validation predictions of every row ("lodo", "loto")."""
    systems = predictions_a, predictions_b
    head, rows, names, (pred_a, pred_b) = scored_rows(
        protocol, split, agreed_only, targets, data_dir, verify, *systems
    )
    options = {"targets": rows["target"], "samples": samples, "permutations": permutations, "seed": seed}
    report = metrics.paired(rows["label"], pred_a, pred_b, names, rows["sentence_id"], **options)
    a, b = (str(p) if isinstance(p, (str, Path)) else type(p).__name__ for p in systems)
    bootstrap = {"samples": samples, "seed": seed, "unit": "sentence", "method": "percentile"}
    return {**head, "a": a, "b": b, "alpha": metrics.ALPHA, "bootstrap": bootstrap, **report}


def _gold(splits: list[str], data_dir, verify: bool) -> tuple[dict, dict]:
    """Gold tuples with their evidence spans, and the scored sentences (id → text, token spans)."""
    names = inventories(data_dir)["stance_labels"]
    holders = load("holders", format="arrow", data_dir=data_dir, verify=verify)
    sentences = load("sentences", format="arrow", data_dir=data_dir, verify=verify)
    gold, texts = {}, {}
    for s in splits:
        for r in sentences[s].select(["id", "text", "tokens", "annotation_status"]).to_pylist():
            if r["annotation_status"] == "gold":
                texts[r["id"]] = (r["text"], token_offsets(r["text"], r["tokens"]) or [])
        for r in holders[s].to_pylist():
            key = (r["sentence_id"], r["target"], names[r["label"]], normalise(r["holder"]))
            gold[key] = (r["evidence_start"], r["evidence_end"])
    return gold, texts


def _tokens_in(span, offsets) -> set[int]:
    return {i for i, (a, b) in enumerate(offsets) if span and a < span[1] and span[0] < b}


def evaluate_holders(
    predictions,
    split: str = "test",
    *,
    protocol: str = "split",
    data_dir: Path | str | None = None,
    verify=True,
) -> dict:
    """Score holder/evidence predictions: for every sentence scored, the favor/against stances a
    system finds, one JSON record per (target, holder) — {"sentence_id": "d03-s006", "target":
    "putin", "label": "against", "holder": "aleksei", "evidence_start": 12, "evidence_end": 40}.
    Protocol "lodo" scores every split (leave-one-document-out predictions), "split" one split."""
    split, splits = scored_splits(protocol, split, valid=("split", "lodo"))
    gold, texts = _gold(splits, data_dir, verify)
    targets = list(inventories(data_dir)["targets"])
    pred = check_holder_predictions(predictions, texts, targets)
    matched = set(gold) & set(pred)
    evidence = []
    for key in matched:
        g, p = (_tokens_in(span[key], texts[key[0]][1]) for span in (gold, pred))
        evidence.append(2 * len(g & p) / (len(g) + len(p)) if g and p else 0.0)
    gold_items, pred_items = {k[:3] for k in gold}, {k[:3] for k in pred}
    per_target = {}
    for t in targets:
        g, p = {k for k in gold if k[1] == t}, {k for k in pred if k[1] == t}
        per_target[t] = metrics.counted(g, p, 0.0)
    return {
        "task": "holders",
        "protocol": protocol,
        "split": split,
        "sentences": len(texts),
        "tuple": metrics.counted(gold.keys(), pred.keys(), 0.0),
        "tuple_without_holder": metrics.counted(gold_items, pred_items, 0.0),
        "evidence": {
            "token_f1_over_gold": round(sum(evidence) / len(gold), 6) if gold else 0.0,
            "token_f1_over_matched": round(sum(evidence) / len(evidence), 6) if evidence else 0.0,
            "matched": len(evidence),
        },
        "per_target": per_target,
    }
