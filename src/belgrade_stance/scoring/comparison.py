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
from belgrade_stance.scoring.metrics import (
    LEVEL,
    SAMPLES,
    SEED,
    confusion_scores,
    interval,
    require_numpy,
    resample_weights,
    rounded,
    unit_confusions,
    whole_numbers,
)
from belgrade_stance.scoring.predictions import check_predictions
from belgrade_stance.scoring.stance_scorer import PROTOCOLS, gold_rows, scored_rows

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


def _scores(names, counts_a, counts_b, k: int):
    """B − A of every metric, and the scores of A and of B, for confusion counts (..., k·k)."""
    np = require_numpy()
    a = confusion_scores(counts_a.reshape(*counts_a.shape[:-1], k, k), names)
    b = confusion_scores(counts_b.reshape(*counts_b.shape[:-1], k, k), names)
    return {m: np.asarray(b[m]) - np.asarray(a[m]) for m in METRICS}, a, b


def _swaps(n_units: int, permutations: int, seed: int):
    """0/1 matrix (assignments, units): 1 where the two systems' predictions are swapped; every
    assignment when there are few enough, else random ones."""
    np = require_numpy()
    if n_units <= 30 and 2**n_units <= permutations:
        codes = np.arange(2**n_units)[:, None]
        return ((codes >> np.arange(n_units)) & 1).astype(float), True
    return np.random.default_rng(seed).integers(0, 2, size=(permutations, n_units)).astype(float), False


def _compared(ca, cb, rows: int, names, k: int, samples: int, permutations: int, seed: int, level: float):
    """The comparison entry of a group of rows from the confusion counts (units, k·k) of A and of B."""
    np = require_numpy()
    observed, sa, sb = _scores(names, ca.sum(axis=0), cb.sum(axis=0), k)
    entry = {
        m: {"a": rounded(sa[m]), "b": rounded(sb[m]), "difference": rounded(observed[m])} for m in METRICS
    }
    entry["rows"] = rows
    if samples:
        weights = resample_weights(ca.shape[0], samples, seed)
        boot, _, _ = _scores(names, weights @ ca, weights @ cb, k)
        for m in METRICS:
            entry[m]["ci"] = interval(boot[m], level)
    if permutations:
        swap, exact = _swaps(ca.shape[0], permutations, seed + 1)
        null, _, _ = _scores(names, (1 - swap) @ ca + swap @ cb, swap @ ca + (1 - swap) @ cb, k)
        for m in METRICS:
            extreme = int((np.abs(null[m]) >= abs(observed[m]) - 1e-12).sum())
            p = extreme / swap.shape[0] if exact else (extreme + 1) / (swap.shape[0] + 1)
            entry[m]["p"] = rounded(p)
        entry["randomization"] = {"assignments": int(swap.shape[0]), "exact": exact}
    return entry


def paired(
    gold,
    pred_a,
    pred_b,
    names: list[str],
    units,
    *,
    targets=None,
    samples: int = SAMPLES,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    level: float = LEVEL,
) -> dict:
    """Compare label indices pred_b with pred_a against gold, sentence units paired."""
    np = require_numpy()
    whole_numbers(samples=samples, permutations=permutations, seed=seed)
    gold, pred_a, pred_b = (np.asarray(x, dtype=int) for x in (gold, pred_a, pred_b))
    units = np.unique(np.asarray(units), return_inverse=True)[1]
    k = len(names)
    groups = {"all": None}
    if targets is not None:
        t = np.asarray(targets)
        groups.update({name: t == name for name in dict.fromkeys(t.tolist())})
    out: dict = {"rows": int(gold.size), "units": int(units.max()) + 1, "per_target": {}}
    for group, mask in groups.items():
        ca = unit_confusions(units, gold, pred_a, k, mask)
        cb = unit_confusions(units, gold, pred_b, k, mask)
        used = np.flatnonzero(ca.sum(axis=1) > 0)  # the sentences this group has rows in
        rows = int(gold.size if mask is None else mask.sum())
        entry = _compared(ca[used], cb[used], rows, names, k, samples, permutations, seed, level)
        if group == "all":
            out.update(entry)
        else:
            out["per_target"][group] = entry
    if permutations and out["per_target"]:
        for m in METRICS:
            adjusted = holm({t: e[m]["p"] for t, e in out["per_target"].items()})
            for t, e in out["per_target"].items():
                e[m]["p_holm"] = rounded(adjusted[t])
                e[m]["significant"] = adjusted[t] < ALPHA
    if permutations:
        for m in METRICS:
            out[m]["significant"] = out[m]["p"] < ALPHA
    return out


def compare(
    predictions_a,
    predictions_b,
    protocol: str = "split",
    split: str = "test",
    *,
    agreed_only: bool = False,
    targets=None,
    samples: int = SAMPLES,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    data_dir: Path | str | None = None,
    verify: bool = True,
) -> dict:
    """Paired comparison of two prediction sets (file paths or any form `evaluate` accepts).

    protocol "split" compares on one split (default test); "lodo" and "loto" on the
    cross-validation predictions of every row. Differences are B − A.
    """
    require_numpy()
    if protocol not in PROTOCOLS:
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: {', '.join(PROTOCOLS)}")
    split = "all" if protocol in ("lodo", "loto") else split
    gold = gold_rows(split, data_dir, verify)  # read once, for both systems
    rows, names, scope = scored_rows(predictions_a, split, agreed_only, targets, data_dir, verify, gold)
    labels_b = check_predictions(predictions_b, rows["id"], set(gold["id"]), names, scope)
    pred_b = [labels_b[i] for i in rows["id"]]
    options = {"targets": rows["target"], "samples": samples, "permutations": permutations, "seed": seed}
    report = paired(rows["label"], rows["pred"], pred_b, names, rows["sentence_id"], **options)
    return {
        "protocol": protocol,
        "split": split,
        "scope": scope,
        "a": _name(predictions_a),
        "b": _name(predictions_b),
        "alpha": ALPHA,
        "bootstrap": {"samples": samples, "seed": seed, "unit": "sentence", "method": "percentile"},
        **report,
    }


def _name(predictions) -> str:
    return str(predictions) if isinstance(predictions, (str, Path)) else type(predictions).__name__


def _signed(v) -> str:
    return "  n/a" if v is None else f"{v:+.3f}"


def _line(label: str, e: dict, m: str) -> str:
    ci = e[m].get("ci")
    p = e[m].get("p_holm", e[m].get("p"))
    star = " *" if e[m].get("significant") else ""
    return (
        f"  {label:<16}{e[m]['a']:>7.3f}{e[m]['b']:>7.3f}  {_signed(e[m]['difference'])}"
        + (f"  [{_signed(ci[0])}, {_signed(ci[1])}]" if ci else "")
        + (f"  p {p:.4f}{star}" if p is not None else "")
    )


def format_comparison(r: dict) -> str:
    """The comparison as a readable table."""
    boot, rand = r["bootstrap"], r.get("randomization", {})
    test = "no randomization test"
    if rand:
        kind = "assignments, exact" if rand.get("exact") else "permutations"
        test = f"approximate randomization ({rand['assignments']} {kind})"
    out = [
        f"belgrade-stance compare: B − A on {r['scope']} ({r['protocol']}), {r['rows']} rows, "
        f"{r['units']} sentences",
        f"  A: {r['a']}",
        f"  B: {r['b']}",
        f"  paired bootstrap over sentences ({boot['samples']} resamples, seed {boot['seed']}); {test}"
        f"; * significant at {r['alpha']} (targets: Holm-corrected)",
        "",
    ]
    for m in METRICS:
        out.append(f"  {m:<16}{'A':>7}{'B':>7}  {'B − A':>6}")
        out.append(_line("all targets", r, m))
        out += [_line(t, e, m) for t, e in r["per_target"].items()]
        out.append("")
    return "\n".join(out)
