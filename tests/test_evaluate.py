"""The scorers' interface: forms of predictions, restrictions, refusals with their rule ids
(tests/bad-predictions/<task>/<rule>--<what>.*), cross-validation, folds, compare, the commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import f1_score

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.scoring import (
    INPUT_COLUMNS,
    PredictionError,
    evaluate,
    evaluate_cv,
    evaluate_holders,
    folds,
    format_report,
)

NAMES = ["none", "against", "favor"]
GOLD = ("label", "label_a", "label_b", "passes_agree", "mixed", "holders")
BAD = Path(__file__).parent / "bad-predictions"
PRED = Path(__file__).parents[1] / "results" / "predictions"


def sk_favg(gold, pred) -> float:  # SemEval-2016's F_avg: the mean F1 of favor and against
    return float(f1_score(gold, pred, labels=[2, 1], average="macro", zero_division=0))


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.concat(belgrade_stance.load("stance").values(), ignore_index=True)


def test_label_names_indices_files_and_the_command_score_alike(rows, tmp_path, capsys):
    ids = rows.id[rows.split == "test"].tolist()
    pred = np.random.default_rng(5).integers(0, 3, len(ids))  # numpy integers
    jsonl, csv = tmp_path / "p.jsonl", tmp_path / "p.csv"
    pairs = [(i, float(p)) for i, p in zip(ids, pred)]  # indices as floats
    jsonl.write_text("".join(json.dumps({"id": i, "label": NAMES[int(p)].upper()}) + "\n" for i, p in pairs))
    csv.write_text(" id , label\n" + "".join(f"{i} , {int(p)}\n" for i, p in pairs))
    frame = pd.DataFrame({"id": ids, "label": [NAMES[p] for p in pred]})
    reference = evaluate(dict(zip(ids, pred)), samples=50)
    for other in (jsonl, str(csv), frame, pairs):
        assert evaluate(other, samples=50) == reference
    assert main(["evaluate", str(jsonl), "--json", "--samples", "50"]) == 0
    assert json.loads(capsys.readouterr().out) == reference
    assert main(["evaluate", str(csv), "--samples", "50"]) == 0
    table = capsys.readouterr().out
    assert "F_avg (official)" in table and "confusion (rows gold, columns predicted)" in table


def test_gold_scores_its_oracle_and_restrictions_score_their_rows(rows):
    test = rows[rows.split == "test"]
    r = evaluate(dict(zip(test.id, test.label.tolist())))
    # eval.pl inside the bootstrap: resamples without the split's only favor sentence score favor 0
    assert r["metrics"]["f_avg"] == {"value": 1.0, "ci": [0.5, 1.0]} and r["oracle"] == 1.0
    assert r["metrics"]["accuracy"]["value"] == 1.0
    oracles = {t: v["oracle"] for t, v in r["per_target"].items()}  # the gold labels' own F_avg
    assert oracles == {t: v["f_avg"]["value"] for t, v in r["per_target"].items()}
    assert oracles["eu_integration"] == 0 and oracles["sanctions"] == 0.5 and oracles["war"] == 1
    marked = {line.split()[0] for line in format_report(r).splitlines() if "†  " in line}
    assert marked == {t for t, v in oracles.items() if v < 1}
    pred = dict(zip(test.id, np.random.default_rng(2).integers(0, 3, len(test)).tolist()))
    agreed = evaluate(dict(zip(rows.id, rows.label)), split="all", agreed_only=True, samples=0)
    assert agreed["rows"] == rows.passes_agree.sum() < len(rows) and agreed["agreed_only"] is True
    two = evaluate(pred, targets=["war", "putin"], samples=0)
    assert two["rows"] == test.target.isin(["war", "putin"]).sum()
    assert set(two["per_target"]) == {"war", "putin"}
    only = {k: v for k, v in pred.items() if k.endswith(("-war", "-putin"))}  # other targets' rows not needed
    assert evaluate(only, targets=["war", "putin"], samples=0)["metrics"] == two["metrics"]
    with pytest.raises(belgrade_stance.LoadError, match="unknown target"):
        evaluate(pred, targets=["brexit"])


@pytest.mark.parametrize(
    "mutate, rule, message",
    [
        (lambda p: p[1:], "missing-prediction", "1 missing id"),
        (lambda p: p + [("d99-s000-war", "none")], "unknown-id", "1 unknown id"),
        (lambda p: [(p[0][0], "pro"), (p[1][0], 3), (p[2][0], True)] + p[3:], "unknown-label", "3 unknown"),
        (lambda p: [("x",)] + p, "prediction-record", "item 0: a record needs an id and a label"),
        (lambda p: [(f"x{i}", "none") for i in range(40)], "unknown-id", r"40 unknown id\(s\).*\(35 more\)"),
        (lambda p: 42, "predictions-type", "must be a file"),
        (lambda p: pd.DataFrame({"id": ["x"]}), "predictions-type", r"\(missing: label\)"),
    ],
)
def test_bad_predictions_are_refused_with_the_offenders(rows, mutate, rule, message):
    with pytest.raises(PredictionError, match=message) as e:
        evaluate(mutate([(i, "none") for i in rows.id[rows.split == "test"]]), samples=0)
    assert rule in e.value.rules and e.value.exit == 1
    assert "nothing was scored" in str(e.value) and len(str(e.value)) < 1500


@pytest.mark.parametrize(
    "path", [*sorted(BAD.glob("*/*")), BAD / "stance" / "predictions-missing--absent.jsonl"]
)
def test_bad_prediction_files_are_refused_naming_the_rule_and_the_line(path, capsys):
    rule, task = path.name.split("--")[0], path.parent.name
    with pytest.raises(PredictionError) as e:
        evaluate(path, samples=0) if task == "stance" else evaluate_holders(path)
    assert e.value.rule == rule and e.value.source == str(path) and e.value.exit == 1
    whole_file = rule.startswith("predictions-") or rule == "no-predictions"
    assert whole_file or re.search(r"\b(line|item) \d+", str(e.value))  # where the bad record is
    assert main(["evaluate", str(path), "--task", task, "--samples", "0"]) == 1
    err = capsys.readouterr().err
    assert f"[{rule}]" in err and "Traceback" not in err


def test_cross_validation_scores_every_fold_and_the_pooled_predictions(rows):
    rng = np.random.default_rng(17)
    gold = rows.label.to_numpy()
    pred = np.where(rng.random(len(rows)) < 0.6, gold, rng.integers(0, 3, len(rows)))
    r = evaluate_cv(dict(zip(rows.id, pred.tolist())), samples=100)
    assert list(r["folds"]) == sorted(set(rows.doc_id)) and "document_bootstrap" not in r["pooled"]
    for doc, f in r["folds"].items():
        m = (rows.doc_id == doc).to_numpy()
        assert f["rows"] == m.sum() and f["f_avg"] == pytest.approx(sk_favg(gold[m], pred[m]), abs=1e-6)
    values = [f["f_avg"] for f in r["folds"].values()]
    summary = r["over_folds"]["f_avg"]
    sem = np.std(values, ddof=1) / np.sqrt(5)
    t_ci = stats.t.interval(0.95, df=4, loc=np.mean(values), scale=sem)
    assert [summary["mean"], summary["sd"], *summary["t_ci"]] == pytest.approx(
        [np.mean(values), np.std(values, ddof=1), *t_ci], abs=1e-5
    )
    assert r["pooled"]["metrics"]["f_avg"]["value"] == pytest.approx(sk_favg(gold, pred), abs=1e-6)
    assert r["pooled"]["units"] == rows.sentence_id.nunique() and r["oracle"] == r["pooled"]["oracle"] == 1
    loto = evaluate(dict(zip(rows.id, gold.tolist())), protocol="loto", samples=0)
    assert loto["fold_by"] == "target" and set(loto["folds"]) == set(belgrade_stance.inventories()["targets"])
    assert loto["pooled"]["metrics"]["f_avg"]["value"] == 1.0
    assert all(f["f_avg"] == f["oracle"] for f in loto["folds"].values())


def test_folds_hand_the_model_inputs_only_and_loto_never_shows_a_test_sentence(rows):
    targets, docs = list(belgrade_stance.inventories()["targets"]), sorted(set(rows.doc_id))
    names = {"split": ["test"], "lodo": docs, "loto": [f"{t}@{d}" for t in targets for d in docs]}
    for protocol, expected in names.items():
        seen = []
        for name, train, test, gold in folds(protocol):
            assert tuple(test.columns) == INPUT_COLUMNS and set(gold.columns) == {"id", *GOLD}
            assert gold.id.tolist() == test.id.tolist() and set(GOLD) <= set(train.columns)
            assert not set(train.sentence_id) & set(test.sentence_id)
            truth = rows.set_index("id").loc[test.id]
            assert truth.label.tolist() == gold.label.tolist()
            if protocol == "loto":
                target, doc = name.split("@")
                assert set(test.target) == {target} and set(test.doc_id) == {doc}
                assert target not in set(train.target) and doc not in set(train.doc_id)
                assert len(train) == ((rows.target != target) & (rows.doc_id != doc)).sum()
            seen.append((name, test.id.tolist()))
        assert [n for n, _ in seen] == expected
        held = [i for _, ids in seen for i in ids]
        assert protocol == "split" or sorted(held) == sorted(rows.id)  # every row in exactly one test fold
    [(_, train, test, _)] = list(folds("split"))
    assert set(train.split) == {"train"} and set(rows.set_index("id").loc[test.id].split) == {"test"}
    with pytest.raises(belgrade_stance.LoadError):
        next(folds("kfold"))


def test_compare_scores_each_side_as_evaluate_does_and_the_command_prints_it(capsys):
    a, b = PRED / "tfidf-lr" / "lodo.jsonl", PRED / "minilm-lr" / "lodo.jsonl"
    r = belgrade_stance.compare(a, b, protocol="lodo", samples=0)
    for side, path in (("a", a), ("b", b)):
        assert r["f_avg"][side] == evaluate_cv(path, samples=0)["pooled"]["metrics"]["f_avg"]["value"]
    assert r["rows"] == 1050 and set(r["per_target"]) == set(belgrade_stance.inventories()["targets"])
    same = belgrade_stance.compare(a, a, protocol="lodo", samples=50)
    tfidf = same["f_avg"]["a"]
    assert same["f_avg"] == {"a": tfidf, "b": tfidf, "delta": 0, "ci": [0, 0], "p": 1.0, "significant": False}
    assert all(e == {"delta": 0, "ci": [0, 0]} for e in same["per_target"].values())  # descriptive only
    a, b = PRED / "tfidf-lr" / "split.jsonl", PRED / "minilm-lr" / "split.jsonl"
    assert main(["compare", str(a), str(b), "--samples", "50", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown["f_avg"]) == {"a", "b", "delta", "ci", "p", "significant"}
    assert main(["compare", str(a), str(b), "--samples", "50"]) == 0
    out = capsys.readouterr().out
    assert "B − A" in out and "F_avg per target (descriptive: no test)" in out
    assert main(["compare", str(a), str(BAD / "stance" / "missing-prediction--and-a-duplicate.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "[missing-prediction]" in err and "[duplicate-prediction]" in err and "Traceback" not in err


@pytest.mark.parametrize("sd, n", [(0.078, 5), (0.05, 6), (0.1, 30)])
def test_the_minimum_detectable_difference_has_the_power_it_claims(sd, n):
    mdd = belgrade_stance.scoring.minimum_detectable_difference(sd, n)
    assert mdd == pytest.approx((stats.t.ppf(0.975, n - 1) + stats.t.ppf(0.8, n - 1)) * sd / np.sqrt(n))

    def power(delta):  # of the two-sided paired t test at 0.05: noncentral t
        c, nc = stats.t.ppf(0.975, n - 1), delta / (sd / np.sqrt(n))
        return stats.nct.sf(c, n - 1, nc) + stats.nct.cdf(-c, n - 1, nc)

    assert power(mdd) == pytest.approx(0.8, abs=0.01) and power(0.9 * mdd) < 0.8 < power(1.1 * mdd)
    with pytest.raises(belgrade_stance.LoadError, match="n must be"):
        belgrade_stance.scoring.minimum_detectable_difference(sd, 1)
