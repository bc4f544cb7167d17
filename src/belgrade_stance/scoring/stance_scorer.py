"""The official scorer of the stance benchmark, its folds, and the paired comparison of two systems;
the metrics and tests are described in DATASET_CARD.md ("Scorer") and computed in `metrics`.

    report = belgrade_stance.evaluate("predictions.jsonl", split="test")
    print(belgrade_stance.format_report(report))
"""

from __future__ import annotations

from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.load import inventories, load
from belgrade_stance.scoring import metrics
from belgrade_stance.scoring.predictions import check_predictions

PROTOCOLS = ("split", "lodo", "loto")
"""split: the fixed split; lodo: leave one document out; loto: leave one target out (zero-shot target)."""
FOLD_KEYS = {"lodo": "doc_id", "loto": "target"}
SCORED_SPLITS = ("train", "validation", "test", "all")
GOLD_COLUMNS = ["id", "sentence_id", "doc_id", "target", "label", "passes_agree"]


def split_names(split: str) -> list[str]:
    """The splits a scored split stands for ("all": every split), or LoadError."""
    if split not in SCORED_SPLITS:
        raise LoadError("unknown-split", f"unknown split {split!r}; valid: {', '.join(SCORED_SPLITS)}")
    return list(SCORED_SPLITS[:-1]) if split == "all" else [split]


def scored_rows(split: str, agreed_only: bool, targets, data_dir, verify: bool, *systems):
    """(rows, label names, scope, predictions): the gold columns of the scored rows, and each
    system's label indices for them, once every system's predictions are checked."""
    splits = split_names(split)
    tables = load("stance", format="arrow", data_dir=data_dir, verify=verify)
    parts = [tables[s].select(GOLD_COLUMNS).to_pydict() for s in splits]
    gold = {c: [v for part in parts for v in part[c]] for c in GOLD_COLUMNS}
    scope = "all splits" if split == "all" else f"split '{split}'"
    if targets is not None:
        targets = [targets] if isinstance(targets, str) else targets
        if not isinstance(targets, (list, tuple, set, frozenset)):
            raise LoadError(
                "bad-argument", f"targets must be a target name or a list of them, not {targets!r}"
            )
        valid = list(dict.fromkeys(gold["target"]))
        if unknown := [str(t) for t in targets if t not in valid]:
            raise LoadError(
                "unknown-target", f"unknown target(s) {', '.join(unknown)}; valid: {', '.join(valid)}"
            )
        scope += " (targets " + ", ".join(targets) + ")"
    if agreed_only:
        scope += " (items both passes agreed on)"
    pairs = enumerate(zip(gold["target"], gold["passes_agree"]))
    keep = [i for i, (t, agree) in pairs if (targets is None or t in targets) and (agree or not agreed_only)]
    if not keep:
        raise LoadError("nothing-to-score", f"nothing to score in {scope}")
    names = inventories(data_dir)["stance_labels"]
    rows = {c: [gold[c][i] for i in keep] for c in GOLD_COLUMNS}
    preds = []
    for predictions in systems:
        labels = check_predictions(predictions, rows["id"], set(gold["id"]), names, scope)
        preds.append([labels[i] for i in rows["id"]])
    return rows, names, scope, preds


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
    np = metrics.require_numpy()  # before anything else: the extra's absence is the first thing to say
    if protocol not in PROTOCOLS:
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: {', '.join(PROTOCOLS)}")
    split = "all" if protocol in FOLD_KEYS else split
    rows, names, scope, (pred,) = scored_rows(split, agreed_only, targets, data_dir, verify, predictions)
    by_sentence = {"units": rows["sentence_id"], "targets": rows["target"], "samples": samples, "seed": seed}
    pooled = metrics.score(rows["label"], pred, names, **by_sentence)
    head = {
        "protocol": protocol,
        "split": split,
        "scope": scope,
        "agreed_only": agreed_only,
        "targets": sorted(pooled["per_target"]),
        "documents": len(set(rows["doc_id"])),
    }
    if protocol == "split":
        return {**head, **pooled}
    if samples and protocol == "lodo":  # the folds are documents: draw whole documents as well
        by_document = metrics.score(
            rows["label"], pred, names, units=rows["doc_id"], samples=samples, seed=seed
        )
        pooled["document_bootstrap"] = {
            "unit": "document",
            "units": by_document["units"],
            "samples": samples,
            "seed": seed,
            "metrics": {m: v["ci"] for m, v in by_document["metrics"].items()},
        }
    fold_of, gold, pred = np.array(rows[FOLD_KEYS[protocol]]), np.array(rows["label"]), np.array(pred)
    folds = {}
    for fold in sorted(set(fold_of.tolist())):
        r = metrics.score(gold[fold_of == fold], pred[fold_of == fold], names, samples=0)
        folds[fold] = {"rows": r["rows"], **{m: v["value"] for m, v in r["metrics"].items()}}
    summary = {}
    for m in pooled["metrics"]:
        values = np.array([f[m] for f in folds.values() if f[m] is not None], dtype=float)
        summary[m] = {
            "mean": metrics.rounded(values.mean()) if values.size else None,
            "sd": metrics.rounded(values.std(ddof=1)) if values.size > 1 else None,
            "folds": int(values.size),
        }
    return {**head, "fold_by": FOLD_KEYS[protocol], "folds": folds, "over_folds": summary, "pooled": pooled}


def evaluate_cv(predictions, *, protocol: str = "lodo", **options) -> dict:
    """`evaluate` of cross-validation predictions of every row (protocol "lodo" or "loto")."""
    if protocol not in FOLD_KEYS:
        raise LoadError("bad-argument", f"unknown cross-validation protocol {protocol!r}; valid: lodo, loto")
    return evaluate(predictions, protocol=protocol, **options)


def folds(protocol: str = "lodo", *, data_dir: Path | str | None = None):
    """Yield the folds of a protocol as (name, train, test) DataFrames of the stance config: "split"
    one fold ("test", train, test); "lodo" one per document (doc_id, every other document, the
    document); "loto" one per target, a zero-shot target predicted from its `target_description`."""
    if protocol not in PROTOCOLS:
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: {', '.join(PROTOCOLS)}")
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
    metrics.require_numpy()
    if protocol not in PROTOCOLS:
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: {', '.join(PROTOCOLS)}")
    split = "all" if protocol in FOLD_KEYS else split
    systems = predictions_a, predictions_b
    rows, names, scope, (pred_a, pred_b) = scored_rows(
        split, agreed_only, targets, data_dir, verify, *systems
    )
    options = {"targets": rows["target"], "samples": samples, "permutations": permutations, "seed": seed}
    report = metrics.paired(rows["label"], pred_a, pred_b, names, rows["sentence_id"], **options)
    a, b = (str(p) if isinstance(p, (str, Path)) else type(p).__name__ for p in systems)
    return {
        "protocol": protocol,
        "split": split,
        "scope": scope,
        "a": a,
        "b": b,
        "alpha": metrics.ALPHA,
        "bootstrap": {"samples": samples, "seed": seed, "unit": "sentence", "method": "percentile"},
        **report,
    }


def _fmt(v: float | None, sign: str = "") -> str:
    return "  n/a" if v is None else f"{v:{sign}.3f}"


def _with_ci(m: dict, sign: str = "") -> str:
    ci = m.get("ci")
    interval = f"  [{_fmt(ci[0], sign)}, {_fmt(ci[1], sign)}]" if ci else ""
    return _fmt(m.get("value", m.get("difference")), sign) + interval


def _split_report(r: dict) -> list[str]:
    names, b, out = r["confusion"]["labels"], r.get("bootstrap"), []
    if b:
        out.append(
            f"95% intervals: {b['method']} bootstrap, {b['samples']} resamples of {b['unit']}s "
            f"within the scored set, seed {b['seed']}"
        )
    out += [
        f"  F_avg (official)  {_with_ci(r['metrics']['f_avg'])}",
        f"  macro-F1          {_with_ci(r['metrics']['macro_f1'])}",
        f"  accuracy          {_with_ci(r['metrics']['accuracy'])}",
        "",
        f"  {'class':<10}{'precision':>10}{'recall':>8}{'F1':>8}{'gold':>6}{'pred':>6}",
    ]
    for n, c in r["per_class"].items():
        scores = f"{_fmt(c['precision']):>10}{_fmt(c['recall']):>8}{_fmt(c['f1']):>8}"
        out.append(f"  {n:<10}{scores}{c['support']:>6}{c['predicted']:>6}")
    out += ["", f"  {'target':<16}{'rows':>5}  F_avg  [95% interval]   gold " + "/".join(names)]
    for t, v in r["per_target"].items():
        support = "/".join(str(v["support"][n]) for n in names)
        out.append(f"  {t:<16}{v['rows']:>5}  {_with_ci(v['f_avg']):<25}" + support)
    out += ["", "  confusion (rows gold, columns predicted)", " " * 12 + "".join(f"{n:>9}" for n in names)]
    for n, row in zip(names, r["confusion"]["matrix"]):
        out.append(f"  {n:<10}" + "".join(f"{c:>9}" for c in row))
    return out


def format_report(report: dict) -> str:
    """The report of `evaluate` or `evaluate_cv` as a readable table."""
    if report["protocol"] == "split":
        head = (
            f"belgrade-stance scorer: {report['scope']}, {report['rows']} rows, "
            f"{report['units']} sentences, {report['documents']} document(s)"
        )
        return "\n".join([head, *_split_report(report)]) + "\n"
    what = "leave-one-document-out over the documents"
    if report["protocol"] == "loto":
        what = "leave-one-target-out (zero-shot targets) over the targets"
    out = [
        f"belgrade-stance scorer: {what}, {report['scope']}",
        f"  {'fold':<16}{'rows':>5}{'F_avg':>8}{'macro-F1':>10}{'accuracy':>10}",
    ]
    for fold, f in report["folds"].items():
        scores = f"{_fmt(f['f_avg']):>8}{_fmt(f['macro_f1']):>10}{_fmt(f['accuracy']):>10}"
        out.append(f"  {fold:<16}{f['rows']:>5}{scores}")
    summary = (
        f"{m} {_fmt(v['mean'])} ± {_fmt(v['sd'])} ({v['folds']} folds)"
        for m, v in report["over_folds"].items()
    )
    out.append(
        "  mean ± sd over folds (sample sd; folds with an undefined value left out): " + ", ".join(summary)
    )
    pooled, d = report["pooled"], report["pooled"].get("document_bootstrap")
    out += ["", f"pooled predictions: {pooled['rows']} rows, {pooled['units']} sentences"]
    if d:
        out.append(
            f"95% intervals resampling whole documents ({d['units']} documents, {d['samples']} resamples): "
            + ", ".join(f"{m} [{_fmt(ci[0])}, {_fmt(ci[1])}]" for m, ci in d["metrics"].items())
        )
    return "\n".join(out + _split_report(pooled)) + "\n"


def format_comparison(r: dict) -> str:
    """The comparison as a readable table."""
    boot, rand = r["bootstrap"], r.get("randomization")
    test = "no randomization test"
    if rand:
        kind = "assignments, exact" if rand["exact"] else "permutations"
        test = f"approximate randomization ({rand['assignments']} {kind})"
    out = [
        f"belgrade-stance compare: B − A on {r['scope']} ({r['protocol']}), {r['rows']} rows, "
        f"{r['units']} sentences",
        f"  A: {r['a']}",
        f"  B: {r['b']}",
        f"  paired bootstrap over sentences ({boot['samples']} resamples, seed {boot['seed']}); {test}"
        f"; * significant at {r['alpha']} (targets: Holm-corrected)",
        "",
    ]
    for m in metrics.COMPARED:
        out.append(f"  {m:<16}{'A':>7}{'B':>7}  {'B − A':>6}")
        for label, e in [("all targets", r[m]), *((t, v[m]) for t, v in r["per_target"].items())]:
            p = e.get("p_holm", e.get("p"))
            test = "" if p is None else f"  p {p:.4f}" + (" *" if e.get("significant") else "")
            out.append(f"  {label:<16}{e['a']:>7.3f}{e['b']:>7.3f}  {_with_ci(e, '+')}{test}")
        out.append("")
    return "\n".join(out)
