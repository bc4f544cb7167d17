"""Exports: CoNLL and spaCy files read back to the gold data; Label Studio tasks round-trip to the
same raw annotations, corrections come back line by line, bad exports are refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import belgrade_stance
from belgrade_stance_schema.inventory import ENTITY_TYPES, STANCE_LABELS
from helpers import ROOT, tree_digest

TYPES = list(ENTITY_TYPES)


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "belgrade_stance.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def sentences() -> dict[str, pd.DataFrame]:
    return belgrade_stance.load("sentences")


def gold_token_spans(row) -> set[tuple[int, int, str]]:
    """Gold entities as token spans, from character offsets (independent of ner_tags)."""
    bounds, i = [], 0
    for tok in row.tokens:
        j = row.text.index(tok, i)
        bounds.append((j, j + len(tok)))
        i = j + len(tok)
    out = set()
    for e in row.entities:
        first = next(k for k, (a, b) in enumerate(bounds) if a <= e["start"] < b)
        last = next(k for k, (a, b) in enumerate(bounds) if a < e["end"] <= b)
        out.add((first, last + 1, TYPES[e["label"]]))
    return out


def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents → sentences → (token, tag), as a CoNLL-2003 reader sees them."""
    docs, sent = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            docs.append([])
        elif not line.strip():
            if sent:
                docs[-1].append(sent)
                sent = []
        else:
            cols = line.split(" ")
            assert len(cols) == 4, line
            sent.append((cols[0], cols[3]))
    assert not sent
    return docs


def bio_spans(tags: list[str]) -> set[tuple[int, int, str]]:
    spans, start, kind = set(), None, None
    for k, tag in enumerate(tags + ["O"]):
        if start is not None and not (tag.startswith("I-") and tag[2:] == kind):
            spans.add((start, k, kind))
            start = None
        if tag.startswith("B-"):
            start, kind = k, tag[2:]
        assert not (tag.startswith("I-") and start is None), "I- tag without B-"
    return spans


def test_conll_reads_back_to_the_gold_spans(tmp_path, sentences):
    done = cli("export", "conll", "--out", tmp_path, "--data", ROOT / "data")
    assert done.returncode == 0, done.stderr
    for split, table in sentences.items():
        docs = read_conll(tmp_path / f"{split}.conll")
        assert len(docs) == table.doc_id.nunique()
        ordered = table.sort_values(["doc_id", "sentence_index"])
        flat = [s for d in docs for s in d]
        assert len(flat) == len(ordered)
        for sent, row in zip(flat, ordered.itertuples()):
            assert [t for t, _ in sent] == list(row.tokens)
            assert bio_spans([tag for _, tag in sent]) == gold_token_spans(row)


def test_spacy_docbin_matches_the_data(tmp_path, sentences):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    done = cli("export", "spacy", "--out", tmp_path, "--data", ROOT / "data")
    assert done.returncode == 0, done.stderr
    stance = belgrade_stance.load("stance")
    nlp = spacy.blank("en")
    for split, table in sentences.items():
        docs = list(DocBin().from_disk(tmp_path / f"{split}.spacy").get_docs(nlp.vocab))
        assert sorted(d.user_data["doc_id"] for d in docs) == sorted(table.doc_id.unique())
        labels = {(r.sentence_id, r.target): STANCE_LABELS[r.label] for r in stance[split].itertuples()}
        for doc in docs:
            rows = table[table.doc_id == doc.user_data["doc_id"]].sort_values("sentence_index")
            sents = list(doc.sents)
            assert [s.text for s in sents] == list(rows.text)
            assert list(doc.user_data["sentence_ids"]) == list(rows.id)
            got = {(sid, e.start_char - s.start_char, e.end_char - s.start_char, e.label_, e.kb_id_)
                   for sid, s in zip(rows.id, sents) for e in doc.ents if s.start <= e.start < s.end}
            want = {(r.id, e["start"], e["end"], TYPES[e["label"]], e["entity_id"])
                    for r in rows.itertuples() for e in r.entities}
            assert got == want
            spans = {(sid, sp.label_) for sid, s in zip(rows.id, sents) for sp in doc.spans["stance"]
                     if (sp.start, sp.end) == (s.start, s.end)}
            assert spans == {(sid, f"{t}={lab}") for (sid, t), lab in labels.items() if sid in set(rows.id)}
            assert {(sid, t): lab for sid, d in doc.user_data["stance"].items() for t, lab in d.items()} == \
                {k: v for k, v in labels.items() if k[0] in set(rows.id)}


def test_spacy_convert_reads_the_conll_export_back(tmp_path, sentences):
    """spaCy's own converter (python -m spacy convert -c ner) makes exactly the documents,
    sentences, tokens and entities of the data from the CoNLL export."""
    import subprocess
    import sys

    import spacy
    from spacy.tokens import DocBin

    from belgrade_stance.export import export_conll

    export_conll(tmp_path / "conll")
    nlp = spacy.blank("xx")
    for split, table in sentences.items():
        out = tmp_path / "converted" / split
        out.mkdir(parents=True)
        done = subprocess.run([sys.executable, "-m", "spacy", "convert", str(tmp_path / "conll" / f"{split}.conll"),
                               str(out), "--converter", "ner"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        docs = list(DocBin().from_disk(out / f"{split}.spacy").get_docs(nlp.vocab))
        rows = table.sort_values(["doc_id", "sentence_index"])
        assert len(docs) == rows.doc_id.nunique()
        for doc, (doc_id, group) in zip(docs, rows.groupby("doc_id", sort=True)):
            assert [[t.text for t in s] for s in doc.sents] == [list(t) for t in group.tokens]
            offsets = [0]
            for toks in group.tokens:
                offsets.append(offsets[-1] + len(toks))
            got = {(e.start, e.end, e.label_) for e in doc.ents}
            want = set()
            for k, r in enumerate(group.itertuples()):
                for first, last, label in gold_token_spans(r):
                    want.add((offsets[k] + first, offsets[k] + last, label))
            assert got == want, doc_id


# --------------------------------------------------------------------------- Label Studio

def export_tasks(root: Path, out: Path, pass_name: str = "gold") -> list[dict]:
    done = cli("export", "label-studio", "--out", out, "--pass", pass_name, "--root", root)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "tasks.json").read_text(encoding="utf-8"))


def as_export(tasks: list[dict]) -> list[dict]:
    """What Label Studio exports once every pre-annotation was accepted as it is."""
    return [{"id": i + 1, "data": t["data"], "predictions": [i + 1],
             "annotations": [{"id": i + 1, "result": t["predictions"][0]["result"], "was_cancelled": False,
                              "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z"}]}
            for i, t in enumerate(tasks)]


@pytest.mark.parametrize("pass_name", ["a", "b", "gold"])
def test_label_studio_round_trip_gives_the_same_raw_files(project, tmp_path, pass_name):
    before = tree_digest(project / "raw")
    tasks = export_tasks(project, tmp_path / "ls", pass_name)
    assert len(tasks) == sum(len(t) for t in belgrade_stance.load("sentences").values())
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_export(tasks)), encoding="utf-8")
    done = cli("import-label-studio", export, "--pass", pass_name, "--root", project)
    assert done.returncode == 0, done.stderr
    assert tree_digest(project / "raw") == before


def test_a_correction_comes_back_as_its_own_line_and_builds(project, tmp_path):
    tasks = as_export(export_tasks(project, tmp_path / "ls"))
    task = next(t for t in tasks if t["data"]["sentence_id"] == "d03-s020")
    region = next(r for r in task["annotations"][0]["result"] if r["from_name"] == "entity"
                  and r["value"]["text"] == "Novi Urengoj")
    region["value"]["labels"] = ["LOC"]  # the annotator changes GPE to LOC (a form found once in the corpus)
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks), encoding="utf-8")
    path = project / "raw/annotations/gold/d03.jsonl"
    old = path.read_text(encoding="utf-8").splitlines()
    assert cli("import-label-studio", export, "--root", project).returncode == 0
    new = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(old, new) if a != b] + [(None, b) for b in new[len(old):]]
    assert len(old) == len(new)
    assert len(changed) == 1 and '"Novi Urengoj"' in changed[0][1] and '"LOC"' in changed[0][1]
    build = cli("build", "--root", project)
    assert build.returncode == 0, build.stderr
    sents = belgrade_stance.load("sentences", split="test", data_dir=project / "data")
    ents = sents[sents.id == "d03-s020"].iloc[0].entities
    assert [TYPES[e["label"]] for e in ents if e["text"] == "Novi Urengoj"] == ["LOC"]


LS_SPOILS = {
    "task-missing": (lambda tasks: tasks.pop(3), "ls-missing-tasks", "lacks tasks for 1 sentence"),
    "text-changed": (lambda tasks: tasks[0]["data"].update(text="changed"), "ls-text-changed", "differs from the sentence"),
    "entity-type-unknown": (lambda tasks: next(r for r in tasks[0]["annotations"][0]["result"] if r.get("from_name") == "entity")
                            ["value"].update(labels=["CITY"]), "ls-region", "unknown type 'CITY'"),
    "region-outside": (lambda tasks: tasks[0]["annotations"][0]["result"].append(
        {"id": "x1", "from_name": "entity", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 5000, "text": "", "labels": ["GPE"]}}), "ls-region", "outside the sentence"),
    "none-with-evidence": (lambda tasks: [r for r in tasks[0]["annotations"][0]["result"] if r.get("from_name") == "stance_war"][0]
                           ["value"].update(choices=["none"]), "ls-stance-choice", "is none but has"),
    "task-twice": (lambda tasks: tasks.append(tasks[0]), "ls-duplicate-task", "appears in two tasks"),
    "task-a-string": (lambda tasks: tasks.append("task"), "ls-task-data", "has no doc_id/sentence_id"),
    "task-data-a-list": (lambda tasks: tasks[0].update(data=["d00"]), "ls-task-data", "has no doc_id/sentence_id"),
    "unknown-document": (lambda tasks: tasks[0]["data"].update(doc_id="d99"), "ls-unknown-document", "'d99' is not in"),
    "unknown-sentence": (lambda tasks: tasks[0]["data"].update(sentence_id="d00-s999"), "ls-unknown-sentence",
                         "no such sentence"),
    "annotations-a-string": (lambda tasks: tasks[0].update(annotations="none"), "ls-unreadable",
                             "not of the shape Label Studio writes"),
    "task-without-data": (lambda tasks: tasks.append({"id": 1}), "ls-task-data", "has no doc_id/sentence_id"),
}


@pytest.mark.parametrize("case", sorted(LS_SPOILS))
def test_bad_label_studio_exports_are_refused_and_nothing_is_written(project, tmp_path, case):
    spoil, rule, message = LS_SPOILS[case]
    tasks = as_export(export_tasks(project, tmp_path / "ls"))
    tasks.sort(key=lambda t: t["data"]["sentence_id"])  # d00-s000 first: it has against for war
    before = tree_digest(project / "raw")
    spoil(tasks)
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks), encoding="utf-8")
    done = cli("import-label-studio", export, "--root", project)
    assert done.returncode == 1
    assert message in done.stderr and "nothing was written" in done.stderr and "Traceback" not in done.stderr
    assert f"[{rule}]" in done.stderr, done.stderr
    assert tree_digest(project / "raw") == before


@pytest.mark.parametrize("content, rule", [
    ("{not json", "ls-unreadable"), ('{"tasks": []}', "ls-unreadable"), (b"\xff\xfe", "ls-unreadable"),
])
def test_an_unreadable_label_studio_export_is_refused(project, tmp_path, content, rule):
    export = tmp_path / "export.json"
    export.write_bytes(content if isinstance(content, bytes) else content.encode())
    done = cli("import-label-studio", export, "--root", project)
    assert done.returncode == 1 and f"[{rule}]" in done.stderr and "Traceback" not in done.stderr


def test_label_studio_needs_a_valid_checkout(project, tmp_path):
    (project / "raw/segments/d02.jsonl").write_text("{broken\n", encoding="utf-8")
    done = cli("export", "label-studio", "--out", tmp_path / "ls", "--root", project)
    assert done.returncode == 1 and "[ls-raw-problems]" in done.stderr and "[unparseable-line]" in done.stderr
    assert not (tmp_path / "ls").exists()
