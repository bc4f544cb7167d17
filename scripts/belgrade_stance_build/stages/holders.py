"""Stage: holders — the holder/evidence task: one row per gold favor/against record, with the
holder's mention and the evidence as offsets into the sentence."""

from __future__ import annotations

from collections.abc import Iterator

from belgrade_stance_schema.inventory import TARGETS
from belgrade_stance_build.stages.annotations import Annotation
from belgrade_stance_build.stages.segments import Segmentation


def _span(span: dict | None, sentence_start: int) -> tuple[int | None, int | None, str | None]:
    if span is None:
        return None, None, None
    return span["start"] - sentence_start, span["end"] - sentence_start, span["text"]


def holder_rows(metadata: list[dict], segs: dict[str, Segmentation],
                annotations: dict[str, dict[str, Annotation]], folds: dict[str, int]) -> Iterator[dict]:
    for meta in metadata:
        doc_id = meta["doc_id"]
        gold = annotations.get(doc_id, {}).get("gold")
        if gold is None:
            continue
        for s in segs[doc_id].sentences:
            for target in TARGETS:
                recs = [r for r in gold.stance[(s.id, target)] if r.label != "none"]
                mixed = {"favor", "against"} <= {r.label for r in recs}
                for n, r in enumerate(recs):
                    hs, he, ht = _span(r.holder_span, s.start)
                    es, ee, et = _span(r.evidence, s.start)
                    yield {
                        "id": f"{s.id}-{target}-{n}",
                        "sentence_id": s.id,
                        "doc_id": doc_id,
                        "text": s.text,
                        "target": target,
                        "label": r.label,
                        "holder_type": r.holder_type,
                        "holder": r.holder,
                        "holder_start": hs,
                        "holder_end": he,
                        "holder_text": ht,
                        "evidence_start": es,
                        "evidence_end": ee,
                        "evidence_text": et,
                        "primary": bool(r.primary),
                        "mixed": mixed,
                        "split": meta["split"],
                        "fold": folds[doc_id],
                    }
