"""`compare`: paired bootstrap and approximate randomization, checked against independent
computations (scipy's permutation_test, a plain bootstrap loop, Holm by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import permutation_test
from sklearn.metrics import f1_score

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.compare import holm, paired
from helpers import ROOT

NAMES = ["none", "against", "favor"]
PRED = ROOT / "results" / "predictions"


def f_avg(gold, pred) -> float:
    return float(f1_score(gold, pred, labels=[2, 1], average="macro", zero_division=0))


def random_systems(seed: int, n_units: int, rows_per_unit: int = 3):
    rng = np.random.default_rng(seed)
    n = n_units * rows_per_unit
    gold = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    a = np.where(rng.random(n) < 0.5, gold, rng.integers(0, 3, n))
    b = np.where(rng.random(n) < 0.7, gold, rng.integers(0, 3, n))
    units = np.repeat([f"s{i:03d}" for i in range(n_units)], rows_per_unit)
    return gold, a, b, units


def scipy_p(gold, a, b, units, n_resamples: int, seed: int) -> float:
    """Two-sided paired randomization p of |F_avg(b) − F_avg(a)|, sentences swapped whole."""
    ids = np.unique(units, return_inverse=True)[1]
    rows_of = [np.flatnonzero(ids == u) for u in range(ids.max() + 1)]

    def statistic(x, y, axis=-1):
        x, y = np.atleast_2d(x), np.atleast_2d(y)
        out = []
        for xs, ys in zip(x, y):  # xs[u] is 0 if unit u keeps (a, b), 1 if swapped
            pa, pb = a.copy(), b.copy()
            for u, s in enumerate(xs):
                if s:
                    pa[rows_of[u]], pb[rows_of[u]] = b[rows_of[u]], a[rows_of[u]]
            out.append(abs(f_avg(gold, pb) - f_avg(gold, pa)))
        return np.array(out)

    zeros, ones = np.zeros(len(rows_of)), np.ones(len(rows_of))
    res = permutation_test((zeros, ones), statistic, permutation_type="samples", vectorized=True,
                           alternative="greater", n_resamples=n_resamples, random_state=seed)
    return float(res.pvalue)


@pytest.mark.parametrize("seed", range(4))
def test_exact_randomization_equals_scipy(seed):
    gold, a, b, units = random_systems(seed, n_units=8)
    ours = paired(gold, a, b, NAMES, units, samples=0, permutations=10_000)
    assert ours["randomization"] == {"assignments": 256, "exact": True}
    assert ours["f_avg"]["p"] == pytest.approx(scipy_p(gold, a, b, units, 10_000, seed), abs=1e-6)


def test_random_randomization_agrees_with_scipy():
    gold, a, b, units = random_systems(3, n_units=40)
    ours = paired(gold, a, b, NAMES, units, samples=0, permutations=2000, seed=5)
    assert ours["randomization"]["exact"] is False
    theirs = scipy_p(gold, a, b, units, 2000, 9)
    assert abs(ours["f_avg"]["p"] - theirs) < 0.05, (ours["f_avg"]["p"], theirs)


def test_paired_bootstrap_equals_a_plain_loop():
    gold, a, b, units = random_systems(11, n_units=30)
    samples, seed = 200, 17
    ours = paired(gold, a, b, NAMES, units, samples=samples, permutations=0, seed=seed)
    ids = np.unique(units, return_inverse=True)[1]
    draws = np.random.default_rng(seed).integers(0, ids.max() + 1, size=(samples, ids.max() + 1))
    diffs = []
    for d in draws:
        rows = np.concatenate([np.flatnonzero(ids == u) for u in d])
        diffs.append(f_avg(gold[rows], b[rows]) - f_avg(gold[rows], a[rows]))
    assert ours["f_avg"]["ci"] == pytest.approx(np.percentile(diffs, [2.5, 97.5]).tolist(), abs=1e-6)
    assert ours["f_avg"]["difference"] == pytest.approx(f_avg(gold, b) - f_avg(gold, a), abs=1e-6)


def test_holm_by_hand():
    assert holm({"a": 0.01, "b": 0.04, "c": 0.03}) == pytest.approx({"a": 0.03, "b": 0.06, "c": 0.06})
    assert holm({"a": 0.5, "b": 0.9}) == pytest.approx({"a": 1.0, "b": 1.0})


def test_a_system_against_itself_differs_by_nothing():
    path = PRED / "tfidf-lr" / "split.jsonl"
    r = belgrade_stance.compare(path, path, samples=100, permutations=500)
    assert r["f_avg"]["difference"] == 0 and r["f_avg"]["p"] == 1.0 and not r["f_avg"]["significant"]
    assert all(e["f_avg"]["p_holm"] == 1.0 for e in r["per_target"].values())


def test_compare_scores_each_side_as_evaluate_does():
    a, b = PRED / "tfidf-lr" / "lodo.jsonl", PRED / "minilm-lr" / "lodo.jsonl"
    r = belgrade_stance.compare(a, b, protocol="lodo", samples=0, permutations=0)
    assert r["f_avg"]["a"] == belgrade_stance.evaluate_cv(a, samples=0)["pooled"]["metrics"]["f_avg"]["value"]
    assert r["f_avg"]["b"] == belgrade_stance.evaluate_cv(b, samples=0)["pooled"]["metrics"]["f_avg"]["value"]
    assert r["rows"] == 1050 and set(r["per_target"]) == set(belgrade_stance.inventories()["targets"])


def test_the_cli_compares_and_refuses_cleanly(tmp_path, capsys):
    a, b = PRED / "tfidf-lr" / "split.jsonl", PRED / "minilm-lr" / "split.jsonl"
    assert main(["compare", str(a), str(b), "--samples", "50", "--permutations", "200"]) == 0
    out = capsys.readouterr().out
    assert "B − A" in out and "all targets" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "label": "favor"}\n')
    assert main(["compare", str(a), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "[missing-prediction]" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as usage:
        main(["compare", str(a), str(b), "--permutations", "-1"])
    assert usage.value.code == 2 and "negative" in capsys.readouterr().err
