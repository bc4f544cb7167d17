"""The benchmark blocks of the card and README, from results/baselines.json, and the Markdown
tables of every generated block.

`benchmark`: the stance baselines, leave-one-document-out first (the headline: over folds, pooled
with sentence and document bootstrap intervals, per target), leave-one-target-out, the pairwise
significance tests, then the fixed split (indicative). `holders_baseline`, `models` and
`ner_baseline`: the holder systems, the model packages loaded and the off-the-shelf NER model.
Results computed from other data files than data/'s are marked stale at the top of each block.
"""

from __future__ import annotations

import json
from pathlib import Path

from belgrade_stance_schema.inventory import ENTITY_TYPES, TARGETS

from belgrade_stance_build.baselines.provenance import results_match

TARGET_COLUMNS = " | ".join(f"`{t}`" for t in TARGETS)


def table(header: str, rows: list[list]) -> str:
    """A Markdown table: the header ("a | b | c"), its separator, one line per row."""
    lines = [f"| {header} |", "|" + "|".join(" --- " for _ in header.split(" | ")) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]) + "\n"


def _f(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _ci(m: dict) -> str:
    lo, hi = m.get("ci") or (None, None)
    return f"{_f(m['value'])} [{_f(lo)}, {_f(hi)}]"


def _diff(e: dict) -> str:
    lo, hi = e.get("ci") or (None, None)
    return f"{e['difference']:+.3f}" + (f" [{lo:+.3f}, {hi:+.3f}]" if lo is not None else "")


def _mean_sd(report: dict) -> str:
    return f"{_f(report['over_folds']['f_avg']['mean'])} ± {_f(report['over_folds']['f_avg']['sd'])}"


def _support(per_target: dict) -> str:
    support = {t: per_target[t]["support"] for t in TARGETS}
    return ", ".join(f"`{t}` {s['against']}/{s['favor']}" for t, s in support.items()) + ".\n\n"


def _lodo(lodo: dict) -> str:
    first = next(iter(lodo.values()))
    pooled = first["pooled"]
    boot, units = pooled["bootstrap"], pooled.get("document_bootstrap", {}).get("units", "—")
    rows, per_target = [], []
    for n, r in lodo.items():
        m = r["pooled"]["metrics"]
        lo, hi = r["pooled"].get("document_bootstrap", {}).get("metrics", {}).get("f_avg", [None, None])
        rows.append([f"`{n}`", _mean_sd(r), _ci(m["f_avg"]), f"[{_f(lo)}, {_f(hi)}]", _ci(m["macro_f1"])])
        rows[-1].append(_f(m["accuracy"]["value"]))
        per_target.append([f"`{n}`", *(_ci(r["pooled"]["per_target"][t]["f_avg"]) for t in TARGETS)])
    header = "baseline | F_avg over folds | pooled F_avg [sentences] | [documents] | pooled macro-F1"
    return (
        f"**Headline: leave-one-document-out (LODO).** Each of the {first['documents']} documents is "
        "predicted by a model fitted on the others (hyperparameters chosen by an inner "
        "leave-one-document-out on the training documents); F_avg is reported as mean ± sample sd over "
        f"the folds, and the pooled predictions of all {pooled['rows']} rows are scored as one set with two "
        "95% percentile bootstrap intervals: resampling whole sentences "
        f"({pooled['units']}) and resampling whole documents ({units}), {boot['samples']} resamples, "
        f"seed {boot['seed']}.\n\n"
        + table(f"{header} | pooled accuracy", rows)
        + "\nPooled LODO F_avg per target (eval.pl's rule: a class absent from both the gold labels and the "
        "predictions of a target counts as F = 0). Support, gold against/favor rows: "
        + _support(pooled["per_target"])
        + table(f"baseline | {TARGET_COLUMNS}", per_target)
    )


def _loto(loto: dict) -> str:
    rows = []
    for n, entry in loto.items():
        r = entry["report"]
        folds = [_f(r["folds"][t]["f_avg"]) if t in r["folds"] else "—" for t in TARGETS]
        pooled = _ci(r["pooled"]["metrics"]["f_avg"])
        rows.append([f"`{n}`", entry.get("model", ""), _mean_sd(r), pooled, *folds])
    return (
        "\n**Zero-shot targets: leave-one-target-out (LOTO).** Each target's rows are predicted by a model "
        "fitted on the other targets' rows, which sees the held-out target only through its "
        "`target_description` (as in VAST); hyperparameters by an inner leave-one-target-out. F_avg over "
        "the target folds, the pooled predictions, and each held-out target.\n\n"
        + table(f"baseline | model | F_avg over targets | pooled F_avg | {TARGET_COLUMNS}", rows)
    )


def _comparisons(comparisons: dict) -> str:
    rows = []
    for protocol in ("lodo", "loto", "split"):
        for e in (comparisons.get(protocol) or {}).values():
            f, m = e["f_avg"], e["macro_f1"]
            significant = "**yes**" if f.get("significant") else "no"
            rows.append([protocol, f"`{e['b']}` − `{e['a']}`", _diff(f), f"{f['p']:.4f}", significant])
            rows[-1] += [_diff(m), f"{m['p']:.4f}"]
    randomization = next(iter(next(iter(comparisons.values())).values()))["randomization"]
    return (
        "\n**Which differences are significant** (`belgrade-stance compare A B --protocol P`): the "
        "difference B − A with a paired bootstrap interval over whole sentences and a two-sided paired "
        f"approximate-randomization p-value ({randomization['assignments']} permutations of whole "
        "sentences); significant at 0.05.\n\n"
        + table("protocol | B − A | Δ F_avg [95%] | p | significant | Δ macro-F1 [95%] | p", rows)
    )


def _split(split: dict) -> str:
    first = next(iter(split.values()))
    boot = first["bootstrap"]
    rows, per_target = [], []
    for n, r in split.items():
        m = r["metrics"]
        rows.append([f"`{n}`", _ci(m["f_avg"]), _ci(m["macro_f1"]), _f(m["accuracy"]["value"])])
        per_target.append([f"`{n}`", *(_f(r["per_target"][t]["f_avg"]["value"]) for t in TARGETS)])
    return (
        "\n**Indicative: the fixed split.** Fit on train, hyperparameters chosen on validation, scored on "
        f"test: {first['rows']} rows, {first['units']} sentences of {first['documents']} document(s). Too "
        "small to rank systems (see the tests above); 95% intervals resample whole sentences "
        f"({boot['samples']} resamples, seed {boot['seed']}).\n\n"
        + table("baseline | test F_avg | test macro-F1 | test accuracy", rows)
        + "\nF_avg per target on test. Gold against/favor rows: "
        + _support(first["per_target"])
        + table(f"baseline | {TARGET_COLUMNS}", per_target)
    )


def _stance(results: dict, stance: dict) -> str:
    text = (
        "Scored by the official scorer (F_avg as SemEval-2016's eval.pl computes it) on data version "
        f"{results['dataset_version']}.\n\n"
    )
    if lodo := {n: b["lodo"]["report"] for n, b in stance.items() if "lodo" in b}:
        text += _lodo(lodo)
    if loto := {n: b["loto"] for n, b in stance.items() if "loto" in b}:
        text += _loto(loto)
    if comparisons := results.get("comparisons"):
        text += _comparisons(comparisons)
    if split := {n: b["split"]["report"] for n, b in stance.items() if "split" in b}:
        text += _split(split)
    if notes := [f"`{n}` — {b['not_run']}." for n, b in stance.items() if b.get("not_run")]:
        text += "\n" + "\n".join(notes) + "\n"
    return text


def _holders(holders: dict) -> str:
    rows = []
    for n, entry in holders.items():
        t, w, e = (entry["report"][k] for k in ("tuple", "tuple_without_holder", "evidence"))
        rows.append([f"`{n}`", _f(t["precision"]), _f(t["recall"]), _f(t["f1"]), _f(w["f1"])])
        rows[-1] += [_f(e["token_f1_over_gold"]), _f(e["token_f1_over_matched"])]
    first = next(iter(holders.values()))["report"]
    header = "system | tuple P | tuple R | tuple F1 | F1 without holder | evidence F1 (gold)"
    return (
        f"Scored by `belgrade-stance evaluate --task holders --protocol lodo` over all {first['sentences']} "
        f"sentences ({first['tuple']['gold']} gold favor/against records): tuple precision, recall and F1 "
        "of (sentence, target, label, holder), the same without the holder, and the evidence token F1 (over "
        "the gold tuples, an unmatched one counting zero; and over the matched ones). Every system gives the "
        "whole sentence as evidence.\n\n"
        + table(f"{header} | evidence F1 (matched)", rows)
        + "\n"
        + "\n".join(f"* `{n}`: {entry['description']}." for n, entry in holders.items())
        + "\n"
    )


def _models(models: dict) -> str:
    rows = []
    for package, m in models.items():
        weights = [n for n in m["files"] if n.endswith((".safetensors", "/model", ".bin"))]
        digests = "; ".join(f"`{'/'.join(n.split('/')[-2:])}` {m['files'][n][:16]}…" for n in weights)
        rows.append([f"`{package}`", m["version"], m["used_by"], len(m["files"]), digests])
    return (
        "The model packages the baselines loaded, as installed when they ran: `results/baselines.json` "
        "records the sha256 of every file of each (`models`); the table shows the weight files' digests.\n\n"
        + table("package | version | used by | files | weights (sha256)", rows)
    )


def _ner(ner: dict) -> str:
    report = ner["report"]["all"]
    rows = [[f"`{t}`", *_scores(v)] for t, v in report["per_type"].items() if t in ENTITY_TYPES]
    rows.append(["**all types**", *_scores(report["micro"])])
    return (
        f"`{ner['model']}` off the shelf on every body sentence, scored by exact span and type "
        f"against the gold entities; predicted types outside the corpus's {len(ENTITY_TYPES)} are dropped. "
        f"Micro F1 on test: {_f(ner['report']['test']['micro']['f1'])}; on all sentences: "
        f"{_f(report['micro']['f1'])} (spans alone, ignoring type: {_f(report['spans_untyped']['f1'])}).\n\n"
        + table("type | gold | predicted | precision | recall | F1", rows)
    )


def _scores(v: dict) -> list:
    return [v["gold"], v["predicted"], _f(v["precision"]), _f(v["recall"]), _f(v["f1"])]


def benchmark_blocks(data: Path, results_file: Path) -> dict[str, str]:
    """The benchmark, holders_baseline, models and ner_baseline blocks ({} without a results file)."""
    if not results_file.is_file():
        return {}
    results = json.loads(results_file.read_text(encoding="utf-8"))
    stale = (
        ""
        if results_match(results, data)
        else (
            "**Stale:** these results were computed from other data files than the ones shipped; "
            "rerun `python scripts/baselines.py`.\n\n"
        )
    )
    out = {}
    if stance := results.get("stance"):
        out["benchmark"] = stale + _stance(results, stance)
    if holders := results.get("holders"):
        out["holders_baseline"] = stale + _holders(holders)
    if models := {k: v for k, v in (results.get("models") or {}).items() if v}:
        out["models"] = stale + _models(models)
    if ner := results.get("ner"):
        out["ner_baseline"] = stale + _ner(ner)
    return out
