"""Stage: segments — boilerplate ranges and gold sentences (raw/segments/<doc_id>.jsonl). The body is the raw
text minus boilerplate, a paragraph a run of body text without a line break; sentences tile each paragraph."""

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
    """Character spans (start, end) of the tokens of ``text``: spaCy's, but for those of only white space."""
    spans = tokenizer()(text).to_array(["IDX", "LENGTH"]).tolist()
    return [(i, i + n) for i, n in spans if not text[i : i + n].isspace()]


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
        return tokenize(self.text)

    @cached_property
    def bounds(self) -> tuple[set[int], set[int]]:  # where tokens start and end: spans must not cut one
        return {a for a, _ in self.tokens}, {b for _, b in self.tokens}


@dataclass
class Segmentation:
    boilerplate: list[dict]  # the raw records, by start
    sentences: list[Sentence]
    body_text: str


def read_segments(layout: Layout, doc_id: str, text: str, problems) -> Segmentation | None:
    """The Segmentation of a document, or None after its problems."""
    path = layout.segment_file(doc_id)
    where, before = layout.rel(path), len(problems)
    add = partial(problems.add, where)
    if not path.is_file():
        add(None, "missing-file", f"segmentation of {doc_id} is missing")
        return None
    records = checked_records(SEGMENT, read_jsonl(path, where, problems, layout), where, problems, raw=text)
    boilerplate = [(n, m) for n, _, m in records if m.type == "boilerplate"]
    sentences, ids = [(n, m) for n, _, m in records if m.type == "sentence"], {}  # ids: id → its first line
    for n, s in sentences:
        if not s.id.startswith(f"{doc_id}-s"):
            add(n, "sentence-id-format", f"sentence id {s.id!r} must be '{doc_id}-sNNN'")
        elif (first := ids.setdefault(s.id, n)) != n:
            add(n, "duplicate-id", f"sentence id {s.id!r} already on line {first}")
    for (n0, b0), (n1, b1) in overlaps(boilerplate):
        add(n1, "overlapping-boilerplate", f"{b1.start}-{b1.end} overlaps line {n0} ({b0.start}-{b0.end})")
    if len(problems) > before:
        return None  # structure first: no tiling checks on a broken file
    masked = text
    for _, b in boilerplate:
        masked = masked[: b.start] + "\n" * (b.end - b.start) + masked[b.end :]
    paragraphs = [m.span() for m in re.finditer(r"\S(?:[^\n]*\S)?", masked)]  # white space stripped
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
        elif bp := [line for line, b in boilerplate if b.start < s.end and s.start < b.end]:
            add(n, "sentence-in-boilerplate", f"sentence {s.id} overlaps boilerplate on line {bp[0]}")
        else:
            add(n, "sentence-crosses-paragraph", f"sentence {s.id} is not inside one body paragraph")
    if len(problems) > before:
        return None
    for _, s, _ in placed:  # what is left of the body once its sentences are masked is a gap
        masked = masked[: s.start] + " " * (s.end - s.start) + masked[s.end :]
    for gap in re.finditer(r"\S[^\n]*", masked):
        line = text[: gap.start()].count("\n") + 1
        add(None, "sentence-gap", f"body text {gap[0].strip()[:40]!r} (raw line {line}) is in no sentence")
    starts = accumulate((b - a + 2 for a, b in paragraphs), initial=0)  # in the body, by a blank line apart
    shift = [at - a for at, (a, _) in zip(starts, paragraphs)]  # raw offset → body offset, by paragraph
    sentences = [
        Sentence(s.id, s.start, s.end, s.text, k, i, s.start + shift[k], s.end + shift[k])
        for i, (_, s, k) in enumerate(placed)
    ]
    boilerplate = sorted((rec for _, rec, m in records if m.type == "boilerplate"), key=lambda b: b["start"])
    body = "\n\n".join(text[a:b] for a, b in paragraphs)
    return None if len(problems) > before else Segmentation(boilerplate, sentences, body)
