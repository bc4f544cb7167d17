"""The scorers agree with independent computations: `evalpl_macro_f` is SemEval-2016's eval.pl line by
line (labels as strings, counts in dicts); scikit-learn, scipy's permutation_test, Holm by hand."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from scipy.stats import permutation_test
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

import belgrade_stance
from belgrade_stance.scoring.metrics import holm, paired, score
from helpers import ROOT

NAMES = ["none", "against", "favor"]


def evalpl_macro_f(gold: list[str], guess: list[str]) -> float:
    """eval.pl (Zhu, 2015): per category P = TP/guess if guess else 0, R = TP/gold if gold else 0,
    F = 2PR/(P+R) if P+R else 0; Macro F = (F_FAVOR + F_AGAINST) / 2."""
    tp, n_guess, n_gold = {}, {}, {}
    for g, p in zip(gold, guess):
        n_gold[g] = n_gold.get(g, 0) + 1
        n_guess[p] = n_guess.get(p, 0) + 1
        if g == p:
            tp[p] = tp.get(p, 0) + 1
    macro = 0.0
    for cat in ("favor", "against"):
        p = tp.get(cat, 0) / n_guess[cat] if n_guess.get(cat) else 0
        r = tp.get(cat, 0) / n_gold[cat] if n_gold.get(cat) else 0
        macro += 2 * p * r / (p + r) if p + r else 0
    return macro / 2


def assert_eval_pl(report: dict, gold: list[str], guess: list[str], targets: list[str]) -> None:
    """The report's F_avg, overall and per target, is eval.pl's Macro F."""
    assert report["metrics"]["f_avg"]["value"] == pytest.approx(evalpl_macro_f(gold, guess), abs=1e-6)
    for t in set(targets):
        rows = [i for i, x in enumerate(targets) if x == t]
        want = evalpl_macro_f([gold[i] for i in rows], [guess[i] for i in rows])
        assert report["per_target"][t]["f_avg"]["value"] == pytest.approx(want, abs=1e-6), t


def indices(labels: list[str]) -> list[int]:
    return [NAMES.index(x) for x in labels]


@pytest.mark.parametrize(
    "gold, guess",
    [
        (["against", "none", "against"], ["against", "favor", "none"]),  # favor absent from gold
        (["favor", "against", "none"], ["none", "against", "none"]),  # favor absent from predictions
        (["against", "none", "against"], ["against", "none", "none"]),  # favor absent from both
        (["against", "none"], ["against", "none"]),  # perfect, favor nowhere: 0.5, not 1
        (["none", "none"], ["none", "none"]),  # favor and against absent from both
        (["favor", "none"], ["favor", "favor"]),  # against absent from both
        (["favor", "against"], ["against", "favor"]),  # favor and against swapped
        (["none", "none", "favor", "against"], ["none", "none", "against", "favor"]),  # none never counts
        (["favor", "against", "none"], ["favor", "against", "none"]),  # perfect
    ],
)
def test_f_avg_is_eval_pl_on_crafted_cases(gold, guess):
    targets = (["a", "b"] * len(gold))[: len(gold)]
    report = score(indices(gold), indices(guess), NAMES, targets=targets, samples=0)
    assert_eval_pl(report, gold, guess, targets)


@pytest.mark.parametrize("seed", range(12))
def test_every_figure_is_eval_pl_and_scikit_learn_on_random_files(seed):
    rnd = random.Random(seed)
    n = rnd.randint(1, 50)
    gold = rnd.choices(NAMES, [rnd.random() ** 2 for _ in NAMES], k=n)  # often a class is nearly absent
    guess = [g if rnd.random() < seed / 12 else p for g, p in zip(gold, rnd.choices(NAMES, k=n))]
    guess = guess if seed % 4 else [guess[0]] * n  # a constant system
    targets = rnd.choices(["t1", "t2", "t3"], k=n)
    g, p = indices(gold), indices(guess)
    report = score(g, p, NAMES, targets=targets, samples=0)
    assert_eval_pl(report, gold, guess, targets)
    macro = f1_score(g, p, labels=[0, 1, 2], average="macro", zero_division=0)
    assert report["metrics"]["macro_f1"]["value"] == pytest.approx(macro, abs=1e-6)
    assert report["metrics"]["accuracy"]["value"] == pytest.approx(accuracy_score(g, p), abs=1e-6)
    cm = confusion_matrix(g, p, labels=[0, 1, 2])
    assert report["confusion"]["matrix"] == cm.tolist()
    per_class = precision_recall_fscore_support(g, p, labels=[0, 1, 2], zero_division=0)
    for key, theirs in zip(("precision", "recall", "f1"), per_class):
        assert [report["per_class"][n][key] for n in NAMES] == pytest.approx(theirs.tolist(), abs=1e-6)
    assert [report["per_class"][n]["support"] for n in NAMES] == cm.sum(axis=1).tolist()


def test_the_shipped_baselines_score_as_eval_pl_per_target():
    gold = belgrade_stance.load("stance", split="test", format="arrow").to_pydict()
    path = ROOT / "results/predictions/tfidf-lr/split.jsonl"
    pred = {r["id"]: r["label"] for r in map(json.loads, path.read_text().splitlines())}
    report = belgrade_stance.evaluate(path, samples=0)
    g = [NAMES[i] for i in gold["label"]]
    p = [pred[i] for i in gold["id"]]
    assert report["rows"] == len(g) and report["units"] == len(set(gold["sentence_id"]))
    assert_eval_pl(report, g, p, gold["target"])


def sentences(seed: int, n: int):
    """Gold and two systems' labels of n sentences of 3 rows (one per target), and each row's sentence."""
    rnd = random.Random(seed)
    gold = rnd.choices(NAMES, [6, 2, 1], k=3 * n)
    a, b = ([g if rnd.random() < q else rnd.choice(NAMES) for g in gold] for q in (0.5, 0.7))
    return gold, a, b, [i // 3 for i in range(3 * n)]


def resampled(draws, *labels):
    """The labels of the rows of the drawn sentences (3 rows each), for every draw."""
    return [[[x[3 * u + j] for u in draw for j in range(3)] for x in labels] for draw in draws]


def test_every_bootstrap_resample_is_scored_by_eval_pl():
    """Intervals: percentiles of eval.pl's Macro F and accuracy over the scorer's very resamples."""
    gold, guess, _, units = sentences(7, 20)
    options = dict(units=units, targets=["t1", "t2", "t3"] * 20, samples=100)
    report = score(indices(gold), indices(guess), NAMES, seed=11, **options)
    assert report["bootstrap"]["unit"] == "sentence" and report["units"] == 20
    draws = resampled(np.random.default_rng(11).integers(0, 20, size=(100, 20)), gold, guess)
    for ours, values in (
        (report["metrics"]["f_avg"]["ci"], [evalpl_macro_f(g, p) for g, p in draws]),
        (report["metrics"]["accuracy"]["ci"], [np.mean([x == y for x, y in zip(g, p)]) for g, p in draws]),
        (report["per_target"]["t1"]["f_avg"]["ci"], [evalpl_macro_f(g[::3], p[::3]) for g, p in draws]),
    ):
        assert ours == pytest.approx(np.percentile(values, [2.5, 97.5]).tolist(), abs=1e-6)
    again, other = (score(indices(gold), indices(guess), NAMES, seed=seed, **options) for seed in (11, 12))
    assert again == report and other["metrics"]["f_avg"]["ci"] != report["metrics"]["f_avg"]["ci"]


def test_the_paired_bootstrap_resamples_sentences_for_both_systems_and_holm_is_as_by_hand():
    gold, a, b, units = sentences(11, 30)
    ours = paired(indices(gold), indices(a), indices(b), NAMES, units, samples=100, permutations=0, seed=17)
    draws = resampled(np.random.default_rng(17).integers(0, 30, size=(100, 30)), gold, a, b)
    diffs = [evalpl_macro_f(g, y) - evalpl_macro_f(g, x) for g, x, y in draws]
    assert ours["f_avg"]["ci"] == pytest.approx(np.percentile(diffs, [2.5, 97.5]).tolist(), abs=1e-6)
    difference = evalpl_macro_f(gold, b) - evalpl_macro_f(gold, a)
    assert ours["f_avg"]["difference"] == pytest.approx(difference, abs=1e-6)
    assert holm({"a": 0.01, "b": 0.04, "c": 0.03}) == pytest.approx({"a": 0.03, "b": 0.06, "c": 0.06})
    assert holm({"a": 0.5, "b": 0.9}) == pytest.approx({"a": 1.0, "b": 1.0})


@pytest.mark.parametrize("seed, n", [(0, 8), (1, 8), (2, 8), (3, 40)])
def test_randomization_is_scipy_s_permutation_test(seed, n):
    """Two-sided p of |F_avg(B) − F_avg(A)|, a sentence's labels swapped together: scipy's for all 2^8
    assignments; for 40, (1 + #extreme) / 2001 over the scorer's own draws, within 0.04 of scipy's."""
    gold, a, b, units = sentences(seed, n)
    ours = paired(indices(gold), indices(a), indices(b), NAMES, units, samples=0, permutations=2000, seed=5)
    assert ours["randomization"] == {"assignments": 256 if n == 8 else 2000, "exact": n == 8}

    def statistic(swap, _=None):  # swap[u] is 1 where sentence u's labels of A and B are exchanged
        a2 = [y if swap[u] else x for x, y, u in zip(a, b, units)]
        b2 = [x if swap[u] else y for x, y, u in zip(a, b, units)]
        return abs(evalpl_macro_f(gold, b2) - evalpl_macro_f(gold, a2))

    options = dict(permutation_type="samples", alternative="greater", n_resamples=2000, random_state=seed)
    theirs = permutation_test((np.zeros(n), np.ones(n)), statistic, **options).pvalue
    assert 0.01 < theirs < 0.99 and ours["f_avg"]["p"] == pytest.approx(theirs, abs=1e-6 if n == 8 else 0.04)
    if n == 40:
        null = [statistic(swap) for swap in np.random.default_rng(5 + 1).integers(0, 2, size=(2000, n))]
        extreme = sum(value >= statistic(np.zeros(n)) - 1e-12 for value in null)
        assert ours["f_avg"]["p"] == pytest.approx((extreme + 1) / 2001, abs=1e-6)
