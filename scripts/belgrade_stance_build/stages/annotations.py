"""Stage: annotations — entity mentions and stance records of every pass (a, b, gold) of a document,
raw/annotations/<pass>/<doc_id>.jsonl (belgrade_stance_schema.records), checked against its sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    reason: str | None = None  # a logged exception to the corpus-wide rules


@dataclass(slots=True)
class StanceRecord:
    sentence: str
    target: str
    label: str
    holder_type: str | None = None
    holder: str | None = None
    holder_span: dict | None = None
    evidence: dict | None = None
    primary: bool = False
    reason: str | None = None

    def table_record(self, with_target: bool = False) -> dict:
        """A favor/against record as the tables hold it (texts, not offsets)."""
        return ({"target": self.target} if with_target else {}) | {
            "holder_type": self.holder_type,
            "holder": self.holder,
            "label": self.label,
            "holder_text": self.holder_span["text"] if self.holder_span else None,
            "evidence_text": self.evidence["text"] if self.evidence else None,
            "primary": self.primary,
        }


@dataclass
class Annotation:
    entities: list[Entity]
    stance: dict[tuple[str, str], list[StanceRecord]] = field(default_factory=dict)  # (sentence, target)

    def label(self, sentence: str, target: str) -> str:
        """The item's label: the single label, or the primary record's where holders conflict."""
        recs = self.stance[(sentence, target)]
        return next((r.label for r in recs if r.primary), recs[0].label)


def read_annotation(layout: Layout, path: Path, text: str, seg: Segmentation, problems) -> Annotation | None:
    """The Annotation of one pass's file, or None after its problems."""
    doc_id, where, before = path.stem, layout.rel(path), len(problems)
    add = partial(problems.add, where)
    sentences = {s.id: s for s in seg.sentences}
    entities, stances, seen = [], [], {}  # seen: a record's key → its line
    lines = read_jsonl(path, where, problems, layout)
    for n, rec, m in checked_records(ANNOTATION, lines, where, problems, raw=text):
        s = sentences.get(m.sentence)
        if s is None:
            segments = layout.rel(layout.segment_file(doc_id))
            add(n, "unknown-sentence", f"{m.type} refers to sentence {m.sentence!r}, not in {segments}")
        elif m.type == "entity":
            if not (s.start <= m.start and m.end <= s.end):  # (boilerplate lies outside every sentence)
                bp = next((b for b in seg.boilerplate if b["start"] < m.end and m.start < b["end"]), None)
                if bp is not None:
                    add(n, "entity-in-boilerplate", f"entity {m.text!r} overlaps boilerplate ({bp['kind']})")
                else:
                    add(n, "entity-outside-sentence", f"entity {m.text!r} is not inside sentence {s.id}")
            elif m.start - s.start not in s.bounds[0] or m.end - s.start not in s.bounds[1]:
                add(n, "span-not-token-aligned", f"entity {m.text!r} cuts a token of the spaCy tokenisation")
            elif (first := seen.setdefault((m.start, m.end), n)) != n:
                add(n, "duplicate-record", f"entity {m.text!r} already on line {first}")
            else:
                entities.append(Entity(m.sentence, m.start, m.end, m.text, m.label, m.entity_id, n, m.reason))
        else:
            record = StanceRecord(s.id, m.target, m.label, reason=m.reason)
            if m.label != "none":
                for name, span in (("holder_span", m.holder_span), ("evidence", m.evidence)):
                    if span is not None and not (s.start <= span.start and span.end <= s.end):
                        add(n, "span-outside-sentence", f"{name} {span.text!r} is not inside sentence {s.id}")
                record.holder_type, record.holder, record.primary = m.holder_type, m.holder, bool(m.primary)
                record.holder_span, record.evidence = rec.get("holder_span"), rec["evidence"]
            if (first := seen.setdefault((s.id, m.target, m.label, m.holder), n)) != n:
                add(n, "duplicate-record", f"stance {s.id} {m.target} {m.holder!r} already on line {first}")
            stances.append((n, record))
    if len(problems) > before:
        return None
    for (n0, e0), (n1, e1) in overlaps([(e.line, e) for e in entities]):
        add(n1, "overlapping-entities", f"{e1.text!r} overlaps {e0.text!r} (line {n0}); no nesting")
    ann = Annotation(sorted(entities, key=lambda e: e.start))
    ids, first_line = {e.entity_id for e in ann.entities}, {}
    for n, r in stances:
        if r.holder_type == "entity" and r.holder not in ids:
            add(n, "unresolved-holder", f"holder {r.holder!r} is not an entity id annotated in {doc_id}")
        ann.stance.setdefault((r.sentence, r.target), []).append(r)
        first_line.setdefault((r.sentence, r.target), n)
    for (sid, target), recs in ann.stance.items():
        n, labels = first_line[(sid, target)], {r.label for r in recs}
        primaries = sum(r.primary for r in recs)
        if "none" in labels and len(recs) > 1:
            add(n, "none-not-alone", f"{sid} {target}: a none record must be the only one for the item")
        if {"favor", "against"} <= labels and primaries != 1:
            add(n, "conflict-without-primary", f"{sid} {target}: holders disagree, one must be primary")
        elif len(labels) == 1 and primaries > 1:
            add(n, "extra-primary", f"{sid} {target}: more than one primary record")
    missing = [f"{s.id}×{t}" for s in seg.sentences for t in TARGETS if (s.id, t) not in ann.stance]
    if missing:
        add(None, "unreviewed-sentence", f"{len(missing)} item(s) have no stance record: {missing[:5]}")
    return None if len(problems) > before else ann


def read_annotations(layout: Layout, meta: dict, text: str, seg: Segmentation, problems) -> dict:
    """pass → Annotation of a document (none while pending): gold must exist; a and b both or neither."""
    doc_id, passes = meta["doc_id"], {}
    if meta["annotation_status"] == "pending":
        return passes
    files = {p: layout.annotation_file(p, doc_id) for p in ANNOTATION_PASSES}
    for one, other in (("a", "b"), ("b", "a")):  # a lone pass would drop the document from the agreement
        if files[one].is_file() and not files[other].is_file():
            problems.add(
                layout.rel(files[other]), None, "missing-pass", f"{doc_id} has pass {one}, not {other}"
            )
    if not files["gold"].is_file():
        status = f"{meta['annotation_status']} on {layout.rel(layout.metadata)}:{meta['_line']}"
        problems.add(layout.rel(files["gold"]), None, "missing-file", f"{doc_id} is {status}: no gold file")
    for name, path in files.items():
        if path.is_file() and (ann := read_annotation(layout, path, text, seg, problems)) is not None:
            passes[name] = ann
    return passes
