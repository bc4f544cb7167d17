"""Stage: segments — boilerplate ranges and the gold sentences of every body (raw/segments/<doc_id>.jsonl).

The body is the raw text minus boilerplate; a paragraph is a maximal run of body characters
without a line break. Sentences must tile every paragraph: no gaps but white space, no overlaps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial
from itertools import accumulate

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.raw_records import checked_records, overlaps, read_jsonl
from belgrade_stance_schema.records import SEGMENT


@lru_cache(maxsize=1)
def tokenizer():
    """spaCy's rule-based English tokenizer (no statistical model, no download)."""
    import spacy

    return spacy.blank("en").tokenizer


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the tokens of ``text``."""
    doc = tokenizer()(text)
    return [(i, i + n) for i, n in doc.to_array(["IDX", "LENGTH"]).tolist()] if len(doc) else []


@dataclass
class Sentence:
    id: str
    start: int  # raw offsets
    end: int
    text: str
    paragraph: int
    index: int  # position in the document
    body_start: int
    body_end: int

    @cached_property
    def tokens(self) -> list[tuple[int, int]]:
        """Token spans (sentence offsets), computed once."""
        return tokenize(self.text)

    @cached_property
    def bounds(self) -> tuple[set[int], set[int]]:
        """The offsets where tokens start and where they end, for spans that must not cut one."""
        return {a for a, _ in self.tokens}, {b for _, b in self.tokens}


@dataclass
class Segmentation:
    boilerplate: list[dict]  # the raw records, by start
    sentences: list[Sentence]
    body_text: str


def paragraphs_of(text: str, boilerplate: list) -> list[tuple[int, int]]:
    """Raw (start, end) of each body paragraph, white space stripped."""
    for b in boilerplate:
        text = text[: b.start] + "\n" * (b.end - b.start) + text[b.end :]
    return [m.span() for m in re.finditer(r"\S(?:[^\n]*\S)?", text)]


def read_segments(layout: Layout, doc_id: str, text: str, problems) -> Segmentation | None:
    path = layout.segment_file(doc_id)
    where, before = layout.rel(path), len(problems)
    add = partial(problems.add, where)
    if not path.is_file():
        add(None, "missing-file", f"segmentation of {doc_id} is missing")
        return None
    records = checked_records(SEGMENT, read_jsonl(path, where, problems, layout), where, problems, raw=text)
    boilerplate = [(n, m) for n, _, m in records if m.type == "boilerplate"]
    sentences, ids = [], {}  # sentence id → its first line
    for n, s in ((n, m) for n, _, m in records if m.type == "sentence"):
        if not s.id.startswith(f"{doc_id}-s"):
            add(n, "sentence-id-format", f"sentence id {s.id!r} must be '{doc_id}-sNNN'")
        elif (first := ids.setdefault(s.id, n)) != n:
            add(n, "duplicate-id", f"sentence id {s.id!r} already on line {first}")
        elif not s.text.strip():
            add(n, "empty-value", f"sentence {s.id} has no text but white space")
        else:
            sentences.append((n, s))
    for (n0, b0), (n1, b1) in overlaps(boilerplate):
        add(n1, "overlapping-boilerplate", f"{b1.start}-{b1.end} overlaps line {n0} ({b0.start}-{b0.end})")
    if len(problems) > before:
        return None  # structure first: no tiling checks on a broken file
    paragraphs = paragraphs_of(text, [b for _, b in boilerplate])
    if not paragraphs:
        add(None, "empty-body", "all of the raw text is marked as boilerplate")
        return None
    for (n0, s0), (n1, s1) in overlaps(sentences):
        add(n1, "sentence-overlap", f"sentence {s1.id} overlaps {s0.id} (line {n0})")
    placed = []  # (line, sentence, its paragraph) in text order
    for n, s in sorted(sentences, key=lambda x: x[1].start):
        k = next((k for k, (a, b) in enumerate(paragraphs) if a <= s.start and s.end <= b), None)
        if k is not None:
            placed.append((n, s, k))
            continue
        bp = next((line for line, b in boilerplate if b.start < s.end and s.start < b.end), None)
        if bp is not None:
            add(n, "sentence-in-boilerplate", f"sentence {s.id} overlaps boilerplate on line {bp}")
        else:
            add(n, "sentence-crosses-paragraph", f"sentence {s.id} is not inside one body paragraph")
    if len(problems) > before:
        return None
    cursor = [a for a, _ in paragraphs]
    for n, s, k in placed:
        if gap := text[cursor[k] : s.start].strip():
            add(n, "sentence-gap", f"body text {gap[:40]!r} before sentence {s.id} is in no sentence")
        cursor[k] = s.end
    for end, (_, b) in zip(cursor, paragraphs):
        if rest := text[end:b].strip():
            line = text[:end].count("\n") + 1
            add(None, "sentence-gap", f"body text {rest[:40]!r} (raw line {line}) is in no sentence")
    if len(problems) > before:
        return None
    # the body: paragraphs joined by a blank line; shift[k] takes raw offsets of paragraph k into it
    starts = accumulate((b - a + 2 for a, b in paragraphs), initial=0)
    shift = [at - a for at, (a, _) in zip(starts, paragraphs)]
    return Segmentation(
        sorted((rec for _, rec, m in records if m.type == "boilerplate"), key=lambda b: b["start"]),
        [
            Sentence(s.id, s.start, s.end, s.text, k, i, s.start + shift[k], s.end + shift[k])
            for i, (_, s, k) in enumerate(placed)
        ],
        "\n\n".join(text[a:b] for a, b in paragraphs),
    )
