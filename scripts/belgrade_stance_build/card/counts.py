"""The card's counting blocks (sizes, labels, holders, entities, documents, agreement) and the
figures' numbers, streamed from the built Parquet files (a batch at a time) and data/agreement.json."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from belgrade_stance.paths import split_file
from belgrade_stance_build.card.markdown import table as markdown_table
from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, SPLITS, STANCE_LABELS, TARGETS

DOCUMENT_COLUMNS = ["doc_id", "outlet", "publisher", "date", "date_precision", "fold", "n_sentences"]


BATCH_ROWS = 65_536
"""Rows read at a time: the card's numbers are streamed aggregates, memory does not grow with the corpus."""


def batches(data: Path, config: str, split: str, columns: list[str]):
    """The record batches of one file, only the given columns."""
    yield from pq.ParquetFile(split_file(data, config, split)).iter_batches(batch_size=BATCH_ROWS, columns=columns)


@dataclass
class SplitCounts:
    """What the card and the figures count in one split."""

    documents: int = 0
    sentences: int = 0
    stance: int = 0
    labels: Counter = field(default_factory=Counter)  # (target, label index) → stance rows
    doc_labels: Counter = field(default_factory=Counter)  # (doc_id, target, label index) → stance rows
    mixed: int = 0
    disagreements: int = 0  # rows whose passes differ
    holder_types: Counter = field(default_factory=Counter)
    entity_types: Counter = field(default_factory=Counter)  # label index → mentions
    entity_ids: set = field(default_factory=set)

    @property
    def entities(self) -> int:
        return sum(self.entity_types.values())


def _value_counts(array) -> Counter:
    return Counter({v["values"]: v["counts"] for v in pc.value_counts(array).to_pylist()})


def split_counts(data: Path) -> dict[str, SplitCounts]:
    """Streamed counts of every split of a data folder."""
    out = {}
    for s in SPLITS:
        c = out[s] = SplitCounts()
        c.documents = pq.read_metadata(split_file(data, "documents", s)).num_rows
        for b in batches(data, "stance", s, ["doc_id", "target", "label", "mixed", "passes_agree", "holders"]):
            c.stance += b.num_rows
            triples = pa.Table.from_batches([b]).group_by(["doc_id", "target", "label"]).aggregate([([], "count_all")])
            for d, t, lab, n in zip(*(triples[k].to_pylist() for k in ("doc_id", "target", "label", "count_all"))):
                c.doc_labels[(d, t, lab)] += n
                c.labels[(t, lab)] += n
            c.mixed += pc.sum(b["mixed"]).as_py() or 0
            c.disagreements += pc.sum(pc.equal(b["passes_agree"], False)).as_py() or 0
            c.holder_types.update(_value_counts(pc.list_flatten(b["holders"]).field("holder_type")))
        for b in batches(data, "sentences", s, ["entities"]):
            c.sentences += b.num_rows
            mentions = pc.list_flatten(b["entities"])
            c.entity_types.update(_value_counts(mentions.field("label")))
            c.entity_ids.update(pc.unique(mentions.field("entity_id")).to_pylist())
    return out


def blocks(data: Path, counts: dict[str, SplitCounts] | None = None) -> dict[str, str]:
    counts = counts or split_counts(data)
    docs = {s: pq.read_table(split_file(data, "documents", s), columns=DOCUMENT_COLUMNS).to_pylist() for s in SPLITS}
    agreement = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    out: dict[str, str] = {}

    size = []
    for s in SPLITS:
        c = counts[s]
        size.append([s, c.documents, c.sentences, c.entities, c.stance])
    size.append(["**all**", *(sum(r[i] for r in size) for i in range(1, 5))])
    out["sizes"] = markdown_table(["split", "documents", "sentences", "entity mentions", "stance rows"], size)

    def by_label(c: SplitCounts, target: str | None = None) -> Counter:
        out = Counter()
        for (t, lab), n in c.labels.items():
            if target in (None, t):
                out[STANCE_LABELS[lab]] += n
        return out

    rows = []
    for t in TARGETS:
        row = [f"`{t}`"]
        for s in SPLITS:
            c = by_label(counts[s], t)
            row.append(" / ".join(str(c[lab]) for lab in STANCE_LABELS))
        rows.append(row)
    per_split = {s: by_label(counts[s]) for s in SPLITS}
    total = sum(per_split.values(), Counter())
    rows.append(["**all**", *(" / ".join(str(per_split[s][lab]) for lab in STANCE_LABELS) for s in SPLITS)])
    out["labels"] = ("Counts are none / against / favor.\n\n"
                     + markdown_table(["target", *SPLITS], rows)
                     + f"\nOverall: {total['none']} none, {total['against']} against, {total['favor']} favor; "
                     f"{sum(counts[s].mixed for s in SPLITS)} rows are `mixed` "
                     "(holders of opposite stance, label from the primary holder).\n")

    holders = sum((counts[s].holder_types for s in SPLITS), Counter())
    out["holders"] = markdown_table(["holder type", "favor/against records"], [[f"`{k}`", holders[k]] for k in HOLDER_TYPES])

    ents = Counter()
    for s in SPLITS:
        for i, n in counts[s].entity_types.items():
            ents[ENTITY_TYPES_LIST[i]] += n
    ids = set().union(*(counts[s].entity_ids for s in SPLITS))
    out["entities"] = (markdown_table(["type", "mentions"], [[f"`{k}`", ents[k]] for k in ENTITY_TYPES])
                       + f"\n{sum(ents.values())} mentions of {len(ids)} distinct entity ids.\n")

    doc_rows = []
    for s in SPLITS:
        for d in docs[s]:
            doc_rows.append([f"`{d['doc_id']}`", d["outlet"] or "—", d["publisher"] or "—", d["date"],
                             d["date_precision"], s, d["fold"], d["n_sentences"]])
    doc_rows.sort()
    folds = []
    for s in SPLITS:
        for d in docs[s]:
            doc = {(t, STANCE_LABELS[lab]): n for (dd, t, lab), n in counts[s].doc_labels.items() if dd == d["doc_id"]}
            per_label = Counter()
            for (t, lab), n in doc.items():
                per_label[lab] += n
            folds.append([d["fold"], f"`{d['doc_id']}`", s, sum(per_label.values()),
                          " / ".join(str(per_label[lab]) for lab in STANCE_LABELS),
                          *(f"{doc.get((t, 'against'), 0)}/{doc.get((t, 'favor'), 0)}" for t in TARGETS)])
    folds.sort()
    out["folds"] = ("Stance rows of every leave-one-document-out fold (its held-out document): all labels as "
                    "none / against / favor, then against/favor per target.\n\n"
                    + markdown_table(["fold", "document", "split", "rows", "none / against / favor",
                                      *(f"`{t}`" for t in TARGETS)], folds))

    out["documents"] = markdown_table(["doc_id", "outlet", "publisher", "date", "precision", "split", "fold", "sentences"],
                              doc_rows)

    a = agreement
    per = [[f"`{t}`", v["items"], f"{v['kappa']:.3f}", f"{v['percent_agreement']:.3f}",
            v["favor_against_a"], v["favor_against_b"]] for t, v in a["per_target"].items()]
    n_dis = sum(counts[s].disagreements for s in SPLITS)
    out["agreement"] = (
        f"Over {a['items']} (sentence, target) items of {len(a['documents'])} documents: "
        f"Cohen's κ = {a['stance_kappa']:.3f}, raw agreement = {a['stance_percent_agreement']:.3f}, "
        f"F_avg of pass B against pass A = {a['stance_favg']:.3f}; {n_dis} items differ in label.\n"
        f"Holders agree on {a['holder_agreement']:.3f} of the {a['holder_items']} items both passes label "
        f"favor/against alike. Entities: {a['entity_mentions_a']} mentions in A, {a['entity_mentions_b']} in B, "
        f"exact-span F1 = {a['entity_span_f1']:.3f}, type agreement on matched spans = "
        f"{a['entity_type_agreement']:.3f}.\n\n"
        + markdown_table(["target", "items", "κ", "raw agreement", "favor/against in A", "favor/against in B"], per)
    )
    return out


ENTITY_TYPES_LIST = list(ENTITY_TYPES)
