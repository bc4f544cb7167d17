"""Stage: tokens — spaCy tokenisation of sentences and BIO tags aligned to the tokens."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def tokenizer():
    """spaCy's rule-based English tokenizer (no statistical model, no download)."""
    import spacy

    return spacy.blank("en").tokenizer


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the tokens of ``text``."""
    doc = tokenizer()(text)
    if not len(doc):
        return []
    arr = doc.to_array(["IDX", "LENGTH"])
    starts = arr[:, 0]
    return list(zip(starts.tolist(), (starts + arr[:, 1]).tolist()))


def bio_tags(text: str, entities: list[tuple[int, int, str]]) -> list[str]:
    """BIO tags of the spaCy tokens of ``text`` for entity spans (start, end, label) in its
    offsets, by spaCy's own offsets_to_biluo_tags and biluo_to_iob.

    Raises ValueError naming the span if an entity does not start and end on token boundaries.
    """
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags

    doc = tokenizer()(text)
    if not entities:
        return ["O"] * len(doc)
    tags = offsets_to_biluo_tags(doc, entities)
    if "-" in tags:
        start, end, _ = next(e for e in entities if doc.char_span(e[0], e[1]) is None)
        raise ValueError(f"span {start}-{end} does not align with token boundaries")
    return biluo_to_iob(tags)
