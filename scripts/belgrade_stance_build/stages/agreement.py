"""Stage: agreement — inter-annotator agreement of passes A and B (data/agreement.json).

Counted document by document while the parts stream through the build; F_avg is the official
scorer's (belgrade_stance.scoring), kappa scikit-learn's.
"""

from __future__ import annotations

from belgrade_stance_schema.inventory import STANCE_LABELS, TARGETS

from belgrade_stance_build.stages.annotations import Annotation


class AgreementCounts:
    """Agreement of A and B, gathered document by document (stance labels as codes, holder and
    entity counts), so that the parsed passes of a document can be dropped once it is counted."""

    def __init__(self) -> None:
        self.documents: list[str] = []
        self.codes = {lab: i for i, lab in enumerate(STANCE_LABELS)}
        self.target_codes = {t: i for i, t in enumerate(TARGETS)}
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
        self.targets.append(both["target"].map(self.target_codes).to_numpy(dtype=np.int8))
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

    def merge(self, other: AgreementCounts) -> None:
        """Add the counts of another part (built elsewhere) to these."""
        self.documents += other.documents
        self.la += other.la
        self.lb += other.lb
        self.targets += other.targets
        for name in ("holder_same", "holder_items", "span_a", "span_b", "span_both", "type_same"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def report(self) -> dict:
        """The agreement report (scikit-learn metrics) over every document counted."""
        import numpy as np
        from sklearn.metrics import cohen_kappa_score, confusion_matrix

        from belgrade_stance.scoring import confusion_scores

        if not self.documents:
            return {"documents": [], "items": 0}
        la, lb = np.concatenate(self.la).astype(np.int64), np.concatenate(self.lb).astype(np.int64)
        targets = np.concatenate(self.targets)
        codes = self.codes
        labels = list(range(len(STANCE_LABELS)))

        def kappa(x, y):
            return float(cohen_kappa_score(x, y, labels=labels)) if len(set(x) | set(y)) > 1 else 1.0

        per_target = {}
        for t, code in self.target_codes.items():
            m = targets == code
            x, y = la[m], lb[m]
            per_target[t] = {
                "items": int(m.sum()),
                "kappa": kappa(x, y),
                "percent_agreement": float((x == y).mean()),
                "favor_against_a": int((x != codes["none"]).sum()),
                "favor_against_b": int((y != codes["none"]).sum()),
            }
        # pass B scored against pass A by the official scorer's F_avg
        favg = float(confusion_scores(confusion_matrix(la, lb, labels=labels), list(STANCE_LABELS))["f_avg"])
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
