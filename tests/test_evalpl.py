"""The scorers agree with independent computations: `evalpl_macro_f` is SemEval-2016's eval.pl line by
line (labels as strings, counts in dicts); scikit-learn; a plain bootstrap loop. A comparison's interval,
p-value and flag agree on every prediction set hypothesis draws."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

import belgrade_stance
from belgrade_stance.scoring.metrics import COMPARED, inference, paired, score
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


def test_the_paired_bootstrap_resamples_sentences_for_both_systems():
    gold, a, b, units = sentences(11, 30)
    ours = paired(indices(gold), indices(a), indices(b), NAMES, units, samples=100, seed=17)
    draws = resampled(np.random.default_rng(17).integers(0, 30, size=(100, 30)), gold, a, b)
    diffs = sorted(round(evalpl_macro_f(g, y) - evalpl_macro_f(g, x), 6) for g, x, y in draws)
    below, above = sum(d <= 0 for d in diffs), sum(d >= 0 for d in diffs)
    p = min(1, 2 * min(below, above) / 100)  # p < 0.05 needs fewer than 3 draws on a side: k = 3
    assert ours["f_avg"]["ci"] == pytest.approx([diffs[2], diffs[97]], abs=1e-6)
    assert ours["f_avg"]["p"] == pytest.approx(p, abs=1e-6) and ours["f_avg"]["significant"] == (p < 0.05)
    difference = evalpl_macro_f(gold, b) - evalpl_macro_f(gold, a)
    assert ours["f_avg"]["delta"] == pytest.approx(difference, abs=1e-6)


labels = st.lists(st.integers(0, 2), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    systems=st.tuples(labels, labels, labels).map(lambda t: [x[: min(map(len, t))] for x in t]),
    sentence=st.integers(1, 4),
    samples=st.integers(1, 80),
    seed=st.integers(0, 2**16),
    alpha=st.sampled_from([0.05, 0.1, 0.25, 1 / 3, 0.5, 1.0]),
)
@example(systems=[[1, 2, 0], [1, 2, 0], [1, 2, 0]], sentence=1, samples=40, seed=0, alpha=0.05)  # A = B
@example(systems=[[1, 2] * 8, [0, 0] * 8, [1, 2] * 8], sentence=1, samples=40, seed=0, alpha=0.05)
@example(systems=[[1, 2, 0, 1], [0, 0, 0, 1], [1, 2, 0, 0]], sentence=1, samples=1, seed=3, alpha=1.0)
@example(
    systems=[[1, 2, 1, 0] * 3, [1, 0, 0, 0] * 3, [0, 2, 1, 0] * 3], sentence=2, samples=20, seed=1, alpha=0.1
)
def test_a_difference_is_significant_exactly_when_its_interval_excludes_zero(
    systems, sentence, samples, seed, alpha
):
    gold, a, b = systems
    units = [i // sentence for i in range(len(gold))]
    targets = ["t1", "t2"] * len(gold)
    r = paired(
        gold, a, b, NAMES, units, targets=targets[: len(gold)], samples=samples, seed=seed, alpha=alpha
    )
    for m in COMPARED:
        e = r[m]
        excludes_zero = e["ci"][0] > 0 or e["ci"][1] < 0
        assert e["significant"] == excludes_zero == (e["p"] < alpha) and e["ci"][0] <= e["ci"][1]
    assert all(set(e) == {"delta", "ci"} for e in r["per_target"].values())


@given(
    st.lists(st.sampled_from([-0.5, -1e-7, 0.0, 4e-7, 1e-6, 0.25]), min_size=1, max_size=60),
    st.floats(0.01, 1),
)
def test_p_value_and_interval_agree_on_any_draws_with_ties_at_zero(draws, alpha):
    e = inference(draws, alpha)
    assert e["significant"] == (e["ci"][0] > 0 or e["ci"][1] < 0) == (e["p"] < alpha)
