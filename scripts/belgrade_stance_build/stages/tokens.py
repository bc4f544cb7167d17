"""spaCy tokenisation of the sentences (the tokens of the sentences table)."""

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
