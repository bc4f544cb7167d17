"""The holders config and its scorer, the leave-one-target-out folds, and the context column."""

from __future__ import annotations

import json

import pytest

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.holders import evaluate_holders, normalise
from helpers import ROOT

SPLITS = ("train", "validation", "test")


def gold_records(splits=SPLITS) -> list[dict]:
    names = belgrade_stance.inventories()["stance_labels"]
    out = []
    for s in splits:
        for r in belgrade_stance.load("holders", s, format="arrow").to_pylist():
            out.append({"sentence_id": r["sentence_id"], "target": r["target"], "label": names[r["label"]],
                        "holder": r["holder"], "evidence_start": r["evidence_start"], "evidence_end": r["evidence_end"]})
    return out


def write(tmp_path, records, name="pred.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def test_every_offset_slices_to_its_text():
    n = 0
    for s in SPLITS:
        for r in belgrade_stance.load("holders", s, format="arrow").to_pylist():
            assert r["text"][r["evidence_start"]:r["evidence_end"]] == r["evidence_text"]
            if r["holder_start"] is None:
                assert r["holder_end"] is None and r["holder_text"] is None
            else:
                assert r["text"][r["holder_start"]:r["holder_end"]] == r["holder_text"]
            n += 1
    assert n == sum(len(h) for s in SPLITS for h in belgrade_stance.load("stance", s).holders)


def test_holders_are_typed_class_labels():
    f = belgrade_stance.features("holders")
    assert f["label"].names == ["none", "against", "favor"]
    assert f["holder_type"].names == list(belgrade_stance.inventories()["holder_types"])


def test_gold_scores_one_under_both_protocols(tmp_path):
    r = evaluate_holders(write(tmp_path, gold_records()), protocol="lodo")
    assert r["tuple"]["f1"] == 1.0 and r["tuple_without_holder"]["f1"] == 1.0
    assert r["evidence"]["token_f1_over_gold"] == 1.0
    test = [x for x in gold_records(["test"])]
    assert evaluate_holders(test)["tuple"]["f1"] == 1.0


def test_tuples_need_the_holder_and_evidence_overlap_counts_tokens(tmp_path):
    gold = [x for x in gold_records(["test"])]
    wrong_holder = [{**g, "holder": "somebody else"} for g in gold]
    r = evaluate_holders(wrong_holder)
    assert r["tuple"]["f1"] == 0.0 and r["tuple_without_holder"]["f1"] == 1.0
    half = [{**g, "evidence_start": None, "evidence_end": None} for g in gold]
    r = evaluate_holders(half)
    assert r["tuple"]["f1"] == 1.0 and r["evidence"]["token_f1_over_gold"] == 0.0
    one = dict(gold[0])
    sentence = belgrade_stance.load("sentences", "test").set_index("id").loc[one["sentence_id"]]
    # the gold evidence plus the whole rest of the sentence: precision drops, recall stays 1
    r = evaluate_holders([{**one, "evidence_start": 0, "evidence_end": len(sentence.text)}] + gold[1:])
    assert 0 < r["evidence"]["token_f1_over_matched"] < 1


def test_holders_match_after_normalisation():
    assert normalise("  The  Serbians ") == "serbians"
    assert normalise("an audience in Serbia") == "audience in serbia"
    assert normalise("author") == "author" and normalise("Vladimir_Putin") == "vladimir_putin"


BAD = {
    "not-json": ("{oops", "prediction-record"),
    "a-list": ("[1, 2]", "prediction-record"),
    "missing-holder": ({"sentence_id": "d03-s006", "target": "putin", "label": "against"}, "prediction-record"),
    "extra-key": ({"sentence_id": "d03-s006", "target": "putin", "label": "against", "holder": "x", "score": 1},
                  "prediction-record"),
    "unknown-sentence": ({"sentence_id": "d99-s000", "target": "putin", "label": "against", "holder": "x"}, "unknown-id"),
    "other-split": ({"sentence_id": "d00-s000", "target": "war", "label": "against", "holder": "x"}, "unknown-id"),
    "unknown-target": ({"sentence_id": "d03-s006", "target": "peace", "label": "against", "holder": "x"}, "unknown-target"),
    "label-none": ({"sentence_id": "d03-s006", "target": "putin", "label": "none", "holder": "x"}, "unknown-label"),
    "evidence-outside": ({"sentence_id": "d03-s006", "target": "putin", "label": "against", "holder": "x",
                          "evidence_start": 5, "evidence_end": 100000}, "prediction-record"),
    "evidence-a-string": ({"sentence_id": "d03-s006", "target": "putin", "label": "against", "holder": "x",
                           "evidence_start": "5", "evidence_end": 9}, "prediction-record"),
    "blank-holder": ({"sentence_id": "d03-s006", "target": "putin", "label": "against", "holder": " "}, "prediction-record"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_holder_predictions_are_refused(tmp_path, capsys, case):
    record, rule = BAD[case]
    path = write(tmp_path, [record])
    with pytest.raises(belgrade_stance.PredictionError) as err:
        evaluate_holders(path)
    assert rule in err.value.rules
    assert main(["evaluate", str(path), "--task", "holders"]) == 1
    out = capsys.readouterr().err
    assert f"[{rule}]" in out and "Traceback" not in out


def test_holder_predictions_are_read_by_the_stance_scorer_s_file_reader(tmp_path):
    """The same reader as `evaluate`: JSON Lines (any suffix), or a .json list; CSV is refused by name."""
    gold = gold_records(["test"])
    as_list = tmp_path / "pred.json"
    as_list.write_text(json.dumps(gold), encoding="utf-8")
    assert evaluate_holders(as_list)["tuple"]["f1"] == 1.0
    assert evaluate_holders(write(tmp_path, gold, "pred.txt"))["tuple"]["f1"] == 1.0
    for name, text, rule in (("pred.csv", "sentence_id,target,label,holder\n", "predictions-type"),
                             ("missing.jsonl", None, "predictions-missing"),
                             ("latin1.jsonl", b"\xff\xfe{", "predictions-unreadable"),
                             ("mapping.json", '{"d03-s006": "against"}', "prediction-record")):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        elif text is not None:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(belgrade_stance.PredictionError) as err:
            evaluate_holders(path)
        assert err.value.rules == {rule}, name


def test_a_duplicated_tuple_is_refused(tmp_path):
    gold = gold_records(["test"])
    with pytest.raises(belgrade_stance.PredictionError) as err:
        evaluate_holders(write(tmp_path, gold + gold[:1]))
    assert err.value.rules == {"duplicate-prediction"}


def test_the_cli_scores_holders(tmp_path, capsys):
    path = write(tmp_path, gold_records())
    assert main(["evaluate", str(path), "--task", "holders", "--protocol", "lodo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tuple"]["f1"] == 1.0


def test_leave_one_target_out_folds_hold_out_one_target():
    folds = list(belgrade_stance.folds("loto"))
    total = sum(len(t) for t in belgrade_stance.load("stance").values())
    assert [name for name, _, _ in folds] == list(belgrade_stance.inventories()["targets"])
    for target, train, test in folds:
        assert set(test.target) == {target} and target not in set(train.target)
        assert len(train) + len(test) == total


def test_loto_predictions_are_scored_per_target(tmp_path):
    rows = [r for t in belgrade_stance.load("stance").values() for r in t[["id", "label"]].to_dict("records")]
    path = write(tmp_path, rows)
    r = belgrade_stance.evaluate_cv(path, protocol="loto", samples=0)
    assert r["fold_by"] == "target" and set(r["folds"]) == set(belgrade_stance.inventories()["targets"])
    assert r["pooled"]["metrics"]["f_avg"]["value"] == 1.0


def test_context_is_the_paragraph_so_far_or_the_previous_sentence():
    sentences = {s: belgrade_stance.load("sentences", s) for s in SPLITS}
    stance = {s: belgrade_stance.load("stance", s) for s in SPLITS}
    checked = 0
    for s in SPLITS:
        sents = sentences[s].sort_values(["doc_id", "sentence_index"])
        for doc, rows in sents.groupby("doc_id"):
            rows = rows.to_dict("records")
            for i, r in enumerate(rows):
                before = [p["text"] for p in rows[:i] if p["paragraph_index"] == r["paragraph_index"]]
                want = " ".join(before) if before else (rows[i - 1]["text"] if i else "")
                got = set(stance[s][stance[s].sentence_id == r["id"]].context)
                assert got == {want}, r["id"]
                checked += 1
    assert checked == sum(len(t) for t in sentences.values())
