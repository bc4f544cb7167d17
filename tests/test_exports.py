"""Exports: the CoNLL file read back by spaCy's converter and the spaCy DocBin give the gold data;
Label Studio tasks round-trip to the same raw annotations, a correction comes back as its own line,
and a bad Label Studio export (bad-inputs/label-studio/<rule>/<case>.json) is refused, nothing written."""

from __future__ import annotations

import errno
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from itertools import chain
from operator import itemgetter
from pathlib import Path
from unittest.mock import ANY

import pytest

import belgrade_stance
from belgrade_stance import load
from belgrade_stance.cli import main
from belgrade_stance_build.annotation.label_studio import export_label_studio, import_label_studio
from belgrade_stance_build.build import build
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ENTITY_TYPES
from helpers import ROOT, tree_digest

BAD = Path(__file__).parent / "bad-inputs" / "label-studio"


def tokens_and_entities(docs) -> list:
    sents = [s for d in docs for s in d.sents]
    return [([t.text for t in s], [(e.start - s.start, len(e), e.label_) for e in s.ents]) for s in sents]


def spacy_cli(*args) -> None:
    done = subprocess.run([sys.executable, "-m", "spacy", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def exports_hold_the_data(data: Path, out: Path) -> None:
    """The spaCy export has a Doc per sentence (white space as one space) with its tokens, entities (with ids)
    and stance labels; each CoNLL line has 4 fields, and spacy convert reads the CoNLL folder back to the
    same tokens and entities."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    for fmt in ("conll", "spacy"):
        assert main(["export", fmt, "--out", str(out / fmt), "--data", str(data)]) == 0
    (out / "converted").mkdir()
    spacy_cli("convert", out / "conll", out / "converted", "-c", "ner")
    stance, cols = load("stance", data_dir=data, labels="names"), ["sentence_id", "target", "label"]
    for split, table in load("sentences", data_dir=data, labels="names").items():
        conll = (out / "conll" / f"{split}.ner").read_text(encoding="utf-8").split("\n")
        assert all(len(line.split()) == len(line.split(" ")) == 4 for line in conll if line), split
        docs, converted = (DocBin().from_disk(out / f / f"{split}.spacy") for f in ("spacy", "converted"))
        docs, rows = list(docs.get_docs(Vocab())), table.sort_values(["doc_id", "sentence_index"])
        got = [(*itemgetter("doc_id", "sentence_id", "split")(d.user_data), d.text) for d in docs]
        assert got == [(r.doc_id, r.id, split, " ".join(r.text.split())) for r in rows.itertuples()]
        assert [[t.text for t in d] for d in docs] == [list(t) for t in rows.tokens]
        assert not [t for d in docs for t in d if t.is_space]
        ents = [sorted(x, key=itemgetter("start")) for x in rows.entities]
        want = [[(e["text"], e["label"], e["entity_id"]) for e in x] for x in ents]
        assert [[(e.text, e.label_, e.kb_id_) for e in d.ents] for d in docs] == want
        assert tokens_and_entities(converted.get_docs(Vocab())) == tokens_and_entities(docs)
        mine = set(stance[split][cols].itertuples(index=False))
        ids = [d.user_data["sentence_id"] for d in docs]
        spans = {(i, s.label_) for i, d in zip(ids, docs) for s in d.spans["stance"] if len(s) == len(d)}
        assert spans == {(sid, f"{target}={label}") for sid, target, label in mine}
        assert {(i, *x) for i, d in zip(ids, docs) for x in d.user_data["stance"].items()} == mine


def test_the_conll_and_spacy_exports_hold_the_data(tmp_path):
    exports_hold_the_data(ROOT / "data", tmp_path)


def test_spacy_trains_the_ner_layer_on_the_export_with_the_config_beside_it(tmp_path):
    """`spacy debug data` finds no error in the export, and `spacy train` runs an epoch of a small network."""
    assert main(["export", "spacy", "--out", str(tmp_path), "--data", str(ROOT / "data")]) == 0
    paths = [tmp_path / "config.cfg", "--paths.train", tmp_path / "train.spacy", "--paths.dev"]
    paths.append(tmp_path / "validation.spacy")
    spacy_cli("debug", "data", *paths)
    small = "--training.max_epochs 1 --components.tok2vec.model.encode.width 16 --output".split()
    spacy_cli("train", *paths, *small, tmp_path / "model")
    meta = json.loads((tmp_path / "model/model-last/meta.json").read_text(encoding="utf-8"))
    assert meta["pipeline"] == ["tok2vec", "ner"] and set(meta["labels"]["ner"]) <= set(ENTITY_TYPES)


def odd_white_space(root: Path) -> list[str]:
    """Three sentences of d01 given a double space (a comma made a space), a no-break space and a tab, outside
    every annotated span; the raw text, its sha256 and the text of every span follow. Returns their ids."""
    files = root.glob("raw/**/d01.jsonl")  # its segments, annotations and adjudication
    records = {f: [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()] for f in files}
    nested = [(r, r.get("evidence"), r.get("holder_span")) for r in chain(*records.values())]
    spans = [d for r in nested for d in r if d and "start" in d]
    covered = {i for d in spans if d.get("type") != "sentence" for i in range(d["start"] - 1, d["end"] + 1)}
    path, ids = root / "raw/texts/001_65baed66722e57a5.txt", []
    raw = path.read_text(encoding="utf-8")
    for pattern, new in ((r"\w(,) \w", " "), (r"\w( )\w", "\xa0"), (r"\w( )\w", "\t")):
        at = next(
            (s["id"], m.start(1))
            for s in spans
            if s.get("type") == "sentence" and s["id"] not in ids
            for m in re.compile(pattern).finditer(raw, s["start"], s["end"])
            if m.start(1) not in covered
        )
        ids.append(at[0])
        raw = raw[: at[1]] + new + raw[at[1] + 1 :]
    meta, old = root / "raw/metadata.csv", hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text(raw, encoding="utf-8")
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    meta.write_text(meta.read_text(encoding="utf-8").replace(old, digest), encoding="utf-8")
    for d in (d for d in spans if "text" in d):
        d["text"] = raw[d["start"] : d["end"]]
    for f, recs in records.items():
        f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return ids


def test_odd_white_space_in_sentences_makes_no_token_of_its_own(project, tmp_path):
    """A double space, a no-break space and a tab inside sentences: no export holds a white-space token."""
    ids = odd_white_space(project)
    build(Layout(project))
    texts = load("sentences", "validation", data_dir=project / "data").set_index("id").text[ids]
    assert ["  " in texts.iloc[0], "\xa0" in texts.iloc[1], "\t" in texts.iloc[2]] == [True] * 3
    exports_hold_the_data(project / "data", tmp_path)


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


def edit_every_field(result: list[dict]) -> None:
    """d03-s020: Novi Urengoj becomes the LOC Urengoj (span, type, id); the war stance turns favor (its
    choice and its region) on shorter evidence, with a reason; Ilya's putin stance becomes the author's
    (holder), primary."""
    by = {(r.get("id"), r.get("from_name")): r.get("value", {}) for r in result}
    city = next(r["id"] for r in result if r.get("type") == "labels" and r["value"]["text"] == "Novi Urengoj")
    for name in ("entity", "entity_id"):
        by[city, name].update(start=by[city, name]["start"] + 5, text="Urengoj")
    by[city, "entity"]["labels"], by[city, "entity_id"]["text"] = ["LOC"], ["urengoj"]
    war, putin = (
        next(r["id"] for r in result if r.get("value", {}).get("labels") == [t]) for t in ("war", "putin")
    )
    by["d03-s020-c-war", "stance_war"]["choices"] = by[war, "evidence_label"]["choices"] = ["favor"]
    by[war, "evidence"].update(start=by[war, "evidence"]["start"] + 12, text="Putin’s big mistake")
    result.append(
        {**next(r for r in result if r.get("id") == war), "from_name": "reason", "type": "textarea"}
    )
    result[-1]["value"] = {**by[war, "evidence"], "text": ["Ilya calls the war a mistake."]}
    by[putin, "holder_type"]["choices"], by[putin, "holder_id"]["text"] = ["author"], ["author"]
    result[:] = [
        r for r in result if putin not in (r.get("to_id"), r.get("id")) or r.get("type") != "relation"
    ]
    result.append(
        {**next(r for r in result if r.get("id") == putin), "from_name": "primary", "type": "choices"}
    )
    result[-1]["value"] = {**by[putin, "evidence"], "choices": ["primary"]}


def test_a_round_trip_that_edits_every_field_rebuilds_with_each_edit(project, tmp_path, capsys):
    export = exported(project, tmp_path)
    tasks = json.loads(export.read_text(encoding="utf-8"))
    edit_every_field(
        next(t for t in tasks if t["data"]["sentence_id"] == "d03-s020")["annotations"][0]["result"]
    )
    export.write_text(json.dumps(tasks), encoding="utf-8")
    before = tree_digest(project / "raw")
    assert main(["label-studio", "import", str(export), "--dry-run", "--root", str(project)]) == 0
    assert "d03.jsonl: 0 added, 3 changed, 0 removed" in capsys.readouterr().out
    assert tree_digest(project / "raw") == before  # a dry run writes nothing
    assert main(["label-studio", "import", str(export), "--root", str(project)]) == 0
    assert "Ilya calls the war a mistake." in (project / "raw/annotations/gold/d03.jsonl").read_text("utf-8")
    build(Layout(project))
    sentences = belgrade_stance.load("sentences", "test", data_dir=project / "data", labels="names")
    row = sentences.set_index("id").loc["d03-s020"]
    assert {"text": "Urengoj", "label": "LOC", "entity_id": "urengoj"}.items() <= row.entities[-2].items()
    war, putin = (next(s for s in row.stance if s["target"] == t) for t in ("war", "putin"))
    assert (war["label"], war["evidence_text"]) == ("favor", "Putin’s big mistake")
    assert (putin["holder_type"], putin["holder"], putin["holder_text"], putin["primary"]) == (
        "author",
        "author",
        None,
        True,
    )


def test_an_import_whose_write_fails_replaces_no_file(project, tmp_path, monkeypatch, capsys):
    export, before = exported(project, tmp_path, corrected=True), tree_digest(project / "raw")
    (project / "raw/annotations/gold/d04.jsonl").open("a").write("\n")  # rewritten by the import too
    real, made = tempfile.mkstemp, []

    def file_too_large(*args, **kwargs):  # the second file aside cannot be written
        if made:
            raise OSError(errno.EFBIG, "File too large")
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkstemp", file_too_large)
    assert main(["label-studio", "import", str(export), "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "[io-error] File too large" in err and err.count("\n") == 1 and len(made) == 1, err
    assert tree_digest(project / "raw") == before | {"annotations/gold/d04.jsonl": ANY}
    assert not list((project / "raw/annotations/gold").glob(".*"))  # nothing left aside
