"""The build streams documents through the stages in parts; parts change nothing in the output,
and the rules that span documents still hold across parts."""

from __future__ import annotations

import pandas as pd
import pytest

import belgrade_stance
import belgrade_stance_build.pipeline as pipeline
from belgrade_stance.cli import main
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.tables import KEY_COLUMNS, SPLIT_BY_DOCUMENT, validate_corpus
from belgrade_stance_build.problems import BuildFailed
from helpers import ROOT, add_document, tree_digest


@pytest.mark.parametrize("part", [1, 2])
def test_parts_do_not_change_the_output(project, monkeypatch, part):
    """Smaller parts write more row groups (other bytes), but the same rows, values and reports."""
    import pyarrow.parquet as pq

    monkeypatch.setattr(pipeline, "PART_DOCUMENTS", part)
    pipeline.build(Layout(project))
    fresh, committed = tree_digest(project / "data"), tree_digest(ROOT / "data")
    assert fresh.keys() == committed.keys()
    for name in committed:
        if name.endswith(".parquet"):
            a, b = pq.read_table(project / "data" / name), pq.read_table(ROOT / "data" / name)
            assert a.equals(b) and a.schema.metadata == b.schema.metadata, name
            assert pq.ParquetFile(project / "data" / name).num_row_groups >= pq.ParquetFile(ROOT / "data" / name).num_row_groups
        elif name != "manifest.json":  # the manifest differs in the files' sha256 only
            assert fresh[name] == committed[name], name


def test_worker_processes_write_the_same_bytes_as_one_process(project, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(pipeline, "PART_DOCUMENTS", 2)
    other = tmp_path / "other"
    shutil.copytree(project, other)
    monkeypatch.setattr(pipeline, "WORKERS", 1)
    pipeline.build(Layout(project))
    monkeypatch.setattr(pipeline, "WORKERS", 2)
    pipeline.build(Layout(other))
    assert tree_digest(project / "data") == tree_digest(other / "data")


def test_a_sentence_text_in_two_splits_is_caught_across_parts(project, monkeypatch, capsys):
    monkeypatch.setattr(pipeline, "PART_DOCUMENTS", 1)  # every document in a part of its own
    before = tree_digest(project / "data")
    d00 = pipeline.build(Layout(project), write=False, keep_frames=True)["tables"]["sentences"]
    copied = d00.loc[d00["doc_id"] == "d00", "text"].iloc[5]
    add_document(project, "d05", f"{copied}\nA new closing line.\n", [copied, "A new closing line."], "test")
    assert main(["build", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "[split-leak]" in err and copied[:40].lower() in err
    assert tree_digest(project / "data") == before


def test_a_new_document_in_its_own_part_builds(project, monkeypatch):
    monkeypatch.setattr(pipeline, "PART_DOCUMENTS", 1)
    add_document(project, "d05", "A fresh sentence here.\n", ["A fresh sentence here."], "test")
    pipeline.build(Layout(project))
    docs = belgrade_stance.load("documents", split="test", format="arrow", data_dir=project / "data")
    assert "d05" in docs["doc_id"].to_pylist()


def _keys(built) -> dict[str, pd.DataFrame]:
    tables = built["tables"]
    return {n: tables[n][c].copy() for n, c in KEY_COLUMNS.items()}


def test_corpus_rules_hold_on_the_real_corpus(built):
    assert validate_corpus(_keys(built)) == []


@pytest.mark.parametrize("table", ["documents", "sentences"])
def test_ids_repeated_in_another_part_are_caught(built, table):
    keys = _keys(built)
    keys[table] = pd.concat([keys[table], keys[table].head(3)], ignore_index=True)
    failures = validate_corpus(keys)
    assert any(f[0] == table and "unique" in f[2] for f in failures), failures


def test_a_document_split_across_parts_is_caught(built):
    keys = _keys(built)
    sents = keys["sentences"]
    sents.loc[sents.index[:6], "split"] = "test"  # rows of d00 (train) claim another split
    failures = validate_corpus(keys)
    assert any(f[0] == "sentences" and f[2] == SPLIT_BY_DOCUMENT for f in failures), failures


def test_a_stance_id_not_made_of_its_sentence_and_target_is_caught(built):
    from belgrade_stance_schema.tables import validate_tables

    tables = {n: df.copy() for n, df in built["tables"].items()}
    tables["stance"].loc[0, "id"] = "d01-s000-war"  # unique, but not its own sentence's
    failures = validate_tables(tables)
    assert any(f[0] == "stance" and "id is <sentence_id>-<target>" in f[2] for f in failures), failures


def test_build_failed_names_the_first_failing_stage(project):
    (project / "raw/segments/d01.jsonl").write_text("not json\n", encoding="utf-8")
    (project / "raw/annotations/gold/d03.jsonl").write_text("{\"type\": \"other\"}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as err:
        pipeline.build(Layout(project))
    assert err.value.stage == "segments"
    assert {"unparseable-line", "unknown-record-type"} <= err.value.problems.rules()
