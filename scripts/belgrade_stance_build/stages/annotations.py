"""Stage: annotations — the entity and stance records of every pass (a, b, gold) of a document,
raw/annotations/<pass>/<doc_id>.jsonl, checked against its sentences."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.raw_records import checked_records, overlaps, read_jsonl
from belgrade_stance_build.stages.segments import Segmentation
from belgrade_stance_schema.inventory import ANNOTATION_PASSES, TARGETS
from belgrade_stance_schema.records import ANNOTATION


@dataclass(slots=True)
class Entity:
    sentence: str
    start: int
    end: int
    text: str
    label: str
    entity_id: str
    line: int  # of the raw file
    reason: str | None  # a logged exception to the corpus-wide rules


@dataclass(slots=True)
class StanceRecord:
    target: str
    label: str
    holder_type: str | None
    holder: str | None
    holder_description: str | None
    holder_span: dict | None  # the raw span records
    evidence: dict | None
    primary: bool

    def table_record(self, with_target: bool = False) -> dict:
        """A favor/against record as the tables hold it (texts, not offsets)."""
        return ({"target": self.target} if with_target else {}) | {
            "holder_type": self.holder_type,
            "holder": self.holder,
            "holder_description": self.holder_description,
            "label": self.label,
            "holder_text": self.holder_span["text"] if self.holder_span else None,
            "evidence_text": self.evidence["text"] if self.evidence else None,
            "primary": self.primary,
        }


@dataclass
class Annotation:
    entities: list[Entity]  # by start
    stance: dict[tuple[str, str], list[StanceRecord]]  # (sentence, target) → its records

    def label(self, sentence: str, target: str) -> str:
        """The item's label: the single label, or the primary record's where holders conflict."""
        recs = self.stance[(sentence, target)]
        return next((r.label for r in recs if r.primary), recs[0].label)


def read_annotation(layout: Layout, path: Path, text: str, seg: Segmentation, problems) -> Annotation | None:
    """The Annotation of one pass's file, or None after its problems."""
    doc_id, where, before = path.stem, layout.rel(path), len(problems)
    add = partial(problems.add, where)
    sentences = {s.id: s for s in seg.sentences}
    entities, stance, seen = [], {}, {}  # seen: an entity's span, a record's key → its line
    lines = read_jsonl(path, where, problems, layout)
    records = checked_records(ANNOTATION, lines, where, problems, raw=text, pass_name=path.parent.name)
    ids = {m.entity_id for _, _, m in records if m.type == "entity"}
    for n, rec, m in records:
        s = sentences.get(m.sentence)
        if s is None:
            add(n, "unknown-sentence", f"{m.type} refers to {m.sentence!r}, not a sentence of {doc_id}")
        elif m.type == "stance":
            for name, span in (("holder_span", m.holder_span), ("evidence", m.evidence)):
                if span is not None and not (s.start <= span.start and span.end <= s.end):
                    add(n, "span-outside-sentence", f"{name} {span.text!r} is not inside sentence {s.id}")
            if m.holder_type == "entity" and m.holder not in ids:
                add(n, "unresolved-holder", f"holder {m.holder!r} is not an entity id annotated in {doc_id}")
            if (first := seen.setdefault((s.id, m.target, m.label, m.holder), n)) != n:
                add(n, "duplicate-record", f"stance {s.id} {m.target} {m.holder!r} already on line {first}")
            spans = rec.get("holder_span"), rec.get("evidence")
            r = StanceRecord(
                m.target, m.label, m.holder_type, m.holder, m.holder_description, *spans, bool(m.primary)
            )
            stance.setdefault((s.id, m.target), []).append(r)
            seen.setdefault((s.id, m.target), n)
        elif not (s.start <= m.start and m.end <= s.end):  # (boilerplate lies outside every sentence)
            if bp := [b["kind"] for b in seg.boilerplate if b["start"] < m.end and m.start < b["end"]]:
                add(n, "entity-in-boilerplate", f"entity {m.text!r} overlaps boilerplate ({bp[0]})")
            else:
                add(n, "entity-outside-sentence", f"entity {m.text!r} is not inside sentence {s.id}")
        elif m.start - s.start not in s.bounds[0] or m.end - s.start not in s.bounds[1]:
            add(n, "span-not-token-aligned", f"entity {m.text!r} cuts a token of the spaCy tokenisation")
        elif (first := seen.setdefault((m.start, m.end), n)) != n:
            add(n, "duplicate-record", f"entity {m.text!r} already on line {first}")
        else:
            entities.append(Entity(m.sentence, m.start, m.end, m.text, m.label, m.entity_id, n, m.reason))
    if len(problems) > before:
        return None
    for (n0, e0), (n1, e1) in overlaps([(e.line, e) for e in entities]):
        add(n1, "overlapping-entities", f"{e1.text!r} overlaps {e0.text!r} (line {n0}); no nesting")
    for (sid, target), recs in stance.items():
        n, labels, primaries = seen[(sid, target)], {r.label for r in recs}, sum(r.primary for r in recs)
        if "none" in labels and len(recs) > 1:
            add(n, "none-not-alone", f"{sid} {target}: a none record must be the only one for the item")
        if {"favor", "against"} <= labels and primaries != 1:
            add(n, "conflict-without-primary", f"{sid} {target}: holders disagree, one must be primary")
        elif len(labels) == 1 and primaries > 1:
            add(n, "extra-primary", f"{sid} {target}: more than one primary record")
    missing = [f"{s.id}×{t}" for s in seg.sentences for t in TARGETS if (s.id, t) not in stance]
    if missing:
        add(None, "unreviewed-sentence", f"{len(missing)} item(s) have no stance record: {missing[:5]}")
    return None if len(problems) > before else Annotation(sorted(entities, key=lambda e: e.start), stance)


def read_annotations(layout: Layout, meta: dict, text: str, seg: Segmentation, problems) -> dict:
    """pass → Annotation of a document (none while pending): gold must exist; a and b both or neither."""
    doc_id = meta["doc_id"]
    if meta["annotation_status"] == "pending":
        return {}
    files = {p: layout.annotation_file(p, doc_id) for p in ANNOTATION_PASSES}
    if files["a"].is_file() != files["b"].is_file():  # a lone pass would drop the document from the agreement
        one, other = ("a", "b") if files["a"].is_file() else ("b", "a")
        problems.add(layout.rel(files[other]), None, "missing-pass", f"{doc_id} has pass {one}, not {other}")
    if not files["gold"].is_file():
        status = f"{meta['annotation_status']} on {layout.rel(layout.metadata)}:{meta['_line']}"
        problems.add(layout.rel(files["gold"]), None, "missing-file", f"{doc_id} is {status}: no gold file")
    passes = {p: read_annotation(layout, f, text, seg, problems) for p, f in files.items() if f.is_file()}
    return {p: ann for p, ann in passes.items() if ann is not None}
