"""Exports of the shipped data to the formats of other tools.

    belgrade-stance export conll --out DIR     # DIR/<split>.conll, CoNLL-2003-style BIO
    belgrade-stance export spacy --out DIR     # DIR/<split>.spacy, a spaCy DocBin per split

CoNLL: one token per line with four columns (`token _ _ BIO-tag`; there are no POS or chunk
tags), the document line `-DOCSTART- -X- O O` (spaCy's, so that `python -m spacy convert -c ner`
makes one Doc per document) and a blank line before each document, a blank line after each
sentence. Documents in id order, sentences in reading order.

spaCy: one `Doc` per document, built from the corpus's tokens with sentence starts set and the
gold entities as `doc.ents` (each with its entity id as `kb_id_`). `doc.spans["stance"]` holds one span over each sentence per target,
labelled `target=label` (`war=against`, `nato=none`, …); `doc.user_data` holds `doc_id`, `split`,
`sentence_ids` (in order) and `stance` ({sentence_id: {target: label}}).

DIR is written whole, and only if it is empty, new, or an earlier, unchanged output of the same
export (belgrade_stance.outputs); it also gets belgrade-stance-output.json, the sha256 of its files.
"""

from __future__ import annotations

from pathlib import Path

from belgrade_stance.errors import LoadError
from belgrade_stance.load import inventories, load
from belgrade_stance.outputs import around_data, output_folder
from belgrade_stance.spans import token_offsets

FORMATS = ("conll", "spacy", "label-studio")
DOCSTART = "-DOCSTART- -X- O O"
"""The CoNLL document line, as spaCy's converter (spacy convert -c ner) splits documents on it."""


def documents(data_dir: Path | str | None = None) -> dict[str, list[tuple[str, list[dict]]]]:
    """Per split: (doc_id, its sentences in order) with tokens, BIO tag names and stance labels."""
    inv = inventories(data_dir)
    tags, labels = inv["ner_tags"], inv["stance_labels"]
    sentences = load("sentences", format="arrow", data_dir=data_dir)
    stance = load("stance", format="arrow", data_dir=data_dir)
    out = {}
    for split, table in sentences.items():
        labels_of: dict[str, dict[str, str]] = {}
        for r in stance[split].select(["sentence_id", "target", "label"]).to_pylist():
            labels_of.setdefault(r["sentence_id"], {})[r["target"]] = labels[r["label"]]
        docs: dict[str, list[dict]] = {}
        cols = ["id", "doc_id", "sentence_index", "text", "tokens", "ner_tags", "entities"]
        for r in table.select(cols).to_pylist():
            r["tags"] = [tags[t] for t in r.pop("ner_tags")]
            r["stance"] = labels_of.get(r["id"], {})
            docs.setdefault(r["doc_id"], []).append(r)
        out[split] = [(d, sorted(rows, key=lambda r: r["sentence_index"])) for d, rows in sorted(docs.items())]
    return out


def export_conll(out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write out/<split>.conll for every split (out replaced whole, see belgrade_stance.outputs)."""
    written = []
    with output_folder(out, "export conll", around_data(data_dir)) as tmp:
        for split, docs in documents(data_dir).items():
            lines = []
            for _, sents in docs:
                lines += [DOCSTART, ""]
                for s in sents:
                    lines += [f"{tok} _ _ {tag}" for tok, tag in zip(s["tokens"], s["tags"])] + [""]
            (tmp / f"{split}.conll").write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(Path(out) / f"{split}.conll")
    return written


def export_spacy(out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write out/<split>.spacy DocBins for every split (out replaced whole, see belgrade_stance.outputs)."""
    import importlib.util

    if importlib.util.find_spec("spacy") is None:
        raise LoadError("missing-extra", "the spacy export needs spaCy: pip install 'belgrade-stance[spacy]'")
    with output_folder(out, "export spacy", around_data(data_dir)) as tmp:
        written = _write_docbins(tmp, data_dir)
    return [Path(out) / name for name in written]


def _write_docbins(folder: Path, data_dir) -> list[str]:
    """<split>.spacy of every split into folder; the file names written."""
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    vocab = Vocab()
    written = []
    for split, docs in documents(data_dir).items():
        bin_ = DocBin(store_user_data=True)
        for doc_id, sents in docs:
            words, spaces, starts, ents, bounds, ids = [], [], [], [], [], {}
            for s in sents:
                offsets = token_offsets(s["text"], s["tokens"])
                if offsets is None:
                    raise LoadError("tokens-mismatch", f"sentence {s['id']}: its tokens do not cover its text in order")
                first = len(words)
                begins = {a: first + k for k, (a, _) in enumerate(offsets)}
                for e in s["entities"]:
                    ids[begins[e["start"]]] = e["entity_id"]
                for k, (tok, (a, b)) in enumerate(zip(s["tokens"], offsets)):
                    words.append(tok)
                    nxt = offsets[k + 1][0] if k + 1 < len(offsets) else None
                    spaces.append(nxt is None or nxt > b)
                    starts.append(k == 0)
                ents += s["tags"]
                bounds.append((s["id"], first, len(words)))
            doc = Doc(vocab, words=words, spaces=spaces, sent_starts=starts, ents=ents)
            doc.ents = [Span(doc, e.start, e.end, label=e.label_, kb_id=ids.get(e.start, "")) for e in doc.ents]
            doc.spans["stance"] = [Span(doc, a, b, label=f"{t}={lab}")
                                   for (sid, a, b), s in zip(bounds, sents) for t, lab in s["stance"].items()]
            doc.user_data.update({"doc_id": doc_id, "split": split, "sentence_ids": [b[0] for b in bounds],
                                  "stance": {s["id"]: s["stance"] for s in sents}})
            bin_.add(doc)
        bin_.to_disk(folder / f"{split}.spacy")
        written.append(f"{split}.spacy")
    return written
