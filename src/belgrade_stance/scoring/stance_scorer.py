"""The official scorer of the stance benchmark, its folds and its report.

    import belgrade_stance
    report = belgrade_stance.evaluate("predictions.jsonl", split="test")
    print(belgrade_stance.format_report(report))

Predictions: see `predictions` (one label per row of the `stance` config). Metrics (see
`metrics`, all as eval.pl computes them):
* **F_avg** (the official figure, SemEval-2016 Task 6): the mean of the F1 of `favor` and of
  `against`, over all rows of the scored set pooled;
* macro-F1 over the three labels; accuracy; per-class precision, recall and F1;
* F_avg per target; the confusion matrix (rows gold, columns predicted);
* 95% bootstrap confidence intervals (percentile method) for F_avg, macro-F1, accuracy and each
  target's F_avg. The resampled unit is the sentence (all target rows of a sentence together),
  drawn with replacement within the scored set, with a fixed seed.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.load import inventories, load
from belgrade_stance.scoring.metrics import SAMPLES, SEED, require_numpy, rounded, score
from belgrade_stance.scoring.predictions import check_predictions

PROTOCOLS = ("split", "lodo", "loto")
"""split: the fixed split; lodo: leave one document out; loto: leave one target out (zero-shot target)."""
FOLD_KEYS = {"lodo": "doc_id", "loto": "target"}
SCORED_SPLITS = ("train", "validation", "test", "all")
GOLD_COLUMNS = ["id", "sentence_id", "doc_id", "target", "label", "passes_agree"]


def gold_rows(
    split: str = "test", data_dir: Path | str | None = None, verify: bool = True
) -> dict[str, list]:
    """The gold columns of the stance config for a split ("all": every split), as lists; the
    files are checked against the manifest as they are read (verify)."""
    if split not in SCORED_SPLITS:
        raise LoadError("unknown-split", f"unknown split {split!r}; valid: {', '.join(SCORED_SPLITS)}")
    tables = load("stance", format="arrow", data_dir=data_dir, verify=verify)
    out: dict[str, list] = {c: [] for c in GOLD_COLUMNS}
    for s in list(tables) if split == "all" else [split]:
        t = tables[s].select(GOLD_COLUMNS)
        for c in GOLD_COLUMNS:
            out[c].extend(t[c].to_pylist())
    return out


def _kept(gold: dict[str, list], agreed_only: bool, targets) -> list[int]:
    valid = set(gold["target"])
    if targets is not None:
        names = isinstance(targets, (list, tuple, set, frozenset)) and all(
            isinstance(t, str) for t in targets
        )
        if not isinstance(targets, str) and not names:
            raise LoadError(
                "bad-argument", f"targets must be a target name or a list of them, not {targets!r}"
            )
        targets = [targets] if isinstance(targets, str) else list(targets)
        unknown = [t for t in targets if t not in valid]
        if unknown:
            raise LoadError(
                "unknown-target",
                f"unknown target(s) {', '.join(unknown)}; valid: {', '.join(dict.fromkeys(gold['target']))}",
            )
    keep = set(targets) if targets is not None else valid
    rows = zip(gold["target"], gold["passes_agree"])
    return [i for i, (t, agree) in enumerate(rows) if t in keep and (agree or not agreed_only)]


def _scope(split: str, agreed_only: bool, targets) -> str:
    s = "all splits" if split == "all" else f"split '{split}'"
    if targets is not None:
        s += " (targets " + ", ".join([targets] if isinstance(targets, str) else targets) + ")"
    if agreed_only:
        s += " (items both passes agreed on)"
    return s


def scored_rows(
    predictions, split: str, agreed_only: bool, targets, data_dir, verify: bool = True, gold=None
):
    """(rows, label names, scope): the scored rows' gold columns and their predicted label
    index ("pred"), once the predictions are checked. gold: the split's gold_rows, if read already."""
    gold = gold if gold is not None else gold_rows(split, data_dir, verify)
    names = inventories(data_dir)["stance_labels"]
    keep = _kept(gold, agreed_only, targets)
    scope = _scope(split, agreed_only, targets)
    if not keep:
        raise LoadError("nothing-to-score", f"nothing to score in {scope}")
    labels = check_predictions(predictions, [gold["id"][i] for i in keep], set(gold["id"]), names, scope)
    rows = {c: [gold[c][i] for i in keep] for c in GOLD_COLUMNS}
    rows["pred"] = [labels[i] for i in rows["id"]]
    return rows, names, scope


def _score_rows(rows: dict, names: list[str], samples: int, seed: int) -> dict:
    units, targets = rows["sentence_id"], rows["target"]
    return score(rows["label"], rows["pred"], names, units=units, targets=targets, samples=samples, seed=seed)


def evaluate(
    predictions,
    split: str = "test",
    *,
    agreed_only: bool = False,
    targets=None,
    samples: int = SAMPLES,
    seed: int = SEED,
    data_dir: Path | str | None = None,
    verify: bool = True,
) -> dict:
    """Score stance predictions on a split of the benchmark (the official scorer).

    predictions: see `predictions`; must cover every row scored (no more, no fewer).
    split: "test" (the official one), "validation", "train" or "all".
    agreed_only: score only the rows on which both annotation passes gave the same label.
    targets: score only these targets (a name or a list of names).
    samples, seed: bootstrap resamples and seed for the 95% intervals.
    verify: check the gold files against the manifest as they are read (default; False skips it).
    """
    require_numpy()  # before anything else: the extra's absence is the first thing to say
    rows, names, scope = scored_rows(predictions, split, agreed_only, targets, data_dir, verify)
    report = _score_rows(rows, names, samples, seed)
    return {
        "protocol": "split",
        "split": split,
        "scope": scope,
        "agreed_only": agreed_only,
        "targets": sorted(report["per_target"]),
        "documents": len(set(rows["doc_id"])),
        **report,
    }


def evaluate_cv(
    predictions,
    *,
    protocol: str = "lodo",
    agreed_only: bool = False,
    targets=None,
    samples: int = SAMPLES,
    seed: int = SEED,
    data_dir: Path | str | None = None,
    verify: bool = True,
) -> dict:
    """Score cross-validation predictions: one prediction for every row of every split, each made
    by the model that did not see the row's fold (see `folds`): its document (protocol "lodo") or
    its target (protocol "loto", zero-shot targets).

    Reports every fold, the mean ± sample standard deviation over folds of F_avg, macro-F1 and
    accuracy, and the pooled predictions scored as one set, with bootstrap intervals that
    resample whole sentences and, as `document_bootstrap`, whole documents (clusters).
    """
    np = require_numpy()  # before anything else: the extra's absence is the first thing to say
    if protocol not in FOLD_KEYS:
        raise LoadError(
            "bad-argument", f"unknown cross-validation protocol {protocol!r}; valid: {', '.join(FOLD_KEYS)}"
        )
    rows, names, scope = scored_rows(predictions, "all", agreed_only, targets, data_dir, verify)
    pooled = _score_rows(rows, names, samples, seed)
    if samples and protocol == "lodo":  # the folds are documents: draw whole documents as well
        by_document = score(
            rows["label"], rows["pred"], names, units=rows["doc_id"], samples=samples, seed=seed
        )
        pooled["document_bootstrap"] = {
            "unit": "document",
            "units": by_document["units"],
            "samples": samples,
            "seed": seed,
            "metrics": {m: v["ci"] for m, v in by_document["metrics"].items()},
        }
    by_fold: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(rows[FOLD_KEYS[protocol]]):
        by_fold[key].append(i)
    folds = {}
    for fold, idx in sorted(by_fold.items()):
        r = score([rows["label"][i] for i in idx], [rows["pred"][i] for i in idx], names, samples=0)
        folds[fold] = {"rows": r["rows"], **{m: v["value"] for m, v in r["metrics"].items()}}
    summary = {}
    for m in pooled["metrics"]:
        values = np.array([f[m] for f in folds.values() if f[m] is not None], dtype=float)
        summary[m] = {
            "mean": rounded(values.mean()) if values.size else None,
            "sd": rounded(values.std(ddof=1)) if values.size > 1 else None,
            "folds": int(values.size),
        }
    return {
        "protocol": protocol,
        "split": "all",
        "scope": scope,
        "agreed_only": agreed_only,
        "targets": sorted(pooled["per_target"]),
        "documents": len(set(rows["doc_id"])),
        "fold_by": FOLD_KEYS[protocol],
        "folds": folds,
        "over_folds": summary,
        "pooled": pooled,
    }


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

    def convert(table):
        return table.to_pandas(use_threads=False) if format == "pandas" else table

    if protocol == "split":
        yield "test", convert(tables["train"]), convert(tables["test"])
        return
    every = pa.concat_tables(tables.values())
    key = FOLD_KEYS[protocol]
    present = set(every[key].to_pylist())
    values = (
        sorted(present)
        if protocol == "lodo"
        else [t for t in inventories(data_dir)["targets"] if t in present]
    )
    for value in values:
        held_out = pc.equal(every[key], value)
        yield value, convert(every.filter(pc.invert(held_out))), convert(every.filter(held_out))


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
        out.append(
            f"  {n:<10}{_fmt(c['precision']):>10}{_fmt(c['recall']):>8}{_fmt(c['f1']):>8}"
            f"{c['support']:>6}{c['predicted']:>6}"
        )
    out += ["", f"  {'target':<16}{'rows':>5}  F_avg  [95% interval]   gold " + "/".join(names)]
    for t, v in r["per_target"].items():
        support = "/".join(str(v["support"][n]) for n in names)
        out.append(f"  {t:<16}{v['rows']:>5}  {_with_ci(v['f_avg']):<25}" + support)
    out += [
        "",
        "  confusion (rows gold, columns predicted)",
        "  " + " " * 10 + "".join(f"{n:>9}" for n in names),
    ]
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
    summary = ", ".join(
        f"{m} {_fmt(v['mean'])} ± {_fmt(v['sd'])} ({v['folds']} folds)"
        for m, v in report["over_folds"].items()
    )
    out.append("  mean ± sd over folds (sample sd; folds with an undefined value left out): " + summary)
    pooled = report["pooled"]
    out += ["", f"pooled predictions: {pooled['rows']} rows, {pooled['units']} sentences"]
    d = pooled.get("document_bootstrap")
    if d:
        out.append(
            f"95% intervals resampling whole documents ({d['units']} documents, {d['samples']} resamples): "
            + ", ".join(f"{m} [{_fmt(ci[0])}, {_fmt(ci[1])}]" for m, ci in d["metrics"].items())
        )
    return "\n".join(out + _split_report(pooled)) + "\n"
