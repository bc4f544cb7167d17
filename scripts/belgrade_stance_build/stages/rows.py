"""Stage: tables — the rows of the four tables (documents, sentences, stance, holders) of a part,
as pandas frames for pandera."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator

import pandas as pd

from belgrade_stance.spans import bio_tags
from belgrade_stance_schema.inventory import TARGETS


def _offsets(name: str, span: dict | None, at: int) -> dict:
    """<name>_start and <name>_end of a span of the raw text, counted from at (null without a span)."""
    start, end = (None, None) if span is None else (span["start"] - at, span["end"] - at)
    return {f"{name}_start": start, f"{name}_end": end}


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
        records = {t: [r for r in gold.stance[s.id, t] if r.label != "none"] for t in TARGETS} if gold else {}
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
            la, lb = (passes[p].label(s.id, target) if p in passes else None for p in "ab")
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
                holder = {
                    **item,
                    **r.table_record(),
                    "id": f"{s.id}-{target}-{n}",
                    **_offsets("holder", r.holder_span, s.start),
                    **_offsets("evidence", r.evidence, s.start),
                }
                yield "holders", holder


def tables(part: dict[str, dict], folds: dict[str, int]) -> dict[str, pd.DataFrame]:
    """The four tables of a part (doc_id → {"meta", "text", "segments", "annotations"}) as frames,
    with the schema's dtypes also when a table is empty."""
    from belgrade_stance_schema.features import features
    from belgrade_stance_schema.tables import SCHEMAS

    found: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
    for doc_id, doc in part.items():
        for name, row in rows(doc_id, doc, folds[doc_id]):
            found[name].append(row)
    frames = {name: pd.DataFrame(found[name], columns=list(features(name))) for name in SCHEMAS}
    return {
        name: df.astype({c: str(col.dtype) for c, col in SCHEMAS[name].columns.items()}) if df.empty else df
        for name, df in frames.items()
    }
