"""Stage: adjudication — every disagreement of passes A and B has a record that matches gold.

raw/adjudication/<doc_id>.jsonl lists every item on which A and B differ, with A's, B's and
gold's value and a short reason:
  {"type": "stance", "sentence", "target", "a", "b", "gold", "reason"}        (labels)
  {"type": "entity", "sentence", "start", "end", "text", "a", "b", "gold", "reason"}
                                                  (values "LABEL:entity_id" or null = no span)
The build fails if a disagreement has no record, a record's values are not what the passes
and gold hold, or a record names no disagreement.
"""

from __future__ import annotations

from belgrade_stance_schema.records import ADJUDICATION

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.annotations import Annotation
from belgrade_stance_build.stages.raw_records import checked_records, read_jsonl


def _entity_values(ann: Annotation) -> dict[tuple[int, int], str]:
    return {(e.start, e.end): f"{e.label}:{e.entity_id}" for e in ann.entities}


def disagreements(passes: dict[str, Annotation]) -> dict[tuple, tuple]:
    """key → (a value, b value) for every stance item and entity span where A and B differ."""
    a, b = passes["a"], passes["b"]
    out: dict[tuple, tuple] = {}
    for sid, target in a.stance:
        la, lb = a.label(sid, target), b.label(sid, target)
        if la != lb:
            out[("stance", sid, target)] = (la, lb)
    ea, eb = _entity_values(a), _entity_values(b)
    for span in set(ea) | set(eb):
        if ea.get(span) != eb.get(span):
            out[("entity", *span)] = (ea.get(span), eb.get(span))
    return out


def check_adjudication(layout: Layout, annotations: dict[str, dict[str, Annotation]], problems) -> None:
    for doc_id, passes in annotations.items():
        path = layout.raw / "adjudication" / f"{doc_id}.jsonl"
        where = layout.rel(path)
        if not {"a", "b", "gold"} <= set(passes):
            continue
        todo = disagreements(passes)
        if not path.is_file():
            if todo:
                problems.add(
                    where,
                    None,
                    "missing-file",
                    f"{len(todo)} disagreement(s) of A and B need adjudication records",
                )
            continue
        lines = read_jsonl(path, where, problems, layout) or []
        gold = passes["gold"]
        gold_entities = _entity_values(gold)
        done = set()
        for n, _rec, model in checked_records(ADJUDICATION, lines, where, problems):
            if model.type == "stance":
                key = ("stance", model.sentence, model.target)
            else:
                key = ("entity", model.start, model.end)
            if key in done:
                problems.add(where, n, "duplicate-record", f"{key[1]} {key[2]}: adjudicated twice")
                continue
            if key not in todo:
                problems.add(where, n, "stale-adjudication", f"{key[1]} {key[2]}: passes A and B agree here")
                continue
            done.add(key)
            kind = model.type
            a_val, b_val = todo[key]
            if kind == "stance":
                actual_gold = gold.label(key[1], key[2]) if (key[1], key[2]) in gold.stance else None
            else:
                actual_gold = gold_entities.get((key[1], key[2]))
            if (model.a, model.b, model.gold) != (a_val, b_val, actual_gold):
                problems.add(
                    where,
                    n,
                    "adjudication-mismatch",
                    f"{key[1]} {key[2]}: record says a={model.a!r} b={model.b!r} "
                    f"gold={model.gold!r}; files hold a={a_val!r} b={b_val!r} gold={actual_gold!r}",
                )
        for key in sorted(set(todo) - done, key=str):
            problems.add(
                where,
                None,
                "unadjudicated-disagreement",
                f"{key[1]} {key[2]}: A={todo[key][0]!r} B={todo[key][1]!r} has no adjudication record",
            )
