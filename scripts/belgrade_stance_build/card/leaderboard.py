"""The benchmark blocks of the card and README, generated from results/baselines.json.

`benchmark`: the stance baselines, leave-one-document-out first (the headline: over folds, pooled
with sentence and document bootstrap intervals, per target), the pairwise significance tests,
then the fixed split (indicative) with its per-target F_avg. `ner_baseline`: the off-the-shelf NER model against the gold
entities. When the results belong to other data files than data/'s, the block says so first
(and tests/test_baselines.py fails until scripts/baselines.py is rerun).
"""

from __future__ import annotations

import json
from pathlib import Path

from belgrade_stance_schema.inventory import ENTITY_TYPES, TARGETS
from belgrade_stance_build.baselines.provenance import results_match
from belgrade_stance_build.card.markdown import table as markdown_table


def _f(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _ci(m: dict) -> str:
    lo, hi = m.get("ci") or (None, None)
    return f"{_f(m['value'])} [{_f(lo)}, {_f(hi)}]"


def _sig(e: dict) -> str:
    return "**yes**" if e.get("significant") else "no"


def _diff(e: dict) -> str:
    lo, hi = e.get("ci") or (None, None)
    return f"{e['difference']:+.3f} [{lo:+.3f}, {hi:+.3f}]" if lo is not None else f"{e['difference']:+.3f}"


def _stance_block(results: dict, stance: dict) -> str:
    """LODO first (the headline), then the pairwise tests, then the fixed split (indicative)."""
    lodo = {n: b["lodo"]["report"] for n, b in stance.items() if "lodo" in b}
    split = {n: b["split"]["report"] for n, b in stance.items() if "split" in b}
    notes = [f"`{n}` — {b['not_run']}." for n, b in stance.items() if b.get("not_run")]
    text = f"Scored by the official scorer (F_avg as SemEval-2016's eval.pl computes it) on data version {results['dataset_version']}.\n\n"
    if lodo:
        first = next(iter(lodo.values()))
        pooled = first["pooled"]
        boot, docs = pooled["bootstrap"], pooled.get("document_bootstrap", {})
        text += (
            f"**Headline: leave-one-document-out (LODO).** Each of the {first['documents']} documents is predicted by "
            "a model fitted on the others (hyperparameters chosen by an inner leave-one-document-out on the "
            f"training documents); F_avg is reported as mean ± sample sd over the folds, and the pooled predictions "
            f"of all {pooled['rows']} rows are scored as one set with two 95% percentile bootstrap intervals: "
            f"resampling whole sentences ({pooled['units']}) and resampling whole documents ({docs.get('units', '—')}), "
            f"{boot['samples']} resamples, seed {boot['seed']}.\n\n")
        rows = []
        for n, r in lodo.items():
            o, m = r["over_folds"]["f_avg"], r["pooled"]["metrics"]
            dci = r["pooled"].get("document_bootstrap", {}).get("metrics", {}).get("f_avg", [None, None])
            rows.append([f"`{n}`", f"{_f(o['mean'])} ± {_f(o['sd'])}", _ci(m["f_avg"]), f"[{_f(dci[0])}, {_f(dci[1])}]",
                         _ci(m["macro_f1"]), _f(m["accuracy"]["value"])])
        text += markdown_table(["baseline", "F_avg over folds", "pooled F_avg [sentences]", "[documents]",
                                "pooled macro-F1", "pooled accuracy"], rows)
        support = pooled["per_target"]
        text += ("\nPooled LODO F_avg per target (eval.pl's rule: a class absent from both the gold labels and the "
                 "predictions of a target counts as F = 0). Support, gold against/favor rows: "
                 + ", ".join(f"`{t}` {support[t]['support']['against']}/{support[t]['support']['favor']}"
                             for t in TARGETS) + ".\n\n"
                 + markdown_table(["baseline", *(f"`{t}`" for t in TARGETS)],
                                  [[f"`{n}`", *(_ci(r["pooled"]["per_target"][t]["f_avg"]) for t in TARGETS)]
                                   for n, r in lodo.items()]))
    loto = {n: b["loto"] for n, b in stance.items() if "loto" in b}
    if loto:
        rows = []
        for n, entry in loto.items():
            r = entry["report"]
            o = r["over_folds"]["f_avg"]
            rows.append([f"`{n}`", entry.get("model", ""), f"{_f(o['mean'])} ± {_f(o['sd'])}",
                         _ci(r["pooled"]["metrics"]["f_avg"]),
                         *(_f(r["folds"][t]["f_avg"]) if t in r["folds"] else "—" for t in TARGETS)])
        text += ("\n**Zero-shot targets: leave-one-target-out (LOTO).** Each target's rows are predicted by a model "
                 "fitted on the other targets' rows, which sees the held-out target only through its "
                 "`target_description` (as in VAST); hyperparameters by an inner leave-one-target-out. F_avg over "
                 "the target folds, the pooled predictions, and each held-out target.\n\n"
                 + markdown_table(["baseline", "model", "F_avg over targets", "pooled F_avg",
                                   *(f"`{t}`" for t in TARGETS)], rows))
    comparisons = results.get("comparisons") or {}
    if comparisons:
        rows = []
        for protocol in ("lodo", "loto", "split"):
            for pair, e in (comparisons.get(protocol) or {}).items():
                rows.append([protocol, f"`{e['b']}` − `{e['a']}`", _diff(e["f_avg"]), f"{e['f_avg']['p']:.4f}",
                             _sig(e["f_avg"]), _diff(e["macro_f1"]), f"{e['macro_f1']['p']:.4f}"])
        rand = next(iter(next(iter(comparisons.values())).values()))["randomization"]
        text += ("\n**Which differences are significant** (`belgrade-stance compare A B --protocol P`): the "
                 "difference B − A with a paired bootstrap interval over whole sentences and a two-sided paired "
                 f"approximate-randomization p-value ({rand['assignments']} permutations of whole sentences); "
                 "significant at 0.05.\n\n"
                 + markdown_table(["protocol", "B − A", "Δ F_avg [95%]", "p", "significant", "Δ macro-F1 [95%]", "p"], rows))
    if split:
        first = next(iter(split.values()))
        boot = first["bootstrap"]
        text += (f"\n**Indicative: the fixed split.** Fit on train, hyperparameters chosen on validation, scored on "
                 f"test: {first['rows']} rows, {first['units']} sentences of {first['documents']} document(s). Too "
                 "small to rank systems (see the tests above); 95% intervals resample whole sentences "
                 f"({boot['samples']} resamples, seed {boot['seed']}).\n\n"
                 + markdown_table(["baseline", "test F_avg", "test macro-F1", "test accuracy"],
                                  [[f"`{n}`", _ci(r["metrics"]["f_avg"]), _ci(r["metrics"]["macro_f1"]),
                                    _f(r["metrics"]["accuracy"]["value"])] for n, r in split.items()]))
        support = first["per_target"]
        text += ("\nF_avg per target on test. Gold against/favor rows: "
                 + ", ".join(f"`{t}` {support[t]['support']['against']}/{support[t]['support']['favor']}"
                             for t in TARGETS) + ".\n\n"
                 + markdown_table(["baseline", *(f"`{t}`" for t in TARGETS)],
                                  [[f"`{n}`", *(_f(r["per_target"][t]["f_avg"]["value"]) for t in TARGETS)]
                                   for n, r in split.items()]))
    if notes:
        text += "\n" + "\n".join(notes) + "\n"
    return text


def benchmark_blocks(data: Path, results_file: Path) -> dict[str, str]:
    if not results_file.is_file():
        return {}
    results = json.loads(results_file.read_text(encoding="utf-8"))
    stale = "" if results_match(results, data) else (
        "**Stale:** these results were computed from other data files than the ones shipped; "
        "rerun `python scripts/baselines.py`.\n\n")
    out = {}
    stance = results.get("stance") or {}
    if stance:
        out["benchmark"] = stale + _stance_block(results, stance)
    holders = results.get("holders") or {}
    if holders:
        rows = []
        for n, entry in holders.items():
            r = entry["report"]
            t, w, e = r["tuple"], r["tuple_without_holder"], r["evidence"]
            rows.append([f"`{n}`", _f(t["precision"]), _f(t["recall"]), _f(t["f1"]), _f(w["f1"]),
                         _f(e["token_f1_over_gold"]), _f(e["token_f1_over_matched"])])
        first = next(iter(holders.values()))["report"]
        out["holders_baseline"] = stale + (
            f"Scored by `belgrade-stance evaluate --task holders --protocol lodo` over all {first['sentences']} "
            f"sentences ({first['tuple']['gold']} gold favor/against records): tuple precision, recall and F1 of "
            "(sentence, target, label, holder), the same without the holder, and the evidence token F1 (over the "
            "gold tuples, an unmatched one counting zero; and over the matched ones). Every system gives the whole "
            "sentence as evidence.\n\n"
            + markdown_table(["system", "tuple P", "tuple R", "tuple F1", "F1 without holder",
                              "evidence F1 (gold)", "evidence F1 (matched)"], rows)
            + "\n" + "\n".join(f"* `{n}`: {entry['description']}." for n, entry in holders.items()) + "\n")
    models = {k: v for k, v in (results.get("models") or {}).items() if v}
    if models:
        rows = []
        for package, m in models.items():
            weights = [n for n in m["files"] if n.endswith((".safetensors", "/model", ".bin"))]
            rows.append([f"`{package}`", m["version"], m["used_by"], len(m["files"]),
                         "; ".join(f"`{n.rsplit('/', 2)[-2] + '/' + n.rsplit('/', 1)[-1]}` {m['files'][n][:16]}…"
                                   for n in weights)])
        out["models"] = stale + (
            "The model packages the baselines loaded, as installed when they ran: `results/baselines.json` records "
            "the sha256 of every file of each (`models`); the table shows the weight files' digests.\n\n"
            + markdown_table(["package", "version", "used by", "files", "weights (sha256)"], rows))
    ner = results.get("ner")
    if ner:
        r = ner["report"]
        rows = [[f"`{t}`", v["gold"], v["predicted"], _f(v["precision"]), _f(v["recall"]), _f(v["f1"])]
                for t, v in r["all"]["per_type"].items() if t in ENTITY_TYPES]
        m = r["all"]["micro"]
        rows.append(["**all types**", m["gold"], m["predicted"], _f(m["precision"]), _f(m["recall"]), _f(m["f1"])])
        u = r["all"]["spans_untyped"]
        out["ner_baseline"] = stale + (
            f"`{ner['model']}` off the shelf on every body sentence, scored by exact span and type "
            f"against the gold entities; predicted types outside the corpus's {len(ENTITY_TYPES)} are dropped. "
            f"Micro F1 on test: {_f(r['test']['micro']['f1'])}; on all sentences: {_f(m['f1'])} "
            f"(spans alone, ignoring type: {_f(u['f1'])}).\n\n"
            + markdown_table(["type", "gold", "predicted", "precision", "recall", "F1"], rows))
    return out
