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
sentence. The output is the raw annotation format (document character offsets + text), which
the build checks like any raw annotation (labels, holders, conflicts); this tool reports what
keeps a draft from being anchored: an unknown or repeated sentence, a sentence or target left
out, a quoted text that is not in its sentence.

    python scripts/anchor_annotations.py DRAFT --doc-id d00 --out raw/annotations/a/d00.jsonl
    python scripts/anchor_annotations.py DRAFT --doc-id d00 --check
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from belgrade_stance_schema.inventory import TARGETS

from belgrade_stance.errors import Problems
from belgrade_stance.files import atomic_write
from belgrade_stance_build.layout import find_project
from belgrade_stance_build.stages.raw_records import parse_jsonl, read_jsonl
from belgrade_stance_build.stages.tokens import tokenize


def _anchored(draft: dict, sentence: dict, where: str, line: int, found: Problems) -> list[dict]:
    """The standoff records of one sentence's draft."""
    text, base, sid = sentence["text"], sentence["start"], sentence["id"]
    tokens = tokenize(text)
    starts, ends = {a for a, _ in tokens}, {b for _, b in tokens}
    out, pos = [], 0
    for e in draft.get("entities", []):
        quoted = e.get("text") or ""
        i = text.find(quoted, pos) if quoted else -1
        while i >= 0 and (i not in starts or i + len(quoted) not in ends):
            i = text.find(quoted, i + 1)
        if i < 0:
            found.add(
                where, line, "draft-span-not-found", f"entity {quoted!r} (token-aligned, after offset {pos})"
            )
            continue
        pos = i + len(quoted)
        span = {"start": base + i, "end": base + pos, "text": quoted, "label": e.get("label")}
        out.append({"type": "entity", "sentence": sid, **span, "entity_id": e.get("entity_id")})
    for target in TARGETS:
        records = draft.get("stance", {}).get(target)
        if not records:
            found.add(where, line, "unreviewed-sentence", f"{target} has no record")
        for r in records or []:
            rec = {"type": "stance", "sentence": sid, "target": target, "label": r.get("label")}
            if r.get("label") != "none":
                rec |= {"holder_type": r.get("holder_type"), "holder": r.get("holder"), "holder_span": None}
                for key, field in (("holder_text", "holder_span"), ("evidence", "evidence")):
                    quoted = r.get(key)
                    if quoted and quoted in text:
                        i = text.index(quoted)
                        rec[field] = {"start": base + i, "end": base + i + len(quoted), "text": quoted}
                    elif quoted:
                        found.add(where, line, "draft-span-not-found", f"{target}: {key} {quoted!r}")
                rec["primary"] = bool(r.get("primary"))
            if r.get("reason"):
                rec["reason"] = r["reason"]
            out.append(rec)
    return out


def anchor(draft: str, doc_id: str, where: str) -> tuple[list[dict], list[str]]:
    """(standoff records, problems) of a draft's JSON Lines text."""
    found = Problems()
    layout = find_project()
    path = layout.segment_file(doc_id)
    lines = read_jsonl(path, layout.rel(path), found) or []
    sentences = {rec["id"]: rec for _, rec in lines if rec.get("type") == "sentence"}
    records: list[dict] = []
    seen: set[str] = set()
    for n, d in parse_jsonl(draft, where, found):
        sid = d.get("sentence")
        if sid in seen:
            found.add(where, n, "duplicate-record", f"{sid} has a second line")
        elif sid not in sentences:
            found.add(where, n, "unknown-sentence", f"{sid!r}")
        else:
            seen.add(sid)
            records += _anchored(d, sentences[sid], where, n, found)
    for sid in sentences:
        if sid not in seen:
            found.add(where, None, "unreviewed-sentence", f"{sid} has no line")
    return records, [str(p) for p in found.items]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("draft", type=Path)
    p.add_argument("--doc-id", required=True)
    p.add_argument("--out", type=Path)
    p.add_argument("--check", action="store_true", help="only check the draft")
    a = p.parse_args(argv)
    records, problems = anchor(a.draft.read_text(encoding="utf-8"), a.doc_id, str(a.draft))
    for message in problems:
        print(message, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    if a.out and not a.check:
        atomic_write(a.out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    entities = sum(r["type"] == "entity" for r in records)
    print(f"ok: {entities} entities, {len(records) - entities} stance records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
