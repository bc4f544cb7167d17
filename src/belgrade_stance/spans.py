"""Token offsets: where the stored tokens of a sentence stand in its text."""

from __future__ import annotations


def token_offsets(text: str, tokens) -> list[tuple[int, int]] | None:
    """(start, end) of every token, found in order in text; None unless the tokens, each without
    white space, cover every non-space character of text (the invariant of the sentences config)."""
    out, pos = [], 0
    for tok in tokens:
        i = text.find(tok, pos)
        if i < 0 or text[pos:i].strip() or tok.split() != [tok]:
            return None
        out.append((i, i + len(tok)))
        pos = i + len(tok)
    return out if not text[pos:].strip() else None


def bio_tags(offsets, spans) -> list[str] | None:
    """BIO tags of entity spans (start, end, label) over token offsets; None if a span does not
    start and end on token boundaries. The build tags with this, the sentences schema checks the
    stored tags against it, and the tests hold it against spaCy's offsets_to_biluo_tags."""
    tags = ["O"] * len(offsets)
    starts = {a: i for i, (a, _) in enumerate(offsets)}
    ends = {b: i for i, (_, b) in enumerate(offsets)}
    for start, end, label in spans:
        if start not in starts or end not in ends:
            return None
        i, j = starts[start], ends[end]
        tags[i] = f"B-{label}"
        for k in range(i + 1, j + 1):
            tags[k] = f"I-{label}"
    return tags
