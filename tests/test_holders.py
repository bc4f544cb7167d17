"""The holders config and its scorer, and the context column of the stance config."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.scoring import PredictionError, evaluate_holders

SPLITS = ("train", "validation", "test")
NAMES = ["none", "against", "favor"]


def holder_rows(splits=SPLITS) -> list[dict]:
    return [r for s in splits for r in belgrade_stance.load("holders", s, format="arrow").to_pylist()]


def gold_records(splits=SPLITS, names=True) -> list[dict]:
    keys = ("sentence_id", "target", "holder", "evidence_start", "evidence_end")
    return [
        {**{k: r[k] for k in keys}, "label": NAMES[r["label"]] if names else r["label"]}
        for r in holder_rows(splits)
    ]


def test_every_offset_slices_to_its_text_and_holders_are_class_labels():
    rows = holder_rows()
    for r in rows:
        assert r["text"][r["evidence_start"] : r["evidence_end"]] == r["evidence_text"]
        holder = None if r["holder_start"] is None else r["text"][r["holder_start"] : r["holder_end"]]
        assert holder == r["holder_text"] and (r["holder_start"] is None) == (r["holder_end"] is None)
    stance = belgrade_stance.load("stance", "all", format="arrow").to_pylist()
    nested = {f"{r['id']}-{n}": h["holder_type"] for r in stance for n, h in enumerate(r["holders"])}
    assert nested == {r["id"]: r["holder_type"] for r in rows}  # the same indices, nested or not
    features = belgrade_stance.features("holders")
    assert features["label"].names == NAMES
    assert features["holder_type"].names == list(belgrade_stance.inventories()["holder_types"])
    for config, column in (("stance", "holders"), ("sentences", "stance")):  # one type wherever it is
        assert belgrade_stance.features(config)[column].feature["holder_type"] == features["holder_type"]
    groups = belgrade_stance.inventories()["groups"]
    for r in rows:  # a group holder is a group id with its description; only group holders have one
        assert (r["holder"] in groups and r["holder_description"] is not None) == (r["holder_type"] == 2)


def test_folds_give_label_columns_as_names_as_load_does():
    ((_, train, test, gold),) = belgrade_stance.folds("split")
    ((_, named, same, named_gold),) = belgrade_stance.folds("split", labels="names")
    assert same.equals(test) and named.label.tolist() == [NAMES[i] for i in train.label]
    assert named_gold.label_a.tolist() == [NAMES[i] for i in gold.label_a] and named.label.dtype == "category"


def test_gold_scores_one_in_every_form(tmp_path, capsys):
    every, test = gold_records(), gold_records(["test"])
    jsonl, txt = tmp_path / "all.jsonl", tmp_path / "test.txt"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in every), encoding="utf-8")
    r = evaluate_holders(jsonl, protocol="lodo")
    assert r["tuple"]["f1"] == r["tuple_holder_only"]["f1"] == r["evidence"]["token_f1_over_gold"] == 1.0
    txt.write_text("".join(json.dumps(r) + "\n" for r in test), encoding="utf-8")
    for predictions in (test, txt, gold_records(["test"], names=False)):  # labels as names or indices
        r = evaluate_holders(predictions)
        assert r["tuple"]["f1"] == r["tuple_holder_only"]["f1"] == 1.0
    assert main(["evaluate", str(jsonl), "--task", "holders", "--protocol", "lodo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tuple"]["f1"] == 1.0


def test_tuples_need_the_holder_id_and_strict_ones_overlapping_evidence():
    gold = gold_records(["test"])
    r = evaluate_holders([{**g, "holder": g["holder"].upper()} for g in gold])  # ids are exact
    assert r["tuple"]["f1"] == r["tuple_holder_only"]["f1"] == 0.0 and r["tuple_without_holder"]["f1"] == 1.0
    r = evaluate_holders([{**g, "evidence_start": None, "evidence_end": None} for g in gold])
    assert (
        r["tuple"]["f1"] == r["evidence"]["token_f1_over_gold"] == 0.0 and r["tuple_holder_only"]["f1"] == 1.0
    )
    with pytest.raises(PredictionError, match=r"split .test.*--protocol lodo.*of split validation"):
        evaluate_holders(gold_records(["validation"]))
    text = belgrade_stance.load("sentences", "test").set_index("id").text[gold[0]["sentence_id"]]
    # the gold evidence plus the whole rest of the sentence: precision drops, recall stays 1
    r = evaluate_holders([{**gold[0], "evidence_start": 0, "evidence_end": len(text)}] + gold[1:])
    assert 0 < r["evidence"]["token_f1_over_matched"] < 1
    i = next(i for i, g in enumerate(gold) if g["evidence_start"] > 0)
    before = {**gold[i], "evidence_start": 0, "evidence_end": gold[i]["evidence_start"]}  # no token in common
    r = evaluate_holders([*gold[:i], before, *gold[i + 1 :]])
    assert r["evidence"]["token_f1_over_matched"] == round((len(gold) - 1) / len(gold), 6)


def test_context_is_the_paragraph_so_far_or_the_previous_sentence():
    contexts = pd.concat(belgrade_stance.load("stance").values()).groupby("sentence_id").context.agg(set)
    sentences = pd.concat(belgrade_stance.load("sentences").values())
    assert len(contexts) == len(sentences)
    for _, doc in sentences.groupby("doc_id"):
        rows = doc.sort_values("sentence_index").to_dict("records")
        for i, r in enumerate(rows):
            before = [p["text"] for p in rows[:i] if p["paragraph_index"] == r["paragraph_index"]]
            want = " ".join(before) if before else (rows[i - 1]["text"] if i else "")
            assert contexts[r["id"]] == {want}, r["id"]


def test_every_group_is_documented_in_the_guidelines_and_the_card():
    from belgrade_stance_schema.inventory import GROUPS

    assert belgrade_stance.inventories()["groups"] == GROUPS
    root = Path(__file__).parents[1]
    for doc in ("docs/annotation-guidelines.md", "DATASET_CARD.md"):
        text = (root / doc).read_text(encoding="utf-8")
        assert [g for g in GROUPS if f"`{g}`" not in text] == [], doc
