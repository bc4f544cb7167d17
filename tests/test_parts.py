"""The build streams documents through the stages in parts; parts change nothing in the output,
and the rules that span documents still hold across parts."""

from __future__ import annotations

import pandas as pd
import pytest

import belgrade_stance_build.pipeline as pipeline
from belgrade_stance.cli import main
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.tables import KEY_COLUMNS, SPLIT_BY_DOCUMENT, validate_corpus
from belgrade_stance_build.problems import BuildFailed
from helpers import ROOT, add_document, tree_digest


@pytest.mark.parametrize("part", [1, 2])
def test_parts_do_not_change_the_output(project, monkeypatch, part):
    monkeypatch.setattr(pipeline, "PART_DOCUMENTS", part)
    pipeline.build(Layout(project))
    assert tree_digest(project / "data") == tree_digest(ROOT / "data")


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
    result = pipeline.build(Layout(project))
    assert "d05" in result["arrow"]["documents"]["doc_id"].to_pylist()


def _keys(built) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    tables = built["tables"]
    return tables["documents"].copy(), {n: tables[n][c].copy() for n, c in KEY_COLUMNS.items()}


def test_corpus_rules_hold_on_the_real_corpus(built):
    docs, keys = _keys(built)
    assert validate_corpus(docs, keys) == []


@pytest.mark.parametrize("table", ["sentences", "stance"])
def test_ids_repeated_in_another_part_are_caught(built, table):
    docs, keys = _keys(built)
    keys[table] = pd.concat([keys[table], keys[table].head(3)], ignore_index=True)
    failures = validate_corpus(docs, keys)
    assert any(f[0] == table and "unique" in f[2] for f in failures), failures


def test_a_document_split_across_parts_is_caught(built):
    docs, keys = _keys(built)
    stance = keys["stance"]
    stance.loc[stance.index[:6], "split"] = "test"  # rows of d00 (train) claim another split
    failures = validate_corpus(docs, keys)
    assert any(f[0] == "stance" and f[2] == SPLIT_BY_DOCUMENT for f in failures), failures


def test_duplicate_document_rows_are_caught(built):
    docs, keys = _keys(built)
    failures = validate_corpus(pd.concat([docs, docs.head(1)], ignore_index=True), keys)
    assert any(f[0] == "documents" and "unique" in f[2] for f in failures), failures


def test_build_failed_names_the_first_failing_stage(project):
    (project / "raw/segments/d01.jsonl").write_text("not json\n", encoding="utf-8")
    (project / "raw/annotations/gold/d03.jsonl").write_text("{\"type\": \"other\"}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as err:
        pipeline.build(Layout(project))
    assert err.value.stage == "segments"
    assert {"unparseable-line", "unknown-record-type"} <= err.value.problems.rules()
