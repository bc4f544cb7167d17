"""The real corpus builds, validates, is deterministic and matches the committed outputs; a new
document needs no code change; parts change nothing; a change to the code is never missed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import cohen_kappa_score

import belgrade_stance_build.build as build_module
from belgrade_stance.cli import main
from belgrade_stance_build.build import INPUTS, BuildFailed, build, same_output
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import STANCE_LABELS, TARGETS
from helpers import ROOT, add_document, tree_digest


def test_raw_texts_are_byte_copies_of_the_seeds():
    seeds = ROOT.parent / "shared" / "seeds"
    meta = pd.read_csv(ROOT / "raw" / "metadata.csv")
    for name in meta["source_file"]:
        if seeds.is_dir():
            assert (ROOT / "raw" / "texts" / name).read_bytes() == (seeds / name).read_bytes()
    assert len(list((ROOT / "raw" / "texts").iterdir())) == len(meta)


def test_the_tables_hold_the_corpus_invariants(tables):
    stance, sents, docs = tables["stance"], tables["sentences"], tables["documents"]
    assert len(stance) == len(sents[sents["annotation_status"] == "gold"]) * len(TARGETS)
    assert all(c == sorted(TARGETS) for c in stance.groupby("sentence_id")["target"].apply(sorted))
    assert (sents.groupby("doc_id")["split"].nunique() == 1).all()
    by_text = (
        sents.assign(t=sents["text"].str.lower().str.split().str.join(" ")).groupby("t")["split"].nunique()
    )
    assert (by_text == 1).all(), by_text[by_text > 1]
    assert sorted(docs["fold"]) == list(range(len(docs)))
    seen: dict[tuple[str, str], set[str]] = {}  # one surface form of one type, one id
    for ents in docs["entities"]:
        for e in ents:
            seen.setdefault((e["text"], e["label"]), set()).add(e["entity_id"])
    assert seen and {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_bio_tags_equal_spacys_encoding_of_the_spans(tables):
    """Against spaCy's own offsets_to_biluo_tags + biluo_to_iob (independent of spans.bio_tags)."""
    from spacy.tokens import Doc
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags
    from spacy.vocab import Vocab

    from belgrade_stance.spans import token_offsets

    vocab, n = Vocab(), 0
    for s in tables["sentences"].to_dict("records"):
        offsets = token_offsets(s["text"], s["tokens"])
        spaces = [k + 1 < len(offsets) and b < offsets[k + 1][0] for k, (_, b) in enumerate(offsets)]
        doc = Doc(vocab, words=list(s["tokens"]), spaces=spaces)
        at = {a: t.idx for (a, _), t in zip(offsets, doc)}
        to = {b: t.idx + len(t) for (_, b), t in zip(offsets, doc)}
        spans = [(at[e["start"]], to[e["end"]], e["label"]) for e in s["entities"]]
        assert list(s["ner_tags"]) == biluo_to_iob(offsets_to_biluo_tags(doc, spans)), s["id"]
        n += bool(spans)
    assert n > 100


def test_agreement_is_recomputed_from_the_pass_labels_and_every_disagreement_is_adjudicated(tables):
    agreement = json.loads((ROOT / "data" / "agreement.json").read_text())
    stance = tables["stance"]
    kappa = cohen_kappa_score(stance["label_a"], stance["label_b"], labels=list(STANCE_LABELS))
    assert abs(kappa - agreement["stance_kappa"]) < 1e-12 and agreement["items"] == len(stance)
    for t in TARGETS:
        sub = stance[stance["target"] == t]
        assert (
            abs((sub["label_a"] == sub["label_b"]).mean() - agreement["per_target"][t]["percent_agreement"])
            < 1e-12
        )
    assert (stance["passes_agree"] == (stance["label_a"] == stance["label_b"])).all()
    records = [
        json.loads(line)
        for p in sorted((ROOT / "raw" / "adjudication").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]
    keyed = {(r["sentence"], r["target"]): r for r in records if r["type"] == "stance"}
    for _, row in stance[~stance["passes_agree"].astype(bool)].iterrows():
        rec = keyed[(row["sentence_id"], row["target"])]
        assert rec["reason"].strip() and rec["gold"] == row["label"]


TEXT = "Menu\nRussians in Serbia protest.\n\nThey oppose the war. Putin is silent.\n"


def _span(s):
    i = TEXT.index(s)
    return {"start": i, "end": i + len(s), "text": s}


def test_a_sixth_document_builds_without_a_code_change(checkout, capsys):
    recs = [
        {
            "type": "entity",
            "sentence": "d05-s000",
            "label": "NORP",
            "entity_id": "russians",
            **_span("Russians"),
        },
        {"type": "entity", "sentence": "d05-s000", "label": "GPE", "entity_id": "serbia", **_span("Serbia")},
        {
            "type": "entity",
            "sentence": "d05-s002",
            "label": "PERSON",
            "entity_id": "vladimir_putin",
            **_span("Putin"),
        },
        {
            "type": "stance",
            "sentence": "d05-s001",
            "target": "war",
            "label": "against",
            "holder_type": "group",
            "holder": "russian_emigrants",
            "holder_description": "russians",
            "holder_span": None,
            "evidence": _span("oppose the war"),
            "primary": False,
        },
    ]
    sents = ["Russians in Serbia protest.", "They oppose the war.", "Putin is silent."]
    add_document(checkout, "d05", TEXT, sents, "train", recs, boilerplate={"Menu": "site_navigation"})
    assert main(["build", "--root", str(checkout)]) == 0, capsys.readouterr().err
    new = [
        r for r in pq.read_table(checkout / "data/stance/train.parquet").to_pylist() if r["doc_id"] == "d05"
    ]
    assert len(new) == 3 * len(TARGETS)
    war = next(r for r in new if r["sentence_id"] == "d05-s001" and r["target"] == "war")
    assert war["label"] == STANCE_LABELS.index("against")
    s0 = next(
        r
        for r in pq.read_table(checkout / "data/sentences/train.parquet").to_pylist()
        if r["id"] == "d05-s000"
    )
    assert [e["text"] for e in s0["entities"]] == ["Russians", "Serbia"]
    assert main(["verify", "--data", str(checkout / "data")]) == 0


@pytest.mark.parametrize("part", [1, 2])
def test_parts_change_no_row(project, monkeypatch, part):
    monkeypatch.setattr(build_module, "PART_DOCUMENTS", part)
    build(Layout(project))
    for name in tree_digest(ROOT / "data"):
        assert same_output(project / "data" / name, ROOT / "data" / name), name


def test_a_sentence_text_in_two_splits_is_caught_across_parts(project, tables, monkeypatch, capsys):
    monkeypatch.setattr(build_module, "PART_DOCUMENTS", 1)
    before = tree_digest(project / "data")
    copied = tables["sentences"].query("doc_id == 'd00'")["text"].iloc[5]
    add_document(project, "d05", f"{copied}\nA new closing line.\n", [copied, "A new closing line."], "test")
    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "[split-leak]" in err and copied[:40].lower() in err
    assert tree_digest(project / "data") == before


def test_build_failed_names_the_first_failing_stage(project):
    (project / "raw/segments/d01.jsonl").write_text("not json\n", encoding="utf-8")
    (project / "raw/annotations/gold/d03.jsonl").write_text('{"type": "other"}\n', encoding="utf-8")
    with pytest.raises(BuildFailed) as err:
        build(Layout(project))
    assert err.value.stage == "segments"
    assert {"unparseable-line", "unknown-record-type"} <= err.value.problems.rules()


def test_the_manifest_vouches_for_the_bytes_the_build_parsed(project, monkeypatch):
    """A raw file saved while the build runs: verify reports it as changed since the build."""
    from belgrade_stance.verify import verify

    target = project / "raw/segments/d01.jsonl"
    original, real = target.read_bytes(), Layout.read_raw

    def read_then_edit(self, path):
        data = real(self, path)
        if path == target:
            target.write_bytes(original + b"\n")
        return data

    monkeypatch.setattr(Layout, "read_raw", read_then_edit)
    build(Layout(project))
    monkeypatch.undo()
    assert any(
        "raw/segments/d01.jsonl" in p and "raw-sha256-mismatch" in p
        for p in verify(project / "data", project)
    )


def _checkout_copy(tmp_path):
    dst = tmp_path / "checkout"
    dst.mkdir()
    for name in (*INPUTS, "src", "schema", "scripts", "data", "figures"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, dst / name)
    return dst


def _run(checkout, *args):
    """The command of a copy of the checkout, running that copy's code."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(checkout / f) for f in ("src", "scripts", "schema")),
    }
    cmd = [sys.executable, "-c", "from belgrade_stance.cli import main; import sys; sys.exit(main())", *args]
    return subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_a_change_to_the_code_the_build_runs_is_never_missed(tmp_path):
    """Change bio_tags (it makes ner_tags): --check names the stale output; build rewrites it."""
    checkout = _checkout_copy(tmp_path)
    spans = checkout / "src/belgrade_stance/spans.py"
    code = spans.read_text(encoding="utf-8")
    assert 'f"B-{' in code
    spans.write_text(code.replace('f"B-{', 'f"I-{'), encoding="utf-8")
    check = _run(checkout, "build", "--check")
    assert check.returncode == 1 and "data/sentences/train.parquet: [stale-output]" in check.stderr, (
        check.stderr
    )
    assert _run(checkout, "build").returncode == 0
    tags = pq.read_table(checkout / "data/sentences/train.parquet").column("ner_tags").to_pylist()
    assert tags != pq.read_table(ROOT / "data/sentences/train.parquet").column("ner_tags").to_pylist()


def test_the_checkout_is_what_a_fresh_build_makes(capsys):
    """data/, figures, the card's generated blocks and docs/errors.md are not stale."""
    assert main(["build", "--check", "--root", str(ROOT)]) == 0, capsys.readouterr().err


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = readme[readme.index("```bash") + 1 : readme.index("```bash") + 3]
    assert "belgrade-stance build" in block[0] and "pytest" in block[1]
    assert block[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme.index("```bash") <= 2
