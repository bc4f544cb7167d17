"""The official scorer of the holder/evidence task (the `holders` config), as DATASET_CARD.md
("Holders and evidence") describes it. A system predicts, for every sentence scored, the
favor/against stances it finds, one JSON record per (target, holder):

    {"sentence_id": "d03-s006", "target": "putin", "label": "against", "holder": "aleksei",
     "evidence_start": 12, "evidence_end": 40}
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

from belgrade_stance.errors import LoadError, Problem
from belgrade_stance.load import inventories, load
from belgrade_stance.scoring.predictions import PredictionError, read_records, shortlist
from belgrade_stance.scoring.stance_scorer import split_names
from belgrade_stance.spans import token_offsets

REQUIRED = ("sentence_id", "target", "label", "holder")
FIELDS = {*REQUIRED, "evidence_start", "evidence_end"}


def normalise(holder: str) -> str:
    """A holder as matched: NFC, lowercase, white space collapsed, a leading article dropped."""
    h = " ".join(unicodedata.normalize("NFC", holder).lower().split())
    for article in ("the ", "a ", "an "):
        if h.startswith(article):
            return h[len(article) :]
    return h


def _gold(split: str, data_dir, verify: bool) -> tuple[dict, dict]:
    """Gold tuples with their evidence spans, and the scored sentences (id → text, token spans)."""
    splits = split_names(split)
    names = inventories(data_dir)["stance_labels"]
    holders = load("holders", format="arrow", data_dir=data_dir, verify=verify)
    sentences = load("sentences", format="arrow", data_dir=data_dir, verify=verify)
    gold, texts = {}, {}
    for s in splits:
        for r in sentences[s].select(["id", "text", "tokens", "annotation_status"]).to_pylist():
            if r["annotation_status"] == "gold":
                texts[r["id"]] = (r["text"], token_offsets(r["text"], r["tokens"]) or [])
        for r in holders[s].to_pylist():
            key = (r["sentence_id"], r["target"], names[r["label"]], normalise(r["holder"]))
            gold[key] = (r["evidence_start"], r["evidence_end"])
    return gold, texts


def read_holder_predictions(predictions, texts: dict, targets: list[str]) -> dict:
    """{(sentence, target, label, holder): evidence span or None}, or PredictionError listing the
    offending records of every rule."""
    if not isinstance(predictions, (str, Path, list, tuple)):
        kind = type(predictions).__name__
        raise PredictionError(
            kind, "predictions-type", "holder predictions are a JSON Lines file or a list of records"
        )
    source, records, unreadable = read_records(predictions, holders=True)
    found: dict[str, list[str]] = defaultdict(list)

    def add(rule: str, message: str) -> None:
        found[rule].append(message)

    for line in unreadable:
        add("prediction-record", line)
    out: dict[tuple, tuple | None] = {}
    for where, rec in records:
        if not isinstance(rec, dict) or not set(REQUIRED) <= set(rec) or set(rec) - FIELDS:
            add(
                "prediction-record",
                f"{where}: an object with sentence_id, target, label, holder "
                "(and optionally evidence_start, evidence_end), nothing else",
            )
            continue
        sid, target, label, holder = (rec[k] for k in REQUIRED)
        span = (rec.get("evidence_start"), rec.get("evidence_end"))
        span = None if span == (None, None) else span
        if not isinstance(sid, str) or sid not in texts:
            add("unknown-id", f"{sid!r} ({where})")
        elif not isinstance(target, str) or target not in targets:
            add("unknown-target", f"{target!r} ({where})")
        elif label not in ("favor", "against"):
            add("unknown-label", f"{label!r} ({where}; favor or against)")
        elif not isinstance(holder, str) or not holder.strip():
            add("prediction-record", f"{where}: holder must be a non-empty string")
        elif span and not (
            all(type(x) is int for x in span) and 0 <= span[0] < span[1] <= len(texts[sid][0])
        ):
            add(
                "prediction-record",
                f"{where}: evidence {span[0]!r}–{span[1]!r} is not a span of the sentence "
                f"(length {len(texts[sid][0])})",
            )
        elif (key := (sid, target, label, normalise(holder))) in out:
            add("duplicate-prediction", f"{key!r} ({where})")
        else:
            out[key] = span
    if found:
        problems = [Problem(source, None, r, f"{len(m)} record(s): {shortlist(m)}") for r, m in found.items()]
        raise PredictionError(source, problems=problems)
    return out


def _prf(tp: int, n_gold: int, n_pred: int) -> dict:
    """Precision, recall and F1 of tuples (0 where undefined)."""
    p, r = (tp / n if n else 0.0 for n in (n_pred, n_gold))
    f1 = round(2 * p * r / (p + r), 6) if p + r else 0.0
    return dict(precision=round(p, 6), recall=round(r, 6), f1=f1, gold=n_gold, predicted=n_pred, correct=tp)


def _tokens_in(span, offsets) -> set[int]:
    return {i for i, (a, b) in enumerate(offsets) if span and a < span[1] and span[0] < b}


def evaluate_holders(
    predictions,
    split: str = "test",
    *,
    protocol: str = "split",
    data_dir: Path | str | None = None,
    verify=True,
) -> dict:
    """Score holder/evidence predictions (see the module docstring): protocol "lodo" scores every
    split (leave-one-document-out predictions), "split" one split."""
    if protocol not in ("split", "lodo"):
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: split, lodo")
    split = "all" if protocol == "lodo" else split
    gold, texts = _gold(split, data_dir, verify)
    targets = list(inventories(data_dir)["targets"])
    pred = read_holder_predictions(predictions, texts, targets)
    matched = set(gold) & set(pred)
    evidence = []
    for key in matched:
        g, p = (_tokens_in(span[key], texts[key[0]][1]) for span in (gold, pred))
        evidence.append(2 * len(g & p) / (len(g) + len(p)) if g and p else 0.0)
    gold_items, pred_items = {k[:3] for k in gold}, {k[:3] for k in pred}
    per_target = {}
    for t in targets:
        g, p = {k for k in gold if k[1] == t}, {k for k in pred if k[1] == t}
        per_target[t] = _prf(len(g & p), len(g), len(p))
    return {
        "task": "holders",
        "protocol": protocol,
        "split": split,
        "sentences": len(texts),
        "tuple": _prf(len(matched), len(gold), len(pred)),
        "tuple_without_holder": _prf(len(gold_items & pred_items), len(gold_items), len(pred_items)),
        "evidence": {
            "token_f1_over_gold": round(sum(evidence) / len(gold), 6) if gold else 0.0,
            "token_f1_over_matched": round(sum(evidence) / len(evidence), 6) if evidence else 0.0,
            "matched": len(evidence),
        },
        "per_target": per_target,
    }


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
