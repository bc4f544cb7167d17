"""The scorer follows SemEval-2016's eval.pl at every level: overall, per target and inside every
bootstrap resample. `evalpl_macro_f` re-implements eval.pl's arithmetic line by line (labels as
strings, counts in dicts), independently of the scorer's confusion-matrix code."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import belgrade_stance
from belgrade_stance.evaluate import score
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


def _score(gold, guess, **kw):
    return score([NAMES.index(g) for g in gold], [NAMES.index(p) for p in guess], NAMES, samples=0, **kw)


CRAFTED = {
    "favor-absent-from-gold": (["against", "none", "against"], ["against", "favor", "none"]),
    "favor-absent-from-predictions": (["favor", "against", "none"], ["none", "against", "none"]),
    "favor-absent-from-both": (["against", "none", "against"], ["against", "none", "none"]),
    "both-absent-from-both": (["none", "none"], ["none", "none"]),
    "against-absent-from-both": (["favor", "none"], ["favor", "favor"]),
    "all-wrong": (["favor", "against"], ["against", "favor"]),
    "perfect": (["favor", "against", "none"], ["favor", "against", "none"]),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_f_avg_is_eval_pl_on_crafted_cases(case):
    gold, guess = CRAFTED[case]
    assert _score(gold, guess)["metrics"]["f_avg"]["value"] == pytest.approx(evalpl_macro_f(gold, guess), abs=1e-6)


def test_a_class_absent_from_gold_and_predictions_counts_as_zero():
    # eval.pl divides by two even when favor is nowhere: a perfect against-only run scores 0.5
    assert _score(["against", "none"], ["against", "none"])["metrics"]["f_avg"]["value"] == 0.5


def test_per_target_scores_follow_eval_pl():
    gold = ["favor", "none", "against", "none", "against", "none"]
    guess = ["favor", "against", "against", "none", "none", "none"]
    targets = ["a", "a", "b", "b", "c", "c"]
    report = _score(gold, guess, targets=targets)
    for t in "abc":
        idx = [i for i, x in enumerate(targets) if x == t]
        want = evalpl_macro_f([gold[i] for i in idx], [guess[i] for i in idx])
        assert report["per_target"][t]["f_avg"]["value"] == pytest.approx(want, abs=1e-6), t


@pytest.mark.parametrize("seed", range(25))
def test_f_avg_is_eval_pl_on_random_files(seed):
    rnd = random.Random(seed)
    n = rnd.randint(1, 40)
    weights = [rnd.random() for _ in NAMES]
    gold = rnd.choices(NAMES, weights, k=n)
    guess = rnd.choices(NAMES, [rnd.random() for _ in NAMES], k=n)
    targets = rnd.choices(["t1", "t2", "t3"], k=n)
    report = _score(gold, guess, targets=targets)
    assert report["metrics"]["f_avg"]["value"] == pytest.approx(evalpl_macro_f(gold, guess), abs=1e-6)
    for t in set(targets):
        idx = [i for i, x in enumerate(targets) if x == t]
        assert report["per_target"][t]["f_avg"]["value"] == pytest.approx(
            evalpl_macro_f([gold[i] for i in idx], [guess[i] for i in idx]), abs=1e-6)


def test_every_bootstrap_resample_is_scored_by_eval_pl():
    """The interval equals percentiles of eval.pl's Macro F over the very resamples the scorer
    draws (whole sentences, numpy's default_rng(seed))."""
    rnd = random.Random(7)
    units = [f"s{i // 3}" for i in range(60)]  # 20 sentences of 3 rows
    gold = rnd.choices(NAMES, [6, 2, 1], k=60)
    guess = [g if rnd.random() < 0.6 else rnd.choice(NAMES) for g in gold]
    samples, seed = 200, 11
    report = score([NAMES.index(g) for g in gold], [NAMES.index(p) for p in guess], NAMES, units=units,
                   samples=samples, seed=seed)
    unit_ids = np.unique(np.asarray(units), return_inverse=True)[1]
    rows_of = [np.flatnonzero(unit_ids == u) for u in range(unit_ids.max() + 1)]
    draws = np.random.default_rng(seed).integers(0, len(rows_of), size=(samples, len(rows_of)))
    values = []
    for draw in draws:
        rows = [i for u in draw for i in rows_of[u]]
        values.append(evalpl_macro_f([gold[i] for i in rows], [guess[i] for i in rows]))
    lo, hi = np.percentile(values, [2.5, 97.5])
    assert report["metrics"]["f_avg"]["ci"] == [pytest.approx(lo, abs=1e-6), pytest.approx(hi, abs=1e-6)]


def test_the_shipped_baselines_score_as_eval_pl_per_target():
    gold = belgrade_stance.load("stance", split="test", format="arrow").to_pydict()
    names = belgrade_stance.inventories()["stance_labels"]
    path = ROOT / "results/predictions/tfidf-lr/split.jsonl"
    pred = {r["id"]: r["label"] for r in map(json.loads, path.read_text().splitlines())}
    report = belgrade_stance.evaluate(path, samples=0)
    g = [names[i] for i in gold["label"]]
    p = [pred[i] if isinstance(pred[i], str) else names[pred[i]] for i in gold["id"]]
    assert report["metrics"]["f_avg"]["value"] == pytest.approx(evalpl_macro_f(g, p), abs=1e-6)
    for t in set(gold["target"]):
        idx = [i for i, x in enumerate(gold["target"]) if x == t]
        assert report["per_target"][t]["f_avg"]["value"] == pytest.approx(
            evalpl_macro_f([g[i] for i in idx], [p[i] for i in idx]), abs=1e-6), t
