"""Stage: annotations — entity mentions and stance records of every pass, checked against text.

raw/annotations/<pass>/<doc_id>.jsonl (pass: a, b, gold), offsets into the raw text:
  {"type": "entity", "sentence", "start", "end", "text", "label", "entity_id"}
  {"type": "stance", "sentence", "target", "label"}                           (label none)
  {"type": "stance", "sentence", "target", "label", "holder_type", "holder",
   "holder_span": {start, end, text} | null, "evidence": {start, end, text}, "primary"}
Gold records may carry "reason" (why adjudication changed the item).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from belgrade_stance_schema.inventory import ANNOTATION_PASSES, TARGETS
from belgrade_stance_schema.records import ANNOTATION

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.raw_records import check_span, checked_records, read_jsonl
from belgrade_stance_build.stages.segments import Segmentation


@dataclass(slots=True)
class Entity:
    sentence: str
    start: int
    end: int
    text: str
    label: str
    entity_id: str
    line: int = 0  # of the raw file
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
        out = {"target": self.target} if with_target else {}
        out.update(
            {
                "holder_type": self.holder_type,
                "holder": self.holder,
                "label": self.label,
                "holder_text": self.holder_span["text"] if self.holder_span else None,
                "evidence_text": self.evidence["text"] if self.evidence else None,
                "primary": self.primary,
            }
        )
        return out


@dataclass
class Annotation:
    doc_id: str
    pass_name: str
    entities: list[Entity] = field(default_factory=list)
    stance: dict[tuple[str, str], list[StanceRecord]] = field(default_factory=dict)

    def label(self, sentence: str, target: str) -> str:
        """The item's label: the single label, or the primary record's where holders conflict."""
        recs = self.stance[(sentence, target)]
        if len(recs) == 1 or len({r.label for r in recs}) == 1:
            return recs[0].label
        return next(r.label for r in recs if r.primary)


def _inside(span: dict, sent) -> bool:
    return sent.start <= span["start"] and span["end"] <= sent.end


def read_annotation(
    layout: Layout, pass_name: str, doc_id: str, text: str, seg: Segmentation, problems
) -> Annotation | None:
    path = layout.annotation_file(pass_name, doc_id)
    where = layout.rel(path)
    before = len(problems)
    lines = read_jsonl(path, where, problems, layout)
    if lines is None:
        return None
    sentences = {s.id: s for s in seg.sentences}
    ann = Annotation(doc_id, pass_name)
    token_bounds: dict[str, tuple[set, set]] = {}
    entity_lines: list[tuple[int, Entity]] = []
    stance_lines: list[tuple[int, StanceRecord]] = []
    seen: dict[tuple, int] = {}

    for n, rec, model in checked_records(ANNOTATION, lines, where, problems):
        sid = model.sentence
        if sid not in sentences:
            problems.add(
                where,
                n,
                "unknown-sentence",
                f"{model.type} refers to sentence {sid!r}, not in {layout.rel(layout.segment_file(doc_id))}",
            )
            continue
        sent = sentences[sid]
        if model.type == "entity":
            if not check_span(rec, text, where, n, problems, f"entity {model.text!r}"):
                continue
            if not _inside(rec, sent):  # sentences never overlap boilerplate, so inside is enough
                bp = next(
                    (b for b in seg.boilerplate if b["start"] < rec["end"] and rec["start"] < b["end"]), None
                )
                if bp is not None:
                    problems.add(
                        where,
                        n,
                        "entity-in-boilerplate",
                        f"entity {rec['text']!r} overlaps boilerplate ({bp['kind']}) at "
                        f"{bp['start']}-{bp['end']}",
                    )
                else:
                    problems.add(
                        where,
                        n,
                        "entity-outside-sentence",
                        f"entity {rec['text']!r} is not inside sentence {sid}",
                    )
                continue
            if sid not in token_bounds:
                toks = sent.tokens
                token_bounds[sid] = ({a for a, _ in toks}, {b for _, b in toks})
            starts, ends = token_bounds[sid]
            if rec["start"] - sent.start not in starts or rec["end"] - sent.start not in ends:
                problems.add(
                    where,
                    n,
                    "span-not-token-aligned",
                    f"entity {rec['text']!r} cuts a token of the spaCy tokenisation",
                )
                continue
            key = ("entity", rec["start"], rec["end"])
            if key in seen:
                problems.add(
                    where, n, "duplicate-record", f"entity {rec['text']!r} already on line {seen[key]}"
                )
                continue
            seen[key] = n
            entity_lines.append(
                (
                    n,
                    Entity(
                        sid, model.start, model.end, model.text, model.label, model.entity_id, n, model.reason
                    ),
                )
            )
        else:
            sr = StanceRecord(sid, model.target, model.label, reason=model.reason)
            if model.label != "none":
                ok = True
                for fld in ("evidence", "holder_span"):
                    span = rec.get(fld)
                    if span is None:
                        continue
                    if not check_span(span, text, where, n, problems, fld):
                        ok = False
                    elif not _inside(span, sent):
                        problems.add(
                            where,
                            n,
                            "span-outside-sentence",
                            f"{fld} {span['text']!r} is not inside sentence {sid}",
                        )
                        ok = False
                if not ok:
                    continue
                sr.holder_type, sr.holder = model.holder_type, model.holder
                sr.holder_span, sr.evidence = rec.get("holder_span"), rec["evidence"]
                sr.primary = bool(model.primary)
            key = (sid, sr.target, sr.label, sr.holder)
            if key in seen:
                problems.add(
                    where,
                    n,
                    "duplicate-record",
                    f"stance {sid} {sr.target} {sr.label} {sr.holder!r} already on line {seen[key]}",
                )
                continue
            seen[key] = n
            stance_lines.append((n, sr))
    if len(problems) > before:
        return None

    entity_lines.sort(key=lambda x: x[1].start)
    for (n0, e0), (n1, e1) in zip(entity_lines, entity_lines[1:]):
        if e1.start < e0.end:
            problems.add(
                where, n1, "overlapping-entities", f"{e1.text!r} overlaps {e0.text!r} (line {n0}); no nesting"
            )
    ann.entities = [e for _, e in entity_lines]
    entity_ids = {e.entity_id for e in ann.entities}
    first_line: dict[tuple[str, str], int] = {}
    for n, sr in stance_lines:
        if sr.holder_type == "entity" and sr.holder not in entity_ids:
            problems.add(
                where,
                n,
                "unresolved-holder",
                f"holder {sr.holder!r} is not an entity id annotated in {doc_id}",
            )
        ann.stance.setdefault((sr.sentence, sr.target), []).append(sr)
        first_line.setdefault((sr.sentence, sr.target), n)
    for key, recs in ann.stance.items():
        if len(recs) == 1:
            continue  # a single record cannot conflict
        labels = {r.label for r in recs}
        n = first_line[key]
        if "none" in labels and len(recs) > 1:
            problems.add(
                where,
                n,
                "none-not-alone",
                f"{key[0]} {key[1]}: a none record must be the only one for the item",
            )
        primaries = sum(r.primary for r in recs)
        if {"favor", "against"} <= labels and primaries != 1:
            problems.add(
                where,
                n,
                "conflict-without-primary",
                f"{key[0]} {key[1]}: holders disagree, exactly one record must be primary (has {primaries})",
            )
        elif len(labels) == 1 and primaries > 1:
            problems.add(where, n, "extra-primary", f"{key[0]} {key[1]}: more than one primary record")
    missing = [(s.id, t) for s in seg.sentences for t in TARGETS if (s.id, t) not in ann.stance]
    if missing:
        shown = ", ".join(f"{s}×{t}" for s, t in missing[:5])
        problems.add(
            where,
            None,
            "unreviewed-sentence",
            f"{len(missing)} (sentence, target) item(s) have no stance record, e.g. {shown}",
        )
    if len(problems) > before:
        return None
    return ann


def read_annotations(
    layout: Layout, metadata: list[dict], texts: dict[str, str], segs: dict[str, Segmentation], problems
) -> dict[str, dict[str, Annotation]]:
    """doc_id → pass → Annotation, for every document whose status is not pending.

    A gold document must have a gold file; passes a and b are read where present.
    """
    out: dict[str, dict[str, Annotation]] = {}
    for row in metadata:
        doc_id = row["doc_id"]
        if row["annotation_status"] == "pending" or doc_id not in segs:
            continue
        out[doc_id] = {}
        present = {p for p in ("a", "b") if layout.annotation_file(p, doc_id).is_file()}
        if len(present) == 1:  # a lone pass would silently drop the document from the agreement
            (lone,) = present
            other = "b" if lone == "a" else "a"
            problems.add(
                layout.rel(layout.annotation_file(other, doc_id)),
                None,
                "missing-pass",
                f"{doc_id} has pass {lone} but no pass {other}: both independent passes or neither",
            )
        for pass_name in ANNOTATION_PASSES:
            path = layout.annotation_file(pass_name, doc_id)
            if not path.is_file():
                if pass_name == "gold":
                    problems.add(
                        layout.rel(path),
                        None,
                        "missing-file",
                        f"{doc_id} is marked {row['annotation_status']!r} on "
                        f"{layout.rel(layout.metadata)}:{row['_line']} but has no gold annotation",
                    )
                continue
            ann = read_annotation(layout, pass_name, doc_id, texts[doc_id], segs[doc_id], problems)
            if ann is not None:
                out[doc_id][pass_name] = ann
    return out
