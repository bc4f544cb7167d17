"""Exports of the shipped data to other tools' formats, one file per split: `export conll`
(CoNLL-2003-style BIO) and `export spacy` (a spaCy DocBin, one Doc per document), as the README's
"Exports and the viewer" describes; DIR is written as belgrade_stance.outputs allows."""

from importlib.util import find_spec
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.load import load
from belgrade_stance.outputs import check_out, fill
from belgrade_stance.spans import token_offsets

DOCSTART = "-DOCSTART- -X- O O"
"""The CoNLL document line, as spaCy's converter (spacy convert -c ner) splits documents on it."""


def _conll(split: str, docs: list) -> bytes:
    """`token _ _ tag` lines; DOCSTART and a blank line before each document, one after each sentence."""
    lines = []
    for _, sents in docs:
        lines += [DOCSTART, ""]
        for s in sents:
            lines += [f"{tok} _ _ {tag}" for tok, tag in zip(s["tokens"], s["ner_tags"])] + [""]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _spacy(split: str, docs: list) -> bytes:
    """A DocBin of the documents, each a Doc of tokens (one space for any white space of the text), sentence
    starts, entities (ids as kb_id_), a `target=label` span per sentence and target in doc.spans["stance"];
    user_data holds doc_id, split, sentence_ids and stance ({sentence_id: {target: label}})."""
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    vocab, docbin = Vocab(), DocBin(store_user_data=True)
    for doc_id, sents in docs:
        words, spaces, starts, tags, bounds, ids = [], [], [], [], [], {}
        for s in sents:
            offsets, first = token_offsets(s["text"], s["tokens"]), len(words)  # the schema checked them
            begins = {a: first + k for k, (a, _) in enumerate(offsets)}
            ids.update({begins[e["start"]]: e["entity_id"] for e in s["entities"]})
            words += s["tokens"]
            spaces += [b < nxt for (_, b), (nxt, _) in zip(offsets, offsets[1:])] + [True]
            starts += [k == 0 for k in range(len(offsets))]
            tags += s["ner_tags"]
            bounds.append((first, len(words)))
        doc = Doc(vocab, words=words, spaces=spaces, sent_starts=starts, ents=tags)
        doc.ents = [Span(doc, e.start, e.end, label=e.label_, kb_id=ids.get(e.start, "")) for e in doc.ents]
        stance = [(a, b, f"{t}={lab}") for (a, b), s in zip(bounds, sents) for t, lab in s["stance"].items()]
        doc.spans["stance"] = [Span(doc, a, b, label=label) for a, b, label in stance]
        sentence_ids, labels = [s["id"] for s in sents], {s["id"]: s["stance"] for s in sents}
        doc.user_data.update(doc_id=doc_id, split=split, sentence_ids=sentence_ids, stance=labels)
        docbin.add(doc)
    return docbin.to_bytes()


def export(fmt: str, out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write out/<split>.<fmt> for every split: fmt "conll" or "spacy" (needs spaCy)."""
    if fmt == "spacy" and find_spec("spacy") is None:
        raise LoadError("missing-extra", "needs spaCy: pip install 'belgrade-stance[spacy]'", "export spacy")
    command = f"export {fmt}"
    with fill(check_out(out, command, data_dir), command) as tmp:
        sentences = load("sentences", format="arrow", data_dir=data_dir, labels="names")
        stance = load("stance", data_dir=data_dir, labels="names")
        for split, table in sentences.items():
            labels = {sid: dict(zip(g.target, g.label)) for sid, g in stance[split].groupby("sentence_id")}
            rows = sorted(table.to_pylist(), key=itemgetter("doc_id", "sentence_index"))
            rows = [{**r, "stance": labels.get(r["id"], {})} for r in rows]
            docs = [(doc, list(sents)) for doc, sents in groupby(rows, key=itemgetter("doc_id"))]
            (tmp / f"{split}.{fmt}").write_bytes((_conll if fmt == "conll" else _spacy)(split, docs))
    return [Path(out) / f"{split}.{fmt}" for split in sentences]
