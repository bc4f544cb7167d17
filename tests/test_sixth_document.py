"""A maintainer adds a document by dropping in text, metadata and annotations: no code change."""

from __future__ import annotations

import pyarrow.parquet as pq

from belgrade_stance.cli import main
from belgrade_stance_schema.inventory import TARGETS
from helpers import add_document

TEXT = "Menu\nRussians in Serbia protest.\n\nThey oppose the war. Putin is silent.\n"


def _span(text, s, start=0):
    i = text.index(s, start)
    return {"start": i, "end": i + len(s), "text": s}


def test_a_synthetic_sixth_document_builds(project, capsys):
    sents = ["Russians in Serbia protest.", "They oppose the war.", "Putin is silent."]
    recs = [
        {"type": "entity", "sentence": "d05-s000", "label": "NORP", "entity_id": "russians", **_span(TEXT, "Russians")},
        {"type": "entity", "sentence": "d05-s000", "label": "GPE", "entity_id": "serbia", **_span(TEXT, "Serbia")},
        {"type": "entity", "sentence": "d05-s002", "label": "PERSON", "entity_id": "vladimir_putin", **_span(TEXT, "Putin")},
        {"type": "stance", "sentence": "d05-s001", "target": "war", "label": "against",
         "holder_type": "group", "holder": "russians", "holder_span": None,
         "evidence": _span(TEXT, "oppose the war"), "primary": False},
    ]
    add_document(project, "d05", TEXT, sents, "train", recs, boilerplate={"Menu": "site_navigation"})

    assert main(["build", "--root", str(project)]) == 0, capsys.readouterr().err
    stance = pq.read_table(project / "data" / "stance" / "train.parquet").to_pylist()
    new = [r for r in stance if r["doc_id"] == "d05"]
    assert len(new) == 3 * len(TARGETS)
    war = next(r for r in new if r["sentence_id"] == "d05-s001" and r["target"] == "war")
    assert war["label"] == 1  # ClassLabel index of "against"
    sents_t = pq.read_table(project / "data" / "sentences" / "train.parquet").to_pylist()
    s0 = next(r for r in sents_t if r["id"] == "d05-s000")
    assert [e["text"] for e in s0["entities"]] == ["Russians", "Serbia"]
    docs = pq.read_table(project / "data" / "documents" / "train.parquet").to_pylist()
    d5 = next(d for d in docs if d["doc_id"] == "d05")
    assert d5["fold"] == 5 and d5["n_sentences"] == 3
    assert main(["verify", "--root", str(project)]) == 0
