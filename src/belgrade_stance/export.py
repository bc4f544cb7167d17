"""Exports of the shipped data to the formats of other tools.

    belgrade-stance export conll --out DIR     # DIR/<split>.conll, CoNLL-2003-style BIO
    belgrade-stance export spacy --out DIR     # DIR/<split>.spacy, a spaCy DocBin per split

CoNLL: one token per line with four columns (`token _ _ BIO-tag`; there are no POS or chunk
tags), the document line `-DOCSTART- -X- O O` (spaCy's, so that `python -m spacy convert -c ner`
makes one Doc per document) and a blank line before each document, a blank line after each
sentence. Documents in id order, sentences in reading order.

spaCy: one `Doc` per document, built from the corpus's tokens with sentence starts set and the
gold entities as `doc.ents` (each with its entity id as `kb_id_`). `doc.spans["stance"]` holds
one span over each sentence per target, labelled `target=label` (`war=against`, `nato=none`, …);
`doc.user_data` holds `doc_id`, `split`, `sentence_ids` (in order) and `stance`
({sentence_id: {target: label}}).

DIR is written whole, and only if it is empty, new, or an earlier, unchanged output of the same
export (belgrade_stance.outputs); it also gets belgrade-stance-output.json, the sha256 of its files.
"""

from __future__ import annotations

from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.load import load
from belgrade_stance.outputs import around_data, check_out, fill
from belgrade_stance.spans import token_offsets

DOCSTART = "-DOCSTART- -X- O O"
"""The CoNLL document line, as spaCy's converter (spacy convert -c ner) splits documents on it."""


def _documents(data_dir: Path | str | None = None) -> dict[str, list[tuple[str, list[dict]]]]:
    """Per split: (doc_id, its sentences in order) with tokens, BIO tags, entities and stance labels."""
    sentences = load("sentences", format="arrow", data_dir=data_dir, labels="names")
    stance = load("stance", format="arrow", data_dir=data_dir, labels="names")
    out = {}
    for split, table in sentences.items():
        labels: dict[str, dict[str, str]] = {}
        for r in stance[split].select(["sentence_id", "target", "label"]).to_pylist():
            labels.setdefault(r["sentence_id"], {})[r["target"]] = r["label"]
        docs: dict[str, list[dict]] = {}
        cols = ["id", "doc_id", "sentence_index", "text", "tokens", "ner_tags", "entities"]
        for r in sorted(table.select(cols).to_pylist(), key=lambda r: r["sentence_index"]):
            docs.setdefault(r["doc_id"], []).append({**r, "stance": labels.get(r["id"], {})})
        out[split] = sorted(docs.items())
    return out


def export_conll(out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write out/<split>.conll for every split (out replaced whole, see belgrade_stance.outputs)."""
    written = []
    with fill(check_out(out, "export conll", around_data(data_dir)), "export conll") as tmp:
        for split, docs in _documents(data_dir).items():
            lines = []
            for _, sents in docs:
                lines += [DOCSTART, ""]
                for s in sents:
                    lines += [f"{tok} _ _ {tag}" for tok, tag in zip(s["tokens"], s["ner_tags"])] + [""]
            (tmp / f"{split}.conll").write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(Path(out) / f"{split}.conll")
    return written


def _spacy_doc(vocab, doc_id: str, split: str, sents: list[dict]):
    """One document as a spaCy Doc: tokens, sentence starts, entities with their ids, stance spans."""
    from spacy.tokens import Doc, Span

    words, spaces, starts, tags, bounds, ids = [], [], [], [], [], {}
    for s in sents:
        offsets = token_offsets(s["text"], s["tokens"])
        if offsets is None:
            raise LoadError("tokens-mismatch", f"sentence {s['id']}: its tokens do not cover its text")
        first = len(words)
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
    return doc


def export_spacy(out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write out/<split>.spacy DocBins for every split (out replaced whole, see belgrade_stance.outputs)."""
    try:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab
    except ImportError:
        raise LoadError(
            "missing-extra", "the spacy export needs spaCy: pip install 'belgrade-stance[spacy]'"
        ) from None
    vocab, written = Vocab(), []
    with fill(check_out(out, "export spacy", around_data(data_dir)), "export spacy") as tmp:
        for split, docs in _documents(data_dir).items():
            docbin = DocBin(store_user_data=True)
            for doc_id, sents in docs:
                docbin.add(_spacy_doc(vocab, doc_id, split, sents))
            docbin.to_disk(tmp / f"{split}.spacy")
            written.append(Path(out) / f"{split}.spacy")
    return written
