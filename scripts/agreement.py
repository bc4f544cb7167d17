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


class AgreementCounts:
    """Agreement of A and B, gathered document by document (stance labels as codes, holder and
    entity counts), so that the parsed passes of a document can be dropped once it is counted."""

    def __init__(self) -> None:
        self.documents: list[str] = []
        self.codes = {lab: i for i, lab in enumerate(STANCE_LABELS)}
        self.la: list = []
        self.lb: list = []
        self.targets: list = []
        self.holder_same = self.holder_items = 0
        self.span_a = self.span_b = self.span_both = self.type_same = 0

    def add(self, annotations: dict[str, dict[str, Annotation]], stance) -> None:
        """Count the documents of annotations that have both passes; stance: their stance rows."""
        import numpy as np

        docs = sorted(d for d, p in annotations.items() if {"a", "b"} <= set(p))
        if not docs:
            return
        self.documents += docs
        both = stance[stance["doc_id"].isin(docs)]
        self.la.append(both["label_a"].map(self.codes).to_numpy(dtype=np.int8))
        self.lb.append(both["label_b"].map(self.codes).to_numpy(dtype=np.int8))
        self.targets.append(both["target"].to_numpy())
        same = both[(both["label_a"] == both["label_b"]) & (both["label_a"] != "none")]
        self.holder_items += len(same)
        for doc_id, sid, target in zip(same["doc_id"], same["sentence_id"], same["target"]):
            a, b = annotations[doc_id]["a"], annotations[doc_id]["b"]
            ha = sorted((r.label, r.holder_type, r.holder) for r in a.stance[(sid, target)])
            hb = sorted((r.label, r.holder_type, r.holder) for r in b.stance[(sid, target)])
            self.holder_same += ha == hb
        for doc_id in docs:
            ea = {(e.start, e.end): e.label for e in annotations[doc_id]["a"].entities}
            eb = {(e.start, e.end): e.label for e in annotations[doc_id]["b"].entities}
            self.span_a += len(ea)
            self.span_b += len(eb)
            common = set(ea) & set(eb)
            self.span_both += len(common)
            self.type_same += sum(ea[s] == eb[s] for s in common)

    def report(self) -> dict:
        """The agreement report (scikit-learn metrics) over every document counted."""
        import numpy as np
        from sklearn.metrics import cohen_kappa_score, f1_score

        if not self.documents:
            return {"documents": [], "items": 0}
        la, lb = np.concatenate(self.la).astype(np.int64), np.concatenate(self.lb).astype(np.int64)
        targets = np.concatenate(self.targets)
        codes = self.codes
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
        precision = self.span_both / self.span_b if self.span_b else 1.0
        recall = self.span_both / self.span_a if self.span_a else 1.0
        return {
            "documents": sorted(self.documents),
            "items": int(len(la)),
            "stance_kappa": kappa(la, lb),
            "stance_percent_agreement": float((la == lb).mean()),
            "stance_favg": favg,
            "per_target": per_target,
            "holder_agreement": self.holder_same / self.holder_items if self.holder_items else 1.0,
            "holder_items": int(self.holder_items),
            "entity_mentions_a": self.span_a,
            "entity_mentions_b": self.span_b,
            "entity_span_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "entity_type_agreement": self.type_same / self.span_both if self.span_both else 1.0,
            "entity_spans_matched": self.span_both,
        }


def agreement(annotations: dict[str, dict[str, Annotation]], stance) -> dict:
    """Agreement of A and B over every document that has both passes (scikit-learn metrics).

    Stance labels come from the stance table's label_a/label_b columns; holders and entities
    from the parsed passes.
    """
    counts = AgreementCounts()
    counts.add(annotations, stance)
    return counts.report()
