"""Tool: turn a sentence-anchored annotation draft into standoff records with offsets.

Annotators write one JSON object per sentence, quoting spans by their text:

    {"sentence": "d00-s002",
     "entities": [{"text": "Vladimir Nesimov", "label": "PERSON", "entity_id": "vladimir_nesimov"}],
     "stance": {"war": [{"label": "against", "holder_type": "entity",
                          "holder": "vladimir_nesimov", "holder_text": "Vladimir Nesimov",
                          "evidence": "didn’t want anything to do with Russia’s actions"}],
                "putin": [{"label": "none"}], ...every target...}}

Entities are listed in reading order; each is matched to the next token-aligned occurrence
of its text. ``holder_text`` and ``evidence`` are matched to their first occurrence in the
sentence. The output is the raw annotation format (document character offsets + text) that
the build validates.

    python scripts/anchor_annotations.py DRAFT --doc-id d00 --out raw/annotations/a/d00.jsonl
    python scripts/anchor_annotations.py DRAFT --doc-id d00 --check
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from belgrade_stance.files import atomic_write
from belgrade_stance_build.layout import find_project
from belgrade_stance_build.problems import Problems
from belgrade_stance_build.stages.records import parse_jsonl, read_jsonl
from belgrade_stance_build.stages.tokens import tokenize
from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, STANCE_LABELS, TARGETS


def _sentences(doc_id: str, problems: Problems) -> dict[str, dict]:
    layout = find_project()
    path = layout.segment_file(doc_id)
    return {rec["id"]: rec for _, rec in read_jsonl(path, layout.rel(path), problems) or []
            if rec.get("type") == "sentence"}


def anchor(draft: str, doc_id: str, where: str) -> tuple[list[dict], list[str]]:
    """(standoff records, problems) of a draft's JSON Lines text."""
    found = Problems()
    sentences = _sentences(doc_id, found)
    records: list[dict] = []
    seen: set[str] = set()
    entity_ids: set[str] = set()
    drafts = []
    for n, d in parse_jsonl(draft, where, found):
        sid = d.get("sentence")
        if sid not in sentences:
            found.add(where, n, "unknown-sentence", f"{sid!r}")
            continue
        if sid in seen:
            found.add(where, n, "duplicate-record", f"{sid} has a second line")
            continue
        seen.add(sid)
        drafts.append((n, d))
        for e in d.get("entities", []):
            entity_ids.add(e.get("entity_id"))
    for sid in sentences:
        if sid not in seen:
            found.add(where, None, "unreviewed-sentence", f"{sid} has no line")

    for n, d in drafts:
        sent = sentences[d["sentence"]]
        text, base = sent["text"], sent["start"]
        toks = tokenize(text)
        tok_starts = {s for s, _ in toks}
        tok_ends = {e for _, e in toks}
        pos = 0
        for e in d.get("entities", []):
            etext, label, eid = e.get("text"), e.get("label"), e.get("entity_id")
            if label not in ENTITY_TYPES:
                found.add(where, n, "unknown-entity-label", f"{label!r} for {etext!r}")
            if not eid or not isinstance(eid, str):
                found.add(where, n, "entity-id-format", f"missing for {etext!r}")
            i = text.find(etext, pos) if etext else -1
            while i >= 0 and (i not in tok_starts or i + len(etext) not in tok_ends):
                i = text.find(etext, i + 1)
            if i < 0:
                found.add(where, n, "draft-span-not-found", f"entity {etext!r} (token-aligned, after offset {pos})")
                continue
            pos = i + len(etext)
            records.append({"type": "entity", "sentence": sent["id"], "start": base + i,
                            "end": base + pos, "text": etext, "label": label, "entity_id": eid})
        stance = d.get("stance", {})
        for target in TARGETS:
            recs = stance.get(target)
            if not recs:
                found.add(where, n, "unreviewed-sentence", f"{target} has no record")
                continue
            labels = {r.get("label") for r in recs}
            if "none" in labels and len(recs) > 1:
                found.add(where, n, "none-not-alone", f"{target}")
            if {"favor", "against"} <= labels and sum(bool(r.get("primary")) for r in recs) != 1:
                found.add(where, n, "conflict-without-primary", f"{target}: conflicting labels need one primary")
            for r in recs:
                lab = r.get("label")
                if lab not in STANCE_LABELS:
                    found.add(where, n, "unknown-stance-label", f"{target}: {lab!r}")
                    continue
                out = {"type": "stance", "sentence": sent["id"], "target": target, "label": lab}
                if lab != "none":
                    ht, h = r.get("holder_type"), r.get("holder")
                    if ht not in HOLDER_TYPES or not h:
                        found.add(where, n, "missing-field", f"{target}: holder_type and holder needed, got {ht!r} {h!r}")
                    if ht == "entity" and h not in entity_ids:
                        found.add(where, n, "unresolved-holder", f"{target}: {h!r} is not an entity id of the document")
                    out.update(holder_type=ht, holder=h, holder_span=None)
                    for key, field in (("holder_text", "holder_span"), ("evidence", "evidence")):
                        s = r.get(key)
                        if not s:
                            if key == "evidence":
                                found.add(where, n, "missing-field", f"{target}: evidence missing")
                            continue
                        i = text.find(s)
                        if i < 0:
                            found.add(where, n, "draft-span-not-found", f"{target}: {key} {s!r}")
                            continue
                        out[field] = {"start": base + i, "end": base + i + len(s), "text": s}
                    out["primary"] = bool(r.get("primary"))
                    if r.get("reason"):
                        out["reason"] = r["reason"]
                elif r.get("reason"):
                    out["reason"] = r["reason"]
                records.append(out)
    return records, [str(p) for p in found.items]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("draft", type=Path)
    p.add_argument("--doc-id", required=True)
    p.add_argument("--out", type=Path)
    p.add_argument("--check", action="store_true", help="only check the draft")
    a = p.parse_args(argv)
    records, problems = anchor(a.draft.read_text(encoding="utf-8"), a.doc_id, str(a.draft))
    for msg in problems:
        print(msg, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    if a.out and not a.check:
        atomic_write(a.out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    print(f"ok: {sum(r['type'] == 'entity' for r in records)} entities, "
          f"{sum(r['type'] == 'stance' for r in records)} stance records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
