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


def bio_tags(token_spans: list[tuple[int, int]], entities: list[tuple[int, int, str]]) -> list[str]:
    """BIO tags for tokens, given entity spans (start, end, label) in the same offsets.

    Raises ValueError naming the span if an entity does not start and end on token
    boundaries.
    """
    tags = ["O"] * len(token_spans)
    starts = {s: i for i, (s, _) in enumerate(token_spans)}
    ends = {e: i for i, (_, e) in enumerate(token_spans)}
    for start, end, label in entities:
        if start not in starts or end not in ends:
            raise ValueError(f"span {start}-{end} does not align with token boundaries")
        first, last = starts[start], ends[end]
        tags[first] = f"B-{label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{label}"
    return tags
