"""Exports: the CoNLL file read back by spaCy's converter and the spaCy DocBin give the gold data;
Label Studio tasks round-trip to the same raw annotations, a correction comes back as its own line,
and a bad Label Studio export (bad-inputs/label-studio/<rule>/<case>.json) is refused, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from operator import itemgetter
from pathlib import Path

import pytest

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance_build.annotation.label_studio import export_label_studio, import_label_studio
from belgrade_stance_build.build import build
from belgrade_stance_build.layout import Layout
from helpers import ROOT, tree_digest

BAD = Path(__file__).parent / "bad-inputs" / "label-studio"


def tokens_and_entities(doc) -> list[tuple[list[str], list[tuple[int, int, str]]]]:
    return [([t.text for t in s], [(e.start, e.end, e.label_) for e in s.ents]) for s in doc.sents]


def test_the_conll_and_spacy_exports_hold_the_data(tmp_path):
    """The spaCy export holds the sentences, tokens, entities (with ids) and stance labels of the data;
    spaCy's converter (spacy convert -c ner) reads the CoNLL export back to the same Docs, ids aside."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    for fmt in ("conll", "spacy"):
        assert main(["export", fmt, "--out", str(tmp_path / fmt), "--data", str(ROOT / "data")]) == 0
    stance, cols = belgrade_stance.load("stance", labels="names"), ["sentence_id", "target", "label"]
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
            assert [[t.text for t in s] for s in doc.sents] == [list(t) for t in rows.tokens]
            ents = [sorted(x, key=itemgetter("start")) for x in rows.entities]
            want = [[(e["text"], e["label"], e["entity_id"]) for e in x] for x in ents]
            assert [[(e.text, e.label_, e.kb_id_) for e in s.ents] for s in doc.sents] == want
            assert tokens_and_entities(converted) == tokens_and_entities(doc)
            mine = set(stance[split].query("doc_id == @doc_id")[cols].itertuples(index=False))
            ids = {(s.start, s.end): sid for s, sid in zip(doc.sents, rows.id)}
            assert {(ids[sp.start, sp.end], *sp.label_.split("=")) for sp in doc.spans["stance"]} == mine
            labels = doc.user_data["stance"]
            assert {(sid, t, lab) for sid, d in labels.items() for t, lab in d.items()} == mine


def exported(root: Path, out: Path, pass_name: str = "gold", corrected: bool = False) -> Path:
    """A pass's tasks as Label Studio exports them once each pre-annotation was accepted (or corrected)."""
    export_label_studio(Layout(root), out / "ls", pass_name)
    tasks = json.loads((out / "ls" / "tasks.json").read_text(encoding="utf-8"))
    for i, task in enumerate(tasks, 1):  # its regions listed in another order: the files do not change
        result = task["predictions"][0]["result"][::-1]
        task.update(id=i, annotations=[{"id": i, "result": result}], predictions=[i])
        if corrected and task["data"]["sentence_id"] == "d03-s020":
            correct(result)
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
    changed = {k for k, v in tree_digest(project / "raw").items() if before[k] != v}
    assert changed == {"annotations/gold/d03.jsonl"}
    new = path.read_text(encoding="utf-8").splitlines()
    ((was, now),) = [(json.loads(a), json.loads(b)) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and was["text"] == "Novi Urengoj" and now == {**was, "label": "LOC"}
    build(Layout(project))
    sentences = belgrade_stance.load("sentences", "test", data_dir=project / "data", labels="names")
    entities = sentences.set_index("id").entities["d03-s020"]
    assert [e["label"] for e in entities if e["text"] == "Novi Urengoj"] == ["LOC"]


def test_a_correction_comes_back_as_its_own_line_and_builds(project, tmp_path):
    imports_the_correction(project, exported(project, tmp_path, corrected=True))


@pytest.mark.parametrize("case", sorted(p.relative_to(BAD).as_posix() for p in BAD.glob("*/*")))
def test_a_bad_label_studio_export_is_refused(project, case, capsys):
    before = tree_digest(project / "raw")
    assert main(["label-studio", "import", str(BAD / case), "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert f"[{case.split('/')[0]}]" in err and "Traceback" not in err, err
    assert tree_digest(project / "raw") == before  # nothing written


def test_the_label_studio_export_needs_valid_raw_files(project, tmp_path, capsys):
    (project / "raw/segments/d02.jsonl").write_text("{broken\n", encoding="utf-8")
    assert main(["label-studio", "export", "--out", str(tmp_path / "ls"), "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "[ls-raw-problems]" in err and "[unparseable-line]" in err and not (tmp_path / "ls").exists()
