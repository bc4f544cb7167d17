"""The benchmark blocks of the card and README, generated from results/baselines.json.

`benchmark`: the stance baselines under both protocols, with the scorer's 95% intervals, and
their per-target F_avg on test. `ner_baseline`: the off-the-shelf NER model against the gold
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
        first = next(iter(stance.values()))
        split_r = first["split"]["report"]
        lodo_r = next((b["lodo"]["report"] for b in stance.values() if "lodo" in b), None)
        boot = split_r["bootstrap"]
        rows, per_target, notes = [], [], []
        for name, b in stance.items():
            s = b["split"]["report"]
            row = [f"`{name}`", _ci(s["metrics"]["f_avg"]), _ci(s["metrics"]["macro_f1"]),
                   _f(s["metrics"]["accuracy"]["value"])]
            if "lodo" in b:
                lo = b["lodo"]["report"]
                o = lo["over_folds"]["f_avg"]
                row += [f"{_f(o['mean'])} ± {_f(o['sd'])}", _ci(lo["pooled"]["metrics"]["f_avg"]),
                        _f(lo["pooled"]["metrics"]["macro_f1"]["value"])]
            else:
                row += ["not run", "not run", "not run"]
                notes.append(f"`{name}` — {b['not_run']}.")
            rows.append(row)
            per_target.append([f"`{name}`", *(_f(s["per_target"][t]["f_avg"]["value"]) for t in TARGETS)])
        text = stale + (
            f"Scored by the official scorer on data version {results['dataset_version']}. Intervals are 95% "
            f"{boot['method']} bootstrap intervals ({boot['samples']} resamples of whole sentences, seed "
            f"{boot['seed']}). **Split**: fit on train, hyperparameters chosen on validation, scored on test "
            f"({split_r['rows']} rows, {split_r['units']} sentences of {split_r['documents']} document(s)).")
        if lodo_r:
            text += (f" **LODO**: leave-one-document-out over {lodo_r['documents']} documents, hyperparameters "
                     f"chosen by an inner leave-one-document-out on the training documents; mean ± sample sd "
                     f"of F_avg over the folds, and the pooled predictions ({lodo_r['pooled']['rows']} rows) "
                     "scored as one set.")
        text += "\n\n" + markdown_table(
            ["baseline", "split: test F_avg", "test macro-F1", "test accuracy", "LODO: F_avg over folds",
             "LODO pooled F_avg", "LODO pooled macro-F1"], rows)
        if notes:
            text += "\n" + "\n".join(notes) + "\n"
        support = split_r["per_target"]
        text += ("\nF_avg per target on test (split protocol), by eval.pl's rule: a class absent from both "
                 "the gold labels and the predictions of a target counts as F = 0. Gold favor/against rows per target: "
                 + ", ".join(f"`{t}` {support[t]['support']['favor']}/{support[t]['support']['against']}"
                             for t in TARGETS) + ".\n\n"
                 + markdown_table(["baseline", *(f"`{t}`" for t in TARGETS)], per_target))
        out["benchmark"] = text
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
