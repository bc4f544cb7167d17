"""The holders scorer: (sentence, target, label, holder) tuples, the holder by id (`author`, an entity id
or a group id of `inventories()["groups"]`), strict (the evidence overlaps the gold evidence, as in
SemEval-2022 Task 10) and holder-only; DATASET_CARD.md ("Holders and evidence") describes it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from belgrade_stance.errors import Problem
from belgrade_stance.load import inventories, load
from belgrade_stance.scoring import metrics
from belgrade_stance.scoring.predictions import PredictionError, read_records, shortlist
from belgrade_stance.scoring.scorers import scored_splits
from belgrade_stance.spans import token_offsets

HOLDER_REQUIRED = ("sentence_id", "target", "label", "holder")
HOLDER_FIELDS = {*HOLDER_REQUIRED, "evidence_start", "evidence_end"}


def _gold(splits: list[str], data_dir, verify: bool) -> tuple[dict, dict, dict]:
    """Gold tuples with their evidence spans, the scored sentences (id → text, token spans), and the
    split of every other sentence (to tell a prediction for another split's rows)."""
    names = inventories(data_dir)["stance_labels"]
    holders = load("holders", format="arrow", data_dir=data_dir, verify=verify)
    sentences = load("sentences", format="arrow", data_dir=data_dir, verify=verify)
    gold, texts, elsewhere = {}, {}, {}
    for s, table in sentences.items():
        for r in table.select(["id", "text", "tokens", "annotation_status"]).to_pylist():
            if s not in splits:
                elsewhere[r["id"]] = s
            elif r["annotation_status"] == "gold":
                texts[r["id"]] = (r["text"], token_offsets(r["text"], r["tokens"]) or [])
    for s in splits:
        for r in holders[s].to_pylist():
            gold[(r["sentence_id"], r["target"], names[r["label"]], r["holder"])] = (
                r["evidence_start"],
                r["evidence_end"],
            )
    return gold, texts, elsewhere


def _tokens_in(span, offsets) -> set[int]:
    return {i for i, (a, b) in enumerate(offsets) if span and a < span[1] and span[0] < b}


def check_holder_predictions(
    predictions, texts: dict, targets: list, names: list, scope: str, elsewhere: dict
):
    """{(sentence, target, label, holder id): evidence span or None} of holder records, or
    PredictionError listing the offending records of every rule. texts: the scored sentences of scope;
    elsewhere: sentence id → split of the sentences outside it; a label is its name or its index."""
    source, records, unreadable = read_records(predictions, holders=True)
    label_of = {str(x): n for i, n in enumerate(names) for x in (n, i, float(i))}
    found: dict[str, list[str]] = defaultdict(list)
    for line in unreadable:
        found["prediction-record"].append(line)
    out: dict[tuple, tuple | None] = {}
    for where, rec in records:
        if not isinstance(rec, dict) or not set(HOLDER_REQUIRED) <= set(rec) <= HOLDER_FIELDS:
            found["prediction-record"].append(
                f"{where}: an object with sentence_id, target, label, holder "
                "(and optionally evidence_start, evidence_end), nothing else"
            )
            continue
        sid, target, label, holder = (rec[k] for k in HOLDER_REQUIRED)
        label = label_of.get(str(label).strip().lower(), label)
        span = (rec.get("evidence_start"), rec.get("evidence_end"))
        span = None if span == (None, None) else span
        if not isinstance(sid, str) or sid not in texts:
            other = f", of split {elsewhere[sid]}" if isinstance(sid, str) and sid in elsewhere else ""
            found["unknown-id"].append(f"{sid!r} ({where}{other})")
        elif target not in targets:
            found["unknown-target"].append(f"{target!r} ({where})")
        elif label not in ("favor", "against"):
            found["unknown-label"].append(f"{label!r} ({where}; favor, against, 1 or 2)")
        elif not isinstance(holder, str) or not holder.strip():
            found["prediction-record"].append(f"{where}: holder must be a non-empty string")
        elif span and not (
            all(type(x) is int for x in span) and 0 <= span[0] < span[1] <= len(texts[sid][0])
        ):
            found["prediction-record"].append(
                f"{where}: evidence {span[0]!r}–{span[1]!r} is not a span of the sentence "
                f"(length {len(texts[sid][0])})"
            )
        elif (key := (sid, target, label, holder.strip())) in out:
            found["duplicate-prediction"].append(f"{key!r} ({where})")
        else:
            out[key] = span
    if found:
        other = any("of split" in m for m in found.get("unknown-id", []))
        tip = " (sentences of another split: choose it with --split, or --protocol lodo for every split)"
        hint = {"unknown-id": f"not sentences of {scope}" + (tip if other else "")}
        problems = [
            Problem(source, None, r, f"{len(m)} record(s) {hint.get(r, 'in ' + scope)}: {shortlist(m)}")
            for r, m in found.items()
        ]
        raise PredictionError(source, problems=problems)
    return out


def evaluate_holders(
    predictions,
    split: str = "test",
    *,
    protocol: str = "split",
    data_dir: Path | str | None = None,
    verify=True,
) -> dict:
    """Score holder/evidence predictions: for every sentence scored, the favor/against stances a
    system finds, one JSON record per (target, holder id) — {"sentence_id": "d03-s006", "target":
    "putin", "label": "against", "holder": "aleksei", "evidence_start": 12, "evidence_end": 40}.
    Protocol "lodo" scores every split (leave-one-document-out predictions), "split" one split.
    `tuple` counts a tuple only when its evidence shares a token with the gold evidence (strict);
    `tuple_holder_only` without that condition; `tuple_without_holder` drops the holder as well."""
    split, splits = scored_splits(protocol, split, valid=("split", "lodo"))
    gold, texts, elsewhere = _gold(splits, data_dir, verify)
    targets = list(inventories(data_dir)["targets"])
    scope = "all splits" if split == "all" else f"split '{split}'"
    names = inventories(data_dir)["stance_labels"]
    pred = check_holder_predictions(predictions, texts, targets, names, scope, elsewhere)
    evidence, strict = [], set()
    for key in set(gold) & set(pred):
        g, p = (_tokens_in(span[key], texts[key[0]][1]) for span in (gold, pred))
        evidence.append(2 * len(g & p) / (len(g) + len(p)) if g and p else 0.0)
        strict |= {key} if g & p else set()
    gold_items, pred_items = {k[:3] for k in gold}, {k[:3] for k in pred}
    marked = {k if k in strict else (*k, "evidence apart") for k in pred}  # strict: only these match
    per_target = {
        t: metrics.counted({k for k in gold if k[1] == t}, {k for k in marked if k[1] == t}, 0.0)
        for t in targets
    }
    return {
        "task": "holders",
        "protocol": protocol,
        "split": split,
        "sentences": len(texts),
        "tuple": metrics.counted(set(gold), marked, 0.0),
        "tuple_holder_only": metrics.counted(set(gold), set(pred), 0.0),
        "tuple_without_holder": metrics.counted(gold_items, pred_items, 0.0),
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
        f"  tuples, evidence overlapping (strict)       {scores(t)}"
        f"   gold {t['gold']}, predicted {t['predicted']}, correct {t['correct']}",
        f"  tuples, holder only (no evidence condition) {scores(r['tuple_holder_only'])}",
        f"  without holder (sentence, target, label)    {scores(r['tuple_without_holder'])}",
        f"  evidence token F1: {e['token_f1_over_gold']:.3f} over gold tuples, "
        f"{e['token_f1_over_matched']:.3f} over the {e['matched']} matched",
        "",
        f"  {'target (strict)':<16}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}",
    ]
    for name, v in r["per_target"].items():
        figures = f"{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}"
        out.append(f"  {name:<16}{figures}{v['gold']:>6}{v['predicted']:>6}")
    return "\n".join(out) + "\n"
