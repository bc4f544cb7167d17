"""Standoff records (the raw annotation format) from a sentence-anchored draft, one JSON object per
sentence that quotes its spans by their text:

    {"sentence": "d00-s002", "entities": [{"text": "Vladimir Nesimov", "label": "PERSON",
     "entity_id": "vladimir_nesimov"}], "stance": {"war": [{"label": "against", "holder_type": "entity",
     "holder": "vladimir_nesimov", "holder_text": "Vladimir Nesimov", "evidence": "didn’t want …"}],
     "putin": [{"label": "none"}], …every target…}}

Entities are in reading order, each matched to the next token-aligned occurrence of its text;
holder_text and evidence to their first occurrence in the sentence. A sentence or quoted text not found
is reported; the build checks the records like any raw annotation.

    python scripts/anchor_annotations.py DRAFT --doc-id d00 [--out raw/annotations/a/d00.jsonl]"""

import argparse
import json
import sys
from functools import partial
from pathlib import Path

from belgrade_stance.errors import DatasetError, Problems
from belgrade_stance.files import atomic_write
from belgrade_stance_build.annotation.label_studio import documents
from belgrade_stance_build.layout import find_project
from belgrade_stance_build.stages.raw_records import read_jsonl
from belgrade_stance_schema.inventory import TARGETS


def anchored(draft: dict, sentence, add) -> list[dict]:
    """The standoff records of one sentence's draft (add(rule, message): a problem of its line)."""
    text, base, sid, (starts, ends) = sentence.text, sentence.start, sentence.id, sentence.bounds
    out, pos = [], 0
    for e in draft.get("entities", []):
        quoted = e.get("text") or ""
        i = text.find(quoted, pos) if quoted else -1
        while i >= 0 and (i not in starts or i + len(quoted) not in ends):
            i = text.find(quoted, i + 1)
        if i < 0:
            add("draft-span-not-found", f"entity {quoted!r} (token-aligned, after offset {pos})")
            continue
        pos = i + len(quoted)
        span = {"start": base + i, "end": base + pos, "text": quoted, "label": e.get("label")}
        out.append({"type": "entity", "sentence": sid, **span, "entity_id": e.get("entity_id")})
    for target in TARGETS:
        for r in draft.get("stance", {}).get(target) or []:
            rec = {"type": "stance", "sentence": sid, "target": target, "label": r.get("label")}
            if r.get("label") != "none":
                rec |= {"holder_type": r.get("holder_type"), "holder": r.get("holder"), "holder_span": None}
                for key, field in (("holder_text", "holder_span"), ("evidence", "evidence")):
                    if (quoted := r.get(key)) and quoted in text:
                        i = base + text.index(quoted)
                        rec[field] = {"start": i, "end": i + len(quoted), "text": quoted}
                    elif quoted:
                        add("draft-span-not-found", f"{target}: {key} {quoted!r}")
                rec["primary"] = bool(r.get("primary"))
            out.append(rec | ({"reason": r["reason"]} if r.get("reason") else {}))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Standoff records from a sentence-anchored annotation draft.")
    p.add_argument("draft", type=Path)
    p.add_argument("--doc-id", required=True)
    p.add_argument("--out", type=Path, help="the raw annotation file to write (without it, only check)")
    a, found, records = p.parse_args(argv), Problems(), []
    where = str(a.draft)
    try:
        sentences = {s.id: s for s in documents(find_project()).get(a.doc_id, ([], None))[0]}
        for n, d in read_jsonl(a.draft, where, found):
            if d.get("sentence") in sentences:
                records += anchored(d, sentences[d["sentence"]], partial(found.add, where, n))
            else:
                found.add(where, n, "unknown-sentence", f"{d.get('sentence')!r} is not in {a.doc_id}")
    except (OSError, DatasetError) as e:
        print(e, file=sys.stderr)
        return getattr(e, "exit", 1)
    if found:
        print(found.report(), file=sys.stderr)
        return 1
    if a.out:
        atomic_write(a.out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    entities = sum(r["type"] == "entity" for r in records)
    print(f"ok: {entities} entities, {len(records) - entities} stance records")
    return 0
