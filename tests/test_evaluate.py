"""The official scorer: metric values against scikit-learn, the bootstrap, input checks, protocols."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

import belgrade_stance
from belgrade_stance.evaluate import PredictionError, confusion_scores, evaluate, evaluate_cv, folds, score
from belgrade_stance_schema.inventory import STANCE_LABELS, TARGETS

NAMES = list(STANCE_LABELS)
FAVOR, AGAINST = NAMES.index("favor"), NAMES.index("against")


def sk_favg(gold, pred) -> float:
    """SemEval-2016 F_avg (eval.pl) from scikit-learn: the mean of the F1 of favor and against,
    an undefined F1 counting as 0."""
    return float(f1_score(gold, pred, labels=[FAVOR, AGAINST], average="macro", zero_division=0))


def sk_macro(gold, pred) -> float:
    return float(f1_score(gold, pred, labels=[0, 1, 2], average="macro", zero_division=0))


def same(ours, theirs) -> bool:
    if ours is None or (isinstance(ours, float) and np.isnan(ours)):
        return bool(np.isnan(theirs))
    return ours == pytest.approx(theirs, abs=1e-6)


def random_sets(n_sets: int, seed: int = 7):
    """Random gold/prediction pairs of many shapes, with degenerate ones (absent classes, constants)."""
    rng = np.random.default_rng(seed)
    for i in range(n_sets):
        n = int(rng.integers(1, 60))
        p_gold = rng.dirichlet(np.ones(3) * (0.3 if i % 3 == 0 else 2))
        gold = rng.choice(3, size=n, p=p_gold)
        kind = i % 4
        if kind == 0:
            pred = rng.integers(0, 3, n)
        elif kind == 1:
            pred = np.full(n, rng.integers(0, 3))
        elif kind == 2:
            pred = np.where(rng.random(n) < 0.7, gold, rng.integers(0, 3, n))
        else:
            pred = rng.choice(3, size=n, p=rng.dirichlet(np.ones(3) * 0.3))
        yield gold, pred


@pytest.fixture(scope="module")
def test_rows() -> pd.DataFrame:
    return belgrade_stance.load("stance", split="test")


@pytest.fixture(scope="module")
def all_rows() -> pd.DataFrame:
    return pd.concat(belgrade_stance.load("stance").values(), ignore_index=True)


def test_metrics_equal_scikit_learn_on_many_random_sets():
    checked = 0
    for gold, pred in random_sets(400):
        r = score(gold, pred, NAMES, samples=0)
        assert same(r["metrics"]["f_avg"]["value"], sk_favg(gold, pred))
        assert same(r["metrics"]["macro_f1"]["value"], sk_macro(gold, pred))
        assert same(r["metrics"]["accuracy"]["value"], accuracy_score(gold, pred))
        assert r["confusion"]["matrix"] == confusion_matrix(gold, pred, labels=[0, 1, 2]).tolist()
        f1 = f1_score(gold, pred, labels=[0, 1, 2], average=None, zero_division=0)
        for i, n in enumerate(NAMES):
            assert same(r["per_class"][n]["f1"], f1[i])
            assert r["per_class"][n]["support"] == int((gold == i).sum())
        # the route the bootstrap takes (F1 from confusion counts) gives the same values
        cs = confusion_scores(confusion_matrix(gold, pred, labels=[0, 1, 2]), NAMES)
        assert same(float(cs["f_avg"]), sk_favg(gold, pred))
        assert same(float(cs["macro_f1"]), sk_macro(gold, pred))
        checked += 1
    assert checked == 400


def test_favor_and_against_are_not_mixed_up():
    # gold favor everywhere, predicted against everywhere: F_avg 0; the reverse labelling would give 1
    gold, pred = np.full(10, FAVOR), np.full(10, AGAINST)
    assert score(gold, pred, NAMES, samples=0)["metrics"]["f_avg"]["value"] == 0.0
    # 'none' never counts in F_avg: perfect none, wrong favor/against
    gold = np.array([0, 0, 0, FAVOR, AGAINST])
    pred = np.array([0, 0, 0, AGAINST, FAVOR])
    r = score(gold, pred, NAMES, samples=0)
    assert r["metrics"]["f_avg"]["value"] == 0.0
    assert r["per_class"]["none"]["f1"] == 1.0


def test_evaluate_on_the_test_split_equals_scikit_learn(test_rows):
    rng = np.random.default_rng(3)
    for _ in range(25):
        pred = rng.integers(0, 3, len(test_rows))
        r = evaluate(dict(zip(test_rows.id, pred.tolist())), samples=0)
        gold = test_rows.label.to_numpy()
        assert r["rows"] == len(test_rows) and r["units"] == test_rows.sentence_id.nunique()
        assert same(r["metrics"]["f_avg"]["value"], sk_favg(gold, pred))
        assert same(r["metrics"]["macro_f1"]["value"], sk_macro(gold, pred))
        assert same(r["metrics"]["accuracy"]["value"], accuracy_score(gold, pred))
        for t in TARGETS:
            m = (test_rows.target == t).to_numpy()
            assert same(r["per_target"][t]["f_avg"]["value"], sk_favg(gold[m], pred[m]))


def test_label_names_indices_and_files_score_alike(test_rows, tmp_path):
    rng = np.random.default_rng(5)
    pred = rng.integers(0, 3, len(test_rows))
    ids = test_rows.id.tolist()
    as_ints = evaluate(dict(zip(ids, pred.tolist())))
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text("".join(json.dumps({"id": i, "label": NAMES[p].upper()}) + "\n" for i, p in zip(ids, pred)))
    csv = tmp_path / "p.csv"
    csv.write_text("id,label\n" + "".join(f"{i},{p}\n" for i, p in zip(ids, pred)))
    frame = pd.DataFrame({"id": ids, "label": [NAMES[p] for p in pred]})
    for other in (jsonl, str(csv), frame, list(zip(ids, pred.tolist()))):
        assert evaluate(other) == as_ints


def test_gold_as_predictions_scores_one(test_rows):
    r = evaluate(dict(zip(test_rows.id, test_rows.label.tolist())))
    # eval.pl's rule inside the bootstrap: a resample without the test split's only favor sentence
    # scores favor 0, so even the gold labels have a lower bound of 0.5
    assert r["metrics"]["f_avg"] == {"value": 1.0, "ci": [0.5, 1.0]}
    assert r["metrics"]["accuracy"]["value"] == 1.0


def test_bootstrap_resamples_sentences_with_a_fixed_seed(test_rows):
    """The vectorised bootstrap equals a plain loop that resamples whole sentences, scored by scikit-learn."""
    rng = np.random.default_rng(11)
    pred = rng.integers(0, 3, len(test_rows))
    gold = test_rows.label.to_numpy()
    units = test_rows.sentence_id.to_numpy()
    samples, seed = 60, 123
    r = score(gold, pred, NAMES, units=units, targets=test_rows.target.to_numpy(), samples=samples, seed=seed)
    assert r["bootstrap"]["unit"] == "sentence" and r["bootstrap"]["seed"] == seed

    names, inverse = np.unique(units, return_inverse=True)
    draws = np.random.default_rng(seed).integers(0, len(names), size=(samples, len(names)))
    favg, acc, war = [], [], []
    war_mask = (test_rows.target == "war").to_numpy()
    for d in draws:
        rows = np.concatenate([np.flatnonzero(inverse == u) for u in d])
        favg.append(sk_favg(gold[rows], pred[rows]))
        acc.append(accuracy_score(gold[rows], pred[rows]))
        wr = rows[war_mask[rows]]
        war.append(sk_favg(gold[wr], pred[wr]))
    for ours, values in ((r["metrics"]["f_avg"]["ci"], favg), (r["metrics"]["accuracy"]["ci"], acc),
                         (r["per_target"]["war"]["f_avg"]["ci"], war)):
        values = np.array(values)
        values = values[~np.isnan(values)]
        assert ours == pytest.approx(np.percentile(values, [2.5, 97.5]).tolist(), abs=1e-6)

    assert score(gold, pred, NAMES, units=units, samples=samples, seed=seed) == \
        score(gold, pred, NAMES, units=units, samples=samples, seed=seed)
    other = score(gold, pred, NAMES, units=units, samples=samples, seed=seed + 1)
    assert other["metrics"]["f_avg"]["ci"] != r["metrics"]["f_avg"]["ci"]


def test_restrictions_agreed_items_and_targets(test_rows):
    full = dict(zip(test_rows.id, test_rows.label.tolist()))
    agreed = evaluate(full, agreed_only=True, samples=0)
    assert agreed["rows"] == int(test_rows.passes_agree.sum())
    assert agreed["agreed_only"] is True
    two = evaluate(full, targets=["war", "putin"], samples=0)
    assert two["rows"] == int(test_rows.target.isin(["war", "putin"]).sum())
    assert set(two["per_target"]) == {"war", "putin"}
    # a file restricted to the scored targets is enough; rows of other targets are not required
    only = {k: v for k, v in full.items() if k.endswith(("-war", "-putin"))}
    assert evaluate(only, targets=["war", "putin"], samples=0)["metrics"] == two["metrics"]
    with pytest.raises(belgrade_stance.LoadError, match="unknown target"):
        evaluate(full, targets=["brexit"])


@pytest.mark.parametrize("mutate, message", [
    (lambda p: p[1:], "1 missing id"),
    (lambda p: p + [("d99-s000-war", "none")], "1 unknown id"),
    (lambda p: p + [p[0]], "predicted more than once"),
    (lambda p: [(p[0][0], "pro")] + p[1:], "1 unknown label"),
    (lambda p: [(p[0][0], 3)] + p[1:], "1 unknown label"),
    (lambda p: [(p[0][0], True)] + p[1:], "1 unknown label"),
    (lambda p: [], "missing id"),
])
def test_bad_predictions_are_refused_with_the_offenders(test_rows, mutate, message):
    preds = list(zip(test_rows.id, ["none"] * len(test_rows)))
    with pytest.raises(PredictionError, match=message) as e:
        evaluate(mutate(preds))
    assert "nothing was scored" in str(e.value)


def test_offender_lists_are_short(test_rows):
    with pytest.raises(PredictionError) as e:
        evaluate([(f"x{i}", "none") for i in range(40)])
    text = str(e.value)
    assert "156 missing id(s)" in text and "40 unknown id(s)" in text and "more)" in text
    assert len(text) < 1500


@pytest.mark.parametrize("name, content, message", [
    ("p.jsonl", '{"id": "d03-s000-war", "label": "none"}\nnot json\n', "line 2: not valid JSON"),
    ("p.jsonl", '{"id": "d03-s000-war"}\n', "line 1: each record must be an object with the keys id and label"),
    ("p.csv", "sentence,stance\nd03-s000-war,none\n", "line 1: the CSV header must name the columns id and label"),
    ("p.csv", "id,label\nd03-s000-war,\n", "line 2: a row needs both id and label"),
    ("p.jsonl", "", "no predictions at all"),
])
def test_bad_files_name_the_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(PredictionError, match=message):
        evaluate(path)


def test_lodo_scores_every_fold_and_the_pooled_predictions(all_rows):
    rng = np.random.default_rng(17)
    pred = np.where(rng.random(len(all_rows)) < 0.6, all_rows.label, rng.integers(0, 3, len(all_rows)))
    r = evaluate_cv(dict(zip(all_rows.id, pred.tolist())), samples=100)
    assert list(r["folds"]) == sorted(all_rows.doc_id.unique())
    for doc, f in r["folds"].items():
        m = (all_rows.doc_id == doc).to_numpy()
        assert f["rows"] == int(m.sum())
        assert same(f["f_avg"], sk_favg(all_rows.label.to_numpy()[m], pred[m]))
    values = [f["f_avg"] for f in r["folds"].values()]
    assert r["over_folds"]["f_avg"]["mean"] == pytest.approx(np.mean(values), abs=1e-6)
    assert r["over_folds"]["f_avg"]["sd"] == pytest.approx(np.std(values, ddof=1), abs=1e-6)
    assert same(r["pooled"]["metrics"]["f_avg"]["value"], sk_favg(all_rows.label.to_numpy(), pred))
    assert r["pooled"]["units"] == all_rows.sentence_id.nunique()
    with pytest.raises(PredictionError, match="missing id"):
        evaluate_cv(dict(zip(all_rows.id[:-1], pred[:-1].tolist())))


def test_folds_need_no_split_code(all_rows):
    seen = []
    for name, train, test in folds("lodo"):
        assert set(test.doc_id) == {name}
        assert name not in set(train.doc_id)
        assert not set(train.sentence_id) & set(test.sentence_id)
        assert len(train) + len(test) == len(all_rows)
        seen.append(name)
    assert seen == sorted(all_rows.doc_id.unique())
    [(name, train, test)] = list(folds("split"))
    assert name == "test" and set(train.split) == {"train"} and set(test.split) == {"test"}
    arrow = next(folds("lodo", format="arrow"))
    assert arrow[1].num_rows + arrow[2].num_rows == len(all_rows)
    with pytest.raises(belgrade_stance.LoadError):
        next(folds("kfold"))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "belgrade_stance.cli", "evaluate", *map(str, args)],
                          capture_output=True, text=True)


def test_cli_table_json_and_refusal(test_rows, tmp_path):
    path = tmp_path / "pred.jsonl"
    path.write_text("".join(json.dumps({"id": i, "label": "against"}) + "\n" for i in test_rows.id))
    table = _cli(path)
    assert table.returncode == 0, table.stderr
    assert "F_avg (official)" in table.stdout and "confusion" in table.stdout
    as_json = _cli(path, "--json", "--samples", "200")
    assert json.loads(as_json.stdout) == evaluate(path, samples=200)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1] + [lines[0]]) + "\n")
    bad = _cli(path)
    assert bad.returncode == 1 and bad.stdout == ""
    assert "missing id" in bad.stderr and "more than once" in bad.stderr and "line 1, line 156" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert _cli(tmp_path / "absent.jsonl").returncode == 1
