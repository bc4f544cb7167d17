"""Stage: agreement — inter-annotator agreement of passes A and B, and the adjudication check.

raw/adjudication/<doc_id>.jsonl lists every item on which A and B differ, with A's, B's and
gold's value and a short reason:
  {"type": "stance", "sentence", "target", "a", "b", "gold", "reason"}        (labels)
  {"type": "entity", "sentence", "start", "end", "text", "a", "b", "gold", "reason"}
                                                  (values "LABEL:entity_id" or null = no span)
The build fails if a disagreement has no record, a record's values are not what the passes
and gold hold, or a record names no disagreement.
"""

from __future__ import annotations

from belgrade_stance.paths import Layout
from schema.inventory import STANCE_LABELS, TARGETS
from scripts.annotations import Annotation
from scripts.records import missing_fields, read_jsonl


def _entity_values(ann: Annotation) -> dict[tuple[int, int], str]:
    return {(e.start, e.end): f"{e.label}:{e.entity_id}" for e in ann.entities}


def disagreements(passes: dict[str, Annotation]) -> dict[tuple, tuple]:
    """key → (a value, b value) for every stance item and entity span where A and B differ."""
    a, b = passes["a"], passes["b"]
    out: dict[tuple, tuple] = {}
    for (sid, target) in a.stance:
        la, lb = a.label(sid, target), b.label(sid, target)
        if la != lb:
            out[("stance", sid, target)] = (la, lb)
    ea, eb = _entity_values(a), _entity_values(b)
    for span in set(ea) | set(eb):
        if ea.get(span) != eb.get(span):
            out[("entity", *span)] = (ea.get(span), eb.get(span))
    return out


def check_adjudication(layout: Layout, annotations: dict[str, dict[str, Annotation]], problems) -> None:
    for doc_id, passes in annotations.items():
        path = layout.raw / "adjudication" / f"{doc_id}.jsonl"
        where = layout.rel(path)
        if not {"a", "b", "gold"} <= set(passes):
            continue
        todo = disagreements(passes)
        if not path.is_file():
            if todo:
                problems.add(where, None, "missing-file", f"{len(todo)} disagreement(s) of A and B need adjudication records")
            continue
        lines = read_jsonl(path, where, problems) or []
        gold = passes["gold"]
        gold_entities = _entity_values(gold)
        done = set()
        for n, rec in lines:
            kind = rec.get("type")
            if kind == "stance":
                miss = missing_fields(rec, ("sentence", "target", "a", "b", "gold", "reason"))
                key = ("stance", rec.get("sentence"), rec.get("target"))
            elif kind == "entity":
                miss = missing_fields(rec, ("start", "end", "reason"))
                key = ("entity", rec.get("start"), rec.get("end"))
            else:
                problems.add(where, n, "unknown-record-type", f"type {kind!r} (expected stance or entity)")
                continue
            if miss:
                problems.add(where, n, "missing-field", f"adjudication lacks {', '.join(miss)}")
                continue
            if key not in todo:
                problems.add(where, n, "stale-adjudication", f"{key[1]} {key[2]}: passes A and B agree here")
                continue
            done.add(key)
            a_val, b_val = todo[key]
            if kind == "stance":
                actual_gold = gold.label(key[1], key[2]) if (key[1], key[2]) in gold.stance else None
            else:
                actual_gold = gold_entities.get((key[1], key[2]))
            if (rec.get("a"), rec.get("b"), rec.get("gold")) != (a_val, b_val, actual_gold):
                problems.add(where, n, "adjudication-mismatch",
                             f"{key[1]} {key[2]}: record says a={rec.get('a')!r} b={rec.get('b')!r} "
                             f"gold={rec.get('gold')!r}; files hold a={a_val!r} b={b_val!r} gold={actual_gold!r}")
        for key in sorted(set(todo) - done, key=str):
            problems.add(where, None, "unadjudicated-disagreement",
                         f"{key[1]} {key[2]}: A={todo[key][0]!r} B={todo[key][1]!r} has no adjudication record")


def agreement(annotations: dict[str, dict[str, Annotation]], stance) -> dict:
    """Agreement of A and B over every document that has both passes (scikit-learn metrics).

    Stance labels come from the stance table's label_a/label_b columns; holders and entities
    from the parsed passes.
    """
    import numpy as np
    from sklearn.metrics import cohen_kappa_score, f1_score

    docs = sorted(d for d, p in annotations.items() if {"a", "b"} <= set(p))
    if not docs:
        return {"documents": [], "items": 0}
    both = stance[stance["doc_id"].isin(docs)]
    codes = {lab: i for i, lab in enumerate(STANCE_LABELS)}
    la = both["label_a"].map(codes).to_numpy(dtype=np.int64)
    lb = both["label_b"].map(codes).to_numpy(dtype=np.int64)
    targets = both["target"].to_numpy()
    labels = list(range(len(STANCE_LABELS)))

    def kappa(x, y):
        return float(cohen_kappa_score(x, y, labels=labels)) if len(set(x) | set(y)) > 1 else 1.0

    per_target = {}
    for t in TARGETS:
        m = targets == t
        x, y = la[m], lb[m]
        per_target[t] = {
            "items": int(m.sum()),
            "kappa": kappa(x, y),
            "percent_agreement": float((x == y).mean()),
            "favor_against_a": int((x != codes["none"]).sum()),
            "favor_against_b": int((y != codes["none"]).sum()),
        }
    fa = [codes["favor"], codes["against"]]
    favg = float(f1_score(la, lb, labels=fa, average=None, zero_division=1.0).mean())

    same = both[(both["label_a"] == both["label_b"]) & (both["label_a"] != "none")]
    holder_same = 0
    for doc_id, sid, target in zip(same["doc_id"], same["sentence_id"], same["target"]):
        a, b = annotations[doc_id]["a"], annotations[doc_id]["b"]
        ha = sorted((r.label, r.holder_type, r.holder) for r in a.stance[(sid, target)])
        hb = sorted((r.label, r.holder_type, r.holder) for r in b.stance[(sid, target)])
        holder_same += ha == hb

    span_a = span_b = span_both = type_same = 0
    for doc_id in docs:
        ea = {(e.start, e.end): e.label for e in annotations[doc_id]["a"].entities}
        eb = {(e.start, e.end): e.label for e in annotations[doc_id]["b"].entities}
        span_a += len(ea)
        span_b += len(eb)
        common = set(ea) & set(eb)
        span_both += len(common)
        type_same += sum(ea[s] == eb[s] for s in common)
    precision = span_both / span_b if span_b else 1.0
    recall = span_both / span_a if span_a else 1.0
    return {
        "documents": docs,
        "items": int(len(la)),
        "stance_kappa": kappa(la, lb),
        "stance_percent_agreement": float((la == lb).mean()),
        "stance_favg": favg,
        "per_target": per_target,
        "holder_agreement": holder_same / len(same) if len(same) else 1.0,
        "holder_items": int(len(same)),
        "entity_mentions_a": span_a,
        "entity_mentions_b": span_b,
        "entity_span_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "entity_type_agreement": type_same / span_both if span_both else 1.0,
        "entity_spans_matched": span_both,
    }
