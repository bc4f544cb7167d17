"""Stage: agreement — inter-annotator agreement of passes A and B (data/agreement.json), counted
part by part; F_avg is the official scorer's (belgrade_stance.scoring), kappa scikit-learn's."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from belgrade_stance_build.stages.annotations import Annotation
from belgrade_stance_schema.inventory import STANCE_LABELS, TARGETS

LABEL = pd.CategoricalDtype(STANCE_LABELS)
CODES = {"target": pd.CategoricalDtype(list(TARGETS)), "label_a": LABEL, "label_b": LABEL}


def _holders(records) -> list[tuple]:
    return sorted((r.label, r.holder_type, r.holder) for r in records)


class AgreementCounts:
    """What the report needs of the documents with both passes, kept small (item labels as
    categories, holder and entity counts) so that a part's passes can be dropped once counted."""

    def __init__(self) -> None:
        self.documents: list[str] = []
        self.items: list[pd.DataFrame] = []
        self.counts: Counter[str] = Counter()

    def add(self, annotations: dict[str, dict[str, Annotation]], stance: pd.DataFrame) -> None:
        """Count the documents of annotations that have both passes; stance: their stance rows."""
        docs = sorted(d for d, p in annotations.items() if {"a", "b"} <= set(p))
        both = stance[stance["doc_id"].isin(docs)]
        self.documents += docs
        self.items.append(both[list(CODES)].astype(CODES))
        same = both[(both["label_a"] == both["label_b"]) & (both["label_a"] != "none")]
        for doc_id, sid, target in zip(same["doc_id"], same["sentence_id"], same["target"]):
            a, b = (annotations[doc_id][p].stance[(sid, target)] for p in "ab")
            self.counts["holder_same"] += _holders(a) == _holders(b)
        self.counts["holder_items"] += len(same)
        for doc_id in docs:
            a, b = ({(e.start, e.end): e.label for e in annotations[doc_id][p].entities} for p in "ab")
            common = a.keys() & b.keys()
            self.counts.update(span_a=len(a), span_b=len(b), span_both=len(common))
            self.counts["type_same"] += sum(a[s] == b[s] for s in common)

    def report(self) -> dict:
        """The agreement report (scikit-learn metrics) over every document counted."""
        from sklearn.metrics import cohen_kappa_score, confusion_matrix

        from belgrade_stance.scoring import confusion_scores

        if not self.documents:
            return {"documents": [], "items": 0}
        items = pd.concat(self.items, ignore_index=True)
        la, lb = (items[c].cat.codes.to_numpy().astype("int64") for c in ("label_a", "label_b"))
        labels, none = list(range(len(STANCE_LABELS))), STANCE_LABELS.index("none")
        n = self.counts

        def kappa(x, y):
            return float(cohen_kappa_score(x, y, labels=labels)) if len(set(x) | set(y)) > 1 else 1.0

        per_target = {}
        for t in TARGETS:
            m = (items["target"] == t).to_numpy()
            x, y = la[m], lb[m]
            per_target[t] = {
                "items": int(m.sum()),
                "kappa": kappa(x, y),
                "percent_agreement": float((x == y).mean()),
                "favor_against_a": int((x != none).sum()),
                "favor_against_b": int((y != none).sum()),
            }
        # pass B scored against pass A by the official scorer's F_avg
        favg = float(confusion_scores(confusion_matrix(la, lb, labels=labels), list(STANCE_LABELS))["f_avg"])
        precision = n["span_both"] / n["span_b"] if n["span_b"] else 1.0
        recall = n["span_both"] / n["span_a"] if n["span_a"] else 1.0
        return {
            "documents": sorted(self.documents),
            "items": int(len(la)),
            "stance_kappa": kappa(la, lb),
            "stance_percent_agreement": float((la == lb).mean()),
            "stance_favg": favg,
            "per_target": per_target,
            "holder_agreement": n["holder_same"] / n["holder_items"] if n["holder_items"] else 1.0,
            "holder_items": n["holder_items"],
            "entity_mentions_a": n["span_a"],
            "entity_mentions_b": n["span_b"],
            "entity_span_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "entity_type_agreement": n["type_same"] / n["span_both"] if n["span_both"] else 1.0,
            "entity_spans_matched": n["span_both"],
        }
