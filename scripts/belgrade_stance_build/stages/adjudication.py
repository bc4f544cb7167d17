"""Stage: adjudication — raw/adjudication/<doc_id>.jsonl has a record, matching gold, for every item on
which passes A and B differ: a stance item's label, an entity span's "LABEL:entity_id" (null: no span)."""

from __future__ import annotations

from functools import partial

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.annotations import Annotation
from belgrade_stance_build.stages.raw_records import checked_records, read_jsonl
from belgrade_stance_schema.records import ADJUDICATION


def values(ann: Annotation) -> dict[tuple, str]:
    """The value of every stance item and entity span of a pass, by the key its adjudication has."""
    stance = {("stance", sid, target): ann.label(sid, target) for sid, target in ann.stance}
    return stance | {("entity", e.start, e.end): f"{e.label}:{e.entity_id}" for e in ann.entities}


def check_adjudication(layout: Layout, doc_id: str, passes: dict[str, Annotation], problems) -> None:
    if not {"a", "b", "gold"} <= set(passes):
        return
    path = layout.raw / "adjudication" / f"{doc_id}.jsonl"
    where, before = layout.rel(path), len(problems)
    add = partial(problems.add, where)
    a, b = values(passes["a"]), values(passes["b"])
    todo = {key: (a.get(key), b.get(key)) for key in a | b if a.get(key) != b.get(key)}
    if not path.is_file():
        if todo:
            add(None, "missing-file", f"{len(todo)} disagreement(s) of A and B need adjudication records")
        return
    records = checked_records(ADJUDICATION, read_jsonl(path, where, problems, layout), where, problems)
    if len(problems) > before:
        return
    gold, done = values(passes["gold"]), set()
    for n, _, m in records:
        key = ("stance", m.sentence, m.target) if m.type == "stance" else ("entity", m.start, m.end)
        item, held = f"{key[1]} {key[2]}", (*todo.get(key, ()), gold.get(key))
        if key in done:
            add(n, "duplicate-record", f"{item}: adjudicated twice")
        elif key not in todo:
            add(n, "stale-adjudication", f"{item}: passes A and B agree here")
        elif (m.a, m.b, m.gold) != held:
            add(n, "adjudication-mismatch", f"{item}: (a, b, gold) {(m.a, m.b, m.gold)} != {held}")
        done.add(key)
    for key in sorted(set(todo) - done, key=str):
        add(None, "unadjudicated-disagreement", f"{key[1]} {key[2]}: (A, B) {todo[key]} is not adjudicated")
