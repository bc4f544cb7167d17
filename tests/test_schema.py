"""The pandera schemas reject tables that break their rules (each check can fail)."""

from __future__ import annotations

import copy

import pytest

from belgrade_stance_build.pipeline import frames
from belgrade_stance_schema.tables import validate_tables


def _fails(tables, expect: str) -> None:
    failures = validate_tables(frames(tables))
    assert failures, "validation should fail"
    assert any(expect in f[2] or expect in f[3] for f in failures), failures[:5]


@pytest.fixture
def tables(built):
    return {name: copy.deepcopy(df.to_dict("records")) for name, df in built["tables"].items()}


def test_the_real_tables_validate(tables):
    assert validate_tables(frames(tables)) == []


def test_duplicate_stance_id(tables):
    tables["stance"].append(dict(tables["stance"][0]))
    _fails(tables, "unique")


def test_label_outside_inventory(tables):
    tables["stance"][0]["label"] = "neutral"
    _fails(tables, "isin")


def test_missing_target_for_a_sentence(tables):
    del tables["stance"][0]
    _fails(tables, "every sentence has every target exactly once")


def test_bio_tags_inconsistent_with_spans(tables):
    s = next(s for s in tables["sentences"] if s["entities"])
    s["ner_tags"] = ["O"] * len(s["ner_tags"])
    _fails(tables, "ner_tags")


def test_entity_text_not_at_offsets(tables):
    s = next(s for s in tables["sentences"] if s["entities"])
    s["entities"][0]["start"] += 1
    _fails(tables, "entities")


def test_document_in_two_splits(tables):
    row = next(r for r in tables["stance"] if r["split"] == "train")
    row["split"] = "test"
    _fails(tables, "disjoint by document")


def test_holders_disagree_with_label(tables):
    row = next(r for r in tables["stance"] if r["label"] == "against" and not r["mixed"])
    row["label"] = "favor"
    _fails(tables, "label/holders")


def test_sentence_text_not_at_raw_offsets(tables):
    tables["sentences"][0]["raw_start"] += 1
    tables["sentences"][0]["raw_end"] += 1
    _fails(tables, "raw_text[raw_start:raw_end]")


def test_stance_text_differs_from_sentence(tables):
    tables["stance"][0]["text"] = tables["stance"][0]["text"] + " "
    _fails(tables, "stance text/split/doc_id")
