"""Stage: sentences — one row per body sentence: offsets, tokens, entities, BIO tags, stance."""

from __future__ import annotations

from collections.abc import Iterator

from belgrade_stance.spans import bio_tags
from belgrade_stance_schema.inventory import TARGETS
from belgrade_stance_build.stages.annotations import Annotation
from belgrade_stance_build.stages.segments import Segmentation


def sentence_rows(metadata: list[dict], segs: dict[str, Segmentation],
                  annotations: dict[str, dict[str, Annotation]], folds: dict[str, int]) -> Iterator[dict]:
    for meta in metadata:
        doc_id = meta["doc_id"]
        gold = annotations.get(doc_id, {}).get("gold")
        by_sentence: dict[str, list] = {}
        for e in gold.entities if gold else []:
            by_sentence.setdefault(e.sentence, []).append(e)
        for s in segs[doc_id].sentences:
            toks = s.tokens
            ents = [
                {"start": e.start - s.start, "end": e.end - s.start, "text": e.text,
                 "label": e.label, "entity_id": e.entity_id}
                for e in by_sentence.get(s.id, [])
            ]
            stance = []
            if gold:
                for target_records in (gold.stance[(s.id, t)] for t in TARGETS):
                    stance += [r.table_record(with_target=True) for r in target_records if r.label != "none"]
            yield {
                "id": s.id,
                "doc_id": doc_id,
                "paragraph_index": s.paragraph,
                "sentence_index": s.index,
                "text": s.text,
                "body_start": s.body_start,
                "body_end": s.body_end,
                "raw_start": s.start,
                "raw_end": s.end,
                "tokens": [s.text[a:b] for a, b in toks],
                "ner_tags": bio_tags(toks, [(e["start"], e["end"], e["label"]) for e in ents]) if gold else None,
                "entities": ents,
                "stance": stance,
                "annotation_status": meta["annotation_status"],
                "split": meta["split"],
                "fold": folds[doc_id],
            }
