"""The real corpus builds, validates, is deterministic and matches the committed data/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import pyarrow.parquet as pq

from belgrade_stance.cli import main
from belgrade_stance_build.layout import Layout
from belgrade_stance.verify import verify
from belgrade_stance_schema.inventory import CONFIGS, SPLITS, STANCE_LABELS, TARGETS
from helpers import ROOT, tree_digest


def test_committed_data_equals_a_fresh_build(built):
    """data/ in the repository holds what the build makes from raw/ (not stale).

    Compared by content, so that a newer pyarrow writing different bytes does not matter;
    byte-identity of two builds in one environment is the next test.
    """
    fresh, committed = built["root"] / "data", ROOT / "data"
    for config in CONFIGS:
        for split in SPLITS:
            a = pq.read_table(fresh / config / f"{split}.parquet")
            b = pq.read_table(committed / config / f"{split}.parquet")
            assert a.equals(b), f"{config}/{split} is stale: run belgrade-stance build"
            assert a.schema.metadata == b.schema.metadata
    assert (fresh / "agreement.json").read_text() == (committed / "agreement.json").read_text()
    fm, cm = (json.loads((d / "manifest.json").read_text()) for d in (fresh, committed))
    for m in (fm, cm):
        for splits in m["configs"].values():
            for entry in splits.values():
                entry.pop("sha256")
    assert fm == cm


def test_two_builds_are_byte_identical(built, project):
    assert main(["build", "--root", str(project)]) == 0
    assert tree_digest(project / "data") == tree_digest(built["root"] / "data")


def test_raw_texts_are_byte_copies_of_the_seeds():
    seeds = ROOT.parent / "shared" / "seeds"
    meta = pd.read_csv(ROOT / "raw" / "metadata.csv")
    for name in meta["source_file"]:
        raw = (ROOT / "raw" / "texts" / name).read_bytes()
        if seeds.is_dir():
            assert raw == (seeds / name).read_bytes()
    assert len(list((ROOT / "raw" / "texts").iterdir())) == len(meta)


def test_manifest_counts_match_parquet(built):
    data = built["root"] / "data"
    manifest = json.loads((data / "manifest.json").read_text())
    for config in CONFIGS:
        for split in SPLITS:
            entry = manifest["configs"][config][split]
            assert pq.read_metadata(data / entry["path"]).num_rows == entry["rows"]
    assert manifest["inventories"]["stance_labels"] == list(STANCE_LABELS)
    assert set(manifest["raw_texts"]) == set(built["tables"]["documents"]["doc_id"])


def test_every_sentence_of_an_annotated_document_has_every_target(built):
    stance = pd.DataFrame(built["tables"]["stance"])
    sents = pd.DataFrame(built["tables"]["sentences"])
    annotated = sents[sents["annotation_status"] == "gold"]
    assert len(stance) == len(annotated) * len(TARGETS)
    counts = stance.groupby("sentence_id")["target"].apply(sorted)
    assert all(c == sorted(TARGETS) for c in counts)
    assert stance["target"].notna().all()


def test_splits_are_disjoint_by_document_and_text(built):
    sents = pd.DataFrame(built["tables"]["sentences"])
    assert (sents.groupby("doc_id")["split"].nunique() == 1).all()
    by_text = sents.assign(t=sents["text"].str.lower().str.split().str.join(" ")).groupby("t")["split"].nunique()
    assert (by_text == 1).all(), by_text[by_text > 1]


def test_folds_are_leave_one_document_out(built):
    docs = pd.DataFrame(built["tables"]["documents"])
    assert sorted(docs["fold"]) == list(range(len(docs)))


def test_bio_tags_equal_spacys_encoding_of_the_spans(built):
    """The stored tags, against spaCy's own offsets_to_biluo_tags + biluo_to_iob on a Doc of the
    stored tokens (an implementation independent of belgrade_stance.spans.bio_tags)."""
    from spacy.tokens import Doc
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags
    from spacy.vocab import Vocab

    from belgrade_stance.spans import token_offsets

    vocab = Vocab()
    n = 0
    for s in built["tables"]["sentences"].to_dict("records"):
        offsets = token_offsets(s["text"], s["tokens"])
        spaces = [k + 1 < len(offsets) and b < offsets[k + 1][0] for k, (_, b) in enumerate(offsets)]
        doc = Doc(vocab, words=list(s["tokens"]), spaces=spaces)
        at = {a: t.idx for (a, _), t in zip(offsets, doc)}  # sentence offsets → the Doc's offsets
        to = {b: t.idx + len(t) for (_, b), t in zip(offsets, doc)}
        spans = [(at[e["start"]], to[e["end"]], e["label"]) for e in s["entities"]]
        assert list(s["ner_tags"]) == biluo_to_iob(offsets_to_biluo_tags(doc, spans)), s["id"]
        n += bool(spans)
    assert n > 100  # the comparison covered sentences with mentions


def test_verify_catches_one_changed_byte_in_data_and_raw(project):
    layout = Layout(project)
    assert verify(layout.data, project) == []
    target = layout.data / "stance" / "test.parquet"
    blob = bytearray(target.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    target.write_bytes(bytes(blob))
    problems = verify(layout.data, project)
    assert any("stance/test.parquet" in p and "sha256-mismatch" in p for p in problems)

    raw = next((layout.raw / "segments").iterdir())
    raw.write_bytes(raw.read_bytes() + b" ")
    problems = verify(layout.data, project)
    assert any(raw.name in p and "raw-sha256-mismatch" in p for p in problems)


def test_verify_reports_unlisted_and_missing_files(project):
    data = project / "data"
    shutil.copy(data / "stance" / "test.parquet", data / "stance" / "extra.parquet")
    (data / "documents" / "train.parquet").unlink()
    problems = verify(data, project)
    assert any("extra.parquet" in p and "unlisted-file" in p for p in problems)
    assert any("documents/train.parquet" in p and "missing-file" in p for p in problems)


def test_cli_verify_exit_codes(project, capsys):
    assert main(["verify", "--root", str(project)]) == 0
    (project / "data" / "agreement.json").write_text("{}")
    assert main(["verify", "--root", str(project)]) == 1
    assert "agreement.json" in capsys.readouterr().err


def test_validate_writes_nothing(project):
    before = tree_digest(project / "data")
    shutil.rmtree(project / "data")
    assert main(["validate", "--root", str(project)]) == 0
    assert not (project / "data").exists()
    assert before


def test_help_of_every_verb(capsys):
    import pytest

    for verb in ("build", "validate", "verify"):
        with pytest.raises(SystemExit) as exc:
            main([verb, "--help"])
        assert exc.value.code == 0
        assert verb in capsys.readouterr().out


def test_entity_ids_are_canonical_across_the_corpus(built):
    """One surface form of one type never maps to two ids; every document shares ids."""
    seen: dict[tuple[str, str], set[str]] = {}
    for ents in built["tables"]["documents"]["entities"]:
        for e in ents:
            seen.setdefault((e["text"], e["label"]), set()).add(e["entity_id"])
    assert seen
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = readme[readme.index("```bash") + 1: readme.index("```bash") + 3]
    assert "belgrade-stance build" in block[0]
    assert "pytest" in block[1]
    assert block[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme.index("```bash") <= 2


def test_the_manifest_vouches_for_the_bytes_the_build_parsed(project, monkeypatch):
    """A raw file edited while the build runs: the manifest holds the hash of the bytes that were
    read and parsed, so verify reports the file as changed since the build."""
    import hashlib

    from belgrade_stance_build.pipeline import build

    target = project / "raw/segments/d01.jsonl"
    original = target.read_bytes()
    real = Layout.read_raw

    def read_then_edit(self, path):
        data = real(self, path)
        if Path(path) == target:
            target.write_bytes(original + b"\n")  # an editor saves mid-build
        return data
    monkeypatch.setattr(Layout, "read_raw", read_then_edit)
    manifest = build(Layout(project))["manifest"]
    assert manifest["raw_inputs"]["raw/segments/d01.jsonl"] == hashlib.sha256(original).hexdigest()
    monkeypatch.undo()
    assert any("raw/segments/d01.jsonl" in p and "raw-sha256-mismatch" in p for p in verify(project / "data", project))


@pytest.mark.parametrize("change", ["drop-column", "other-features"])
def test_verify_checks_each_files_columns_and_features_against_the_manifest(project, change):
    """A file rewritten with other columns or features, its sha256 and rows recorded anew, is
    still caught: the manifest's features are the contract."""
    import hashlib

    import pyarrow.parquet as pq

    path = project / "data/stance/test.parquet"
    table = pq.read_table(path)
    if change == "drop-column":
        table = table.drop_columns(["fold"])
    else:
        meta = json.loads(table.schema.metadata[b"huggingface"])
        meta["info"]["features"]["label"]["names"] = ["none", "favor", "against"]
        table = table.replace_schema_metadata({b"huggingface": json.dumps(meta).encode()})
    pq.write_table(table, path, compression="zstd")
    manifest_file = project / "data/manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["configs"]["stance"]["test"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_file.write_text(json.dumps(manifest))
    problems = verify(project / "data")
    assert any("stance/test.parquet: [features-mismatch]" in p for p in problems), problems
