"""Paired comparison of two systems' stance predictions on the same rows.

    import belgrade_stance
    report = belgrade_stance.compare("a.jsonl", "b.jsonl", protocol="lodo")
    print(belgrade_stance.format_comparison(report))

    belgrade-stance compare A B [--protocol split|lodo] [--json]

Both files are checked as the scorer checks one (every row of the scored set, nothing else). The
difference is B − A, of F_avg (eval.pl's, as the scorer computes it) and of macro-F1:

* a **paired bootstrap** interval: whole sentences are drawn with replacement, the same draws for
  both systems (percentile method, fixed seed);
* a **paired approximate-randomization** p-value (two-sided, on |B − A|): in each permutation the
  two systems' predictions of a sentence are swapped with probability ½, all rows of the sentence
  together; p = (1 + #{|Δ_perm| ≥ |Δ|}) / (1 + permutations). When 2^sentences is at most the
  number of permutations, every assignment is enumerated and p is exact: #{…} / 2^sentences;
* the same per target, with the p-values of the targets corrected for multiple comparisons by
  Holm's step-down method.
"""

from __future__ import annotations

from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.evaluate import (
    LEVEL, PROTOCOLS, SAMPLES, SEED, _checked, _interval, _num, _numpy, check_predictions, confusion_scores,
    gold_rows,
)

PERMUTATIONS = 10_000
"""Approximate-randomization permutations (exact enumeration when there are at most this many)."""
ALPHA = 0.05
"""Significance level the report flags differences at (after Holm's correction for targets)."""
METRICS = ("f_avg", "macro_f1")


def holm(pvalues: dict) -> dict:
    """Holm's step-down adjusted p-values (family-wise error), same keys."""
    order = sorted(pvalues, key=lambda k: (pvalues[k], str(k)))
    m, running, out = len(order), 0.0, {}
    for i, k in enumerate(order):
        running = max(running, min(1.0, (m - i) * pvalues[k]))
        out[k] = running
    return out


def _unit_counts(np, units, gold, pred, k: int, mask=None):
    """(units, k·k) confusion counts of every sentence (rows outside mask count nothing)."""
    counts = np.zeros((units.max() + 1, k * k))
    rows = np.ones(gold.size, bool) if mask is None else mask
    np.add.at(counts, (units[rows], gold[rows] * k + pred[rows]), 1)
    return counts


def _diff(np, names, counts_a, counts_b, k: int) -> dict:
    """B − A of every metric for confusion counts (..., k·k)."""
    a = confusion_scores(counts_a.reshape(*counts_a.shape[:-1], k, k), names)
    b = confusion_scores(counts_b.reshape(*counts_b.shape[:-1], k, k), names)
    return {m: np.asarray(b[m]) - np.asarray(a[m]) for m in METRICS}, a, b


def _swaps(np, n_units: int, permutations: int, rng):
    """0/1 matrix (assignments, units): 1 where the two systems' predictions are swapped; every
    assignment when there are few enough, else random ones."""
    if n_units <= 30 and 2 ** n_units <= permutations:
        codes = np.arange(2 ** n_units)[:, None]
        return ((codes >> np.arange(n_units)) & 1).astype(float), True
    return rng.integers(0, 2, size=(permutations, n_units)).astype(float), False


def paired(gold, pred_a, pred_b, names: list[str], units, *, targets=None, samples: int = SAMPLES,
           permutations: int = PERMUTATIONS, seed: int = SEED, level: float = LEVEL) -> dict:
    """Compare label indices pred_b with pred_a against gold, sentence units paired."""
    np = _numpy()
    for name, value in (("samples", samples), ("permutations", permutations), ("seed", seed)):
        if type(value) is not int or value < 0:
            raise LoadError("bad-argument", f"{name} must be a whole number ≥ 0, not {value!r}")
    gold, pred_a, pred_b = (np.asarray(x, dtype=int) for x in (gold, pred_a, pred_b))
    units = np.unique(np.asarray(units), return_inverse=True)[1]
    k = len(names)
    groups = {"all": None}
    if targets is not None:
        t = np.asarray(targets)
        groups.update({name: t == name for name in dict.fromkeys(t.tolist())})
    out: dict = {"rows": int(gold.size), "units": int(units.max()) + 1, "per_target": {}}
    for group, mask in groups.items():
        ca = _unit_counts(np, units, gold, pred_a, k, mask)
        cb = _unit_counts(np, units, gold, pred_b, k, mask)
        used = np.flatnonzero(ca.sum(axis=1) > 0)  # the sentences this group has rows in
        ca, cb = ca[used], cb[used]
        observed, sa, sb = _diff(np, names, ca.sum(axis=0), cb.sum(axis=0), k)
        entry = {m: {"a": _num(sa[m]), "b": _num(sb[m]), "difference": _num(observed[m])} for m in METRICS}
        entry["rows"] = int(gold.size if mask is None else mask.sum())
        if samples:
            rng = np.random.default_rng(seed)
            draws = rng.integers(0, used.size, size=(samples, used.size))
            weights = np.zeros((samples, used.size))
            np.add.at(weights, (np.repeat(np.arange(samples), used.size), draws.ravel()), 1)
            boot, _, _ = _diff(np, names, weights @ ca, weights @ cb, k)
            for m in METRICS:
                entry[m]["ci"] = _interval(boot[m], level)
        if permutations:
            swap, exact = _swaps(np, used.size, permutations, np.random.default_rng(seed + 1))
            perm_a = (1 - swap) @ ca + swap @ cb
            perm_b = swap @ ca + (1 - swap) @ cb
            null, _, _ = _diff(np, names, perm_a, perm_b, k)
            for m in METRICS:
                extreme = int((np.abs(null[m]) >= abs(observed[m]) - 1e-12).sum())
                p = extreme / swap.shape[0] if exact else (extreme + 1) / (swap.shape[0] + 1)
                entry[m]["p"] = _num(p)
            entry["randomization"] = {"assignments": int(swap.shape[0]), "exact": exact}
        if group == "all":
            out.update(entry)
        else:
            out["per_target"][group] = entry
    if permutations and out["per_target"]:
        for m in METRICS:
            adjusted = holm({t: e[m]["p"] for t, e in out["per_target"].items()})
            for t, e in out["per_target"].items():
                e[m]["p_holm"] = _num(adjusted[t])
                e[m]["significant"] = adjusted[t] < ALPHA
    if permutations:
        for m in METRICS:
            out[m]["significant"] = out[m]["p"] < ALPHA
    return out


def compare(predictions_a, predictions_b, protocol: str = "split", split: str = "test", *,
            agreed_only: bool = False, targets=None, samples: int = SAMPLES, permutations: int = PERMUTATIONS,
            seed: int = SEED, data_dir: Path | str | None = None, verify: bool = True) -> dict:
    """Paired comparison of two prediction sets (file paths or any form `evaluate` accepts).

    protocol "split" compares on one split (default test); "lodo" on the leave-one-document-out
    predictions of every row. Differences are B − A.
    """
    _numpy()
    if protocol not in PROTOCOLS:
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: {', '.join(PROTOCOLS)}")
    split = "all" if protocol in ("lodo", "loto") else split
    gold = gold_rows(split, data_dir, verify)  # read once, for both systems
    rows, names, scope = _checked(predictions_a, split, agreed_only, targets, data_dir, verify, gold)
    labels_b = check_predictions(predictions_b, rows["id"], set(gold["id"]), names, scope)
    report = paired(rows["label"], rows["pred"], [labels_b[i] for i in rows["id"]], names, rows["sentence_id"],
                    targets=rows["target"], samples=samples, permutations=permutations, seed=seed)
    return {"protocol": protocol, "split": split, "scope": scope, "a": _name(predictions_a),
            "b": _name(predictions_b), "alpha": ALPHA, "bootstrap": {"samples": samples, "seed": seed,
                                                                   "unit": "sentence", "method": "percentile"},
            **report}


def _name(predictions) -> str:
    return str(predictions) if isinstance(predictions, (str, Path)) else type(predictions).__name__


def format_comparison(r: dict) -> str:
    """The comparison as a readable table."""
    def fmt(v):
        return "  n/a" if v is None else f"{v:+.3f}"

    def line(label, e, m):
        ci = e[m].get("ci")
        p = e[m].get("p_holm", e[m].get("p"))
        star = " *" if e[m].get("significant") else ""
        return (f"  {label:<16}{e[m]['a']:>7.3f}{e[m]['b']:>7.3f}  {fmt(e[m]['difference'])}"
                + (f"  [{fmt(ci[0])}, {fmt(ci[1])}]" if ci else "") + (f"  p {p:.4f}{star}" if p is not None else ""))

    rand = r.get("randomization", {})
    out = [f"belgrade-stance compare: B − A on {r['scope']} ({r['protocol']}), {r['rows']} rows, {r['units']} sentences",
           f"  A: {r['a']}", f"  B: {r['b']}",
           f"  paired bootstrap over sentences ({r['bootstrap']['samples']} resamples, seed {r['bootstrap']['seed']}); "
           + (f"approximate randomization ({rand['assignments']} {'assignments, exact' if rand.get('exact') else 'permutations'})"
              if rand else "no randomization test")
           + f"; * significant at {r['alpha']} (targets: Holm-corrected)", ""]
    for m in METRICS:
        out.append(f"  {m:<16}{'A':>7}{'B':>7}  {'B − A':>6}")
        out.append(line("all targets", r, m))
        for t, e in r["per_target"].items():
            out.append(line(t, e, m))
        out.append("")
    return "\n".join(out)
