"""The official scorer of the holder/evidence task (the `holders` config).

    import belgrade_stance
    report = belgrade_stance.evaluate_holders("holders.jsonl", protocol="lodo")

    belgrade-stance evaluate holders.jsonl --task holders [--protocol split|lodo] [--split test]

A system predicts, for every sentence of the scored set, the favor/against stances it finds, one
record per (target, holder), in a JSON Lines file (or a .json list; read by the stance scorer's
own file reader, `read_prediction_file`):

    {"sentence_id": "d03-s006", "target": "putin", "label": "against", "holder": "aleksei",
     "evidence_start": 12, "evidence_end": 40}

`holder` is `author`, an entity id of the document, or a group's description; `evidence_start`
and `evidence_end` are character offsets into the sentence text (optional: null scores no
evidence overlap). A sentence and target without a record is predicted to have no favor/against
holder. Scores, in the style of SemEval-2022 Task 10's sentiment graph F1:

* **tuple F1**: precision, recall and F1 of (sentence, target, label, holder) tuples against the
  gold records (micro over the scored set). Holders match after normalisation: Unicode NFC,
  lowercase, white space collapsed, a leading "the", "a" or "an" dropped; so an entity id or
  `author` must be exact, and a group's description matches the gold's normalised description
  (e.g. "Many Serbians" does not match `serbians`: write the smallest noun phrase, as the
  guidelines do);
* **tuple F1 without holder**: the same over (sentence, target, label), the stance part alone;
* **evidence F1**: for every correctly predicted tuple, the token-overlap F1 of the predicted and
  the gold evidence spans (tokens of the `sentences` config; ERASER-style), averaged over the
  gold tuples (an unmatched gold tuple counts 0) and over the matched ones.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from functools import partial
from pathlib import Path

from belgrade_stance.errors import LoadError, Problem, Problems
from belgrade_stance.load import inventories, load
from belgrade_stance.scoring.predictions import PredictionError, read_prediction_file, shortlist
from belgrade_stance.scoring.stance_scorer import SCORED_SPLITS
from belgrade_stance.spans import token_offsets

REQUIRED = ("sentence_id", "target", "label", "holder")
FIELDS = {*REQUIRED, "evidence_start", "evidence_end"}
ARTICLES = ("the ", "a ", "an ")


def normalise(holder: str) -> str:
    """A holder as matched: NFC, lowercase, white space collapsed, a leading article dropped."""
    h = " ".join(unicodedata.normalize("NFC", holder).lower().split())
    for article in ARTICLES:
        if h.startswith(article):
            return h[len(article) :]
    return h


def _gold(split: str, data_dir, verify: bool):
    """Gold tuples with evidence spans, and the scored sentences (id → text, token spans)."""
    names = inventories(data_dir)["stance_labels"]
    holders = load("holders", format="arrow", data_dir=data_dir, verify=verify)
    sentences = load("sentences", format="arrow", data_dir=data_dir, verify=verify)
    gold: dict[tuple, tuple[int, int]] = {}
    texts: dict[str, tuple[str, list]] = {}
    for s in list(SCORED_SPLITS[:-1]) if split == "all" else [split]:
        for r in sentences[s].select(["id", "text", "tokens", "annotation_status"]).to_pylist():
            if r["annotation_status"] == "gold":
                texts[r["id"]] = (r["text"], token_offsets(r["text"], r["tokens"]) or [])
        for r in holders[s].to_pylist():
            key = (r["sentence_id"], r["target"], names[r["label"]], normalise(r["holder"]))
            gold[key] = (r["evidence_start"], r["evidence_end"])
    return gold, texts


def _records(predictions) -> tuple[str, list[tuple[str, object]], list[str]]:
    """(source, [(where, record)], lines that could not be read): a JSON Lines or .json file, or a list."""
    if isinstance(predictions, (list, tuple)):
        return "predictions", [(f"item {i}", r) for i, r in enumerate(predictions)], []
    if isinstance(predictions, (str, Path)) and Path(predictions).suffix.lower() != ".csv":
        records, bad = read_prediction_file(predictions, REQUIRED, mapping=False)
        return str(predictions), records, bad
    if isinstance(predictions, (str, Path)):
        problem = Problem(
            str(predictions),
            None,
            "predictions-type",
            "holder predictions are JSON Lines (or a .json list of objects), not CSV",
        )
    else:
        problem = Problem(
            type(predictions).__name__,
            None,
            "predictions-type",
            "holder predictions are a JSON Lines file or a list of records",
        )
    raise PredictionError(problem.file, [problem])


def _span(rec: dict, text: str):
    start, end = rec.get("evidence_start"), rec.get("evidence_end")
    if start is None and end is None:
        return None
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
        raise ValueError(f"evidence {start!r}–{end!r} is not a span of the sentence (length {len(text)})")
    return start, end


def read_holder_predictions(predictions, texts: dict, targets: list[str]) -> tuple[str, dict]:
    """(source, {(sentence, target, label, holder): evidence span or None}), or PredictionError
    listing the offending records of every rule."""
    source, records, unreadable = _records(predictions)
    found = Problems()  # one per offending record, reported per rule
    add = partial(found.add, source, None)
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
        sid, target, label, holder = rec["sentence_id"], rec["target"], rec["label"], rec["holder"]
        if not isinstance(sid, str) or sid not in texts:
            add("unknown-id", f"{sid!r} ({where})")
        elif not isinstance(target, str) or target not in targets:
            add("unknown-target", f"{target!r} ({where})")
        elif label not in ("favor", "against"):
            add("unknown-label", f"{label!r} ({where}; favor or against)")
        elif not isinstance(holder, str) or not holder.strip():
            add("prediction-record", f"{where}: holder must be a non-empty string")
        else:
            try:
                span = _span(rec, texts[sid][0])
            except ValueError as e:
                add("prediction-record", f"{where}: {e}")
                continue
            key = (sid, target, label, normalise(holder))
            if key in out:
                add("duplicate-prediction", f"{key!r} ({where})")
            else:
                out[key] = span
    if found:
        by_rule: dict[str, list[str]] = defaultdict(list)
        for p in found.items:
            by_rule[p.rule].append(p.message)
        problems = [
            Problem(source, None, r, f"{len(items)} record(s): {shortlist(items)}")
            for r, items in by_rule.items()
        ]
        raise PredictionError(source, problems)
    return source, out


def _prf(tp: int, n_gold: int, n_pred: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {
        "precision": round(p, 6),
        "recall": round(r, 6),
        "f1": round(2 * p * r / (p + r), 6) if p + r else 0.0,
        "gold": n_gold,
        "predicted": n_pred,
        "correct": tp,
    }


def _tokens_in(span, offsets) -> set[int]:
    if span is None:
        return set()
    start, end = span
    return {i for i, (a, b) in enumerate(offsets) if a < end and start < b}


def evaluate_holders(
    predictions,
    split: str = "test",
    *,
    protocol: str = "split",
    data_dir: Path | str | None = None,
    verify: bool = True,
) -> dict:
    """Score holder/evidence predictions (see the module docstring). protocol "lodo" scores every
    split (leave-one-document-out predictions); "split" one split (default test)."""
    if protocol not in ("split", "lodo"):
        raise LoadError("bad-argument", f"unknown protocol {protocol!r}; valid: split, lodo")
    split = "all" if protocol == "lodo" else split
    if split not in SCORED_SPLITS:
        raise LoadError("unknown-split", f"unknown split {split!r}; valid: {', '.join(SCORED_SPLITS)}")
    gold, texts = _gold(split, data_dir, verify)
    targets = list(inventories(data_dir)["targets"])
    _, pred = read_holder_predictions(predictions, texts, targets)
    matched = set(gold) & set(pred)
    evidence = []
    for key in matched:
        offsets = texts[key[0]][1]
        g, p = _tokens_in(gold[key], offsets), _tokens_in(pred[key], offsets)
        evidence.append(2 * len(g & p) / (len(g) + len(p)) if g and p else 0.0)
    per_target = {}
    for t in targets:
        g = {k for k in gold if k[1] == t}
        p = {k for k in pred if k[1] == t}
        per_target[t] = _prf(len(g & p), len(g), len(p))
    gold_items = {k[:3] for k in gold}
    pred_items = {k[:3] for k in pred}
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


def _scores(v: dict) -> str:
    return f"P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}"


def format_holders(r: dict) -> str:
    """The report of `evaluate_holders` as a readable table."""
    t, e = r["tuple"], r["evidence"]
    out = [
        f"belgrade-stance holders scorer: {r['protocol']} protocol, split {r['split']}, "
        f"{r['sentences']} sentences",
        f"  tuples (sentence, target, label, holder)  {_scores(t)}"
        f"   gold {t['gold']}, predicted {t['predicted']}, correct {t['correct']}",
        f"  without holder (sentence, target, label)  {_scores(r['tuple_without_holder'])}",
        f"  evidence token F1: {e['token_f1_over_gold']:.3f} over gold tuples, "
        f"{e['token_f1_over_matched']:.3f} over the {e['matched']} matched",
        "",
        f"  {'target':<16}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}",
    ]
    for name, v in r["per_target"].items():
        scores = f"{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}"
        out.append(f"  {name:<16}{scores}{v['gold']:>6}{v['predicted']:>6}")
    return "\n".join(out) + "\n"
