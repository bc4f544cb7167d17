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


def agreement(annotations: dict[str, dict[str, Annotation]]) -> dict:
    """Agreement of A and B over every document that has both passes (scikit-learn metrics)."""
    from sklearn.metrics import cohen_kappa_score, f1_score

    la, lb, tg = [], [], []
    holder_same = holder_total = 0
    span_a = span_b = span_both = type_same = 0
    docs = []
    for doc_id, passes in sorted(annotations.items()):
        if not {"a", "b"} <= set(passes):
            continue
        docs.append(doc_id)
        a, b = passes["a"], passes["b"]
        for (sid, target) in sorted(a.stance):
            x, y = a.label(sid, target), b.label(sid, target)
            la.append(x)
            lb.append(y)
            tg.append(target)
            if x == y and x != "none":
                holder_total += 1
                ha = sorted((r.label, r.holder_type, r.holder) for r in a.stance[(sid, target)])
                hb = sorted((r.label, r.holder_type, r.holder) for r in b.stance[(sid, target)])
                holder_same += ha == hb
        ea = {(e.start, e.end): e.label for e in a.entities}
        eb = {(e.start, e.end): e.label for e in b.entities}
        span_a += len(ea)
        span_b += len(eb)
        common = set(ea) & set(eb)
        span_both += len(common)
        type_same += sum(ea[s] == eb[s] for s in common)
    if not la:
        return {"documents": [], "items": 0}

    def kappa(x, y):
        return float(cohen_kappa_score(x, y, labels=list(STANCE_LABELS))) if len(set(x) | set(y)) > 1 else 1.0

    def favg(x, y):
        f = f1_score(x, y, labels=["favor", "against"], average=None, zero_division=1.0)
        return float(f.mean())

    per_target = {}
    for t in TARGETS:
        idx = [i for i, v in enumerate(tg) if v == t]
        x, y = [la[i] for i in idx], [lb[i] for i in idx]
        per_target[t] = {
            "items": len(idx),
            "kappa": kappa(x, y),
            "percent_agreement": sum(p == q for p, q in zip(x, y)) / len(idx),
            "favor_against_a": sum(v != "none" for v in x),
            "favor_against_b": sum(v != "none" for v in y),
        }
    precision = span_both / span_b if span_b else 1.0
    recall = span_both / span_a if span_a else 1.0
    return {
        "documents": docs,
        "items": len(la),
        "stance_kappa": kappa(la, lb),
        "stance_percent_agreement": sum(p == q for p, q in zip(la, lb)) / len(la),
        "stance_favg": favg(la, lb),
        "per_target": per_target,
        "holder_agreement": holder_same / holder_total if holder_total else 1.0,
        "holder_items": holder_total,
        "entity_mentions_a": span_a,
        "entity_mentions_b": span_b,
        "entity_span_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "entity_type_agreement": type_same / span_both if span_both else 1.0,
        "entity_spans_matched": span_both,
    }
