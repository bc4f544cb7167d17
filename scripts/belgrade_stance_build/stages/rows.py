"""Stage: tables — the rows of the four tables of a part, as pandas frames for pandera.

documents: one row per document (metadata, raw and body text, boilerplate, entities);
sentences: one row per body sentence (offsets, tokens, entities, BIO tags, stance records);
stance: the benchmark view, one row per (sentence, target) of every annotated document;
holders: one row per gold favor/against record, holder mention and evidence as sentence offsets.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator

import pandas as pd

from belgrade_stance.spans import bio_tags
from belgrade_stance_schema.inventory import TARGETS


def _span(span: dict | None, sentence_start: int) -> tuple[int | None, int | None, str | None]:
    if span is None:
        return None, None, None
    return span["start"] - sentence_start, span["end"] - sentence_start, span["text"]


def _mention(e, at: int = 0, **more) -> dict:
    """An entity mention as the tables hold it, its offsets counted from at."""
    return dict(start=e.start - at, end=e.end - at, text=e.text, label=e.label, entity_id=e.entity_id, **more)


def rows(doc_id: str, doc: dict, fold: int) -> Iterator[tuple[str, dict]]:
    """(table, row) for every row of one document; a row may hold more keys than its table's columns."""
    meta, segments, text = doc["meta"], doc["segments"], doc["text"]
    passes = doc["annotations"].get(doc_id, {})
    gold = passes.get("gold")
    entities = gold.entities if gold else []
    common = {"doc_id": doc_id, "split": meta["split"], "fold": fold}
    document = {
        **meta,
        **common,
        "raw_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "raw_text": text,
        "body_text": segments.body_text,
        "boilerplate": [{k: b[k] for k in ("start", "end", "kind", "text")} for b in segments.boilerplate],
        "entities": [_mention(e, sentence_id=e.sentence) for e in entities],
        "n_sentences": len(segments.sentences),
    }
    yield "documents", document
    by_sentence = defaultdict(list)
    for e in entities:
        by_sentence[e.sentence].append(e)
    sentences = segments.sentences
    for i, s in enumerate(sentences):
        ents = [_mention(e, s.start) for e in by_sentence[s.id]]
        # the favor/against records of every target
        records = (
            {t: [r for r in gold.stance[(s.id, t)] if r.label != "none"] for t in TARGETS} if gold else {}
        )
        sentence = {
            **common,
            "id": s.id,
            "paragraph_index": s.paragraph,
            "sentence_index": s.index,
            "text": s.text,
            "body_start": s.body_start,
            "body_end": s.body_end,
            "raw_start": s.start,
            "raw_end": s.end,
            "tokens": [s.text[a:b] for a, b in s.tokens],
            "ner_tags": bio_tags(s.tokens, [(e["start"], e["end"], e["label"]) for e in ents])
            if gold
            else None,
            "entities": ents,
            "stance": [r.table_record(with_target=True) for recs in records.values() for r in recs],
            "annotation_status": meta["annotation_status"],
        }
        yield "sentences", sentence
        if gold is None:
            continue
        before = [p.text for p in sentences[:i] if p.paragraph == s.paragraph]
        context = " ".join(before) if before else (sentences[i - 1].text if i else "")
        for target, description in TARGETS.items():
            recs = records[target]
            la = passes["a"].label(s.id, target) if "a" in passes else None
            lb = passes["b"].label(s.id, target) if "b" in passes else None
            item = {
                **common,
                "sentence_id": s.id,
                "text": s.text,
                "target": target,
                "mixed": {"favor", "against"} <= {r.label for r in recs},
            }
            stance = {
                **item,
                "id": f"{s.id}-{target}",
                "target_description": description,
                "context": context,
                "label": gold.label(s.id, target),
                "label_a": la,
                "label_b": lb,
                "passes_agree": None if la is None or lb is None else la == lb,
                "holders": [r.table_record() for r in recs],
            }
            yield "stance", stance
            for n, r in enumerate(recs):
                hs, he, ht = _span(r.holder_span, s.start)
                es, ee, et = _span(r.evidence, s.start)
                holder = {
                    **item,
                    "id": f"{s.id}-{target}-{n}",
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
                }
                yield "holders", holder


def tables(part: dict[str, dict], folds: dict[str, int]) -> dict[str, pd.DataFrame]:
    """The part's four tables as frames, with the schema's dtypes also when a table is empty.

    part: doc_id → {"meta", "text", "segments", "annotations"} of the documents that held."""
    from belgrade_stance_schema.features import features
    from belgrade_stance_schema.tables import SCHEMAS

    columns = {name: {c: [] for c in features(name)} for name in SCHEMAS}
    for doc_id, doc in part.items():
        for name, row in rows(doc_id, doc, folds[doc_id]):
            for c, values in columns[name].items():
                values.append(row[c])
    out = {}
    for name, frame in columns.items():
        df = pd.DataFrame(frame)
        if df.empty:
            dtypes = {c: str(col.dtype) for c, col in SCHEMAS[name].columns.items()}
            df = df.astype({c: t for c, t in dtypes.items() if t != "object"})
        out[name] = df
    return out
