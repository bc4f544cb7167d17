"""Bad input: a clear message (file, line/record, rule), exit 1, and data/ left exactly as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from belgrade_stance.cli import main
from helpers import tree_digest

D = "d01"  # the document most mutations touch
TEXT = "001_65baed66722e57a5.txt"


# ---- small editing helpers -------------------------------------------------------------

def rows(p: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((p / "raw/metadata.csv").read_text(encoding="utf-8"))))


def write_rows(p: Path, rs: list[dict], fields=None) -> None:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields or list(rs[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rs)
    (p / "raw/metadata.csv").write_text(out.getvalue(), encoding="utf-8")


def set_meta(p: Path, doc: str, **kw) -> None:
    rs = rows(p)
    for r in rs:
        if r["doc_id"] == doc:
            r.update(kw)
    write_rows(p, rs)


def jl(p: Path, rel: str) -> list[dict]:
    return [json.loads(line) for line in (p / rel).read_text(encoding="utf-8").splitlines()]


def write_jl(p: Path, rel: str, recs: list) -> None:
    (p / rel).write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                                 for r in recs), encoding="utf-8")


def edit_jl(rel: str, fn):
    def mutate(p: Path) -> None:
        recs = jl(p, rel)
        fn(recs)
        write_jl(p, rel, recs)
    return mutate


def first(recs, **kw):
    return next(r for r in recs if all(r.get(k) == v for k, v in kw.items()))


def replace_text(p: Path, data: bytes) -> None:
    (p / "raw/texts" / TEXT).write_bytes(data)
    set_meta(p, D, sha256=hashlib.sha256(data).hexdigest())


SEG = f"raw/segments/{D}.jsonl"
GOLD = f"raw/annotations/gold/{D}.jsonl"
PASS_B = f"raw/annotations/b/{D}.jsonl"
ADJ = f"raw/adjudication/{D}.jsonl"


def _shift(r, key="end", by=1):
    r[key] += by


def _entity(recs):
    return first(recs, type="entity")


def _stance_none(recs):
    return first(recs, type="stance", label="none")


def _overlap_sentence(recs):
    s0 = first(recs, type="sentence", id=f"{D}-s000")
    s0["end"] += 5  # now reaches into s001; the text must follow to pass the text check
    return s0


CASES = {
    # raw texts
    "raw-text-edited": (lambda p: (p / "raw/texts" / TEXT).write_bytes((p / "raw/texts" / TEXT).read_bytes().replace(b"Belgrade", b"Belgrad", 1)),
                        "sha256-mismatch", TEXT),
    "raw-file-missing": (lambda p: (p / "raw/texts" / TEXT).unlink(), "missing-raw-file", TEXT),
    "raw-file-extra": (lambda p: (p / "raw/texts/999_extra.txt").write_text("x"), "extra-raw-file", "999_extra.txt"),
    "raw-invalid-utf8": (lambda p: replace_text(p, b"ok line\nbad \xff\xfe byte\n"), "invalid-utf8", f"{TEXT}:2"),
    "raw-empty": (lambda p: replace_text(p, b""), "empty-file", TEXT),
    # metadata
    "meta-missing-column": (lambda p: write_rows(p, [{k: v for k, v in r.items() if k != "split"} for r in rows(p)]),
                            "missing-field", "metadata.csv:1"),
    "meta-missing-value": (lambda p: set_meta(p, D, rights=""), "missing-value", "metadata.csv:3"),
    "meta-duplicate-doc-id": (lambda p: set_meta(p, "d02", doc_id=D), "duplicate-doc-id", "metadata.csv:4"),
    "meta-bad-date": (lambda p: set_meta(p, D, date="2022-13-40"), "bad-date", "metadata.csv:3"),
    "meta-date-vs-precision": (lambda p: set_meta(p, D, date="2022-06"), "bad-date", "metadata.csv:3"),
    "meta-bad-precision": (lambda p: set_meta(p, D, date_precision="roughly"), "date-precision", "metadata.csv:3"),
    "meta-estimate-without-evidence": (lambda p: set_meta(p, D, date_precision="estimated", date_evidence=""),
                                       "date-evidence", "metadata.csv:3"),
    "meta-unknown-split": (lambda p: set_meta(p, D, split="dev"), "unknown-split", "metadata.csv:3"),
    "meta-unknown-status": (lambda p: set_meta(p, D, annotation_status="done"), "annotation-status", "metadata.csv:3"),
    # segments
    "boilerplate-out-of-range": (edit_jl(SEG, lambda rs: _shift(first(rs, type="boilerplate", kind="footer"), "end", 50)),
                                 "offset-out-of-range", SEG),
    "boilerplate-overlap": (edit_jl(SEG, lambda rs: rs.append({**first(rs, type="boilerplate", kind="footer"), "kind": "site_navigation"})),
                            "overlapping-boilerplate", SEG),
    "boilerplate-unknown-kind": (edit_jl(SEG, lambda rs: first(rs, type="boilerplate").update(kind="advert")),
                                 "unknown-boilerplate-kind", SEG),
    "segments-unparseable": (edit_jl(SEG, lambda rs: rs.insert(3, "{not json")), "unparseable-line", f"{SEG}:4"),
    "segments-unknown-type": (edit_jl(SEG, lambda rs: rs.append({"type": "paragraph", "start": 0, "end": 1})),
                              "unknown-record-type", SEG),
    "sentence-gap": (edit_jl(SEG, lambda rs: rs.remove(first(rs, type="sentence", id=f"{D}-s005"))), "sentence-gap", SEG),
    "sentence-reversed": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(start=900, end=800)),
                          "reversed-offsets", SEG),
    "sentence-text-mismatch": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(text="Each week")),
                               "span-text-mismatch", SEG),
    "sentence-duplicate-id": (edit_jl(SEG, lambda rs: first(rs, type="sentence", id=f"{D}-s001").update(id=f"{D}-s000")),
                              "duplicate-id", SEG),
    # annotations
    "annotation-unparseable": (edit_jl(GOLD, lambda rs: rs.insert(0, "not json at all")), "unparseable-line", f"{GOLD}:1"),
    "annotation-unknown-type": (edit_jl(GOLD, lambda rs: rs.append({"type": "relation", "sentence": f"{D}-s000"})),
                                "unknown-record-type", GOLD),
    "entity-out-of-range": (edit_jl(GOLD, lambda rs: _entity(rs).update(start=10 ** 6, end=10 ** 6 + 3)),
                            "offset-out-of-range", GOLD),
    "entity-reversed": (edit_jl(GOLD, lambda rs: _entity(rs).update(start=_entity(rs)["end"], end=_entity(rs)["start"])),
                        "reversed-offsets", GOLD),
    "entity-text-mismatch": (edit_jl(GOLD, lambda rs: _entity(rs).update(text="Putim")), "span-text-mismatch", GOLD),
    "entity-unknown-label": (edit_jl(GOLD, lambda rs: _entity(rs).update(label="PER")), "unknown-entity-label", GOLD),
    "entity-not-token-aligned": (edit_jl(GOLD, lambda rs: _entity(rs).update(end=_entity(rs)["end"] - 1,
                                                                             text=_entity(rs)["text"][:-1])),
                                 "span-not-token-aligned", GOLD),
    "entity-in-boilerplate": (edit_jl(GOLD, lambda rs: _entity(rs).update(start=28, end=31, text="In ")),
                              "entity-in-boilerplate", GOLD),
    "entities-overlap": (edit_jl(GOLD, lambda rs: rs.append({**_entity(rs), "end": _entity(rs)["end"] + 1,
                                                             "text": _entity(rs)["text"] + ","})),
                         "overlapping-entities", GOLD),
    "entity-duplicate": (edit_jl(GOLD, lambda rs: rs.append(dict(_entity(rs)))), "duplicate-record", GOLD),
    "stance-unknown-label": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(label="neutral")),
                             "unknown-stance-label", GOLD),
    "stance-unknown-target": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(target="china")), "unknown-target", GOLD),
    "stance-unknown-sentence": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(sentence=f"{D}-s999")),
                                "unknown-sentence", GOLD),
    "stance-duplicate": (edit_jl(GOLD, lambda rs: rs.append(dict(_stance_none(rs)))), "duplicate-record", GOLD),
    "stance-unreviewed-sentence": (edit_jl(GOLD, lambda rs: rs.remove(_stance_none(rs))), "unreviewed-sentence", GOLD),
    "stance-none-with-holder": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(holder="author", holder_type="author")),
                                "none-with-holder", GOLD),
    "stance-unresolved-holder": (edit_jl(GOLD, lambda rs: first(rs, type="stance", holder_type="entity").update(holder="nobody_here")),
                                 "unresolved-holder", GOLD),
    "stance-conflict-without-primary": (edit_jl(GOLD, lambda rs: first(rs, type="stance", primary=True).update(primary=False)),
                                        "conflict-without-primary", GOLD),
    "stance-unknown-holder-type": (edit_jl(GOLD, lambda rs: first(rs, type="stance", holder_type="entity").update(holder_type="person")),
                                   "unknown-holder-type", GOLD),
    "gold-missing": (lambda p: (p / GOLD).unlink(), "missing-file", GOLD),
    "orphan-annotation": (lambda p: (p / "raw/annotations/gold/d77.jsonl").write_text(""), "orphan-file", "d77.jsonl"),
    # adjudication
    "disagreement-not-adjudicated": (edit_jl(PASS_B, lambda rs: first(rs, type="stance", sentence=f"{D}-s008", target="sanctions").update(label="favor")),
                                     "unadjudicated-disagreement", ADJ),
    "adjudication-stale": (edit_jl(ADJ, lambda rs: rs.append({"type": "stance", "sentence": f"{D}-s002", "target": "nato",
                                                              "a": "none", "b": "none", "gold": "none", "reason": "x"})),
                           "stale-adjudication", ADJ),
    "adjudication-mismatch": (edit_jl(ADJ, lambda rs: rs[0].update(gold="against")), "adjudication-mismatch", ADJ),
    # silently accepted before: wrong types, unknown or doubled keys, blanks, id forms, lone passes
    "stance-primary-as-string": (edit_jl(GOLD, lambda rs: first(rs, type="stance", primary=True).update(primary="false")),
                                 "field-type", GOLD),
    "stance-primary-as-number": (edit_jl(GOLD, lambda rs: first(rs, type="stance", holder_type="entity").update(primary=1)),
                                 "field-type", GOLD),
    "stance-holder-blank": (edit_jl(GOLD, lambda rs: first(rs, type="stance", holder_type="group").update(holder="   ")),
                            "empty-value", GOLD),
    "stance-holder-a-list": (edit_jl(GOLD, lambda rs: first(rs, type="stance", holder_type="group").update(holder=["x"])),
                             "field-type", GOLD),
    "stance-target-a-list": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(target=["war"])), "unknown-target", GOLD),
    "stance-sentence-an-object": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(sentence={"id": f"{D}-s000"})),
                                  "field-type", GOLD),
    "entity-label-a-list": (edit_jl(GOLD, lambda rs: _entity(rs).update(label=["GPE"])), "unknown-entity-label", GOLD),
    "entity-unknown-key": (edit_jl(GOLD, lambda rs: _entity(rs).update(entity_idd="x")), "unknown-field", GOLD),
    "stance-unknown-key": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(comment="check")), "unknown-field", GOLD),
    "annotation-duplicate-key": (edit_jl(GOLD, lambda rs: rs.insert(0, '{"type": "stance", "type": "entity"}')),
                                 "duplicate-key", f"{GOLD}:1"),
    "annotation-deep-nesting": (edit_jl(GOLD, lambda rs: rs.insert(0, "[" * 100000 + "]" * 100000)),
                                "unparseable-line", f"{GOLD}:1"),
    "segments-duplicate-key": (edit_jl(SEG, lambda rs: rs.insert(0, '{"type": "sentence", "id": "a", "id": "b"}')),
                               "duplicate-key", f"{SEG}:1"),
    "segments-unknown-key": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(paragraph=1)), "unknown-field", SEG),
    "boilerplate-kind-a-list": (edit_jl(SEG, lambda rs: first(rs, type="boilerplate").update(kind=["footer"])),
                                "unknown-boilerplate-kind", SEG),
    "sentence-id-not-snnn": (edit_jl(SEG, lambda rs: first(rs, type="sentence", id=f"{D}-s001").update(id=f"{D}-first")),
                             "sentence-id-format", SEG),
    "sentence-id-a-number": (edit_jl(SEG, lambda rs: first(rs, type="sentence", id=f"{D}-s001").update(id=7)),
                             "field-type", SEG),
    "adjudication-reason-blank": (edit_jl(ADJ, lambda rs: rs[0].update(reason="  ")), "empty-value", ADJ),
    "adjudication-unknown-key": (edit_jl(ADJ, lambda rs: rs[0].update(reviewer="me")), "unknown-field", ADJ),
    "adjudication-sentence-a-list": (edit_jl(ADJ, lambda rs: rs[0].update(sentence=["x"])), "field-type", ADJ),
    "pass-b-deleted": (lambda p: (p / PASS_B).unlink(), "missing-pass", PASS_B),
    "meta-huge-field": (lambda p: set_meta(p, D, rights="x" * 200_000), "csv-syntax", "metadata.csv"),
    "meta-unclosed-quote": (lambda p: (p / "raw/metadata.csv").write_text(
        (p / "raw/metadata.csv").read_text() + '"d99,unclosed\n'), "missing-value", "metadata.csv:7"),
    "meta-duplicate-column": (lambda p: (p / "raw/metadata.csv").write_text(
        (p / "raw/metadata.csv").read_text().replace(",split,", ",split,split,", 1)), "duplicate-column", "metadata.csv:1"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_cleanly(project, capsys, case):
    mutate, rule, where = CASES[case]
    before = tree_digest(project / "data")
    mutate(project)
    code = main(["build", "--root", str(project)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    if rule:
        assert f"[{rule}]" in err, err
    assert where in err, err
    assert tree_digest(project / "data") == before
    assert not list(project.glob(".data-*")), "no half-written data folder is left behind"


def test_at_least_thirty_distinct_rules_are_covered():
    assert len({rule for _, rule, _ in CASES.values() if rule} ) >= 30
    assert len(CASES) >= 30
