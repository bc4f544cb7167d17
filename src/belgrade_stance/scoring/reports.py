"""The scorers' reports as readable tables (the reports themselves are JSON-ready dicts)."""

from __future__ import annotations

from belgrade_stance.scoring.metrics import COMPARED


def _fmt(v: float | None, sign: str = "") -> str:
    return "  n/a" if v is None else f"{v:{sign}.3f}"


def _with_ci(m: dict, sign: str = "") -> str:
    ci = m.get("ci")
    interval = f"  [{_fmt(ci[0], sign)}, {_fmt(ci[1], sign)}]" if ci else ""
    return _fmt(m.get("value", m.get("delta")), sign) + interval


def _oracle(v: dict) -> str:
    return _fmt(v["oracle"]) + ("†" if v["oracle"] < 1 else " ")


def _split_report(r: dict) -> list[str]:
    names, b, out = r["confusion"]["labels"], r.get("bootstrap"), []
    if b:
        out.append(
            f"95% intervals: {b['method']} bootstrap, {b['samples']} resamples of {b['unit']}s "
            f"within the scored set, seed {b['seed']}"
        )
    titles = {"f_avg": "F_avg (official)", "macro_f1": "macro-F1", "accuracy": "accuracy"}
    out += [f"  {titles[m]:<18}{_with_ci(v)}" for m, v in r["metrics"].items()]
    out.append(f"  {'oracle F_avg':<18}{_fmt(r['oracle'])}  (the gold labels' own F_avg: the ceiling)")
    out += ["", f"  {'class':<10}{'precision':>10}{'recall':>8}{'F1':>8}{'gold':>6}{'pred':>6}"]
    for n, c in r["per_class"].items():
        scores = f"{_fmt(c['precision']):>10}{_fmt(c['recall']):>8}{_fmt(c['f1']):>8}"
        out.append(f"  {n:<10}{scores}{c['support']:>6}{c['predicted']:>6}")
    out += ["", f"  {'target':<16}{'rows':>5}  F_avg  [95% interval]   oracle  gold " + "/".join(names)]
    for t, v in r["per_target"].items():
        support = "/".join(str(v["support"][n]) for n in names)
        out.append(f"  {t:<16}{v['rows']:>5}  {_with_ci(v['f_avg']):<25}{_oracle(v)}  " + support)
    if any(v["oracle"] < 1 for v in r["per_target"].values()):
        out.append("  † oracle below 1: favor or against has no gold row here, so no system reaches 1")
    out += ["", "  confusion (rows gold, columns predicted)", " " * 12 + "".join(f"{n:>9}" for n in names)]
    for n, row in zip(names, r["confusion"]["matrix"]):
        out.append(f"  {n:<10}" + "".join(f"{c:>9}" for c in row))
    return out


def format_report(report: dict) -> str:
    """The report of `evaluate` or `evaluate_cv` as a readable table."""
    if report["protocol"] == "split":
        head = (
            f"belgrade-stance scorer: {report['scope']}, {report['rows']} rows, "
            f"{report['units']} sentences, {report['documents']} document(s)"
        )
        return "\n".join([head, *_split_report(report)]) + "\n"
    what = "leave-one-document-out over the documents"
    if report["protocol"] == "loto":
        what = "leave-one-target-out (each target of each document unseen) over the targets"
    out = [
        f"belgrade-stance scorer: {what}, {report['scope']}",
        f"  {'fold':<16}{'rows':>5}{'F_avg':>8}{'macro-F1':>10}{'accuracy':>10}{'oracle':>8}",
    ]
    for fold, f in report["folds"].items():
        scores = f"{_fmt(f['f_avg']):>8}{_fmt(f['macro_f1']):>10}{_fmt(f['accuracy']):>10}"
        out.append(f"  {fold:<16}{f['rows']:>5}{scores}  {_oracle(f)}")
    out.append("  mean ± sample sd over folds [95% t interval, df = folds − 1] (undefined folds left out):")
    for m, v in report["over_folds"].items():
        t = f"[{_fmt(v['t_ci'][0])}, {_fmt(v['t_ci'][1])}]"
        out.append(f"    {m:<10}{_fmt(v['mean'])} ± {_fmt(v['sd'])} {t} ({v['folds']} folds)")
    pooled = report["pooled"]
    out += ["", f"pooled predictions: {pooled['rows']} rows, {pooled['units']} sentences"]
    return "\n".join(out + _split_report(pooled)) + "\n"


def format_comparison(r: dict) -> str:
    """The comparison as a readable table."""
    boot = r["bootstrap"]
    out = [
        f"belgrade-stance compare: B − A on {r['scope']} ({r['protocol']}), {r['rows']} rows, "
        f"{r['units']} sentences",
        f"  A: {r['a']}",
        f"  B: {r['b']}",
        f"  one paired bootstrap over sentences ({boot['samples']} resamples, seed {boot['seed']})",
        f"  * significant: p < {r['alpha']}, exactly when the {1 - r['alpha']:.0%} interval excludes 0",
        "",
        f"  {'':<16}{'A':>7}{'B':>7}  {'B − A':>6}",
    ]
    for m in COMPARED:
        e = r[m]
        test = f"  p {e['p']:.3f}" + (" *" if e["significant"] else "") if "p" in e else ""
        out.append(f"  {m:<16}{e['a']:>7.3f}{e['b']:>7.3f}  {_with_ci(e, '+')}{test}")
    out += ["", "  F_avg per target (descriptive: no test)"]
    out += [f"  {t:<30}{_with_ci(e, '+')}" for t, e in r["per_target"].items()]
    return "\n".join(out) + "\n"
