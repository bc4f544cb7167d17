"""Stage: segments — boilerplate ranges and the gold sentence segmentation of every body.

raw/segments/<doc_id>.jsonl holds two record types, offsets into the raw text:
  {"type": "boilerplate", "start", "end", "kind", "text"}
  {"type": "sentence", "id", "start", "end", "text"}
The body is the raw text minus boilerplate; a paragraph is a maximal run of body characters
without a line break. Sentences must tile every paragraph: no gaps but whitespace, no overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from belgrade_stance_schema.records import SEGMENT

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.raw_records import blank, check_span, checked_records, read_jsonl


@dataclass
class Sentence:
    id: str
    start: int  # raw offsets
    end: int
    text: str
    paragraph: int
    index: int  # position in the document
    body_start: int = 0
    body_end: int = 0

    @cached_property
    def tokens(self) -> list[tuple[int, int]]:
        """Token spans (sentence offsets) of the spaCy tokenisation, computed once."""
        from belgrade_stance_build.stages.tokens import tokenize

        return tokenize(self.text)


@dataclass
class Segmentation:
    doc_id: str
    boilerplate: list[dict] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # raw offsets, stripped
    sentences: list[Sentence] = field(default_factory=list)
    body_text: str = ""


def paragraphs_of(text: str, boilerplate: list[dict]) -> list[tuple[int, int]]:
    """Raw (start, end) of each body paragraph, whitespace stripped."""
    mask = bytearray(len(text))
    for r in boilerplate:
        mask[r["start"] : r["end"]] = b"\x01" * (r["end"] - r["start"])
    out = []
    i, n = 0, len(text)
    while i < n:
        if mask[i] or text[i] == "\n":
            i += 1
            continue
        j = i
        while j < n and not mask[j] and text[j] != "\n":
            j += 1
        a, b = i, j
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
        i = j
    return out


def read_segments(layout: Layout, doc_id: str, text: str, problems) -> Segmentation | None:
    path = layout.segment_file(doc_id)
    where = layout.rel(path)
    if not path.is_file():
        problems.add(where, None, "missing-file", f"segmentation of {doc_id} is missing")
        return None
    before = len(problems)
    lines = read_jsonl(path, where, problems, layout)
    if lines is None:
        return None
    seg = Segmentation(doc_id)
    raw_sentences: list[tuple[int, dict]] = []
    ids: dict[str, int] = {}
    for n, rec, model in checked_records(SEGMENT, lines, where, problems):
        if model.type == "boilerplate":
            if check_span(rec, text, where, n, problems, "boilerplate"):
                seg.boilerplate.append({**rec, "_line": n})
        else:
            if not rec["id"].startswith(f"{doc_id}-s"):
                problems.add(
                    where, n, "sentence-id-format", f"sentence id {rec['id']!r} must be '{doc_id}-sNNN'"
                )
                continue
            if rec["id"] in ids:
                problems.add(
                    where, n, "duplicate-id", f"sentence id {rec['id']!r} already on line {ids[rec['id']]}"
                )
                continue
            ids[rec["id"]] = n
            if blank(rec["text"]):
                problems.add(where, n, "empty-value", f"sentence {rec['id']} has no text but white space")
                continue
            if check_span(rec, text, where, n, problems, f"sentence {rec['id']}"):
                raw_sentences.append((n, rec))
    if len(problems) > before:
        return None  # structure first: no tiling checks on a broken file

    seg.boilerplate.sort(key=lambda r: r["start"])
    for prev, cur in zip(seg.boilerplate, seg.boilerplate[1:]):
        if cur["start"] < prev["end"]:
            problems.add(
                where,
                cur["_line"],
                "overlapping-boilerplate",
                f"{cur['start']}-{cur['end']} overlaps line {prev['_line']} ({prev['start']}-{prev['end']})",
            )
    if len(problems) > before:
        return None

    seg.paragraphs = paragraphs_of(text, seg.boilerplate)
    if not seg.paragraphs:
        problems.add(where, None, "empty-body", "all of the raw text is marked as boilerplate")
        return None
    raw_sentences.sort(key=lambda x: x[1]["start"])
    for (n0, s0), (n1, s1) in zip(raw_sentences, raw_sentences[1:]):
        if s1["start"] < s0["end"]:
            problems.add(
                where, n1, "sentence-overlap", f"sentence {s1['id']} overlaps {s0['id']} (line {n0})"
            )
    if len(problems) > before:
        return None

    # Tiling: walk the paragraphs; every sentence inside one paragraph, no gaps but whitespace.
    para_of = []
    for n, s in raw_sentences:
        hit = [k for k, (a, b) in enumerate(seg.paragraphs) if a <= s["start"] and s["end"] <= b]
        if not hit:
            bp = next((r for r in seg.boilerplate if r["start"] < s["end"] and s["start"] < r["end"]), None)
            if bp:
                problems.add(
                    where,
                    n,
                    "sentence-in-boilerplate",
                    f"sentence {s['id']} overlaps boilerplate on line {bp['_line']}",
                )
            else:
                problems.add(
                    where,
                    n,
                    "sentence-crosses-paragraph",
                    f"sentence {s['id']} is not inside one body paragraph",
                )
            continue
        para_of.append((n, s, hit[0]))
    if len(problems) > before:
        return None
    cursor = {k: a for k, (a, _) in enumerate(seg.paragraphs)}
    for n, s, k in para_of:
        gap = text[cursor[k] : s["start"]]
        if gap.strip():
            problems.add(
                where,
                n,
                "sentence-gap",
                f"body text {gap.strip()[:40]!r} before sentence {s['id']} is in no sentence",
            )
        cursor[k] = s["end"]
    for k, (_, b) in enumerate(seg.paragraphs):
        rest = text[cursor[k] : b]
        if rest.strip():
            line = text[: cursor[k]].count("\n") + 1
            problems.add(
                where,
                None,
                "sentence-gap",
                f"body text {rest.strip()[:40]!r} (raw line {line}) is in no sentence",
            )
    if len(problems) > before:
        return None

    # Body text: paragraphs joined by a blank line; sentence offsets into it.
    body_parts, body_pos, offsets = [], 0, {}
    for k, (a, b) in enumerate(seg.paragraphs):
        if k:
            body_pos += 2
        offsets[k] = body_pos - a
        body_parts.append(text[a:b])
        body_pos += b - a
    seg.body_text = "\n\n".join(body_parts)
    for i, (_, s, k) in enumerate(para_of):
        seg.sentences.append(
            Sentence(
                id=s["id"],
                start=s["start"],
                end=s["end"],
                text=s["text"],
                paragraph=k,
                index=i,
                body_start=s["start"] + offsets[k],
                body_end=s["end"] + offsets[k],
            )
        )
    return seg
