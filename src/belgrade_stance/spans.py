"""Token offsets: where the stored tokens of a sentence stand in its text."""

from __future__ import annotations


def token_offsets(text: str, tokens) -> list[tuple[int, int]] | None:
    """(start, end) of every token, found in order in text; None unless the tokens cover every
    non-space character of text (the invariant of the sentences config)."""
    out, pos = [], 0
    for tok in tokens:
        i = text.find(tok, pos)
        if i < 0 or text[pos:i].strip():
            return None
        out.append((i, i + len(tok)))
        pos = i + len(tok)
    return out if not text[pos:].strip() else None
