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
    """Extend a sentence into the next one of its paragraph (its text follows the raw text)."""
    sents = [r for r in recs if r["type"] == "sentence"]
    text = RAW_TEXT()
    a, _ = next((a, b) for a, b in zip(sents, sents[1:]) if "\n" not in text[a["end"]:b["start"]])
    a["end"] += 5
    a["text"] = text[a["start"]:a["end"]]


def _stanced(recs):
    return first(recs, type="stance", sentence=f"{D}-s001", target="putin")


def _span_of(recs, kind, index):
    r = [x for x in recs if x["type"] == kind][index]
    return {"start": r["start"], "end": r["end"], "text": r["text"]}


def _join_two_paragraphs(recs):
    sents = [r for r in recs if r["type"] == "sentence"]
    text = RAW_TEXT()
    for a, b in zip(sents, sents[1:]):
        if "\n" in text[a["end"]:b["start"]]:
            a["end"] = b["end"]
            a["text"] = text[a["start"]:a["end"]]
            recs.remove(b)
            return


def _all_boilerplate(recs):
    text = RAW_TEXT()
    recs[:] = [{"type": "boilerplate", "start": 0, "end": len(text), "kind": "footer", "text": text}]


def _evidence_elsewhere(recs):
    other = first(recs, type="stance", sentence=f"{D}-s000", target="war", label="against")
    _stanced(recs)["evidence"] = dict(other["evidence"])


def _two_primaries(recs):
    r = _stanced(recs)
    r["primary"] = True
    recs.append({**r, "holder": "others_too", "holder_type": "group", "holder_span": None})


def RAW_TEXT() -> str:
    from helpers import ROOT

    return (ROOT / "raw/texts" / TEXT).read_text(encoding="utf-8")


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
    # strict record models: exact types, bounded sizes, hand-written values NFC and trimmed
    "meta-doc-id-uppercase": (lambda p: set_meta(p, D, doc_id="D01"), "doc-id-format", "metadata.csv:3"),
    "meta-doc-id-too-long": (lambda p: set_meta(p, D, doc_id="d" * 40), "doc-id-format", "metadata.csv:3"),
    "meta-sha256-short": (lambda p: set_meta(p, D, sha256="abc123"), "sha256-format", "metadata.csv:3"),
    "meta-sha256-uppercase": (lambda p: set_meta(p, D, sha256=rows(p)[1]["sha256"].upper()), "sha256-format",
                              "metadata.csv:3"),
    "meta-source-file-a-path": (lambda p: set_meta(p, D, source_file="../texts/" + TEXT), "source-file-name",
                                "metadata.csv:3"),
    "meta-duplicate-source-file": (lambda p: set_meta(p, "d02", source_file=TEXT), "duplicate-source-file",
                                   "metadata.csv:4"),
    "meta-language-a-name": (lambda p: set_meta(p, D, language="English"), "language", "metadata.csv:3"),
    "meta-row-too-long": (lambda p: (p / "raw/metadata.csv").write_text(
        (p / "raw/metadata.csv").read_text(encoding="utf-8") + "d99,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n", encoding="utf-8"),
        "row-shape", "metadata.csv:7"),
    "meta-no-rows": (lambda p: (p / "raw/metadata.csv").write_text(
        (p / "raw/metadata.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8"),
        "no-documents", "metadata.csv"),
    "meta-rights-trailing-space": (lambda p: set_meta(p, D, rights=rows(p)[1]["rights"] + " "),
                                   "surrounding-whitespace", "metadata.csv:3"),
    "meta-author-not-nfc": (lambda p: set_meta(p, D, author="Jovanovic\u0301"), "not-nfc", "metadata.csv:3"),
    "meta-headline-tab": (lambda p: set_meta(p, D, headline="Serbia\tRussia"), "control-character", "metadata.csv:3"),
    "meta-headline-too-long": (lambda p: set_meta(p, D, headline="word " * 500 + "end"), "too-long", "metadata.csv:3"),
    "meta-date-feb-30": (lambda p: set_meta(p, D, date="2022-02-30"), "bad-date", "metadata.csv:3"),
    "meta-date-words": (lambda p: set_meta(p, D, date="June 2022"), "bad-date", "metadata.csv:3"),
    "sentence-start-a-string": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(start="663")),
                                "offset-type", SEG),
    "sentence-end-a-float": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(end=800.0)), "offset-type", SEG),
    "sentence-start-negative": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(start=-3)),
                                "offset-out-of-range", SEG),
    "sentence-start-true": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(start=True)), "offset-type", SEG),
    "sentence-text-missing": (edit_jl(SEG, lambda rs: first(rs, type="sentence").pop("text")), "missing-field", SEG),
    "sentence-id-other-document": (edit_jl(SEG, lambda rs: first(rs, type="sentence", id=f"{D}-s001").update(id="d02-s001")),
                                   "sentence-id-format", SEG),
    "sentence-overlap": (edit_jl(SEG, _overlap_sentence), "sentence-overlap", SEG),
    "sentence-in-boilerplate": (edit_jl(SEG, lambda rs: rs.append({"type": "sentence", "id": f"{D}-s900",
                                                                   **_span_of(rs, "boilerplate", 0)})),
                                "sentence-in-boilerplate", SEG),
    "sentence-crosses-paragraph": (edit_jl(SEG, _join_two_paragraphs), "sentence-crosses-paragraph", SEG),
    "segments-all-boilerplate": (edit_jl(SEG, _all_boilerplate), "empty-body", SEG),
    "segments-type-a-list": (edit_jl(SEG, lambda rs: first(rs, type="sentence").update(type=["sentence"])),
                             "unknown-record-type", SEG),
    "segments-line-an-array": (edit_jl(SEG, lambda rs: rs.insert(0, "[1, 2]")), "unparseable-line", f"{SEG}:1"),
    "entity-id-uppercase": (edit_jl(GOLD, lambda rs: _entity(rs).update(entity_id="Peter_Nikitin")), "entity-id-format", GOLD),
    "entity-outside-its-sentence": (edit_jl(GOLD, lambda rs: _entity(rs).update(sentence=f"{D}-s000")
                                            if _entity(rs)["sentence"] != f"{D}-s000"
                                            else _entity(rs).update(sentence=f"{D}-s001")), "entity-outside-sentence", GOLD),
    "entity-start-a-string": (edit_jl(GOLD, lambda rs: _entity(rs).update(start=str(_entity(rs)["start"]))),
                              "offset-type", GOLD),
    "entity-text-empty": (edit_jl(GOLD, lambda rs: _entity(rs).update(text="")), "empty-value", GOLD),
    "entity-reason-blank": (edit_jl(GOLD, lambda rs: _entity(rs).update(reason=" ")), "empty-value", GOLD),
    "stance-holder-trailing-space": (edit_jl(GOLD, lambda rs: _stanced(rs).update(holder="others ")),
                                     "surrounding-whitespace", GOLD),
    "stance-holder-newline": (edit_jl(GOLD, lambda rs: _stanced(rs).update(holder="oth\ners")), "control-character", GOLD),
    "stance-holder-not-nfc": (edit_jl(GOLD, lambda rs: _stanced(rs).update(holder="cafe\u0301 owners")), "not-nfc", GOLD),
    "stance-reason-too-long": (edit_jl(GOLD, lambda rs: _stanced(rs).update(reason="because " * 400)), "too-long", GOLD),
    "stance-author-holder-named": (edit_jl(GOLD, lambda rs: _stanced(rs).update(holder_type="author")),
                                   "holder-format", GOLD),
    "stance-evidence-in-another-sentence": (edit_jl(GOLD, _evidence_elsewhere), "span-outside-sentence", GOLD),
    "stance-evidence-a-string": (edit_jl(GOLD, lambda rs: _stanced(rs).update(evidence="opposed")), "field-type", GOLD),
    "stance-evidence-unknown-key": (edit_jl(GOLD, lambda rs: _stanced(rs)["evidence"].update(note="x")),
                                    "unknown-field", GOLD),
    "stance-primary-a-number": (edit_jl(GOLD, lambda rs: _stanced(rs).update(primary=0)), "field-type", GOLD),
    "stance-none-with-empty-holder": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(holder="")), "empty-value", GOLD),
    "stance-none-with-primary": (edit_jl(GOLD, lambda rs: _stance_none(rs).update(primary=False)),
                                 "none-with-holder", GOLD),
    "stance-none-not-alone": (edit_jl(GOLD, lambda rs: rs.append({**_stanced(rs), "target": _stanced(rs)["target"],
                                                                  "label": "none"} if False else
                                                                 {"type": "stance", "sentence": _stanced(rs)["sentence"],
                                                                  "target": _stanced(rs)["target"], "label": "none"})),
                              "none-not-alone", GOLD),
    "stance-two-primaries": (edit_jl(GOLD, _two_primaries), "extra-primary", GOLD),
    "adjudication-twice": (edit_jl(ADJ, lambda rs: rs.append(dict(rs[0]))), "duplicate-record", ADJ),
    "adjudication-label-unknown": (edit_jl(ADJ, lambda rs: rs[0].update(gold="positive")), "unknown-stance-label", ADJ),
    "entity-type-differs-across-documents": (
        edit_jl("raw/annotations/gold/d02.jsonl", lambda rs: first(rs, type="entity", text="Balkan").update(
            label="LOC", entity_id="balkans")), "inconsistent-entity", "raw/annotations/gold/d02.jsonl"),
    "entity-id-differs-in-one-document": (
        edit_jl(GOLD, lambda rs: [r for r in rs if r.get("text") == "Serbia" and r["type"] == "entity"][-1].update(
            entity_id="republic_of_serbia")), "inconsistent-entity", GOLD),
    "annotations-unknown-pass": (lambda p: (p / "raw/annotations/c").mkdir() or
                                 (p / "raw/annotations/c" / f"{D}.jsonl").write_text("{}\n"), "unknown-pass",
                                 "raw/annotations/c"),
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


DATA_TARGETS = {
    "a-file-named-data": lambda p: __import__("shutil").rmtree(p / "data") or (p / "data").write_text("my notes"),
    "a-foreign-file-in-data": lambda p: (p / "data/notes.txt").write_text("mine"),
    "an-old-folder-in-data": lambda p: (p / "data/old").mkdir() or (p / "data/old/x.parquet").write_bytes(b"x"),
    "data-without-manifest": lambda p: (p / "data/manifest.json").unlink(),
    "data-a-symlink": lambda p: (p / "data").rename(p / "elsewhere") and (p / "data").symlink_to(p / "elsewhere"),
}


@pytest.mark.parametrize("case", sorted(DATA_TARGETS))
def test_the_build_never_replaces_what_it_did_not_write(project, capsys, case):
    DATA_TARGETS[case](project)

    def state():  # the whole project but the build's own lock file
        files = {k: v for k, v in tree_digest(project).items() if k != ".build.lock"}
        return files, (project / "data").read_bytes() if (project / "data").is_file() else None

    before = state()
    code = main(["build", "--root", str(project)])
    err = capsys.readouterr().err
    assert code == 1 and "[data-foreign]" in err and "Traceback" not in err, err
    assert state() == before


def test_a_byte_order_mark_on_the_metadata_is_no_content(project, capsys):
    path = project / "raw/metadata.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert main(["validate", "--root", str(project)]) == 0, capsys.readouterr().err


def test_an_entity_exception_with_a_reason_is_accepted(project, capsys):
    """The corpus-wide rule yields to a logged exception: the differing mention gives its reason."""
    def logged(rs):
        r = first(rs, type="entity", text="Balkan")
        r.update(label="LOC", entity_id="balkans", reason="here the region itself, not its peoples")
    edit_jl("raw/annotations/gold/d02.jsonl", logged)(project)
    assert main(["validate", "--root", str(project)]) == 0, capsys.readouterr().err


def test_a_refusal_quotes_the_valid_values_as_written(project, capsys):
    edit_jl(GOLD, lambda rs: _entity(rs).update(label=None))(project)
    assert main(["validate", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "[unknown-entity-label]" in err and "'PERSON'" in err and "'person'" not in err
