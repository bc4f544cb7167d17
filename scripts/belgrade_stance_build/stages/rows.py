"""Stage: tables — the rows of the four tables of a part, as pandas frames for pandera.

documents: one row per document (metadata, raw and body text, boilerplate, entities);
sentences: one row per body sentence (offsets, tokens, entities, BIO tags, stance records);
stance: the benchmark view, one row per (sentence, target) of every annotated document;
holders: one row per gold favor/against record, holder mention and evidence as sentence offsets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pandas as pd
from belgrade_stance_schema.inventory import TARGETS

from belgrade_stance.spans import bio_tags

METADATA_FIELDS = (
    "source_file",
    "outlet",
    "publisher",
    "author",
    "headline",
    "date",
    "date_precision",
    "date_evidence",
    "language",
    "rights",
    "annotation_status",
    "split",
)


def document_rows(part: dict[str, dict], folds: dict[str, int]) -> Iterator[dict]:
    for doc_id, doc in part.items():
        meta, seg, text = doc["meta"], doc["segments"], doc["text"]
        gold = doc["annotations"].get(doc_id, {}).get("gold")
        yield {
            "doc_id": doc_id,
            **{k: meta[k] for k in METADATA_FIELDS},
            "raw_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "fold": folds[doc_id],
            "raw_text": text,
            "body_text": seg.body_text,
            "boilerplate": [{k: b[k] for k in ("start", "end", "kind", "text")} for b in seg.boilerplate],
            "entities": [
                {
                    "start": e.start,
                    "end": e.end,
                    "text": e.text,
                    "label": e.label,
                    "entity_id": e.entity_id,
                    "sentence_id": e.sentence,
                }
                for e in (gold.entities if gold else [])
            ],
            "n_sentences": len(seg.sentences),
        }


def sentence_rows(part: dict[str, dict], folds: dict[str, int]) -> Iterator[dict]:
    for doc_id, doc in part.items():
        meta = doc["meta"]
        gold = doc["annotations"].get(doc_id, {}).get("gold")
        by_sentence: dict[str, list] = {}
        for e in gold.entities if gold else []:
            by_sentence.setdefault(e.sentence, []).append(e)
        for s in doc["segments"].sentences:
            toks = s.tokens
            ents = [
                {
                    "start": e.start - s.start,
                    "end": e.end - s.start,
                    "text": e.text,
                    "label": e.label,
                    "entity_id": e.entity_id,
                }
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
                "ner_tags": bio_tags(toks, [(e["start"], e["end"], e["label"]) for e in ents])
                if gold
                else None,
                "entities": ents,
                "stance": stance,
                "annotation_status": meta["annotation_status"],
                "split": meta["split"],
                "fold": folds[doc_id],
            }


def stance_rows(part: dict[str, dict], folds: dict[str, int]) -> Iterator[dict]:
    for doc_id, doc in part.items():
        passes = doc["annotations"].get(doc_id, {})
        gold = passes.get("gold")
        if gold is None:
            continue
        sentences = doc["segments"].sentences
        for i, s in enumerate(sentences):
            before = [p.text for p in sentences[:i] if p.paragraph == s.paragraph]
            context = " ".join(before) if before else (sentences[i - 1].text if i else "")
            for target, description in TARGETS.items():
                recs = gold.stance[(s.id, target)]
                la = passes["a"].label(s.id, target) if "a" in passes else None
                lb = passes["b"].label(s.id, target) if "b" in passes else None
                yield {
                    "id": f"{s.id}-{target}",
                    "sentence_id": s.id,
                    "doc_id": doc_id,
                    "text": s.text,
                    "target": target,
                    "target_description": description,
                    "context": context,
                    "label": gold.label(s.id, target),
                    "label_a": la,
                    "label_b": lb,
                    "passes_agree": None if la is None or lb is None else la == lb,
                    "mixed": {"favor", "against"} <= {r.label for r in recs},
                    "holders": [r.table_record() for r in recs if r.label != "none"],
                    "split": doc["meta"]["split"],
                    "fold": folds[doc_id],
                }


def _span(span: dict | None, sentence_start: int) -> tuple[int | None, int | None, str | None]:
    if span is None:
        return None, None, None
    return span["start"] - sentence_start, span["end"] - sentence_start, span["text"]


def holder_rows(part: dict[str, dict], folds: dict[str, int]) -> Iterator[dict]:
    for doc_id, doc in part.items():
        gold = doc["annotations"].get(doc_id, {}).get("gold")
        if gold is None:
            continue
        for s in doc["segments"].sentences:
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
                        "split": doc["meta"]["split"],
                        "fold": folds[doc_id],
                    }


ROWS = {"documents": document_rows, "sentences": sentence_rows, "stance": stance_rows, "holders": holder_rows}


def tables(part: dict[str, dict], folds: dict[str, int]) -> dict[str, pd.DataFrame]:
    """The part's four tables as frames, with the schema's dtypes also when a table is empty.

    part: doc_id → {"meta", "text", "segments", "annotations"} of the documents that held."""
    from belgrade_stance_schema.features import features
    from belgrade_stance_schema.tables import MODELS

    out = {}
    for name, rows in ROWS.items():
        columns: dict[str, list] = {c: [] for c in features(name)}
        for row in rows(part, folds):
            for c, values in columns.items():
                values.append(row[c])
        df = pd.DataFrame(columns)
        if df.empty:
            schema = MODELS[name].to_schema()
            df = df.astype(
                {col: str(c.dtype) for col, c in schema.columns.items() if str(c.dtype) != "object"}
            )
        out[name] = df
    return out
