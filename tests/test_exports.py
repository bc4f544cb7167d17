"""Exports: the CoNLL file read back by spaCy's converter and the spaCy DocBin give the gold data;
Label Studio tasks round-trip to the same raw annotations, a correction comes back as its own line,
and a bad Label Studio export is refused with nothing written (bad-inputs/label-studio/<rule>/)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from belgrade_stance_build.annotation.label_studio import export_label_studio, import_label_studio
from belgrade_stance_build.build import build
from belgrade_stance_build.layout import Layout
from helpers import ROOT, tree_digest

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.spans import token_offsets

BAD = Path(__file__).parent / "bad-inputs" / "label-studio"


def entities(row) -> set[tuple[int, int, int, str, str]]:
    """A sentence's gold entities as (sentence index, first token, end token, type, id)."""
    offsets = token_offsets(row.text, row.tokens)
    first, end = {a: k for k, (a, _) in enumerate(offsets)}, {b: k + 1 for k, (_, b) in enumerate(offsets)}
    return {
        (row.sentence_index, first[e["start"]], end[e["end"]], e["label"], e["entity_id"])
        for e in row.entities
    }


def doc_entities(doc) -> set[tuple[int, int, int, str, str]]:
    """A spaCy Doc's entities as (sentence, first token, end token, type, id) within their sentence."""
    found = [(k, s.start, e) for k, s in enumerate(doc.sents) for e in s.ents]
    return {(k, e.start - start, e.end - start, e.label_, e.kb_id_) for k, start, e in found}


def test_the_conll_and_spacy_exports_hold_the_data(tmp_path):
    """The spaCy export holds the tokens, sentences, entities (with their ids) and stance labels of the
    data; spaCy's own converter (spacy convert -c ner) reads the CoNLL export back to the same
    documents, sentences, tokens and entities."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    for fmt in ("conll", "spacy"):
        assert main(["export", fmt, "--out", str(tmp_path / fmt), "--data", str(ROOT / "data")]) == 0
    stance = belgrade_stance.load("stance", labels="names")
    for split, table in belgrade_stance.load("sentences", labels="names").items():
        convert = ["spacy", "convert", tmp_path / "conll" / f"{split}.conll", tmp_path, "-c", "ner"]
        done = subprocess.run([sys.executable, "-m", *convert], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        bins = [DocBin().from_disk(folder / f"{split}.spacy") for folder in (tmp_path / "spacy", tmp_path)]
        groups = table.sort_values(["doc_id", "sentence_index"]).groupby("doc_id", sort=True)
        assert [len(b) for b in bins] == [len(groups)] * 2
        for doc, converted, (doc_id, rows) in zip(*(b.get_docs(Vocab()) for b in bins), groups):
            assert doc.user_data["doc_id"] == doc_id and list(doc.user_data["sentence_ids"]) == list(rows.id)
            assert [s.text for s in doc.sents] == list(rows.text)
            for d in (doc, converted):
                assert [[t.text for t in s] for s in d.sents] == [list(t) for t in rows.tokens], doc_id
            want = set().union(*(entities(r) for r in rows.itertuples()))
            assert doc_entities(doc) == want and doc_entities(converted) == {(*e[:4], "") for e in want}
            mine = {
                (r.sentence_id, r.target, r.label) for r in stance[split].itertuples() if r.doc_id == doc_id
            }
            ids = {(s.start, s.end): sid for s, sid in zip(doc.sents, rows.id)}
            assert {(ids[sp.start, sp.end], *sp.label_.split("=")) for sp in doc.spans["stance"]} == mine
            assert {
                (sid, t, lab) for sid, d in doc.user_data["stance"].items() for t, lab in d.items()
            } == mine


def exported(root: Path, out: Path, pass_name: str = "gold") -> Path:
    """A pass's tasks as Label Studio exports them once every pre-annotation was accepted as it is."""
    export_label_studio(Layout(root), out / "ls", pass_name)
    tasks = json.loads((out / "ls" / "tasks.json").read_text(encoding="utf-8"))
    for i, task in enumerate(tasks, 1):  # its regions listed in another order: the files do not change
        result = task["predictions"][0]["result"][::-1]
        task.update(id=i, annotations=[{"id": i, "result": result}], predictions=[i])
    (out / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    return out / "export.json"


@pytest.mark.parametrize("pass_name", ["a", "b", "gold"])
def test_a_label_studio_round_trip_gives_the_same_raw_files(project, tmp_path, pass_name):
    before = tree_digest(project / "raw")
    import_label_studio(Layout(project), exported(project, tmp_path, pass_name), pass_name)
    assert tree_digest(project / "raw") == before


def correct(result: list[dict]) -> None:
    """The annotator changes GPE to LOC in d03-s020 (a form found once in the corpus)."""
    region = next(r for r in result if r.get("type") == "labels" and r["value"]["text"] == "Novi Urengoj")
    region["value"]["labels"] = ["LOC"]


def imports_the_correction(project: Path, export: Path) -> None:
    """Importing the corrected export changes one line of the raw file, and the build takes it."""
    path, before = project / "raw/annotations/gold/d03.jsonl", tree_digest(project / "raw")
    old = path.read_text(encoding="utf-8").splitlines()
    assert main(["label-studio", "import", str(export), "--root", str(project)]) == 0
    after = tree_digest(project / "raw")
    assert {k for k in before if before[k] != after[k]} == {"annotations/gold/d03.jsonl"}
    new = path.read_text(encoding="utf-8").splitlines()
    ((was, now),) = [(json.loads(a), json.loads(b)) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and was["text"] == "Novi Urengoj" and now == {**was, "label": "LOC"}
    build(Layout(project))
    sentences = belgrade_stance.load("sentences", "test", data_dir=project / "data", labels="names")
    entities = sentences.set_index("id").entities["d03-s020"]
    assert [e["label"] for e in entities if e["text"] == "Novi Urengoj"] == ["LOC"]


def test_a_correction_comes_back_as_its_own_line_and_builds(project, tmp_path):
    export = exported(project, tmp_path)
    tasks = json.loads(export.read_text())
    correct(next(t for t in tasks if t["data"]["sentence_id"] == "d03-s020")["annotations"][0]["result"])
    export.write_text(json.dumps(tasks), encoding="utf-8")
    imports_the_correction(project, export)


def value(tasks: list[dict], name: str) -> dict:
    return next(r for r in tasks[0]["annotations"][0]["result"] if r.get("from_name") == name)["value"]


OUTSIDE = dict(id="x", from_name="entity", type="labels", value={"start": 0, "end": 999, "labels": ["GPE"]})
SPOILS = {  # bad exports made from a good one (its first task: d00-s000, against the war), and their rule
    "task-missing": ("ls-missing-tasks", lambda t: t.pop(3)),
    "task-twice": ("ls-duplicate-task", lambda t: t.append(t[0])),
    "text-changed": ("ls-text-changed", lambda t: t[0]["data"].update(text="changed")),
    "annotations-not-a-list": ("ls-unreadable", lambda t: t[0].update(annotations="none")),
    "entity-type-unknown": ("ls-region", lambda t: value(t, "entity").update(labels=["CITY"])),
    "region-outside": ("ls-region", lambda t: t[0]["annotations"][0]["result"].append(OUTSIDE)),
    "war-none-with-evidence": ("ls-stance-choice", lambda t: value(t, "stance_war").update(choices=["none"])),
}


@pytest.fixture(scope="module")
def good_export(tmp_path_factory) -> list[dict]:
    return json.loads(exported(ROOT, tmp_path_factory.mktemp("label-studio")).read_text())


@pytest.mark.parametrize("case", [*SPOILS, *sorted(p.relative_to(BAD).as_posix() for p in BAD.glob("*/*"))])
def test_a_bad_label_studio_export_is_refused(project, tmp_path, good_export, case, capsys):
    export, rule = BAD / case, case.split("/")[0]
    if case in SPOILS:
        tasks, (rule, spoil) = copy.deepcopy(good_export), SPOILS[case]
        spoil(tasks)
        export = tmp_path / "export.json"
        export.write_text(json.dumps(tasks), encoding="utf-8")
    before = tree_digest(project / "raw")
    assert main(["label-studio", "import", str(export), "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert f"[{rule}]" in err and "Traceback" not in err, err
    assert tree_digest(project / "raw") == before  # nothing written


def test_the_label_studio_export_needs_valid_raw_files(project, tmp_path, capsys):
    (project / "raw/segments/d02.jsonl").write_text("{broken\n", encoding="utf-8")
    assert main(["label-studio", "export", "--out", str(tmp_path / "ls"), "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "[ls-raw-problems]" in err and "[unparseable-line]" in err and not (tmp_path / "ls").exists()
