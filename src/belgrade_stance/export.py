"""Exports of the shipped data to other tools' formats, one file per split: `export conll`
(CoNLL-2003-style BIO, <split>.ner as `spacy convert -c ner` finds it in a folder) and `export spacy`
(a spaCy DocBin of one Doc per sentence, and config.cfg to train the NER layer), as the README's
"Exports and the viewer" describes; DIR is written as belgrade_stance.outputs allows."""

from importlib.resources import files
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
SUFFIX = {"conll": "ner", "spacy": "spacy"}


def _conll(split: str, rows: list) -> bytes:
    """`token _ _ tag` lines; DOCSTART and a blank line before each document, one after each sentence."""
    lines = []
    for _, sents in groupby(rows, key=itemgetter("doc_id")):
        lines += [DOCSTART, ""]
        for s in sents:
            lines += [f"{tok} _ _ {tag}" for tok, tag in zip(s["tokens"], s["ner_tags"])] + [""]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _spacy(split: str, rows: list) -> bytes:
    """A DocBin of one Doc per sentence: its tokens (one space for any white space of the text), entities
    (ids as kb_id_) and a `target=label` span over it per target in doc.spans["stance"]; user_data holds
    doc_id, sentence_id, split and stance ({target: label})."""
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    vocab, docbin = Vocab(), DocBin(store_user_data=True)
    for s in rows:
        offsets = token_offsets(s["text"], s["tokens"])  # the schema checked them
        begins = {a: k for k, (a, _) in enumerate(offsets)}
        ids = {begins[e["start"]]: e["entity_id"] for e in s["entities"]}
        spaces = [b < nxt for (_, b), (nxt, _) in zip(offsets, offsets[1:])] + [False]
        starts = [k == 0 for k in range(len(offsets))]
        doc = Doc(vocab, words=s["tokens"], spaces=spaces, sent_starts=starts, ents=s["ner_tags"])
        doc.ents = [Span(doc, e.start, e.end, label=e.label_, kb_id=ids.get(e.start, "")) for e in doc.ents]
        doc.spans["stance"] = [Span(doc, 0, len(doc), label=f"{t}={lab}") for t, lab in s["stance"].items()]
        doc.user_data.update(doc_id=s["doc_id"], sentence_id=s["id"], split=split, stance=s["stance"])
        docbin.add(doc)
    return docbin.to_bytes()


def export(fmt: str, out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write out/<split>.ner ("conll") or out/<split>.spacy and out/config.cfg ("spacy", needs spaCy)."""
    if fmt == "spacy" and find_spec("spacy") is None:
        raise LoadError("missing-extra", "needs spaCy: pip install 'belgrade-stance[spacy]'", "export spacy")
    command = f"export {fmt}"
    with fill(check_out(out, command, data_dir), command) as tmp:
        sentences = load("sentences", format="arrow", data_dir=data_dir, labels="names")
        stance = load("stance", data_dir=data_dir, labels="names")
        names = [f"{split}.{SUFFIX[fmt]}" for split in sentences] + (["config.cfg"] if fmt == "spacy" else [])
        for split, table in sentences.items():
            labels = {sid: dict(zip(g.target, g.label)) for sid, g in stance[split].groupby("sentence_id")}
            rows = sorted(table.to_pylist(), key=itemgetter("doc_id", "sentence_index"))
            rows = [{**r, "stance": labels.get(r["id"], {})} for r in rows]
            (tmp / f"{split}.{SUFFIX[fmt]}").write_bytes((_conll if fmt == "conll" else _spacy)(split, rows))
        if fmt == "spacy":
            (tmp / "config.cfg").write_bytes(files("belgrade_stance").joinpath("spacy-ner.cfg").read_bytes())
    return [Path(out) / name for name in names]
