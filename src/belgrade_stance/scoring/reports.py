"""The scorers' reports as readable tables (the reports themselves are JSON-ready dicts)."""

from __future__ import annotations

from belgrade_stance.scoring.metrics import COMPARED


def _fmt(v: float | None, sign: str = "") -> str:
    return "  n/a" if v is None else f"{v:{sign}.3f}"


def _with_ci(m: dict, sign: str = "") -> str:
    ci = m.get("ci")
    interval = f"  [{_fmt(ci[0], sign)}, {_fmt(ci[1], sign)}]" if ci else ""
    return _fmt(m.get("value", m.get("difference")), sign) + interval


def _split_report(r: dict) -> list[str]:
    names, b, out = r["confusion"]["labels"], r.get("bootstrap"), []
    if b:
        out.append(
            f"95% intervals: {b['method']} bootstrap, {b['samples']} resamples of {b['unit']}s "
            f"within the scored set, seed {b['seed']}"
        )
    titles = {"f_avg": "F_avg (official)", "macro_f1": "macro-F1", "accuracy": "accuracy"}
    out += [f"  {titles[m]:<18}{_with_ci(v)}" for m, v in r["metrics"].items()]
    out += ["", f"  {'class':<10}{'precision':>10}{'recall':>8}{'F1':>8}{'gold':>6}{'pred':>6}"]
    for n, c in r["per_class"].items():
        scores = f"{_fmt(c['precision']):>10}{_fmt(c['recall']):>8}{_fmt(c['f1']):>8}"
        out.append(f"  {n:<10}{scores}{c['support']:>6}{c['predicted']:>6}")
    out += ["", f"  {'target':<16}{'rows':>5}  F_avg  [95% interval]   gold " + "/".join(names)]
    for t, v in r["per_target"].items():
        support = "/".join(str(v["support"][n]) for n in names)
        out.append(f"  {t:<16}{v['rows']:>5}  {_with_ci(v['f_avg']):<25}" + support)
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
        what = "leave-one-target-out (zero-shot targets) over the targets"
    out = [
        f"belgrade-stance scorer: {what}, {report['scope']}",
        f"  {'fold':<16}{'rows':>5}{'F_avg':>8}{'macro-F1':>10}{'accuracy':>10}",
    ]
    for fold, f in report["folds"].items():
        scores = f"{_fmt(f['f_avg']):>8}{_fmt(f['macro_f1']):>10}{_fmt(f['accuracy']):>10}"
        out.append(f"  {fold:<16}{f['rows']:>5}{scores}")
    summary = (
        f"{m} {_fmt(v['mean'])} ± {_fmt(v['sd'])} ({v['folds']} folds)"
        for m, v in report["over_folds"].items()
    )
    out.append(
        "  mean ± sd over folds (sample sd; folds with an undefined value left out): " + ", ".join(summary)
    )
    pooled, d = report["pooled"], report["pooled"].get("document_bootstrap")
    out += ["", f"pooled predictions: {pooled['rows']} rows, {pooled['units']} sentences"]
    if d:
        out.append(
            f"95% intervals resampling whole documents ({d['units']} documents, {d['samples']} resamples): "
            + ", ".join(f"{m} [{_fmt(ci[0])}, {_fmt(ci[1])}]" for m, ci in d["metrics"].items())
        )
    return "\n".join(out + _split_report(pooled)) + "\n"


def format_comparison(r: dict) -> str:
    """The comparison as a readable table."""
    boot, rand = r["bootstrap"], r.get("randomization")
    test = "no randomization test"
    if rand:
        kind = "assignments, exact" if rand["exact"] else "permutations"
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
    for m in COMPARED:
        out.append(f"  {m:<16}{'A':>7}{'B':>7}  {'B − A':>6}")
        for label, e in [("all targets", r[m]), *((t, v[m]) for t, v in r["per_target"].items())]:
            p = e.get("p_holm", e.get("p"))
            test = "" if p is None else f"  p {p:.4f}" + (" *" if e.get("significant") else "")
            out.append(f"  {label:<16}{e['a']:>7.3f}{e['b']:>7.3f}  {_with_ci(e, '+')}{test}")
        out.append("")
    return "\n".join(out)


def format_holders(r: dict) -> str:
    """The report of `evaluate_holders` as a readable table."""

    def scores(v: dict) -> str:
        return f"P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}"

    t, e = r["tuple"], r["evidence"]
    out = [
        f"belgrade-stance holders scorer: {r['protocol']} protocol, split {r['split']}, "
        f"{r['sentences']} sentences",
        f"  tuples (sentence, target, label, holder)  {scores(t)}"
        f"   gold {t['gold']}, predicted {t['predicted']}, correct {t['correct']}",
        f"  without holder (sentence, target, label)  {scores(r['tuple_without_holder'])}",
        f"  evidence token F1: {e['token_f1_over_gold']:.3f} over gold tuples, "
        f"{e['token_f1_over_matched']:.3f} over the {e['matched']} matched",
        "",
        f"  {'target':<16}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}",
    ]
    for name, v in r["per_target"].items():
        figures = f"{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}"
        out.append(f"  {name:<16}{figures}{v['gold']:>6}{v['predicted']:>6}")
    return "\n".join(out) + "\n"
