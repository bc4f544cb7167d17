"""Stage: documents — one row per document: metadata, raw and body text, boilerplate, entities."""

from __future__ import annotations

from collections.abc import Iterator

import hashlib

from belgrade_stance_build.stages.annotations import Annotation
from belgrade_stance_build.stages.segments import Segmentation

METADATA_FIELDS = ("source_file", "outlet", "publisher", "author", "headline", "date", "date_precision",
                   "date_evidence", "language", "rights", "annotation_status", "split")


def document_rows(metadata: list[dict], texts: dict[str, str], segs: dict[str, Segmentation],
                  annotations: dict[str, dict[str, Annotation]], folds: dict[str, int]) -> Iterator[dict]:
    for meta in metadata:
        doc_id = meta["doc_id"]
        seg, gold = segs[doc_id], annotations.get(doc_id, {}).get("gold")
        yield {
            "doc_id": doc_id,
            **{k: meta[k] for k in METADATA_FIELDS},
            "raw_sha256": hashlib.sha256(texts[doc_id].encode("utf-8")).hexdigest(),
            "fold": folds[doc_id],
            "raw_text": texts[doc_id],
            "body_text": seg.body_text,
            "boilerplate": [{k: b[k] for k in ("start", "end", "kind", "text")} for b in seg.boilerplate],
            "entities": [
                {"start": e.start, "end": e.end, "text": e.text, "label": e.label,
                 "entity_id": e.entity_id, "sentence_id": e.sentence}
                for e in (gold.entities if gold else [])
            ],
            "n_sentences": len(seg.sentences),
        }
